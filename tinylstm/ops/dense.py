"""Dense: an affine map followed by an activation, on the last axis.

Symbols: N rows (B, or B*T for sequences), D inputs, K units.

    (1)  a = x W + b         x (N, D), W kernel (D, K), b bias (K,)
    (2)  y = act(a)          y (N, K)

On (B, T, D) input the same W and b apply at every timestep: the leading axes
are flattened to N = B*T rows and restored afterwards.
"""
from typing import NamedTuple

import numpy as np

from . import activations


class DenseCache(NamedTuple):
    x: np.ndarray            # (N, D) flattened input
    kernel: np.ndarray       # (D, K)
    y: np.ndarray            # (N, K) activated output
    lead_shape: tuple        # the leading axes of the input, e.g. (B,) or (B, T)
    activation: str
    a: np.ndarray            # (N, K) the logits, before the activation


def dense_forward(x, kernel, bias=None, activation=None):
    """y = act(x W + b) over the last axis of x (..., D) -> (..., K)."""
    act, _ = activations.get(activation)
    lead_shape = x.shape[:-1]
    x2 = x.reshape(-1, x.shape[-1])                        # (N, D)
    a = x2 @ kernel                                        # (1)  (N, K)
    if bias is not None:
        a += bias
    y = act(a)                                             # (2)  (N, K)
    cache = DenseCache(x2, kernel, y, lead_shape, activation, a)
    return y.reshape(*lead_shape, kernel.shape[1]), cache


def dense_backward(dy, cache):
    """Returns dx (..., D), dkernel (D, K), dbias (K,)."""
    _, dact = activations.get(cache.activation)
    da = dact(dy.reshape(cache.y.shape), cache.y)          # (2)  (N, K)
    return dense_backward_from_logits(da, cache)


def dense_backward_from_logits(da, cache):
    """(1) backwards from da = dL/da (..., K): for a loss that differentiated (2) with itself."""
    da = da.reshape(cache.y.shape)                         # (N, K)
    dkernel = cache.x.T @ da                               # (1) wrt W  (D, K)
    dbias = da.sum(axis=0)                                 # (1) wrt b  (K,)
    if da.shape[1] == 1:                                   # (1) wrt x  (N, D); for one unit
        dx = (cache.kernel * da.T).T                       # an outer product: the same numbers
    else:                                                  # as @, which NumPy computes slowly
        dx = da @ cache.kernel.T                           # for an inner dimension of 1
    return dx.reshape(*cache.lead_shape, cache.x.shape[1]), dkernel, dbias
