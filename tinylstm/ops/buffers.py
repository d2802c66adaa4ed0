"""Reusable arrays for the numba LSTM kernels: fresh memory is slow here.

The kernels need whole-sequence arrays ((T, 4H, B) gates and the like) for every
layer and every batch. Taken with ``np.empty``, each would be fresh memory from the
operating system, and touching its pages for the first time costs more than the
arithmetic on them (the numbers are in ``docs/performance.md``).

So the kernels take their whole-sequence arrays from here. An array is handed
out again only when nothing but this module refers to it: every NumPy view keeps
a reference to the array that owns its memory (here a uint8 array a little
larger than asked for, so that the array can start on a cache line: vector loads
then never straddle two lines), so an array still in use (an LSTM's output
``h_seq`` is a view of its ``h``; a cache kept for a backward pass holds
``gates``) is never given to a second caller.

``MAX_BYTES`` bounds everything the module keeps, in use or free: a request that
does not fit once free arrays are dropped (oldest first) gets an array the
module does not keep. So the memory held once a call returns is at most
``MAX_BYTES``, enough for every array of the post's autoencoder at batch 1000 in
float64. ``clear()`` lets go of every array.
"""
import sys
import threading

import numpy as np

MAX_BYTES = 512 << 20             # at most 512 MiB kept, in use or free
ALIGN = 64                        # bytes: arrays start on a cache line

_owners = []                      # the uint8 arrays that own the memory this module keeps
_arrays = []                      # _arrays[k]: the aligned view of _owners[k] that was handed out
_slots = {}                       # (shape, dtype) -> the k of _arrays of that shape and dtype, in order
_lock = threading.Lock()


def _is_free(k):
    # Free: the handed-out array is referred to only by its list slot (and
    # getrefcount's argument), and its owner only by its slot, the handed-out
    # array's base and the argument; any other view (an LSTM's h_seq) adds one.
    return sys.getrefcount(_arrays[k]) == 2 and sys.getrefcount(_owners[k]) == 3


def _aligned(shape, dtype):
    """(owner, array): an uninitialised array starting on a cache line, and its memory."""
    nbytes = int(np.prod(shape)) * dtype.itemsize
    owner = np.empty(nbytes + ALIGN, np.uint8)
    start = -owner.ctypes.data % ALIGN
    return owner, owner[start:start + nbytes].view(dtype).reshape(shape)


def empty(shape, dtype):
    """An uninitialised array starting on a cache line (ALIGN bytes): a free one of this
    shape and dtype if the module keeps one, else a new one, kept if it fits MAX_BYTES."""
    shape, dtype = tuple(shape), np.dtype(dtype)
    with _lock:
        for k in _slots.get((shape, dtype), ()):
            if _is_free(k):
                return _arrays[k]
        owner, out = _aligned(shape, dtype)
        if _trim(MAX_BYTES - out.nbytes):
            _owners.append(owner)
            _arrays.append(out)
            _slots.setdefault((shape, dtype), []).append(len(_arrays) - 1)
        return out


def zeros(shape, dtype):
    """As :func:`empty`, filled with zeros."""
    out = empty(shape, dtype)
    out.fill(0)
    return out


def held_bytes():
    """Bytes of every array the module keeps, in use or free."""
    with _lock:
        return sum(a.nbytes for a in _arrays)


def free_bytes():
    """Bytes of the arrays the module keeps that nothing else uses."""
    with _lock:
        return sum(_arrays[k].nbytes for k in range(len(_arrays)) if _is_free(k))


def _trim(limit):
    """Drop free arrays, oldest first, until all kept take at most ``limit`` bytes, if
    the arrays in use leave room for that (else drop none); whether they do."""
    free = [k for k in range(len(_arrays)) if _is_free(k)]
    total = sum(a.nbytes for a in _arrays)
    if total - sum(_arrays[k].nbytes for k in free) > limit:
        return False
    drop = set()
    for k in free:
        if total <= limit:
            break
        total -= _arrays[k].nbytes
        drop.add(k)
    if drop:
        _owners[:] = [a for k, a in enumerate(_owners) if k not in drop]
        _arrays[:] = [a for k, a in enumerate(_arrays) if k not in drop]
        _index()
    return True


def _index():
    """Rebuild ``_slots`` from ``_arrays``."""
    _slots.clear()
    for k, a in enumerate(_arrays):
        _slots.setdefault((a.shape, a.dtype), []).append(k)


def clear():
    """Let go of every array (those still in use stay with their users)."""
    with _lock:
        del _owners[:], _arrays[:]
        _slots.clear()
