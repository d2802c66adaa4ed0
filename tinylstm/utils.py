"""Random state shared by initializers, shuffling and anything else that draws numbers, and
``Progbar`` (``keras.utils.Progbar``, from ``tinylstm/progbar.py``).

``set_random_seed(n)`` makes a run reproducible: the same seed gives the same
weights, the same shuffles and so the same training history.
"""
import numpy as np

from .progbar import Progbar  # noqa: F401  (keras.utils.Progbar)

_rng = np.random.default_rng()


def set_random_seed(seed):
    """Seed tinylstm's global random generator (and NumPy's legacy one, for user code)."""
    global _rng
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"set_random_seed: expected a non-negative integer, got {seed!r}")
    _rng = np.random.default_rng(int(seed))
    np.random.seed(int(seed) % 2**32)


def rng(seed=None):
    """A generator: a fresh one for an explicit ``seed``, else the global one."""
    if seed is None:
        return _rng
    return np.random.default_rng(seed)


__all__ = ["Progbar", "rng", "set_random_seed"]
