"""The LSTM with numba kernels: the same function as ``lstm.py``, computed faster.

``lstm.py`` is the specification; this module computes the same equations (1)-(7)
and their derivatives, with the same signatures, and is tested against it
(``tests/test_numba_kernels.py``). ``tinylstm.ops.lstm_forward`` sends work here
when ``tinylstm.config.backend()`` is ``"numba"`` and the activations are the
defaults (tanh, sigmoid), as Keras uses its cuDNN kernel only for those.

What is different, and why (times: one 2-core machine, see docs/performance.md)
    Layout.  Inside, arrays are feature-major, (T, 4H, B) and (T+1, H, B): for a
        fixed step and unit the batch is contiguous, so every inner loop runs over
        the batch and vectorises, also when H = 1. The public inputs and outputs
        stay (B, T, ...); ``h_seq`` is a view.
    Padding.  Inside, the batch is padded with zero columns to a multiple of 8
        (one AVX2 register of float32), and the thread slices are cut at
        multiples of 16: a vectorised loop leaves n % 8 columns to scalar code,
        and at batch 100 those 4 columns cost as much as 16 others (see
        ``_padded``).
    Memory.  The whole-sequence arrays come from ``buffers``, which hands an
        array out again once nothing refers to it: fresh memory from the
        operating system cost more than the arithmetic done on it (deep
        autoencoder, batch 100, float32, 2 threads: 0.57 s per epoch with
        ``np.empty``, 0.43 s with reused arrays). They start on a cache line,
        so that 32-byte loads never straddle two lines and the two threads'
        slices share fewer lines (the backward recurrence of an LSTM 32 -> 32,
        batch 100, 2 threads: 2.7-3.0 ms with NumPy's 16-byte alignment,
        2.0-2.1 ms aligned to 64).
    Three compiled calls per pass, no per-step Python.  What does not depend on
        h is taken out of the time loop, as in the specification: forward, first
        z_t = b + x_t W for all t, then the recurrence (z_t += h_{t-1} U, the
        gates, the cell); backward, first the recurrence (dL/dz_t, dL/dh_{t-1},
        dL/dc_{t-1}, keeping dL/dz_t for every t), then dx_t and dW, dU, db from
        the stored dL/dz_t. The products are small loops written out so that
        they vectorise.
    Threads.  The recurrence runs one slice of the batch per thread
        (``numba.get_num_threads()``): rows of a batch never meet in an LSTM, so
        each thread runs all T steps of its slice with no synchronisation. The
        work outside the recurrence runs one range of steps per thread, each over
        the whole batch: twice the columns per loop, which at batch 100 makes
        those products about 1.4 times as fast (deep autoencoder, batch 100,
        float32, 2 threads: 0.43 s per epoch with everything inside one
        per-slice loop, 0.38 s this way). The kernels release the GIL and run on
        plain Python threads.
    No BLAS.  The products over whole sequences are numba loops too: np.matmul
        over T with D = 1 took 23 ms where the loop takes 2, and OpenBLAS's idle
        threads kept spinning into the next kernel (on a busy machine an epoch
        took 3.3 s instead of 0.28 s).
    tanh.  numba has no vector math library here, and a loop that calls libm's
        tanh does not vectorise. ``_tanh64``/``_tanh32`` are branch-free versions
        of Cephes' tanh, within 2 ulp of the exact value, so the loops vectorise
        and the results stay within roundoff of NumPy's.
        sigma(x) = (1 + tanh(x/2)) / 2, the specification's 1 / (1 + e^-x)
        written with the one vectorisable function.

numba compiles on first use (``cache=True`` keeps the machine code on disk for
the next process).
"""
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic, overload

from . import buffers

# fastmath "contract" only lets a * b + c become one fused multiply-add; no
# reassociation. error_model "numpy": division does not check for zero (a
# branch that would stop vectorisation).
_JIT = dict(fastmath={"contract"}, error_model="numpy", cache=True)


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


def _tanh(x):
    """tanh of one float32 or float64, inside numba code (see _tanh32, _tanh64)."""
    return np.tanh(x)


# inline="always": numba pastes the body into each loop, which LLVM then vectorises
@overload(_tanh, inline="always", jit_options=dict(fastmath={"contract"}, error_model="numpy"))
def _tanh_for_type(x):
    if x == types.float32:
        return _tanh32
    if x == types.float64:
        return _tanh64


# -- the kernels ---------------------------------------------------------------
# Batch indices are unsigned inside the kernels: numba then skips the wrap-around
# test for negative indices, and LLVM can see that the loops over b vectorise.
_u64 = np.uint64


@numba.njit(**_JIT)
def _add_product(out, A, X, start, n):
    """out[r, b] += sum_q A[r, q] X[q, b] for the n columns b from ``start`` on.

    out (R, B), A (R, Q), X (Q, B). Two rows of ``out`` and four of ``X`` at a
    time, so that every value loaded feeds several fused multiply-adds; the sum
    over q still runs in order.
    """
    R, Q = A.shape
    s0 = _u64(start)
    for r in range(0, R - 1, 2):
        q = 0
        while q + 4 <= Q:
            a0, a1, a2, a3 = A[r, q], A[r, q + 1], A[r, q + 2], A[r, q + 3]
            e0, e1, e2, e3 = A[r + 1, q], A[r + 1, q + 1], A[r + 1, q + 2], A[r + 1, q + 3]
            for k in range(n):
                b = s0 + _u64(k)
                x0, x1, x2, x3 = X[q, b], X[q + 1, b], X[q + 2, b], X[q + 3, b]
                out[r, b] = out[r, b] + a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3
                out[r + 1, b] = out[r + 1, b] + e0 * x0 + e1 * x1 + e2 * x2 + e3 * x3
            q += 4
        while q < Q:
            a0, e0 = A[r, q], A[r + 1, q]
            for k in range(n):
                b = s0 + _u64(k)
                out[r, b] += a0 * X[q, b]
                out[r + 1, b] += e0 * X[q, b]
            q += 1
    if R % 2:
        r = R - 1
        q = 0
        while q + 4 <= Q:
            a0, a1, a2, a3 = A[r, q], A[r, q + 1], A[r, q + 2], A[r, q + 3]
            for k in range(n):
                b = s0 + _u64(k)
                x0, x1, x2, x3 = X[q, b], X[q + 1, b], X[q + 2, b], X[q + 3, b]
                out[r, b] = out[r, b] + a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3
            q += 4
        while q < Q:
            a0 = A[r, q]
            for k in range(n):
                b = s0 + _u64(k)
                out[r, b] += a0 * X[q, b]
            q += 1


@numba.njit(fastmath={"contract", "reassoc"}, error_model="numpy", cache=True)
def _add_gram(out, X, Y, start, n):
    """out[q, r] += sum_b X[q, b] Y[r, b] over the n columns b from ``start`` on.

    out (Q, R) with R even, X (Q, B), Y (R, B). "reassoc" lets the sums over b run
    in any order, so that they vectorise (BLAS is free to do the same); four rows
    of X and two of Y at a time, eight sums sharing each load.
    """
    Q, R = out.shape
    s0 = _u64(start)
    zero = out.dtype.type(0.0)
    q = 0
    while q + 4 <= Q:
        for r in range(0, R, 2):
            a0 = a1 = a2 = a3 = e0 = e1 = e2 = e3 = zero
            for k in range(n):
                b = s0 + _u64(k)
                x0, x1, x2, x3 = X[q, b], X[q + 1, b], X[q + 2, b], X[q + 3, b]
                y0, y1 = Y[r, b], Y[r + 1, b]
                a0 += x0 * y0
                a1 += x1 * y0
                a2 += x2 * y0
                a3 += x3 * y0
                e0 += x0 * y1
                e1 += x1 * y1
                e2 += x2 * y1
                e3 += x3 * y1
            out[q, r] += a0
            out[q + 1, r] += a1
            out[q + 2, r] += a2
            out[q + 3, r] += a3
            out[q, r + 1] += e0
            out[q + 1, r + 1] += e1
            out[q + 2, r + 1] += e2
            out[q + 3, r + 1] += e3
        q += 4
    while q < Q:
        for r in range(0, R, 2):
            a0 = e0 = zero
            for k in range(n):
                b = s0 + _u64(k)
                a0 += X[q, b] * Y[r, b]
                e0 += X[q, b] * Y[r + 1, b]
            out[q, r] += a0
            out[q, r + 1] += e0
        q += 1


@numba.njit(nogil=True, **_JIT)
def _input_projection_kernel(x, WT, bias, z, t0, t1):
    """z_t = b + x_t W, the part of (1) that does not depend on h, for the steps
    t0 <= t < t1 and the whole (padded) batch.

    x (T, D, Bp); WT (4H, D) is W transposed; bias (4H,); z (T, 4H, Bp) receives it.
    """
    _, H4, Bp = z.shape
    for t in range(t0, t1):
        zt = z[t]                                                    # (4H, Bp)
        for r in range(H4):
            for k in range(Bp):
                zt[r, k] = bias[r]
        _add_product(zt, WT, x[t], 0, Bp)                            # (1) b + x_t W


@numba.njit(nogil=True, **_JIT)
def _forward_kernel(UT, gates, h, c, phi_c, start, stop):
    """Steps (1)-(7) for t = 1..T, for the batch columns start:stop.

    UT (4H, H) is U transposed; gates (T, 4H, Bp) holds b + x_t W on entry and
    receives [i, f, g, o]; h, c (T+1, H, Bp) hold h_0, c_0 on entry; phi_c
    (T, H, Bp) receives tanh(c_t).
    """
    T, H4, _ = gates.shape
    H = H4 // 4
    half = gates.dtype.type(0.5)
    n, s0 = stop - start, _u64(start)
    for t in range(T):
        z = gates[t]                                                 # (4H, Bp)
        _add_product(z, UT, h[t], start, n)                          # (1)   + h_{t-1} U
        for r in range(H4):                                          # (2)-(5), row by row:
            if 2 * H <= r < 3 * H:                                   # short loop bodies let
                for k in range(n):                                   # the CPU overlap the
                    b = s0 + _u64(k)                                 # tanh of many b
                    z[r, b] = _tanh(z[r, b])                         # (4) g
            else:
                for k in range(n):
                    b = s0 + _u64(k)
                    z[r, b] = half + half * _tanh(half * z[r, b])  # (2) i, (3) f, (5) o
        for j in range(H):
            for k in range(n):
                b = s0 + _u64(k)
                i, f, g, o = z[j, b], z[H + j, b], z[2 * H + j, b], z[3 * H + j, b]
                c_t = f * c[t, j, b] + i * g                         # (6)
                phi = _tanh(c_t)
                c[t + 1, j, b] = c_t
                phi_c[t, j, b] = phi
                h[t + 1, j, b] = o * phi                             # (7)


@numba.njit(nogil=True, **_JIT)
def _backward_kernel(dh_seq, gates, c, phi_c, U, dh_next, dc_next, dz, start, stop):
    """The forward steps in reverse, for the batch columns start:stop: what the
    recurrence needs, dL/dz_t and dL/dh_{t-1}, dL/dc_{t-1}; the rest is in
    ``_weight_gradient_kernel``.

    dh_seq (T, H, Bp); gates, c, phi_c as the forward pass left them; U (H, 4H).
    dh_next, dc_next (H, Bp) hold dL/dh_T, dL/dc_T on entry and dL/dh_0, dL/dc_0
    on exit; dz (T, 4H, Bp) receives dL/dz_t.
    """
    T, H4, _ = gates.shape
    H = H4 // 4
    one = gates.dtype.type(1.0)
    n, s0 = stop - start, _u64(start)
    for t in range(T - 1, -1, -1):
        a, d = gates[t], dz[t]                                       # (4H, Bp) each
        for j in range(H):
            for k in range(n):
                b = s0 + _u64(k)
                i, f, g, o = a[j, b], a[H + j, b], a[2 * H + j, b], a[3 * H + j, b]
                phi = phi_c[t, j, b]
                dh = dh_seq[t, j, b] + dh_next[j, b]                 # h_t: output and step t+1
                do = dh * phi                                        # (7) wrt o
                dc = dc_next[j, b] + dh * o * (one - phi * phi)      # (7) wrt c, plus step t+1
                d[j, b] = dc * g * i * (one - i)                     # (6) wrt i, (2)
                d[H + j, b] = dc * c[t, j, b] * f * (one - f)        # (6) wrt f, (3)
                d[2 * H + j, b] = dc * i * (one - g * g)             # (6) wrt g, (4)
                d[3 * H + j, b] = do * o * (one - o)                 # (5)
                dc_next[j, b] = dc * f                               # (6) wrt c_{t-1}
        for j in range(H):                                           # (1) wrt h_{t-1}: dz_t U^T
            for k in range(n):
                dh_next[j, s0 + _u64(k)] = 0.0
        _add_product(dh_next, U, d, start, n)


@numba.njit(nogil=True, **_JIT)
def _weight_gradient_kernel(dz, x, h, W, dx, dkernel, drecurrent_kernel, dbias, t0, t1):
    """(1) z_t = x_t W + h_{t-1} U + b differentiated wrt x_t, W, U and b, for the
    steps t0 <= t < t1 and the whole (padded) batch: nothing here feeds the
    recurrence, so it runs after it.

    dz (T, 4H, Bp), x (T, D, Bp), h (T+1, H, Bp), W (D, 4H). dx (T, D, Bp) receives
    dL/dx_t; the steps' terms are added into dkernel (D, 4H), drecurrent_kernel
    (H, 4H) and, column by column, dbias (4H, Bp).
    """
    _, H4, Bp = dz.shape
    for t in range(t0, t1):
        d = dz[t]                                                    # (4H, Bp)
        for r in range(H4):                                          # wrt b
            for k in range(Bp):
                dbias[r, k] += d[r, k]
        _add_gram(dkernel, x[t], d, 0, Bp)                           # wrt W: x_t^T dz_t
        _add_gram(drecurrent_kernel, h[t], d, 0, Bp)                 # wrt U: h_{t-1}^T dz_t
        dx_t = dx[t]                                                 # (D, Bp)
        for q in range(dx_t.shape[0]):
            for k in range(Bp):
                dx_t[q, k] = 0.0
        _add_product(dx_t, W, d, 0, Bp)                              # wrt x_t: dz_t W^T


# -- the functions -------------------------------------------------------------
class NumbaLSTMCache(NamedTuple):
    """What :func:`lstm_backward` needs, feature-major (see the module docstring),
    the batch padded to Bp columns (see ``_padded``)."""
    x: np.ndarray                 # (T, D, Bp) input
    kernel: np.ndarray            # (D, 4H)
    recurrent_kernel: np.ndarray  # (H, 4H)
    gates: np.ndarray             # (T, 4H, Bp) activated gates [i, f, g, o]
    h: np.ndarray                 # (T+1, H, Bp) h_0 .. h_T
    c: np.ndarray                 # (T+1, H, Bp) c_0 .. c_T
    phi_c: np.ndarray             # (T, H, Bp) tanh(c_t)
    batch: int                    # B, the columns that are real


SUPPORTED_ACTIVATIONS = ("tanh", "sigmoid")     # (activation, recurrent_activation)


LANES = 8     # numbers in one AVX2 register (float32; 4 float64): the batch is padded to this


def _padded(B):
    """The batch size inside the kernels: B rounded up to a multiple of LANES.

    A vectorised loop over n columns leaves n % 8 of them to scalar code, and at
    batch 100 those 4 columns cost as much as 16 vectorised ones (a float32 forward
    step, D = H = 32, one thread: 36.8 us for 48 columns, 48.5 us for 52). The
    padding columns hold zeros (inputs, initial states, upstream gradients); what
    the forward pass computes there is never returned, and backward they stay zero
    and add nothing to the weight gradients."""
    return -(-B // LANES) * LANES


def _batch_slices(B):
    """One (start, stop) slice of the (padded) batch per thread
    (``numba.get_num_threads()``), cut at multiples of 16 columns: every slice is
    a whole number of registers wide, and threads rarely share a cache line."""
    slices = max(1, min(numba.get_num_threads(), B // 16))
    cuts = sorted({0, B} | {16 * round(s * B / slices / 16) for s in range(1, slices)})
    return list(zip(cuts[:-1], cuts[1:]))                    # [] for B = 0


def _time_slices(T):
    """One (t0, t1) range of steps per thread, for the work outside the recurrence."""
    slices = max(1, min(numba.get_num_threads(), T))
    cuts = [round(s * T / slices) for s in range(slices + 1)]
    return [(t0, t1) for t0, t1 in zip(cuts[:-1], cuts[1:]) if t1 > t0]


_pool = None


def _run_on_threads(kernel, slices, args_of_slice):
    """kernel(*args_of_slice(k), start, stop) for every slice, all at once: the
    kernels release the GIL (nogil=True), so Python threads run them in parallel.
    (Plain threads rather than numba's parallel=True: a third of the compile time,
    and no OpenMP threads left spinning against BLAS between the calls.)"""
    global _pool
    calls = [(kernel, *args_of_slice(k), start, stop) for k, (start, stop) in enumerate(slices)]
    if len(calls) <= 1:                     # one slice, or none for an empty batch
        return calls[0][0](*calls[0][1:]) if calls else None
    if _pool is None or _pool[0] < len(calls) - 1:
        _pool = (len(calls) - 1, ThreadPoolExecutor(len(calls) - 1, "tinylstm"))
    futures = [_pool[1].submit(*call) for call in calls[1:]]
    calls[0][0](*calls[0][1:])
    for future in futures:
        future.result()


def _feature_major(a, Bp, dtype):
    """(B, T, F) -> (T, F, Bp), contiguous, zeros in the padding columns."""
    B, T, F = a.shape
    out = buffers.empty((T, F, Bp), dtype)
    out[:, :, :B] = a.transpose(1, 2, 0)
    out[:, :, B:] = 0.0
    return out


def _fill_state(out, s):
    """out (H, Bp) <- an initial state or upstream gradient s (B, H) transposed, or
    zeros for None; zeros in the padding columns."""
    out[...] = 0.0
    if s is not None:
        out[:, :s.shape[0]] = s.T
    return out


def lstm_forward(x, kernel, recurrent_kernel, bias=None, h0=None, c0=None,
                 activation="tanh", recurrent_activation="sigmoid"):
    """As :func:`tinylstm.ops.lstm.lstm_forward` (same arguments and results).

    Only ``activation="tanh"`` with ``recurrent_activation="sigmoid"``; the cache
    is for this module's :func:`lstm_backward`.
    """
    if (activation, recurrent_activation) != SUPPORTED_ACTIVATIONS:
        raise ValueError(
            f"the numba LSTM kernels compute activation='tanh', recurrent_activation="
            f"'sigmoid'; got {activation!r}, {recurrent_activation!r} (use the NumPy path)"
        )
    B, T, D = x.shape
    H = recurrent_kernel.shape[0]
    dtype = np.result_type(x, kernel)
    Bp = _padded(B)
    x_fm = _feature_major(x, Bp, dtype)                            # (T, D, Bp)
    W = kernel.astype(dtype, copy=False)                           # (D, 4H)
    U = recurrent_kernel.astype(dtype, copy=False)                 # (H, 4H)
    b = np.zeros(4 * H, dtype) if bias is None else bias.astype(dtype, copy=False)

    gates = buffers.empty((T, 4 * H, Bp), dtype)                   # (T, 4H, Bp)
    h = buffers.empty((T + 1, H, Bp), dtype)                       # (T+1, H, Bp)
    c = buffers.empty((T + 1, H, Bp), dtype)                       # (T+1, H, Bp)
    phi_c = buffers.empty((T, H, Bp), dtype)                       # (T, H, Bp)
    _fill_state(h[0], h0)
    _fill_state(c[0], c0)
    WT, UT = np.ascontiguousarray(W.T), np.ascontiguousarray(U.T)
    _run_on_threads(_input_projection_kernel, _time_slices(T), lambda k: (x_fm, WT, b, gates))
    _run_on_threads(_forward_kernel, _batch_slices(Bp), lambda k: (UT, gates, h, c, phi_c))

    h_seq = h[1:, :, :B].transpose(2, 0, 1)                        # (B, T, H) view
    cache = NumbaLSTMCache(x_fm, W, U, gates, h, c, phi_c, B)
    return h_seq, (h[T, :, :B].T, c[T, :, :B].T), cache


def lstm_backward(dh_seq, dh_T, dc_T, cache):
    """As :func:`tinylstm.ops.lstm.lstm_backward`, for a cache from this module's forward."""
    x_fm, W, U, gates, h, c, phi_c, B = cache
    T, H4, Bp = gates.shape
    H = H4 // 4
    dtype = gates.dtype
    dh_fm = _feature_major(dh_seq, Bp, dtype)                      # (T, H, Bp)
    dh_next = _fill_state(buffers.empty((H, Bp), dtype), dh_T)     # (H, Bp)
    dc_next = _fill_state(buffers.empty((H, Bp), dtype), dc_T)     # (H, Bp)
    dx = buffers.empty(x_fm.shape, dtype)                          # (T, D, Bp)
    dz = buffers.empty(gates.shape, dtype)                         # (T, 4H, Bp) dL/dz_t
    W, U = np.ascontiguousarray(W), np.ascontiguousarray(U)
    _run_on_threads(_backward_kernel, _batch_slices(Bp),
                    lambda k: (dh_fm, gates, c, phi_c, U, dh_next, dc_next, dz))
    steps = _time_slices(T)
    S, D = len(steps), x_fm.shape[1]
    dkernel = np.zeros((S, D, H4), dtype)                          # (S, D, 4H) per thread
    drecurrent_kernel = np.zeros((S, H, H4), dtype)                # (S, H, 4H) per thread
    dbias = buffers.zeros((S, H4, Bp), dtype)                      # (S, 4H, Bp) per thread, column
    _run_on_threads(_weight_gradient_kernel, steps,
                    lambda k: (dz, x_fm, h, W, dx, dkernel[k], drecurrent_kernel[k], dbias[k]))
    return (dx[:, :, :B].transpose(2, 0, 1), dkernel.sum(axis=0), drecurrent_kernel.sum(axis=0),
            dbias.sum(axis=(0, 2)), dh_next[:, :B].T, dc_next[:, :B].T)
