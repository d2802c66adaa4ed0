"""The simple (Elman) RNN in NumPy: forward and backpropagation through time.

Symbols
    B   batch size            T   timesteps
    D   input features        H   units (size of h)

Weights, in Keras' layout (``keras.layers.SimpleRNN``):
    kernel            W  (D, H)     input -> h
    recurrent_kernel  U  (H, H)     previous h -> h
    bias              b  (H,)

Equations, for t = 1 .. T, with phi the activation (tanh):

    (1)  a_t = x_t W + h_{t-1} U + b                      (B, H)
    (2)  h_t = phi(a_t)                                   (B, H)

h_0 is the initial state (zeros unless given). The term x_t W + b of (1) does
not depend on h, so it is computed for all t at once, outside the loop.

Recurrent dropout (Keras' ``recurrent_dropout``): one mask mh (B, H), the same at
every step (``ops/dropout.py``; input dropout is applied to x before the call):

    (1d) a_t = x_t W + (h_{t-1} * mh) U + b

A mask m_t (B,), True where step t is real: a masked step keeps the state and
repeats the last output. With h~_t the value of (2),

    (3)  h_t = h~_t where m_t, else h_{t-1}
    (4)  y_t = h~_t where m_t, else y_{t-1}      (y_0 = 0), the output at step t

Why it forgets: backwards, (1) and (2) give dL/dh_{t-1} = (dL/dh_t * phi'(a_t)) U^T,
one factor phi'(a_t) U^T per step. With |phi'| <= 1 and U of norm near 1 (the
orthogonal initializer), the gradient from step t reaches step t - k shrunk by
k such factors: it vanishes exponentially in k.

Arrays inside are time-major, (T, B, ...), so that one step is a contiguous
slice; the public inputs and outputs are batch-major, (B, T, ...), as in Keras.
"""
from typing import NamedTuple

import numpy as np

from . import activations
from .dropout import masked_matmul, masked_matmul_backward, masked_matmul_weights


class SimpleRNNCache(NamedTuple):
    """What the backward pass needs from the forward pass."""
    x: np.ndarray            # (B, T, D) input
    kernel: np.ndarray       # (D, H)
    recurrent_kernel: np.ndarray  # (H, H)
    h: np.ndarray            # (T+1, B, H) h_0 .. h_T
    activation: str
    h_new: np.ndarray = None     # (T, B, H) h~_t of (2), kept when masked
    mask: np.ndarray = None  # (B, T) True at the real steps
    h_masks: np.ndarray = None   # (1, B, H) mh


def simple_rnn_forward(x, kernel, recurrent_kernel, bias=None, h0=None, activation="tanh",
                       mask=None, h_masks=None):
    """Run the simple RNN over whole sequences.

    x (B, T, D); kernel (D, H); recurrent_kernel (H, H); bias (H,) or None;
    h0 (B, H) or None for zeros; mask (B, T) booleans or None; h_masks (1, B, H)
    or None.
    Returns the outputs ``h_seq`` (B, T, H) (y_t; h_t without a mask), the final
    state ``h_T`` (B, H), and the cache for :func:`simple_rnn_backward`.
    """
    B, T, D = x.shape
    H = recurrent_kernel.shape[0]
    phi, _ = activations.get(activation)
    dtype = np.result_type(x, kernel)

    # (1), the part that does not depend on h: x_t W + b for every t at once
    ax = x.transpose(1, 0, 2) @ kernel                     # (T, B, H)
    if bias is not None:
        ax = ax + bias

    h = np.empty((T + 1, B, H), dtype)                     # (T+1, B, H) h_0 .. h_T
    h[0] = 0 if h0 is None else h0
    y = h if mask is None else np.zeros((T + 1, B, H), dtype)   # (T+1, B, H) y_0 = 0 .. y_T
    h_new = h[1:] if mask is None else np.empty((T, B, H), dtype)   # (T, B, H) h~_t
    for t in range(T):
        if h_masks is None:
            a = ax[t] + h[t] @ recurrent_kernel            # (1)  (B, H)
        else:
            a = ax[t] + masked_matmul(h[t], h_masks, recurrent_kernel)   # (1d)
        h_new[t] = phi(a)                                  # (2)
        if mask is not None:                               # a masked step changes nothing
            m = mask[:, t, None]                           # (B, 1) True where step t is real
            y[t + 1] = np.where(m, h_new[t], y[t])         # (4)
            h[t + 1] = np.where(m, h_new[t], h[t])         # (3)

    h_seq = y[1:].transpose(1, 0, 2)                       # (B, T, H) the outputs
    return h_seq, h[T], SimpleRNNCache(x, kernel, recurrent_kernel, h, activation, h_new,
                                       mask, h_masks)


def simple_rnn_backward(dh_seq, dh_T, cache):
    """Backpropagation through time: the forward pass in reverse.

    dh_seq (B, T, H): dL/dh_t from above for every t (zeros where the output
    was not used); dh_T (B, H) or None: dL/d(final state).
    Returns ``dx`` (B, T, D), ``dkernel`` (D, H), ``drecurrent_kernel`` (H, H),
    ``dbias`` (H,), ``dh0`` (B, H).
    """
    x, W, U, h = cache.x, cache.kernel, cache.recurrent_kernel, cache.h
    mask, h_masks = cache.mask, cache.h_masks
    h_new = h[1:] if mask is None else cache.h_new             # (T, B, H) h~_t
    _, dphi = activations.get(cache.activation)
    B, T, D = x.shape
    H = U.shape[0]

    dh_seq = dh_seq.transpose(1, 0, 2)                     # (T, B, H)
    da = np.empty((T, B, H), h.dtype)                      # (T, B, H) dL/da_t
    dh_next = np.zeros((B, H), h.dtype) if dh_T is None else dh_T   # dL/dh_t from step t+1
    dy_next = np.zeros((B, H), h.dtype)                    # dL/dy_t from a masked step t+1

    for t in reversed(range(T)):
        dh = dh_seq[t] + dh_next                           # h_t feeds the output and step t+1
        if mask is not None:                               # (3), (4) in reverse
            m = mask[:, t, None]                           # (B, 1) True where step t is real
            dy = dh_seq[t] + dy_next                       # y_t feeds the output and a held y_{t+1}
            dy_next = np.where(m, 0, dy)                   # (4) wrt y_{t-1}
            dh_held = np.where(m, 0, dh_next)              # (3) wrt h_{t-1}
            dh = np.where(m, dy + dh_next, 0)              # (3), (4) wrt h~_t
        da[t] = dphi(dh, h_new[t])                         # (2)
        if h_masks is None:
            dh_next = da[t] @ U.T                          # (1) wrt h_{t-1}
        else:
            dh_next = masked_matmul_backward(da[t], h_masks, U)   # (1d) wrt h_{t-1}
        if mask is not None:
            dh_next = dh_next + dh_held                    # (3): carried through

    # (1) wrt W, U, b and x: sums over all t and the batch, outside the loop
    dA = da.reshape(T * B, H)                              # (T*B, H)
    X = x.transpose(1, 0, 2).reshape(T * B, D)             # (T*B, D)
    H_prev = h[:-1].reshape(T * B, H)                      # (T*B, H) h_0 .. h_{T-1}
    dkernel = X.T @ dA                                     # (D, H)
    if h_masks is None:
        drecurrent_kernel = H_prev.T @ dA                  # (H, H)
    else:                                                  # (1d) wrt U
        drecurrent_kernel = masked_matmul_weights(da, h[:-1], h_masks[:, None], U)
    dbias = dA.sum(axis=0)                                 # (H,)
    dx = (da @ W.T).transpose(1, 0, 2)                     # (B, T, D)
    return dx, dkernel, drecurrent_kernel, dbias, dh_next
