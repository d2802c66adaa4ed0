"""The cross-entropies, each with its derivative right below it.

Symbols
    K      classes: the last axis of a prediction
    t      the target: a distribution over the K classes (one-hot or smoothed), or,
           in the sparse forms, the index of the right class
    p      predicted probabilities, (..., K)
    a      logits, (..., K): what a Dense layer computes before its softmax or sigmoid
    eps    1e-7, Keras' ``backend.epsilon()``

Each forward gives one value per sample (and step): the class axis is reduced, as
Keras' loss functions do before the mean over the batch. Each backward takes
``dv``, dL/d(value) with the values' shape, and returns dL/dp or dL/da.

From logits (the stable forms):

    (1) softmax cross-entropy      v = -sum_k t_k log softmax(a)_k
                                     = (sum_k t_k) logsumexp(a) - sum_k t_k a_k
        its derivative             dv/da_k = softmax(a)_k sum_j t_j - t_k
    (2) sigmoid cross-entropy      v = mean_k [ max(a_k, 0) - a_k t_k + log(1 + e^{-|a_k|}) ]
        its derivative             dv/da_k = (sigmoid(a_k) - t_k) / K

(1) never takes the log of a probability: where softmax(a)_k underflows to 0, the
log of it would be -inf and its derivative, t_k / p_k, infinite, while (1) stays
finite. (2) is -[t log sigmoid(a) + (1 - t) log(1 - sigmoid(a))] rewritten so that
no exp overflows.

From probabilities, as Keras 3 computes them on its torch backend:

    (3) categorical cross-entropy  q = p / sum_k p_k,  v = -sum_k t_k log clip(q_k, eps, 1 - eps)
    (4) binary cross-entropy       v = -mean_k [ t_k log clip(p_k) + (1 - t_k) log(1 - clip(p_k)) ]

The clip keeps the log finite; where a probability is clipped its gradient is 0 (a
clip passes the gradient only between its bounds, bounds included, as torch's does).
"""
import numpy as np

from .activations import sigmoid, softmax

EPSILON = 1e-7


def _logsumexp(a):
    """log sum_k exp(a_k) over the last axis, shifted by the max so that no exp overflows."""
    top = a.max(axis=-1, keepdims=True)
    return (top + np.log(np.exp(a - top).sum(axis=-1, keepdims=True)))[..., 0]


# -- (1) softmax cross-entropy, from logits ----------------------------------------------------
def softmax_crossentropy(t, a):
    """(1): t (..., K), a (..., K) -> v (...)."""
    return t.sum(axis=-1) * _logsumexp(a) - (t * a).sum(axis=-1)


def softmax_crossentropy_backward(dv, t, a):
    """(1) wrt a: dv[..., None] * (softmax(a) sum_j t_j - t)."""
    return dv[..., None] * (softmax(a) * t.sum(axis=-1, keepdims=True) - t)


def sparse_softmax_crossentropy(ids, a):
    """(1) with t one-hot at ``ids``: ids (...) integers, a (..., K) -> v (...)."""
    return _logsumexp(a) - np.take_along_axis(a, ids[..., None], axis=-1)[..., 0]


def sparse_softmax_crossentropy_backward(dv, ids, a):
    """(1) wrt a: dv[..., None] * (softmax(a) - one_hot(ids))."""
    da = softmax(a)
    np.put_along_axis(da, ids[..., None], np.take_along_axis(da, ids[..., None], -1) - 1, -1)
    return dv[..., None] * da


# -- (2) sigmoid cross-entropy, from logits ----------------------------------------------------
def sigmoid_crossentropy(t, a):
    """(2): t (..., K), a (..., K) -> v (...)."""
    return (np.maximum(a, 0) - a * t + np.log1p(np.exp(-np.abs(a)))).mean(axis=-1)


def sigmoid_crossentropy_backward(dv, t, a):
    """(2) wrt a: dv[..., None] * (sigmoid(a) - t) / K."""
    return dv[..., None] * (sigmoid(a) - t) / a.shape[-1]


# -- (3) categorical cross-entropy, from probabilities -------------------------------------------
def _clip(q):
    """clip(q, eps, 1 - eps) and where the clip let q through (there its derivative is 1)."""
    inside = (q >= EPSILON) & (q <= 1 - EPSILON)
    return np.clip(q, EPSILON, 1 - EPSILON), inside


def _normalize_backward(dq, q, s):
    """q = p / s with s = sum_k p_k, backwards: dp_k = (dq_k - sum_j dq_j q_j) / s."""
    return (dq - (dq * q).sum(axis=-1, keepdims=True)) / s


def categorical_crossentropy(t, p):
    """(3): t (..., K), p (..., K) -> v (...)."""
    q = p / p.sum(axis=-1, keepdims=True)
    return -(t * np.log(_clip(q)[0])).sum(axis=-1)


def categorical_crossentropy_backward(dv, t, p):
    """(3) wrt p: through the log, the clip and the normalization."""
    s = p.sum(axis=-1, keepdims=True)
    q = p / s
    q_clipped, inside = _clip(q)
    dq = -dv[..., None] * t / q_clipped * inside
    return _normalize_backward(dq, q, s)


def sparse_categorical_crossentropy(ids, p):
    """(3) with t one-hot at ``ids``: ids (...) integers, p (..., K) -> v (...)."""
    q = p / p.sum(axis=-1, keepdims=True)
    return -np.log(_clip(np.take_along_axis(q, ids[..., None], axis=-1))[0])[..., 0]


def sparse_categorical_crossentropy_backward(dv, ids, p):
    """(3) wrt p, t one-hot at ``ids``: only the right class's q_k has a derivative."""
    s = p.sum(axis=-1, keepdims=True)
    q = p / s
    q_right, inside = _clip(np.take_along_axis(q, ids[..., None], axis=-1))   # (..., 1)
    dq = np.zeros_like(q)
    np.put_along_axis(dq, ids[..., None], -dv[..., None] / q_right * inside, axis=-1)
    return _normalize_backward(dq, q, s)


# -- (4) binary cross-entropy, from probabilities ---------------------------------------------
def binary_crossentropy(t, p):
    """(4): t (..., K), p (..., K) -> v (...)."""
    pc = _clip(p)[0]
    return -(t * np.log(pc) + (1 - t) * np.log(1 - pc)).mean(axis=-1)


def binary_crossentropy_backward(dv, t, p):
    """(4) wrt p: dv (pc - t) / (pc (1 - pc)) / K where p was not clipped, else 0."""
    pc, inside = _clip(p)
    return dv[..., None] * (pc - t) / (pc * (1 - pc)) * inside / p.shape[-1]
