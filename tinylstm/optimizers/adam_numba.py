"""Adam's update of every param in one compiled loop each, for the numba path.

``Adam.update_step`` is the specification: a few NumPy expressions per param, each
a pass over the array and a new temporary, and ``Optimizer.apply`` then checks every
new array for NaN and infinity, one more pass each. For the post's models (twelve
small arrays) those passes cost more than the arithmetic. :func:`update` does the
same operations, in the same order, on the same float type, one entry at a time:

    m' = m + (g - m) * (1 - beta_1)
    v' = v + (g * g - v) * (1 - beta_2)
    p' = p - alpha * m' / (sqrt(v') + eps)

Compiled without fast-math, every operation rounds as NumPy's does (IEEE
arithmetic, no fused multiply-add, no reordering), so the bits are the
specification's; and the same loop tells whether every g, p', m' and v' is finite.
"""
import numba
import numpy as np


@numba.njit(nogil=True, error_model="numpy", cache=True)
def _adam(p, g, m, v, c1, c2, alpha, eps, new_p, new_m, new_v):
    """The update above for 1-D arrays, into new_p, new_m, new_v; whether all is finite."""
    finite = True
    for i in range(p.shape[0]):
        gi = g[i]
        mi = m[i] + (gi - m[i]) * c1
        vi = v[i] + (gi * gi - v[i]) * c2
        pi = p[i] - alpha * mi / (np.sqrt(vi) + eps)
        new_m[i], new_v[i], new_p[i] = mi, vi, pi
        finite &= np.isfinite(gi) & np.isfinite(mi) & np.isfinite(vi) & np.isfinite(pi)
    return finite


def update(params, grads, momentum, velocity, c1, c2, alpha, eps):
    """(new params, new momentum, new velocity) for every param, or None if any grad or
    new value is NaN or infinite. c1 = 1 - beta_1, c2 = 1 - beta_2, alpha the step
    size and eps epsilon, NumPy scalars of the params' dtype (all one dtype)."""
    new = [], [], []
    for p, g, m, v in zip(params, grads, momentum, velocity):
        arrays = [np.empty(p.shape, p.dtype) for _ in range(3)]
        if not _adam(p.reshape(-1), g.reshape(-1), m.reshape(-1), v.reshape(-1), c1, c2, alpha, eps,
                     *(a.reshape(-1) for a in arrays)):
            return None
        for out, a in zip(new, arrays):
            out.append(a)
    return new
