"""What the numba LSTM kernels share: compiler options and vectorisable activations.

tanh.  numba has no vector math library here, and a loop that calls libm's tanh
    does not vectorise. ``_tanh64`` / ``_tanh32`` are branch-free versions of
    Cephes' tanh, within 2 ulp of the exact value, so the loops vectorise and the
    results stay within roundoff of NumPy's.
exp.  Likewise Cephes' exp, for the sigmoid: 1 / (1 + e^-x), the
    specification's formula, costs 40% less than (1 + tanh(x/2)) / 2 (all four
    gates of a unit: 1.46 instead of 2.45 ns, float32).
The recurrent activations.  ``sigma(x, kind)`` and its derivative ``dsigma(y,
    smooth, slope)`` in terms of the output y, for the three the kernels compute
    (``RECURRENT_ACTIVATIONS``): sigmoid, Keras 3's hard_sigmoid and Keras 2's.
"""
import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload

# fastmath "contract" only lets a * b + c become one fused multiply-add; no
# reassociation. error_model "numpy": division does not check for zero (a
# branch that would stop vectorisation).
JIT = dict(fastmath={"contract"}, error_model="numpy", cache=True)

SIGMOID, HARD_SIGMOID, HARD_SIGMOID_KERAS2 = 0, 1, 2
RECURRENT_ACTIVATIONS = {"sigmoid": SIGMOID, "hard_sigmoid": HARD_SIGMOID,
                         "hard_sigmoid_keras2": HARD_SIGMOID_KERAS2}


# -- a vectorisable tanh ------------------------------------------------------
@intrinsic
def _int64_bits_as_float64(typingctx, bits):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.DoubleType())
    return types.float64(types.int64), codegen


@intrinsic
def _int32_bits_as_float32(typingctx, bits):
    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], ir.FloatType())
    return types.float32(types.int32), codegen


_LOG2E = 1.4426950408889634
_LN2_HI, _LN2_LO = 6.93145751953125e-1, 1.42860682030941723212e-6    # ln 2 = hi + lo
# Cephes: tanh x = x + x^3 P(x^2) / Q(x^2) on |x| < 0.625 ...
_TP0, _TP1, _TP2 = -9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3
_TQ0, _TQ1, _TQ2 = 1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3
# ... and e^r = (Q(r^2) + r P(r^2)) / (Q(r^2) - r P(r^2)) on |r| <= ln2 / 2
_EP0, _EP1, _EP2 = 1.26177193074810590878e-4, 3.02994407707441961300e-2, 9.99999999999999999910e-1
_EQ0, _EQ1, _EQ2 = 3.00198505138664455042e-6, 2.52448340349684104192e-3, 2.27265548208155028766e-1
_EQ3 = 2.00000000000000000009e0


def _tanh64(x):
    """tanh for float64 from Cephes' rational approximations, without branches.

    |x| < 0.625:  tanh x = x + x^3 P(x^2) / Q(x^2)
    otherwise:    tanh x = (e^y - 1) / (e^y + 1), y = 2|x| with |x| clipped at 20
                  (tanh 20 = 1 in float64); e^y = 2^n e^r, |r| <= ln2 / 2, and
                  e^r = N / M (Pade), so tanh x = (2^n N - M) / (2^n N + M).
    Both branches are computed and one is kept by multiplying with m = 1 or 0,
    then one division: with no branch at all (not even a conditional
    expression) a loop over it vectorises, and numba can paste it into the loop.
    Within 2 ulp of the exact tanh.
    """
    a = np.minimum(np.abs(x), 20.0)              # (NaN passes through)
    y = a + a
    n = np.floor(y * _LOG2E + 0.5)
    r = (y - n * _LN2_HI) - n * _LN2_LO
    rr = r * r
    rp = r * ((_EP0 * rr + _EP1) * rr + _EP2)
    q = ((_EQ0 * rr + _EQ1) * rr + _EQ2) * rr + _EQ3
    n64 = np.int64(np.int32(n))                  # (via int32: AVX2 converts that)
    big_n = _int64_bits_as_float64((n64 + 1023) << 52) * (q + rp)      # 2^n N
    big_m = q - rp                                                      # M
    z = a * a
    tq = ((z + _TQ0) * z + _TQ1) * z + _TQ2
    m = np.float64(a < 0.625)                    # 1: the small branch
    num = m * (a * tq + a * z * ((_TP0 * z + _TP1) * z + _TP2)) + (1.0 - m) * (big_n - big_m)
    den = m * tq + (1.0 - m) * (big_n + big_m)
    return np.copysign(num / den, x)


_f4 = np.float32
_LOG2E_F, _LN2_HI_F, _LN2_LO_F = _f4(_LOG2E), _f4(0.693359375), _f4(-2.12194440e-4)
_E5, _E4, _E3 = _f4(1.9875691500e-4), _f4(1.3981999507e-3), _f4(8.3334519073e-3)
_E2, _E1, _E0 = _f4(4.1665795894e-2), _f4(1.6666665459e-1), _f4(5.0000001201e-1)
_T4, _T3, _T2 = _f4(-5.70498872745e-3), _f4(2.06390887954e-2), _f4(-5.37397155531e-2)
_T1, _T0 = _f4(1.33314422036e-1), _f4(-3.33332819422e-1)
_HALF_F, _ONE_F, _TWO_F = _f4(0.5), _f4(1.0), _f4(2.0)
_CLIP_F, _SMALL_F = _f4(10.0), _f4(0.625)


def _tanh32(x):
    """tanh for float32 in float32 arithmetic: Cephes' tanhf and expf, no branches.

    |x| < 0.625: an odd polynomial; otherwise 1 - 2 / (e^{2|x|} + 1) with |x|
    clipped at 10 (tanh 10 = 1 in float32). Every constant is a float32, so
    nothing is promoted to float64.
    """
    a = np.minimum(np.abs(x), _CLIP_F)
    y = a + a
    n = np.floor(y * _LOG2E_F + _HALF_F)
    r = (y - n * _LN2_HI_F) - n * _LN2_LO_F
    p = ((((_E5 * r + _E4) * r + _E3) * r + _E2) * r + _E1) * r + _E0
    p = p * (r * r) + r + _ONE_F
    exp_y = p * _int32_bits_as_float32((np.int32(n) + np.int32(127)) << np.int32(23))
    z = a * a
    small = ((((_T4 * z + _T3) * z + _T2) * z + _T1) * z + _T0) * z * a + a
    large = _ONE_F - _TWO_F / (exp_y + _ONE_F)
    m = np.float32(a < _SMALL_F)
    return np.copysign(m * small + (_ONE_F - m) * large, x)


def tanh(x):
    """tanh of one float32 or float64, inside numba code (see _tanh32, _tanh64)."""
    return np.tanh(x)


_INLINE = dict(inline="always", jit_options=dict(fastmath={"contract"}, error_model="numpy"))


# inline="always": numba pastes the body into each loop, which LLVM then vectorises
@overload(tanh, **_INLINE)
def _tanh_for_type(x):
    if x == types.float32:
        return _tanh32
    if x == types.float64:
        return _tanh64


# -- a vectorisable exp, for the sigmoid ----------------------------------------------
_EXP_CLIP = 80.0          # e^80 = 5.5e34: |x| clipped there, e^x stays a normal number


def _exp64(x):
    """e^x for float64, |x| clipped at 80, as in ``_tanh64``: e^x = 2^n e^r, |r| <= ln2 / 2,
    e^r = (Q(r^2) + r P(r^2)) / (Q(r^2) - r P(r^2)) (Cephes' exp, within 1 ulp there)."""
    y = np.minimum(np.maximum(x, -_EXP_CLIP), _EXP_CLIP)
    n = np.floor(y * _LOG2E + 0.5)
    r = (y - n * _LN2_HI) - n * _LN2_LO
    rr = r * r
    rp = r * ((_EP0 * rr + _EP1) * rr + _EP2)
    q = ((_EQ0 * rr + _EQ1) * rr + _EQ2) * rr + _EQ3
    n64 = np.int64(np.int32(n))
    return _int64_bits_as_float64((n64 + 1023) << 52) * ((q + rp) / (q - rp))


_EXP_CLIP_F = _f4(_EXP_CLIP)


def _exp32(x):
    """e^x for float32 in float32 arithmetic, |x| clipped at 80: Cephes' expf, as in
    ``_tanh32`` (within 1 ulp)."""
    y = np.minimum(np.maximum(x, -_EXP_CLIP_F), _EXP_CLIP_F)
    n = np.floor(y * _LOG2E_F + _HALF_F)
    r = (y - n * _LN2_HI_F) - n * _LN2_LO_F
    p = ((((_E5 * r + _E4) * r + _E3) * r + _E2) * r + _E1) * r + _E0
    p = p * (r * r) + r + _ONE_F
    return p * _int32_bits_as_float32((np.int32(n) + np.int32(127)) << np.int32(23))


def exp(x):
    """e^x of one float32 or float64, inside numba code, |x| clipped at 80 (_exp32, _exp64)."""
    return np.exp(x)


@overload(exp, **_INLINE)
def _exp_for_type(x):
    if x == types.float32:
        return _exp32
    if x == types.float64:
        return _exp64


# -- the recurrent activations, forward and backward ------------------------------
def sigma(x, kind):
    """The recurrent activation ``kind`` (RECURRENT_ACTIVATIONS) of x, in numba code.
    In a loop, LLVM takes the branch on ``kind`` out of it: one vectorised copy of the
    loop per kind, as fast as a loop with no branch (0.66 vs 0.67 ns per float32 sigmoid)."""


@overload(sigma, **_INLINE)
def _sigma_for_type(x, kind):
    f = np.float32 if x == types.float32 else np.float64        # constants of x's type
    zero, half, one, six, fifth = f(0.0), f(0.5), f(1.0), f(6.0), f(0.2)

    def sigma_impl(x, kind):
        if kind == HARD_SIGMOID:                                 # Keras 3: clip(x / 6 + 1/2, 0, 1)
            return min(max(x / six + half, zero), one)
        if kind == HARD_SIGMOID_KERAS2:                          # Keras 2: clip(0.2 x + 1/2, 0, 1)
            return min(max(fifth * x + half, zero), one)
        return one / (one + exp(-x))                             # sigmoid
    return sigma_impl


def dsigma_factors(kind, like):
    """(smooth, slope) for :func:`dsigma` and the recurrent activation ``kind``, in the
    float type of ``like``. Numbers rather than a branch: a loop holding three
    branching derivatives did not vectorise (2.35 ns per unit instead of 0.70)."""


@overload(dsigma_factors, **_INLINE)
def _dsigma_factors_for_type(kind, like):
    f = np.float32 if like == types.float32 else np.float64
    zero, one, sixth, fifth = f(0.0), f(1.0), f(1.0) / f(6.0), f(0.2)

    def factors_impl(kind, like):
        if kind == HARD_SIGMOID:
            return zero, sixth                                   # slope 1/6 between the kinks
        if kind == HARD_SIGMOID_KERAS2:
            return zero, fifth                                   # slope 0.2 between the kinks
        return one, zero                                         # sigma' = sigma (1 - sigma)
    return factors_impl


def dsigma(y, smooth, slope):
    """d sigma / dx in terms of the output y = sigma(x): smooth y (1 - y) + slope where
    0 < y < 1 (``dsigma_factors`` gives the two numbers)."""


@overload(dsigma, **_INLINE)
def _dsigma_for_type(y, smooth, slope):
    f = np.float32 if y == types.float32 else np.float64
    zero, one = f(0.0), f(1.0)

    def dsigma_impl(y, smooth, slope):
        inside = f(y > zero) * f(y < one)                        # 1 between the kinks, else 0
        return smooth * y * (one - y) + slope * inside
    return dsigma_impl


# -- atomics: threads handing each other work inside one kernel call ---------------------
def _slot_pointer(context, builder, array_type, array, index):
    """A pointer to element ``index`` of a 1-D C-contiguous array."""
    data = context.make_array(array_type)(context, builder, value=array).data
    return builder.gep(data, [index])


def _int64_slots(array, index, value=types.int64):
    """Whether the atomics below take these types: a 1-D C-contiguous int64 array, an
    integer index and an integer value."""
    return (isinstance(array, types.Array) and array.dtype == types.int64 and array.ndim == 1
            and array.layout == "C" and isinstance(index, types.Integer)
            and isinstance(value, types.Integer))


def _slot_and_value(context, builder, signature, args):
    """(pointer to array[index], value as an int64) from an intrinsic's (array, index, value)."""
    pointer = _slot_pointer(context, builder, signature.args[0], args[0], args[1])
    return pointer, context.cast(builder, args[2], signature.args[2], types.int64)


@intrinsic
def load_acquire(typingctx, array, index):
    """array[index] of an int64 array, read so that whatever the thread that wrote it
    with ``store_release`` wrote before that is visible to this thread after it."""
    if not _int64_slots(array, index):
        return None

    def codegen(context, builder, signature, args):
        pointer = _slot_pointer(context, builder, signature.args[0], args[0], args[1])
        return builder.load_atomic(pointer, "acquire", 8)
    return types.int64(array, index), codegen


@intrinsic
def store_release(typingctx, array, index, value):
    """array[index] = value (int64), after everything this thread wrote before it."""
    if not _int64_slots(array, index, value):
        return None

    def codegen(context, builder, signature, args):
        builder.store_atomic(*reversed(_slot_and_value(context, builder, signature, args)), "release", 8)
        return context.get_dummy_value()
    return types.void(array, index, value), codegen


@intrinsic
def fetch_add(typingctx, array, index, value):
    """array[index] += value (int64) in one indivisible step; the value before."""
    if not _int64_slots(array, index, value):
        return None

    def codegen(context, builder, signature, args):
        return builder.atomic_rmw("add", *_slot_and_value(context, builder, signature, args), "seq_cst")
    return types.int64(array, index, value), codegen


@intrinsic
def full_fence(typingctx):
    """Every store this thread made before is seen by all threads before any load it
    makes after (a store followed by a load of another slot may otherwise see the
    other slot's old value while another thread does the same the other way round)."""
    def codegen(context, builder, signature, args):
        builder.fence("seq_cst")
        return context.get_dummy_value()
    return types.void(), codegen
