"""The GRU in NumPy: forward and backpropagation through time.

Symbols
    B   batch size            T   timesteps
    D   input features        H   units (size of h)

Weights, in Keras' layout and gate order (z, r, h) (``keras.layers.GRU``):
    kernel            W  (D, 3H)    input -> gates
    recurrent_kernel  U  (H, 3H)    previous h -> gates
    bias              b  (2, 3H) with reset_after=True (Keras' default):
                         b[0] = b_x on the input side, b[1] = b_h on the recurrent side;
                         (3H,) with reset_after=False: b_x only.

Equations, for t = 1 .. T, with sigma the recurrent activation (sigmoid) and
phi the activation (tanh); ``[:, z]`` is the column block 0:H, ``[:, r]`` is
H:2H, ``[:, h]`` is 2H:3H:

    (1)  zx_t = x_t W + b_x                                   (B, 3H)
    (2)  zh_t = h_{t-1} U + b_h                               (B, 3H)
    (3)  z_t  = sigma(zx_t[:, z] + zh_t[:, z])      update gate
    (4)  r_t  = sigma(zx_t[:, r] + zh_t[:, r])      reset gate
    (5)  g_t  = phi(zx_t[:, h] + r_t * zh_t[:, h])  candidate state
    (6)  h_t  = z_t * h_{t-1} + (1 - z_t) * g_t               (B, H)

That is Keras' ``reset_after=True`` (the cuDNN form): the reset gate scales
h_{t-1} U_h after the matmul. With ``reset_after=False`` (the 2014 paper's
form) there is no b_h, and (5) becomes

    (5') g_t  = phi(zx_t[:, h] + (r_t * h_{t-1}) U[:, h])

h_0 is the initial state (zeros unless given). (1) does not depend on h, so it
is computed for all t at once, outside the loop. Keras calls g_t ``hh``.

Dropout masks (Keras' ``recurrent_dropout``): gate k (= z, r, h) reads its own
copies x_t * mx_k and h_{t-1} * mh_k, masks the same at every step
(``ops/dropout.py``): in (1), (2) and (5') each column block k of the products
takes its gate's copies ((1d), (2d), (5'd)).

A mask m_t (B,), True where step t is real: a masked step keeps the state and
repeats the last output. With h~_t the value of (6),

    (7)  h_t = h~_t where m_t, else h_{t-1}
    (8)  y_t = h~_t where m_t, else y_{t-1}      (y_0 = 0), the output at step t

Arrays inside are time-major, (T, B, ...), so that one step is a contiguous
slice; the public inputs and outputs are batch-major, (B, T, ...), as in Keras.
"""
from typing import NamedTuple, Optional

import numpy as np

from . import activations
from .dropout import masked_matmul, masked_matmul_backward, masked_matmul_weights


class GRUCache(NamedTuple):
    """What the backward pass needs from the forward pass."""
    x: np.ndarray            # (B, T, D) input
    kernel: np.ndarray       # (D, 3H) W
    recurrent_kernel: np.ndarray  # (H, 3H) U
    z: np.ndarray            # (T, B, H) update gate
    r: np.ndarray            # (T, B, H) reset gate
    g: np.ndarray            # (T, B, H) candidate state
    h: np.ndarray            # (T+1, B, H) h_0 .. h_T
    zh_h: Optional[np.ndarray]  # (T, B, H) zh_t[:, h] of (2), reset_after only
    reset_after: bool
    activation: str
    recurrent_activation: str
    mask: Optional[np.ndarray] = None      # (B, T) True at the real steps
    x_masks: Optional[np.ndarray] = None   # (3, B, D) mx_k
    h_masks: Optional[np.ndarray] = None   # (3, B, H) mh_k


def _split_bias(bias, reset_after, H):
    """(b_x, b_h) from Keras' bias: (2, 3H) with reset_after, else (3H,) and b_h = None."""
    if bias is None:
        return None, None
    expected = (2, 3 * H) if reset_after else (3 * H,)
    if bias.shape != expected:
        raise ValueError(f"gru: bias with reset_after={reset_after} must have shape "
                         f"{expected}, got {bias.shape}")
    return (bias[0], bias[1]) if reset_after else (bias, None)


def gru_forward(x, kernel, recurrent_kernel, bias=None, h0=None, activation="tanh",
                recurrent_activation="sigmoid", reset_after=True,
                mask=None, x_masks=None, h_masks=None):
    """Run the GRU over whole sequences.

    x (B, T, D); kernel (D, 3H); recurrent_kernel (H, 3H); bias (2, 3H) with
    ``reset_after=True``, (3H,) without, or None; h0 (B, H) or None for zeros;
    mask (B, T) booleans or None; x_masks (3, B, D), h_masks (3, B, H) or None.
    Returns the outputs ``h_seq`` (B, T, H) (y_t; h_t without a mask), the final
    state ``h_T`` (B, H), and the cache for :func:`gru_backward`.
    """
    B, T, D = x.shape
    H = recurrent_kernel.shape[0]
    phi, _ = activations.get(activation)
    sigma, _ = activations.get(recurrent_activation)
    dtype = np.result_type(x, kernel)
    b_x, b_h = _split_bias(bias, reset_after, H)
    U_zr, U_h = recurrent_kernel[:, :2 * H], recurrent_kernel[:, 2 * H:]  # (H, 2H), (H, H)

    # (1) for every t at once
    if x_masks is None:
        zx = x.transpose(1, 0, 2) @ kernel                 # (T, B, 3H)
    else:
        zx = masked_matmul(x.transpose(1, 0, 2), x_masks[:, None], kernel)   # (1d)
    if b_x is not None:
        zx = zx + b_x

    z = np.empty((T, B, H), dtype)                         # (T, B, H) each gate, every step
    r = np.empty((T, B, H), dtype)
    g = np.empty((T, B, H), dtype)
    h = np.empty((T + 1, B, H), dtype)                     # (T+1, B, H) h_0 .. h_T
    zh_h = np.empty((T, B, H), dtype) if reset_after else None  # (T, B, H)
    h[0] = 0 if h0 is None else h0
    y = h if mask is None else np.zeros((T + 1, B, H), dtype)   # (T+1, B, H) y_0 = 0 .. y_T

    for t in range(T):
        if reset_after:
            if h_masks is None:
                zh = h[t] @ recurrent_kernel               # (2)  (B, 3H)
            else:
                zh = masked_matmul(h[t], h_masks, recurrent_kernel)   # (2d)
            if b_h is not None:
                zh = zh + b_h
            zh_h[t] = zh[:, 2 * H:]
        elif h_masks is None:
            zh = h[t] @ U_zr                               # (2), z and r blocks only  (B, 2H)
        else:
            zh = masked_matmul(h[t], h_masks[:2], U_zr)    # (2d), z and r blocks only
        z[t] = sigma(zx[t, :, :H] + zh[:, :H])             # (3)
        r[t] = sigma(zx[t, :, H:2 * H] + zh[:, H:2 * H])   # (4)
        if reset_after:
            g[t] = phi(zx[t, :, 2 * H:] + r[t] * zh_h[t])          # (5)
        else:
            h_h = h[t] if h_masks is None else h[t] * h_masks[2]   # (5'd) the candidate's h_{t-1}
            g[t] = phi(zx[t, :, 2 * H:] + (r[t] * h_h) @ U_h)      # (5')
        h[t + 1] = z[t] * h[t] + (1 - z[t]) * g[t]         # (6)
        if mask is not None:                               # a masked step changes nothing
            m = mask[:, t, None]                           # (B, 1) True where step t is real
            y[t + 1] = np.where(m, h[t + 1], y[t])         # (8)
            h[t + 1] = np.where(m, h[t + 1], h[t])         # (7)

    h_seq = y[1:].transpose(1, 0, 2)                       # (B, T, H) the outputs
    cache = GRUCache(x, kernel, recurrent_kernel, z, r, g, h, zh_h, reset_after,
                     activation, recurrent_activation, mask, x_masks, h_masks)
    return h_seq, h[T], cache


def gru_backward(dh_seq, dh_T, cache):
    """Backpropagation through time: the forward pass in reverse.

    dh_seq (B, T, H): dL/dh_t from above for every t (zeros where the output
    was not used); dh_T (B, H) or None: dL/d(final state).
    Returns ``dx`` (B, T, D), ``dkernel`` (D, 3H), ``drecurrent_kernel`` (H, 3H),
    ``dbias`` ((2, 3H) with reset_after, else (3H,)), ``dh0`` (B, H).
    """
    x, W, U, h = cache.x, cache.kernel, cache.recurrent_kernel, cache.h
    z, r, g = cache.z, cache.r, cache.g                    # (T, B, H) each
    reset_after = cache.reset_after
    mask, x_masks, h_masks = cache.mask, cache.x_masks, cache.h_masks
    _, dphi = activations.get(cache.activation)
    _, dsigma = activations.get(cache.recurrent_activation)
    B, T, D = x.shape
    H = U.shape[0]
    U_zr, U_h = U[:, :2 * H], U[:, 2 * H:]                 # (H, 2H), (H, H)

    dh_seq = dh_seq.transpose(1, 0, 2)                     # (T, B, H)
    dzx = np.empty((T, B, 3 * H), z.dtype)                 # (T, B, 3H) dL/dzx_t
    dzh = np.empty((T, B, 3 * H), z.dtype) if reset_after else None  # (T, B, 3H) dL/dzh_t
    dh_next = np.zeros((B, H), z.dtype) if dh_T is None else dh_T    # dL/dh_t from step t+1
    dy_next = np.zeros((B, H), z.dtype)                    # dL/dy_t from a masked step t+1

    for t in reversed(range(T)):
        dh = dh_seq[t] + dh_next                           # h_t feeds the output and step t+1
        if mask is not None:                               # (7), (8) in reverse
            m = mask[:, t, None]                           # (B, 1) True where step t is real
            dy = dh_seq[t] + dy_next                       # y_t feeds the output and a held y_{t+1}
            dy_next = np.where(m, 0, dy)                   # (8) wrt y_{t-1}
            dh_held = np.where(m, 0, dh_next)              # (7) wrt h_{t-1}
            dh = np.where(m, dy + dh_next, 0)              # (7), (8) wrt h~_t
        dz = dh * (h[t] - g[t])                            # (6) wrt z  (h[t] is h_{t-1})
        dg = dh * (1 - z[t])                               # (6) wrt g
        dh_prev = dh * z[t]                                # (6) wrt h_{t-1}
        da_g = dphi(dg, g[t])                              # (5) wrt zx_h
        dzx[t, :, 2 * H:] = da_g
        if reset_after:
            dr = da_g * cache.zh_h[t]                      # (5) wrt r
        else:
            m_h = 1 if h_masks is None else h_masks[2]     # (5'd): h_{t-1} * mh_h
            drh = da_g @ U_h.T                             # (5') wrt r * h_{t-1}
            dr = drh * h[t] * m_h                          # (5') wrt r
            dh_prev = dh_prev + drh * r[t] * m_h           # (5') wrt h_{t-1}
        dzx[t, :, :H] = dsigma(dz, z[t])                   # (3)
        dzx[t, :, H:2 * H] = dsigma(dr, r[t])              # (4)
        if reset_after:
            dzh[t, :, :2 * H] = dzx[t, :, :2 * H]          # (3), (4) wrt zh
            dzh[t, :, 2 * H:] = da_g * r[t]                # (5) wrt zh_h
            if h_masks is None:
                dh_next = dh_prev + dzh[t] @ U.T           # (2) wrt h_{t-1}
            else:
                dh_next = dh_prev + masked_matmul_backward(dzh[t], h_masks, U)   # (2d)
        elif h_masks is None:
            dh_next = dh_prev + dzx[t, :, :2 * H] @ U_zr.T  # (2) wrt h_{t-1}
        else:
            dh_next = dh_prev + masked_matmul_backward(dzx[t, :, :2 * H], h_masks[:2], U_zr)
        if mask is not None:
            dh_next = dh_next + dh_held                    # (7): carried through

    # (1), (2) wrt W, U, b and x: sums over all t and the batch, outside the loop
    dZx = dzx.reshape(T * B, 3 * H)                        # (T*B, 3H)
    X = x.transpose(1, 0, 2).reshape(T * B, D)             # (T*B, D)
    H_prev = h[:-1].reshape(T * B, H)                      # (T*B, H) h_0 .. h_{T-1}
    if x_masks is None:
        dkernel = X.T @ dZx                                # (D, 3H)
        dx = (dzx @ W.T).transpose(1, 0, 2)                # (B, T, D)
    else:                                                  # (1d) wrt W and x
        dkernel = masked_matmul_weights(dzx, x.transpose(1, 0, 2), x_masks[:, None], W)
        dx = masked_matmul_backward(dzx, x_masks[:, None], W).transpose(1, 0, 2)
    if reset_after:
        dZh = dzh.reshape(T * B, 3 * H)                    # (T*B, 3H)
        if h_masks is None:
            drecurrent_kernel = H_prev.T @ dZh             # (H, 3H)
        else:                                              # (2d) wrt U
            drecurrent_kernel = masked_matmul_weights(dzh, h[:-1], h_masks[:, None], U)
        dbias = np.stack([dZx.sum(axis=0), dZh.sum(axis=0)])  # (2, 3H)
    else:
        m_h = 1 if h_masks is None else h_masks[2]         # (5'd)
        RH = (r * h[:-1] * m_h).reshape(T * B, H)          # (T*B, H) r_t * h_{t-1}
        if h_masks is None:
            dU_zr = H_prev.T @ dZx[:, :2 * H]              # (H, 2H) from (2)
        else:                                              # (2d)
            dU_zr = masked_matmul_weights(dzx[..., :2 * H], h[:-1], h_masks[:2, None], U_zr)
        drecurrent_kernel = np.concatenate(
            [dU_zr,
             RH.T @ dZx[:, 2 * H:]], axis=1)               # (H, H)  from (5')
        dbias = dZx.sum(axis=0)                            # (3H,)
    return dx, dkernel, drecurrent_kernel, dbias, dh_next
