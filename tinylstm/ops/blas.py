"""The BLAS that NumPy computes its products with, and its threads.

OpenBLAS adds up a product's terms in an order that depends on its thread count
(``a.T @ b`` with a (10000, 32) and b (10000, 128) float32 gives other bits with
one thread than with two), and so training would end on other weights with other
thread counts. So tinylstm computes every product on one BLAS thread
(:func:`one_thread`, around each model's forward and backward pass and each LSTM
op) and uses the cores itself, with its own threads over fixed pieces of the work
(``tinylstm.config.set_num_threads``); no BLAS threads are then left spinning
against its own.

The library is the one NumPy loaded (NumPy's wheels ship it as
``scipy_openblas64``, whose symbols carry a prefix and a suffix:
``scipy_openblas_set_num_threads64_``; other builds export
``openblas_set_num_threads``), found at run time. Where it cannot be found (NumPy
built on MKL or Accelerate, say) nothing is pinned: :data:`CONTROLLED` is False
and :func:`one_thread` warns once that results may then depend on the BLAS's
thread count. (The numba kernels do not use the BLAS: their products are their own.)
"""
import contextlib
import ctypes
import glob
import os
import threading
import warnings

import numpy as np

# (thread setter, thread getter) per naming scheme: NumPy's wheels (64-bit integers, then
# 32-bit), other builds (with 64-bit integers, then plain)
_SCHEMES = [
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_"),
    ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads"),
    ("openblas_set_num_threads64_", "openblas_get_num_threads64_"),
    ("openblas_set_num_threads", "openblas_get_num_threads"),
]


def _candidate_paths():
    """Files that may hold NumPy's OpenBLAS: those this process has mapped (Linux),
    then those NumPy's wheels ship beside it."""
    paths = []
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split(maxsplit=5)[-1].strip()
                if "openblas" in os.path.basename(path).lower() and path not in paths:
                    paths.append(path)
    except OSError:
        pass
    root = os.path.dirname(np.__file__)
    for pattern in ("../numpy.libs/*openblas*", ".dylibs/*openblas*"):
        paths += sorted(glob.glob(os.path.join(root, pattern)))
    return paths


def _load():
    """(library path, thread setter, thread getter) of NumPy's OpenBLAS, or None."""
    np.ones((2, 2)) @ np.ones((2, 2))          # NumPy loads its BLAS on import; be sure
    for path in _candidate_paths():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for set_name, get_name in _SCHEMES:
            if hasattr(lib, set_name) and hasattr(lib, get_name):
                setter, getter = getattr(lib, set_name), getattr(lib, get_name)
                setter.argtypes, setter.restype = [ctypes.c_int], None
                getter.argtypes, getter.restype = [], ctypes.c_int
                return path, setter, getter
    return None


_found = _load()
CONTROLLED = _found is not None     # False: the BLAS's threads are not set by tinylstm
LIBRARY = _found[0] if _found else None

_lock = threading.Lock()
_depth = 0                          # how many callers are inside one_thread() now
_saved = None                       # the thread count to restore when the last one leaves
_warned = False


def get_num_threads():
    """The BLAS's thread count, or None if it cannot be read."""
    return _found[2]() if _found else None


def set_num_threads(n):
    """Set the BLAS's thread count (nothing happens if the BLAS cannot be controlled)."""
    if _found:
        _found[1](int(n))


def _enter():
    global _depth, _saved, _warned
    with _lock:
        if not CONTROLLED:
            if not _warned:
                _warned = True
                warnings.warn("tinylstm could not find the OpenBLAS that NumPy uses, so it cannot "
                              "keep NumPy's matrix products on one thread: results may depend on the "
                              "BLAS's thread count (see docs/performance.md)", RuntimeWarning,
                              stacklevel=4)
            return
        if _depth == 0:
            _saved = get_num_threads()
            if _saved != 1:
                set_num_threads(1)
        _depth += 1


def _exit():
    global _depth
    with _lock:
        if not CONTROLLED:
            return
        _depth -= 1
        if _depth == 0 and _saved != 1:
            set_num_threads(_saved)


@contextlib.contextmanager
def one_thread():
    """Run on one BLAS thread inside this block (or function, as a decorator), and give
    the BLAS its thread count back when the last such block ends. (OpenBLAS's setting
    is global to the process: other threads' NumPy products run on one thread meanwhile.)"""
    _enter()
    try:
        yield
    finally:
        _exit()
