"""The BLAS that NumPy computes its products with: its threads, and its gemm for the kernels.

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
thread count.

The numba kernels call the same library's ``cblas_sgemm`` / ``cblas_dgemm``
through :func:`gemm_address` (the address is an argument of the compiled code,
so numba can keep that code on disk).
"""
import contextlib
import ctypes
import glob
import os
import threading
import warnings

import numpy as np

# (thread setter, thread getter, float32 gemm, float64 gemm, integer type) per naming scheme
_SCHEMES = [
    ("scipy_openblas_set_num_threads64_", "scipy_openblas_get_num_threads64_",
     "scipy_cblas_sgemm64_", "scipy_cblas_dgemm64_", ctypes.c_int64),
    ("scipy_openblas_set_num_threads", "scipy_openblas_get_num_threads",
     "scipy_cblas_sgemm", "scipy_cblas_dgemm", ctypes.c_int32),
    ("openblas_set_num_threads64_", "openblas_get_num_threads64_",
     "cblas_sgemm64_", "cblas_dgemm64_", ctypes.c_int64),
    ("openblas_set_num_threads", "openblas_get_num_threads",
     "cblas_sgemm", "cblas_dgemm", None),          # int32 unless built with 64-bit integers
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
    for pattern in ("../numpy.libs/*openblas*", ".dylibs/*openblas*", "../numpy.libs/*openblas*.dll"):
        paths += sorted(glob.glob(os.path.join(root, pattern)))
    return paths


def _load():
    """(library, setter, getter, {dtype: gemm}, integer type) of NumPy's OpenBLAS, or None."""
    np.ones((2, 2)) @ np.ones((2, 2))          # NumPy loads its BLAS on import; be sure
    for path in _candidate_paths():
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for set_name, get_name, sgemm, dgemm, int_type in _SCHEMES:
            if not all(hasattr(lib, name) for name in (set_name, get_name, sgemm, dgemm)):
                continue
            if int_type is None:
                int_type = ctypes.c_int64 if _built_with_64_bit_integers(lib) else ctypes.c_int32
            setter, getter = getattr(lib, set_name), getattr(lib, get_name)
            setter.argtypes, setter.restype = [ctypes.c_int], None
            getter.argtypes, getter.restype = [], ctypes.c_int
            gemms = {np.dtype(np.float32): getattr(lib, sgemm), np.dtype(np.float64): getattr(lib, dgemm)}
            return path, setter, getter, gemms, int_type
    return None


def _built_with_64_bit_integers(lib):
    if not hasattr(lib, "openblas_get_config"):
        return False
    lib.openblas_get_config.restype = ctypes.c_char_p
    return b"USE64BITINT" in lib.openblas_get_config()


_found = _load()
CONTROLLED = _found is not None     # False: the BLAS's threads are not set by tinylstm
LIBRARY = _found[0] if _found else None
INT64 = bool(_found) and _found[4] is ctypes.c_int64   # the gemm's integers are 64-bit

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


def gemm_address(dtype):
    """The address of the library's cblas gemm for ``dtype`` (float32 or float64), or 0."""
    if not _found:
        return 0
    return ctypes.cast(_found[3][np.dtype(dtype)], ctypes.c_void_p).value
