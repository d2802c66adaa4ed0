"""Reusable arrays for the LSTM passes: fresh memory is slow here.

The fast path needs whole-sequence arrays ((T, 4H, B) gates and the like, 5 MB
each at batch 100) for every layer and every batch. Taken with ``np.empty``,
each is fresh memory from the operating system (glibc maps arrays this large
anew and unmaps them when freed), and touching its pages for the first time cost
more than the arithmetic on them: on this project's 2-core machine a training
epoch of the deep autoencoder at batch 100 (float32, 2 threads) took 0.57 s that
way and 0.43 s with reused arrays.

So the kernels, and the NumPy specification ``ops/lstm.py`` (for which the
same change took the ``ae4`` epoch at batch 100 from 0.52 s to 0.44 s), take
their whole-sequence arrays from here. An array is handed out again only
when nothing but this module refers to it: every NumPy view keeps a reference
to the array that owns its memory (here a uint8 array a little larger than
asked for, so that the array can start on a cache line: vector loads then never
straddle two lines), so an array still in use (an LSTM's output
``h_seq`` is a view of its ``h``; a cache kept for a backward pass holds
``gates``) is never given to a second caller. Arrays that are free are reused
by the next request of the same shape and dtype; ``MAX_FREE_BYTES`` bounds what
is kept while free. ``clear()`` lets go of all of them.
"""
import sys
import threading

import numpy as np

MAX_FREE_BYTES = 1 << 30          # at most 1 GiB kept while unused
ALIGN = 64                        # bytes: arrays start on a cache line

_owners = []                      # the uint8 arrays that own the memory this module hands out
_arrays = []                      # _arrays[k]: the aligned view of _owners[k] that was handed out
_lock = threading.Lock()


def _is_free(k):
    # Free: the handed-out array is referred to only by its list slot (and
    # getrefcount's argument), and its owner only by its slot, the handed-out
    # array's base and the argument; any other view (an LSTM's h_seq) adds one.
    return sys.getrefcount(_arrays[k]) == 2 and sys.getrefcount(_owners[k]) == 3


def empty(shape, dtype):
    """An uninitialised array, starting on a cache line (ALIGN bytes), reused if a
    free one of this shape and dtype exists."""
    shape, dtype = tuple(shape), np.dtype(dtype)
    with _lock:
        for k in range(len(_arrays)):
            if _arrays[k].shape == shape and _arrays[k].dtype == dtype and _is_free(k):
                return _arrays[k]
        _trim(MAX_FREE_BYTES)
        nbytes = int(np.prod(shape)) * dtype.itemsize
        owner = np.empty(nbytes + ALIGN, np.uint8)
        start = -owner.ctypes.data % ALIGN
        out = owner[start:start + nbytes].view(dtype).reshape(shape)
        _owners.append(owner)
        _arrays.append(out)
        return out


def zeros(shape, dtype):
    """As :func:`empty`, filled with zeros."""
    out = empty(shape, dtype)
    out.fill(0)
    return out


def free_bytes():
    """Bytes held by arrays that nothing else uses."""
    with _lock:
        return sum(_arrays[k].nbytes for k in range(len(_arrays)) if _is_free(k))


def _trim(limit):
    """Drop free arrays, oldest first, until those left take at most ``limit`` bytes."""
    free = [k for k in range(len(_arrays)) if _is_free(k)]
    total = sum(_arrays[k].nbytes for k in free)
    drop = set()
    for k in free:
        if total <= limit:
            break
        total -= _arrays[k].nbytes
        drop.add(k)
    _owners[:] = [a for k, a in enumerate(_owners) if k not in drop]
    _arrays[:] = [a for k, a in enumerate(_arrays) if k not in drop]


def clear():
    """Let go of every array (those still in use stay with their users)."""
    with _lock:
        del _owners[:], _arrays[:]
