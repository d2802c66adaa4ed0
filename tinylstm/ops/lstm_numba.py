"""The LSTM with numba kernels: the same function as ``lstm.py``, computed faster.

``lstm.py`` is the specification; this module computes the same equations (1)-(7)
and their derivatives, with the same signatures, and is tested against it
(``tests/test_numba_kernels.py``). ``tinylstm.ops.lstm_forward`` sends work here
when ``tinylstm.config.backend()`` is ``"numba"`` and the activations are tanh
with a sigmoid or hard sigmoid (as Keras uses its cuDNN kernel only for its
defaults).

Two sets of kernels, chosen by the layer's shape (:func:`uses_large`; the
crossover was measured, see docs/performance.md). Both multiply with the
register-blocked tile kernel of ``numba_products``:
    ``lstm_numba_small``: feature-major arrays, (T, 4H, B), the gate math
        vectorised over the batch: right for the post's layers (H = 32 or 1).
    ``lstm_numba_large``: the specification's layout, (T, B, 4H), the gate math
        vectorised over H, the right factors packed once per pass.
Both run the recurrence as one compiled call per thread (no per-step Python),
use no BLAS, and give the same bits whatever the number of threads
(``ops/threads.py``).
Whole-sequence arrays come from ``buffers``: fresh memory from the operating
system cost more than the arithmetic done on it.

numba compiles on first use (``cache=True`` keeps the machine code on disk for
the next process).
"""
from typing import NamedTuple

import numpy as np

from . import blas, buffers
from . import lstm_numba_large as large
from . import lstm_numba_small as small
from .numba_support import RECURRENT_ACTIVATIONS

SUPPORTED = "activation='tanh' with recurrent_activation " + " or ".join(map(repr, RECURRENT_ACTIVATIONS))


class NumbaLSTMCache(NamedTuple):
    """What :func:`lstm_backward` needs. With ``large``, arrays as the specification's,
    time-major (T, B, ...); otherwise feature-major (T, F, Bp), the batch padded."""
    large: bool
    x: np.ndarray                 # (T, B, D) or (T, D, Bp) input
    kernel: np.ndarray            # (D, 4H)
    recurrent_kernel: np.ndarray  # (H, 4H)
    gates: np.ndarray             # (T, B, 4H) or (T, 4H, Bp) activated gates [i, f, g, o]
    h: np.ndarray                 # (T+1, B, H) or (T+1, H, Bp) h_0 .. h_T
    c: np.ndarray                 # (T+1, B, H) or (T+1, H, Bp) c_0 .. c_T
    phi_c: np.ndarray             # (T, B, H) or (T, H, Bp) tanh(c_t)
    batch: int                    # B, the columns that are real
    kind: int                     # the recurrent activation (numba_support.RECURRENT_ACTIVATIONS)
    spent: list                   # [True] once lstm_backward has used it (the small kernels
    #                               write dL/dz over the gates)


def supports(activation, recurrent_activation):
    """Whether these kernels compute this pair of activations."""
    return activation == "tanh" and recurrent_activation in RECURRENT_ACTIVATIONS


def uses_large(B, T, D, H):
    """Whether a layer of this shape runs on the kernels for large layers
    (``lstm_numba_large``) rather than those for small ones: for batches below 16,
    which the small kernels pad to 16 columns, for H >= 128 up to batch 128, and
    where the batch is at most H / 16. Both multiply with the same tile kernel; the
    small ones vectorise their gate math over the batch, the large ones over H.
    The choice depends on the shape only, never on the threads: the two sets may
    differ in the last bits. Measured on a quiet machine (docs/performance.md has
    the table): the small kernels win for H up to 64 and at batch 1000, the large
    ones below batch 16 (by 2x to 8x) and for H >= 128 at batch 32 to 100 (by up to
    30% of a training epoch with two threads; within 5% either way with one)."""
    return B < 16 or (H >= 128 and B <= 128) or 16 * B <= H


def forward_only_uses_large(B, T, D, H):
    """As :func:`uses_large`, for a forward pass that no backward pass follows
    (:func:`lstm_predict`): the large kernels also for H >= 64 at any batch. What keeps
    the small ones ahead at large batches in training is their backward pass; forward
    alone the large ones were faster from H = 64 on (docs/performance.md)."""
    return uses_large(B, T, D, H) or H >= 64


def _time_major(a, dtype):
    """(B, T, F) -> (T, B, F) C-contiguous: a view if it already is, else a copy."""
    t = a.transpose(1, 0, 2)
    if t.dtype == dtype and t.flags.c_contiguous:
        return t
    out = buffers.empty(t.shape, dtype)
    out[...] = t
    return out


def _operands(x, kernel, recurrent_kernel, bias, activation, recurrent_activation):
    """(kind, dtype, W, U, b): the recurrent activation's number, the computing dtype, and
    the weights in it, contiguous; an error for activations the kernels do not compute."""
    if not supports(activation, recurrent_activation):
        raise ValueError(f"the numba LSTM kernels compute {SUPPORTED}; got {activation!r}, "
                         f"{recurrent_activation!r} (use the NumPy path)")
    H = recurrent_kernel.shape[0]
    dtype = np.result_type(x, kernel)
    W = np.ascontiguousarray(kernel, dtype)                        # (D, 4H)
    U = np.ascontiguousarray(recurrent_kernel, dtype)              # (H, 4H)
    b = np.zeros(4 * H, dtype) if bias is None else bias.astype(dtype, copy=False)
    return RECURRENT_ACTIVATIONS[recurrent_activation], dtype, W, U, b


def lstm_forward(x, kernel, recurrent_kernel, bias=None, h0=None, c0=None,
                 activation="tanh", recurrent_activation="sigmoid"):
    """As :func:`tinylstm.ops.lstm.lstm_forward` (same arguments and results), for the
    activations of :func:`supports`; the cache is for this module's :func:`lstm_backward`."""
    kind, dtype, W, U, b = _operands(x, kernel, recurrent_kernel, bias, activation,
                                     recurrent_activation)
    B, T, D = x.shape
    H = U.shape[0]
    large_layout = uses_large(B, T, D, H)
    with blas.one_thread():
        if large_layout:
            X = _time_major(x, dtype)                              # (T, B, D)
            h = buffers.empty((T + 1, B, H), dtype)                # (T+1, B, H)
            c = buffers.empty((T + 1, B, H), dtype)                # (T+1, B, H)
            h[0] = 0.0 if h0 is None else h0
            c[0] = 0.0 if c0 is None else c0
            gates, phi_c = large.forward(X, W, U, b, h, c, kind)
            h_seq, h_T, c_T = h[1:].transpose(1, 0, 2), h[T], c[T]
        else:
            Bp = small.padded(B)
            X = small.feature_major(x, Bp, dtype)                  # (T, D, Bp)
            h = buffers.empty((T + 1, H, Bp), dtype)               # (T+1, H, Bp)
            c = buffers.empty((T + 1, H, Bp), dtype)               # (T+1, H, Bp)
            small.fill_state(h[0], h0)
            small.fill_state(c[0], c0)
            gates, phi_c = small.forward(X, W, U, b, h, c, kind)
            h_seq, h_T, c_T = small.batch_major(h[1:], B), h[T, :, :B].T, c[T, :, :B].T
    cache = NumbaLSTMCache(large_layout, X, W, U, gates, h, c, phi_c, B, kind, [False])
    return h_seq, (h_T, c_T), cache


def lstm_predict(x, kernel, recurrent_kernel, bias=None, h0=None, c0=None,
                 activation="tanh", recurrent_activation="sigmoid"):
    """As :func:`lstm_forward` when no backward pass follows (``predict``, ``evaluate``),
    without storing the gates, c and tanh(c) of every step; the cache is None. The
    kernel set is :func:`forward_only_uses_large`'s choice; where it is the one
    :func:`lstm_forward` takes, h_seq, h_T and c_T are the same bits."""
    kind, dtype, W, U, b = _operands(x, kernel, recurrent_kernel, bias, activation,
                                     recurrent_activation)
    B, T, D = x.shape
    H = U.shape[0]
    with blas.one_thread():
        if forward_only_uses_large(B, T, D, H):
            c = np.empty((B, H), dtype)
            c[...] = 0.0 if c0 is None else c0
            h_0 = np.zeros((B, H), dtype) if h0 is None else np.ascontiguousarray(h0, dtype)
            h_seq = large.predict(np.ascontiguousarray(x, dtype), W, U, b, h_0, c, kind)
            h_T = h_seq[:, T - 1] if T else h_0
            return h_seq, (h_T, c), None
        Bp = small.padded(B)
        X = small.feature_major(x, Bp, dtype)                      # (T, D, Bp)
        h = buffers.empty((T + 1, H, Bp), dtype)                   # (T+1, H, Bp)
        c = buffers.empty((H, Bp), dtype)                          # (H, Bp) c_t, step by step
        small.fill_state(h[0], h0)
        small.fill_state(c, c0)
        small.predict(X, W, U, b, h, c, kind)
        return small.batch_major(h[1:], B), (h[T, :, :B].T, c[:, :B].T), None


def lstm_backward(dh_seq, dh_T, dc_T, cache, input_gradient=True):
    """As :func:`tinylstm.ops.lstm.lstm_backward`, for a cache from this module's forward;
    with ``input_gradient=False`` dx is not computed and is None. A cache serves one
    backward pass (the small layers' kernels write dL/dz over its gates)."""
    large_layout, X, W, U, gates, h, c, phi_c, B, kind, spent = cache
    if spent[0]:
        raise ValueError("lstm_backward: this cache has served a backward pass already, which "
                         "overwrote it; run lstm_forward again for another")
    spent[0] = True
    dtype = gates.dtype
    with blas.one_thread():
        if large_layout:
            H = U.shape[0]
            dh_next, dc_next = buffers.empty((B, H), dtype), buffers.empty((B, H), dtype)
            dh_next[...] = 0.0 if dh_T is None else dh_T
            dc_next[...] = 0.0 if dc_T is None else dc_T
            dX, dW, dU, db = large.backward(_time_major(dh_seq, dtype), dh_next, dc_next, X, W, U,
                                            gates, h, c, phi_c, kind, input_gradient)
            dx = None if dX is None else dX.transpose(1, 0, 2)
            return dx, dW, dU, db, dh_next, dc_next
        T, H4, Bp = gates.shape
        H = H4 // 4
        dh_fm = small.feature_major(dh_seq, Bp, dtype)             # (T, H, Bp)
        dh_next = small.fill_state(buffers.empty((H, Bp), dtype), dh_T)
        dc_next = small.fill_state(buffers.empty((H, Bp), dtype), dc_T)
        dX, dW, dU, db = small.backward(dh_fm, dh_next, dc_next, X, W, U, gates, h, c, phi_c, kind,
                                        input_gradient)
        dx = None if dX is None else small.batch_major(dX, B)
        return dx, dW, dU, db, dh_next[:, :B].T, dc_next[:, :B].T
