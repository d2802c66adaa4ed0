"""The LSTM in NumPy: forward and backpropagation through time, the specification.

Symbols
    B   batch size            T   timesteps
    D   input features        H   units (size of h and c)

Weights, in Keras' layout and gate order (i, f, c, o):
    kernel            W  (D, 4H)    input -> gates
    recurrent_kernel  U  (H, 4H)    previous h -> gates
    bias              b  (4H,)

Equations, for t = 1 .. T, with sigma the recurrent activation (sigmoid) and
phi the activation (tanh):

    (1)  z_t = x_t W + h_{t-1} U + b                      (B, 4H)
    (2)  i_t = sigma(z_t[:, 0:H])        input gate
    (3)  f_t = sigma(z_t[:, H:2H])       forget gate
    (4)  g_t = phi(z_t[:, 2H:3H])        candidate cell
    (5)  o_t = sigma(z_t[:, 3H:4H])      output gate
    (6)  c_t = f_t * c_{t-1} + i_t * g_t                   (B, H)
    (7)  h_t = o_t * phi(c_t)                             (B, H)

h_0 and c_0 are the initial state (zeros unless given). The term x_t W + b of
(1) does not depend on h, so it is computed for all t at once, outside the loop.

Arrays inside are time-major, (T, B, ...), so that one step is a contiguous
slice. The whole-sequence arrays come from ``buffers.empty``, which is
``np.empty`` reusing an array nothing refers to any more (fresh memory from the
operating system costs more here than the arithmetic done on it).

The gates of a step are kept as four (B, H) blocks, (4, B, H), so that each gate
is contiguous too (NumPy goes through a column slice of z_t row by row, H
numbers at a time), in the order i, f, o, g (``GATES``): the three sigma gates
side by side, activated by one call. For that the weights' gate blocks are
taken in that order (``KERAS_BLOCK``) and the recurrent product gate by gate,
with U4[k] = U[:, jH:(j+1)H], j = KERAS_BLOCK[k]. The backward pass writes
dL/dz_t in Keras' order, the weights' own. The public inputs and outputs are
batch-major, (B, T, ...), as in Keras, and the weights keep Keras' layout.

Backward, each dL/dz_t is dL/dc_t or dL/dh_t times a factor that the forward
pass has fixed (g_t sigma'(z_i) for the input gate, and so on); the factors are
taken for all t before the loop, which then multiplies them by dL/dc_t and
dL/dh_t. That holds for activations acting on each unit alone, the only kind
the LSTM takes (``activations.elementwise``).
"""
from typing import NamedTuple

import numpy as np

from . import activations, buffers

GATES = "ifog"                  # the order of the gates in the forward pass's (T, 4, B, H)
KERAS_BLOCK = [0, 1, 3, 2]      # stored gate k is Keras' gate block KERAS_BLOCK[k] (i, f, g, o)


class LSTMCache(NamedTuple):
    """What the backward pass needs from the forward pass."""
    x: np.ndarray            # (B, T, D) input
    kernel: np.ndarray       # (D, 4H)
    recurrent_kernel: np.ndarray  # (H, 4H)
    gates: np.ndarray        # (T, 4, B, H) activated gates i, f, o, g (GATES)
    h: np.ndarray            # (T+1, B, H) h_0 .. h_T
    c: np.ndarray            # (T+1, B, H) c_0 .. c_T
    phi_c: np.ndarray        # (T, B, H) phi(c_t)
    activation: str
    recurrent_activation: str


def lstm_forward(x, kernel, recurrent_kernel, bias=None, h0=None, c0=None,
                 activation="tanh", recurrent_activation="sigmoid"):
    """Run the LSTM over whole sequences.

    x (B, T, D); kernel (D, 4H); recurrent_kernel (H, 4H); bias (4H,) or None;
    h0, c0 (B, H) or None for zeros.
    Returns ``h_seq`` (B, T, H), the final state ``(h_T, c_T)`` each (B, H), and
    the cache for :func:`lstm_backward`.
    """
    B, T, D = x.shape
    H = recurrent_kernel.shape[0]
    phi, _ = activations.elementwise(activation, "the LSTM")
    sigma, _ = activations.elementwise(recurrent_activation, "the LSTM")
    dtype = np.result_type(x, kernel)

    # the weights' gate blocks in the order i, f, o, g
    W = kernel.reshape(D, 4, H)[:, KERAS_BLOCK].reshape(D, 4 * H)     # (D, 4H)
    U4 = recurrent_kernel.reshape(H, 4, H).transpose(1, 0, 2)[KERAS_BLOCK]  # (4, H, H) U4[k]: gate k

    # (1), the part that does not depend on h: x_t W + b for every t at once
    # (np.dot, not @: for D = 1 NumPy's matmul takes six times longer here)
    x_tm = x.transpose(1, 0, 2).reshape(T * B, D)                  # (T*B, D) time-major
    zx = np.dot(x_tm, W, out=buffers.empty((T * B, 4 * H), dtype))  # (T*B, 4H)
    if bias is not None:
        zx += bias.reshape(4, H)[KERAS_BLOCK].reshape(4 * H)
    zx = zx.reshape(T, B, 4, H).transpose(0, 2, 1, 3)              # (T, 4, B, H) view

    # buffers.empty is np.empty that reuses an array nothing refers to any more
    gates = buffers.empty((T, 4, B, H), dtype)             # (T, 4, B, H) i, f, o, g
    h = buffers.empty((T + 1, B, H), dtype)                # (T+1, B, H)
    c = buffers.empty((T + 1, B, H), dtype)                # (T+1, B, H)
    phi_c = buffers.empty((T, B, H), dtype)                # (T, B, H)
    h[0] = 0.0 if h0 is None else h0
    c[0] = 0.0 if c0 is None else c0

    for t in range(T):
        z = zx[t] + h[t] @ U4                              # (1)  (4, B, H)
        sigma(z[0:3], out=gates[t, 0:3])                   # (2), (3), (5)  i, f, o in one call
        phi(z[3], out=gates[t, 3])                         # (4)  g
        i, f, o, g = gates[t]                              # each (B, H)
        c[t + 1] = f * c[t] + i * g                        # (6)
        phi(c[t + 1], out=phi_c[t])                        # (7)  phi(c_t), kept for backward
        h[t + 1] = o * phi_c[t]                            # (7)

    h_seq = h[1:].transpose(1, 0, 2)                       # (B, T, H)
    cache = LSTMCache(x, kernel, recurrent_kernel, gates, h, c, phi_c,
                      activation, recurrent_activation)
    return h_seq, (h[T], c[T]), cache


def lstm_backward(dh_seq, dh_T, dc_T, cache):
    """Backpropagation through time: the forward pass in reverse.

    dh_seq (B, T, H): dL/dh_t from above for every t (zeros where the output
    was not used); dh_T, dc_T (B, H) or None: dL/d(final state).
    Returns ``dx`` (B, T, D), ``dkernel`` (D, 4H), ``drecurrent_kernel`` (H, 4H),
    ``dbias`` (4H,), ``dh0`` (B, H), ``dc0`` (B, H).
    """
    x, W, U = cache.x, cache.kernel, cache.recurrent_kernel
    gates, h, c, phi_c = cache.gates, cache.h, cache.c, cache.phi_c
    _, dphi = activations.elementwise(cache.activation, "the LSTM")
    _, dsigma = activations.elementwise(cache.recurrent_activation, "the LSTM")
    T, _, B, H = gates.shape
    H4 = 4 * H
    D = x.shape[2]
    dtype = gates.dtype
    i, f, o, g = gates.transpose(1, 0, 2, 3)               # each (T, B, H), all t

    # dL/dz_t is dL/dc_t (gates i, f, g) or dL/dh_t (gate o) times a factor that the
    # forward pass has fixed, and so is the share of dL/dc_t that comes through h_t.
    # The factors first, for every t at once (dsigma(a, y) = a sigma'(z) for y = sigma(z)):
    factor = buffers.empty((T, 4, B, H), dtype)           # Keras' gate order i, f, g, o
    dsigma(g, i, out=factor[:, 0])                         # dc_t/dz_i = g_t sigma'     (6), (2)
    dsigma(c[:-1], f, out=factor[:, 1])                    # dc_t/dz_f = c_{t-1} sigma' (6), (3)
    dphi(i, g, out=factor[:, 2])                           # dc_t/dz_g = i_t phi'       (6), (4)
    dsigma(phi_c, o, out=factor[:, 3])                     # dh_t/dz_o = phi(c_t) sigma' (7), (5)
    dh_dc = dphi(o, phi_c, out=buffers.empty((T, B, H), dtype))  # dh_t/dc_t = o_t phi'(c_t) (7)

    dz = buffers.empty((T, B, H4), dtype)                  # (T, B, 4H) dL/dz_t, Keras' column order
    # the factors, to be multiplied in below; taken gate by gate in a contiguous array and then
    # copied once, because NumPy writes into dz's gate columns (strided views) several times slower
    dz.reshape(T, B, 4, H)[...] = factor.transpose(0, 2, 1, 3)
    dh_seq = dh_seq.transpose(1, 0, 2)                     # (T, B, H)
    dh_next = np.zeros((B, H), dtype) if dh_T is None else dh_T.copy()
    dc_next = np.zeros((B, H), dtype) if dc_T is None else dc_T.copy()

    for t in reversed(range(T)):
        dh = dh_seq[t] + dh_next                           # h_t feeds the output and step t+1
        dc = dc_next + dh * dh_dc[t]                       # c_t feeds h_t (7) and step t+1 (6)
        dz[t] *= np.concatenate([dc, dc, dc, dh], axis=1)  # dL/dz_t: i, f, g by dL/dc_t, o by dL/dh_t
        dc_next = dc * f[t]                                # (6) wrt c_{t-1}
        dh_next = dz[t] @ U.T                              # (1) wrt h_{t-1}

    # (1) wrt W, U, b and x: sums over all t, outside the loop
    dz_flat = dz.reshape(T * B, H4)                        # (T*B, 4H)
    x_tm = x.transpose(1, 0, 2).reshape(T * B, D)          # (T*B, D)
    dkernel = x_tm.T @ dz_flat                             # (D, 4H)
    drecurrent_kernel = h[:-1].reshape(T * B, H).T @ dz_flat  # (H, 4H)
    dbias = np.ones(T * B, dtype) @ dz_flat                # (4H,) the sum over all t and samples,
                                                           # as a product: 4x faster than .sum(axis=0) here
    dx = np.dot(dz_flat, W.T, out=buffers.empty((T * B, D), dtype))  # (T*B, D)
    dx = dx.reshape(T, B, D).transpose(1, 0, 2)            # (B, T, D) view
    return dx, dkernel, drecurrent_kernel, dbias, dh_next, dc_next
