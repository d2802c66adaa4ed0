"""Global settings: the float type of every new weight and array, the LSTM backend, threads.

Keras' default is float32; the gradient checks switch to float64 with
``set_floatx("float64")``.

The backend says who computes the LSTM: ``"numba"`` (fused kernels,
``tinylstm/ops/lstm_numba.py``; the default when numba imports) or ``"numpy"``
(the specification, ``tinylstm/ops/lstm.py``). ``tinylstm.ops.lstm_forward``
reads it; both compute the same function.

The thread count is how many threads the numba kernels run on
(``set_num_threads``; by default ``NUMBA_NUM_THREADS`` if set, else the cores the
process may use). It changes the speed, never the results. NumPy's BLAS runs on
one thread while tinylstm computes (``tinylstm/ops/blas.py``).
"""
import os

import numpy as np

_FLOATX = "float32"
_VALID_FLOATX = ("float32", "float64")


def floatx():
    """The name of the default float type, ``"float32"`` or ``"float64"``."""
    return _FLOATX


def set_floatx(value):
    """Set the float type used for new weights and for the data given to models."""
    global _FLOATX
    if not isinstance(value, str) or value not in _VALID_FLOATX:
        raise ValueError(f"set_floatx: expected one of the names {_VALID_FLOATX}, got {value!r}"
                         + ("; pass its name, np.dtype(...).name" if isinstance(value, np.dtype) else ""))
    _FLOATX = str(value)


def dtype():
    """The default float type as a NumPy dtype."""
    return np.dtype(_FLOATX)


_BACKEND = None                  # decided on first use: "numba" if numba imports, else "numpy"
_VALID_BACKENDS = ("numpy", "numba")


def _numba_import_error():
    """None if numba imports, else the ImportError it raised."""
    try:
        import numba  # noqa: F401
    except ImportError as error:
        return error
    return None


def backend():
    """The LSTM backend, ``"numba"`` or ``"numpy"``."""
    global _BACKEND
    if _BACKEND is None:
        _BACKEND = "numba" if _numba_import_error() is None else "numpy"
    return _BACKEND


def set_backend(value):
    """Choose the LSTM backend: ``"numba"`` (fast) or ``"numpy"`` (the readable specification).

    Asking for ``"numba"`` when numba does not import is an error, not a quiet
    switch to NumPy.
    """
    global _BACKEND
    if value not in _VALID_BACKENDS:
        raise ValueError(f"set_backend: expected one of {_VALID_BACKENDS}, got {value!r}")
    if value == "numba":
        error = _numba_import_error()
        if error is not None:
            raise ImportError(
                f"set_backend('numba'): numba does not import ({error}); "
                "install it with `pip install numba`, or use set_backend('numpy')"
            ) from error
    _BACKEND = value


_NUM_THREADS = None              # decided on first use (see num_threads)


def _default_num_threads():
    """NUMBA_NUM_THREADS if set, else the cores this process may run on."""
    value = os.environ.get("NUMBA_NUM_THREADS")
    if value:
        if not value.strip().isdigit() or int(value) < 1:
            raise ValueError(f"NUMBA_NUM_THREADS: expected a positive integer, got {value!r}")
        return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:       # (no sched_getaffinity on macOS and Windows)
        return os.cpu_count() or 1


def num_threads():
    """How many threads the numba kernels use (the BLAS itself runs on one thread)."""
    global _NUM_THREADS
    if _NUM_THREADS is None:
        _NUM_THREADS = _default_num_threads()
    return _NUM_THREADS


def set_num_threads(n):
    """Set how many threads the numba kernels use. Results do not depend on it: the same
    seed gives the same bits with any number of threads."""
    global _NUM_THREADS
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive integer, got {n!r}")
    _NUM_THREADS = int(n)
