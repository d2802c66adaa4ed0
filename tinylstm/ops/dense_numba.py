"""Dense on an LSTM's feature-major output, for the numba path: no copy between the two.

An LSTM on the small kernels returns h_seq as a (B, T, D) view of its feature-major
array (T, D, Bp) (``lstm_numba_small.batch_major``). ``dense.py``, the specification,
flattens its input to (B*T, D) rows, which for such a view is a copy, and its
gradient dx comes back as rows the LSTM's backward pass copies into its own layout
again. Here the same equations run on the feature-major array itself, for the
activations that act entry by entry (all but softmax):

    (1)  a[t, :, b] = b + W^T h[t, :, b]        a (T, K, Bp): for each step and unit
    (2)  y = act(a)                             the batch is contiguous

and backwards, from dL/da in the same layout:

    dx[t, :, b] = W da[t, :, b]                 (T, D, Bp), returned as a (B, T, D) view
                                                that the LSTM's backward pass takes as is
    dW[j, k] = sum over t, b of h[t, j, b] da[t, k, b]
    db[k]    = sum over t, b of da[t, k, b]

The products are ``numba_products.add_product_columns`` (each entry's terms added in
order) and the sums fixed-order loops, all on one thread: the bits are not those of
``dense.py`` (NumPy's BLAS adds in its own order) but are the same with any number of
threads. The padding columns of h hold finite numbers and those of dL/da zeros, so
they add nothing to dW and db.
"""
from typing import NamedTuple

import numba
import numpy as np

from . import activations, buffers
from . import lstm_numba_small as small
from .numba_products import add_product_columns
from .numba_support import JIT

ENTRYWISE = frozenset(name for name in activations.ACTIVATIONS if name != "softmax")


class FeatureMajorDenseCache(NamedTuple):
    """What :func:`dense_backward` needs; ``a`` and ``lead_shape`` as ``dense.DenseCache``'s
    (the logits a ``Dense`` layer hands to a fused cross-entropy)."""
    h: np.ndarray            # (T, D, Bp) the input, feature-major
    kernel: np.ndarray       # (D, K)
    y: np.ndarray            # (B, T, K) the output, a view of (T, K, Bp)
    lead_shape: tuple        # (B, T)
    activation: str
    a: np.ndarray            # (B, T, K) the logits, a view of (T, K, Bp)


def source(x, kernel, bias, activation):
    """The feature-major array (T, D, Bp) behind x if x is an LSTM's h_seq view that this
    module can read in place (an entrywise activation, weights of x's dtype), else None."""
    fm = small.shown_array(x)
    if (fm is None or (activation or "linear") not in ENTRYWISE or kernel.dtype != fm.dtype
            or (bias is not None and bias.dtype != fm.dtype)):
        return None
    return fm


@numba.njit(nogil=True, **JIT)
def _readout(h, WT, bias, a):
    """a[t] = bias + WT h[t] for every step: h (T, D, Bp), WT (K, D), a (T, K, Bp)."""
    T, K, Bp = a.shape
    for t in range(T):
        for k in range(K):
            for b in range(Bp):
                a[t, k, b] = bias[k]
        add_product_columns(WT, h[t], a[t], 0, Bp)


@numba.njit(nogil=True, fastmath={"contract", "reassoc"}, error_model="numpy", cache=True)
def _weight_sums(h, da, dW, db):
    """dW[j, k] = sum_{t, b} h[t, j, b] da[t, k, b]; db[k] = sum_{t, b} da[t, k, b].
    "reassoc" lets the sums over b vectorise; their order is fixed by the code."""
    T, D, Bp = h.shape
    K = da.shape[1]
    zero = da.dtype.type(0.0)
    for k in range(K):
        s = zero
        for t in range(T):
            for b in range(Bp):
                s += da[t, k, b]
        db[k] = s
        for j in range(D):
            s = zero
            for t in range(T):
                for b in range(Bp):
                    s += h[t, j, b] * da[t, k, b]
            dW[j, k] = s


@numba.njit(nogil=True, **JIT)
def _input_gradient(W, da, dx):
    """dx[t] = W da[t] for every step: W (D, K), da (T, K, Bp), dx (T, D, Bp)."""
    T, D, Bp = dx.shape
    for t in range(T):
        for j in range(D):
            for b in range(Bp):
                dx[t, j, b] = 0.0
        add_product_columns(W, da[t], dx[t], 0, Bp)


def dense_forward(fm, B, kernel, bias=None, activation=None):
    """(1)-(2) on fm (T, D, Bp), the array behind an LSTM's (B, T, D) output: y as a
    (B, T, K) view, and the cache for :func:`dense_backward`."""
    T, _, Bp = fm.shape
    K = kernel.shape[1]
    act, _ = activations.get(activation)
    a = buffers.empty((T, K, Bp), fm.dtype)
    _readout(fm, np.ascontiguousarray(kernel.T), np.zeros(K, fm.dtype) if bias is None else bias,
             a)                                                   # (1)
    y = act(a)                                                    # (2) (linear: a itself)
    y_view, a_view = small.batch_major(y, B), small.batch_major(a, B)
    return y_view, FeatureMajorDenseCache(fm, kernel, y_view, (B, T), activation, a_view)


def dense_backward(dy, cache):
    """dx (a (B, T, D) view), dW, db from dL/dy (B, T, K)."""
    _, dact = activations.get(cache.activation)
    return dense_backward_from_logits(dact(dy, cache.y), cache)


def dense_backward_from_logits(da, cache):
    """dx, dW, db from dL/da (B, T, K), the gradient at the logits."""
    h, W = cache.h, cache.kernel
    T, D, Bp = h.shape
    K = W.shape[1]
    da_fm = small.feature_major(np.asarray(da, h.dtype), Bp, h.dtype)   # (T, K, Bp), zero padding
    dx = buffers.empty((T, D, Bp), h.dtype)
    dW, db = np.empty((D, K), h.dtype), np.empty(K, h.dtype)
    _weight_sums(h, da_fm, dW, db)                                # dW, db
    _input_gradient(np.ascontiguousarray(W), da_fm, dx)          # dx
    return small.batch_major(dx, cache.lead_shape[0]), dW, db
