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
    (4)  g_t = phi(z_t[:, 2H:3H])        candidate cell (Keras' "c" slice)
    (5)  o_t = sigma(z_t[:, 3H:4H])      output gate
    (6)  c_t = f_t * c_{t-1} + i_t * g_t                   (B, H)
    (7)  h_t = o_t * phi(c_t)                             (B, H)

h_0 and c_0 are the initial state (zeros unless given). The term x_t W + b of
(1) does not depend on h, so it is computed for all t at once, before the loop;
likewise the weight gradients are summed over all t after the backward loop.

Two options, both Keras 3's, change a few lines (docs/text-and-classification.md):

Dropout masks (Keras' ``recurrent_dropout``): gate k (= i, f, c, o) reads its own
masked copies of x_t and h_{t-1}, with masks mx_k (B, D) and mh_k (B, H) that are
the same at every step (``ops/dropout.py``), so (1) becomes

    (1d) z_t[:, k] = (x_t * mx_k) W[:, k] + (h_{t-1} * mh_k) U[:, k] + b[k]

A mask m_t (B,), True where step t of a sequence is real: a masked step keeps the
state and repeats the last output. With c~_t and h~_t the values of (6) and (7),

    (8)  c_t = c~_t where m_t, else c_{t-1}
    (9)  h_t = h~_t where m_t, else h_{t-1}
    (10) y_t = h~_t where m_t, else y_{t-1}      (y_0 = 0)

y_t is the layer's output at step t; without a mask y_t = h_t.

Arrays inside are time-major, (T, B, ...), so that one step is one slice; the
public inputs and outputs are batch-major, (B, T, ...), as in Keras. ``h`` and
``c`` hold the initial state at index 0, so at step t (counted from 0 in the
code) ``h[t]`` is h_{t-1} and ``h[t + 1]`` is h_t.

This file is meant to be read beside docs/lstm-math.md. The numba kernels
(``lstm_numba.py``) compute the same function fast and are tested against it.
"""
from typing import NamedTuple

import numpy as np

from . import activations
from .dropout import masked_matmul, masked_matmul_backward, masked_matmul_weights


class LSTMCache(NamedTuple):
    """What the backward pass needs from the forward pass."""
    x: np.ndarray                 # (B, T, D) input
    kernel: np.ndarray            # (D, 4H) W
    recurrent_kernel: np.ndarray  # (H, 4H) U
    i: np.ndarray                 # (T, B, H) input gate
    f: np.ndarray                 # (T, B, H) forget gate
    g: np.ndarray                 # (T, B, H) candidate cell
    o: np.ndarray                 # (T, B, H) output gate
    h: np.ndarray                 # (T+1, B, H) h_0 .. h_T
    c: np.ndarray                 # (T+1, B, H) c_0 .. c_T
    phi_c: np.ndarray             # (T, B, H) phi(c_t)
    activation: str
    recurrent_activation: str
    mask: np.ndarray = None       # (B, T) True at the real steps, or None
    x_masks: np.ndarray = None    # (4, B, D) mx_k, or None
    h_masks: np.ndarray = None    # (4, B, H) mh_k, or None


def lstm_forward(x, kernel, recurrent_kernel, bias=None, h0=None, c0=None,
                 activation="tanh", recurrent_activation="sigmoid",
                 mask=None, x_masks=None, h_masks=None):
    """Run the LSTM over whole sequences.

    x (B, T, D); kernel (D, 4H); recurrent_kernel (H, 4H); bias (4H,) or None;
    h0, c0 (B, H) or None for zeros; mask (B, T) booleans or None;
    x_masks (4, B, D) and h_masks (4, B, H), the dropout masks of (1d), or None.
    Returns the outputs ``h_seq`` (B, T, H) (y_t, which is h_t without a mask), the
    final state ``(h_T, c_T)`` each (B, H), and the cache for :func:`lstm_backward`.
    """
    B, T, D = x.shape
    H = recurrent_kernel.shape[0]
    W, U = kernel, recurrent_kernel
    phi, _ = activations.get(activation)
    sigma, _ = activations.get(recurrent_activation)
    dtype = np.result_type(x, W)

    # (1), the part that does not depend on h: x_t W + b for every t at once
    if x_masks is None:
        zx = x.transpose(1, 0, 2) @ W                      # (T, B, 4H)
    else:
        zx = masked_matmul(x.transpose(1, 0, 2), x_masks[:, None], W)   # (1d)  (T, B, 4H)
    if bias is not None:
        zx = zx + bias

    i = np.empty((T, B, H), dtype)                         # (T, B, H) each gate, every step
    f = np.empty((T, B, H), dtype)
    g = np.empty((T, B, H), dtype)
    o = np.empty((T, B, H), dtype)
    h = np.empty((T + 1, B, H), dtype)                     # (T+1, B, H) h_0 .. h_T
    c = np.empty((T + 1, B, H), dtype)                     # (T+1, B, H) c_0 .. c_T
    phi_c = np.empty((T, B, H), dtype)                     # (T, B, H) phi(c_t)
    h[0] = 0 if h0 is None else h0
    c[0] = 0 if c0 is None else c0
    y = h if mask is None else np.zeros((T + 1, B, H), dtype)   # (T+1, B, H) y_0 = 0 .. y_T

    for t in range(T):
        if h_masks is None:
            z = zx[t] + h[t] @ U                           # (1)  (B, 4H)
        else:
            z = zx[t] + masked_matmul(h[t], h_masks, U)    # (1d) (B, 4H)
        i[t] = sigma(z[:, 0:H])                            # (2)
        f[t] = sigma(z[:, H:2 * H])                        # (3)
        g[t] = phi(z[:, 2 * H:3 * H])                      # (4)
        o[t] = sigma(z[:, 3 * H:4 * H])                    # (5)
        c[t + 1] = f[t] * c[t] + i[t] * g[t]               # (6)
        phi_c[t] = phi(c[t + 1])
        h[t + 1] = o[t] * phi_c[t]                         # (7)
        if mask is not None:                               # a masked step changes nothing
            m = mask[:, t, None]                           # (B, 1) True where step t is real
            y[t + 1] = np.where(m, h[t + 1], y[t])         # (10)
            h[t + 1] = np.where(m, h[t + 1], h[t])         # (9)
            c[t + 1] = np.where(m, c[t + 1], c[t])         # (8)

    h_seq = y[1:].transpose(1, 0, 2)                       # (B, T, H) the outputs
    cache = LSTMCache(x, W, U, i, f, g, o, h, c, phi_c, activation, recurrent_activation,
                      mask, x_masks, h_masks)
    return h_seq, (h[T], c[T]), cache


def lstm_backward(dh_seq, dh_T, dc_T, cache):
    """Backpropagation through time: the forward pass in reverse.

    dh_seq (B, T, H): dL/dy_t from above for every t (zeros where the output
    was not used); dh_T, dc_T (B, H) or None: dL/d(final state).
    Returns ``dx`` (B, T, D), ``dkernel`` (D, 4H), ``drecurrent_kernel`` (H, 4H),
    ``dbias`` (4H,), ``dh0`` (B, H), ``dc0`` (B, H).
    """
    x, W, U = cache.x, cache.kernel, cache.recurrent_kernel
    i, f, g, o = cache.i, cache.f, cache.g, cache.o        # (T, B, H) each
    h, c, phi_c = cache.h, cache.c, cache.phi_c
    mask, x_masks, h_masks = cache.mask, cache.x_masks, cache.h_masks
    _, dphi = activations.get(cache.activation)
    _, dsigma = activations.get(cache.recurrent_activation)
    B, T, D = x.shape
    H = U.shape[0]

    dh_seq = dh_seq.transpose(1, 0, 2)                     # (T, B, H)
    dz = np.empty((T, B, 4 * H), i.dtype)                  # (T, B, 4H) dL/dz_t
    dh_next = np.zeros((B, H), i.dtype) if dh_T is None else dh_T   # dL/dh_t from step t+1
    dc_next = np.zeros((B, H), i.dtype) if dc_T is None else dc_T   # dL/dc_t from step t+1
    dy_next = np.zeros((B, H), i.dtype)                    # dL/dy_t from a masked step t+1

    for t in reversed(range(T)):
        dh = dh_seq[t] + dh_next                           # h_t feeds the output and step t+1
        if mask is not None:                               # (8)-(10) in reverse
            m = mask[:, t, None]                           # (B, 1) True where step t is real
            dy = dh_seq[t] + dy_next                       # y_t feeds the output and a held y_{t+1}
            dy_next = np.where(m, 0, dy)                   # (10) wrt y_{t-1}
            dh_held = np.where(m, 0, dh_next)              # (9) wrt h_{t-1}
            dc_held = np.where(m, 0, dc_next)              # (8) wrt c_{t-1}
            dh = np.where(m, dy + dh_next, 0)              # (9), (10) wrt h~_t
            dc_next = np.where(m, dc_next, 0)              # (8) wrt c~_t
        do = dh * phi_c[t]                                 # (7) wrt o
        dc = dc_next + dphi(dh * o[t], phi_c[t])           # (7) wrt c, plus c_t's use in step t+1
        di = dc * g[t]                                     # (6) wrt i
        df = dc * c[t]                                     # (6) wrt f  (c[t] is c_{t-1})
        dg = dc * i[t]                                     # (6) wrt g
        dc_prev = dc * f[t]                                # (6) wrt c_{t-1}
        dz[t, :, 0:H] = dsigma(di, i[t])                   # (2)
        dz[t, :, H:2 * H] = dsigma(df, f[t])               # (3)
        dz[t, :, 2 * H:3 * H] = dphi(dg, g[t])             # (4)
        dz[t, :, 3 * H:4 * H] = dsigma(do, o[t])           # (5)
        if h_masks is None:
            dh_prev = dz[t] @ U.T                          # (1) wrt h_{t-1}
        else:
            dh_prev = masked_matmul_backward(dz[t], h_masks, U)   # (1d) wrt h_{t-1}
        if mask is not None:
            dh_prev, dc_prev = dh_prev + dh_held, dc_prev + dc_held   # (8), (9): carried through
        dh_next, dc_next = dh_prev, dc_prev

    # (1) wrt W, U, b and x: sums over all t and the batch, outside the loop
    dZ = dz.reshape(T * B, 4 * H)                          # (T*B, 4H)
    X = x.transpose(1, 0, 2).reshape(T * B, D)             # (T*B, D)
    H_prev = h[:-1].reshape(T * B, H)                      # (T*B, H) h_0 .. h_{T-1}
    if x_masks is None:
        dkernel = X.T @ dZ                                 # (D, 4H)
        dx = (dz @ W.T).transpose(1, 0, 2)                 # (B, T, D)
    else:                                                  # (1d) wrt W and x
        dkernel = masked_matmul_weights(dz, x.transpose(1, 0, 2), x_masks[:, None], W)
        dx = masked_matmul_backward(dz, x_masks[:, None], W).transpose(1, 0, 2)
    if h_masks is None:
        drecurrent_kernel = H_prev.T @ dZ                  # (H, 4H)
    else:                                                  # (1d) wrt U
        drecurrent_kernel = masked_matmul_weights(dz, h[:-1], h_masks[:, None], U)
    dbias = dZ.sum(axis=0)                                 # (4H,)
    return dx, dkernel, drecurrent_kernel, dbias, dh_next, dc_next
