"""Dropout: the masks, and the per-gate products of the recurrent layers' dropout.

Inverted dropout, as Keras': each entry is kept with probability 1 - rate and
then scaled by 1 / (1 - rate), so that nothing changes on average and nothing
needs scaling at inference, where dropout is off:

    mask = [u >= rate] / (1 - rate),   u ~ U(0, 1)        y = x * mask      dx = dy * mask

The recurrent layers keep one mask per sequence, the same at every step. With
``recurrent_dropout`` Keras gives each gate k its own masks, mx_k (B, D) on the
input and mh_k (B, H) on the previous state, so the product with a weight matrix
M (columns M_k = M[:, kH:(k+1)H] per gate) becomes

    (d)  [ (a * m_1) M_1, (a * m_2) M_2, ... ]        side by side, (..., G*H)

    wrt a:  sum_k (d_k M_k^T) * m_k            wrt M_k:  sum over rows of (a * m_k)^T d_k

with d_k the gradient's k-th column block. ``masked_matmul`` and its two
derivatives compute (d) for any number of gates G (LSTM 4, GRU 3, SimpleRNN 1).
"""
import numpy as np


def dropout_mask(shape, rate, rng, dtype):
    """A mask of ``shape``: 0 with probability ``rate``, else 1 / (1 - rate) (all 0 at rate 1)."""
    if rate >= 1:
        return np.zeros(shape, dtype)
    return ((rng.random(shape) >= rate) / (1 - rate)).astype(dtype)


def masked_matmul(a, masks, M):
    """(d): a (..., N), masks (G, ..., N) broadcasting against a, M (N, G*H) -> (..., G*H)."""
    H = M.shape[1] // len(masks)
    return np.concatenate([(a * m) @ M[:, k * H:(k + 1) * H] for k, m in enumerate(masks)],
                          axis=-1)


def masked_matmul_backward(d, masks, M):
    """(d) wrt a: sum_k (d_k M_k^T) * masks[k], d (..., G*H) -> (..., N)."""
    H = M.shape[1] // len(masks)
    return sum((d[..., k * H:(k + 1) * H] @ M[:, k * H:(k + 1) * H].T) * m
               for k, m in enumerate(masks))


def masked_matmul_weights(d, a, masks, M):
    """(d) wrt M: for each gate, (a * masks[k])^T d_k summed over all rows -> (N, G*H)."""
    H = M.shape[1] // len(masks)
    N = M.shape[0]
    return np.concatenate(
        [np.broadcast_to(a * m, d.shape[:-1] + (N,)).reshape(-1, N).T
         @ d[..., k * H:(k + 1) * H].reshape(-1, H) for k, m in enumerate(masks)], axis=1)
