"""Changes applied whole or not at all, even when Ctrl-C arrives in the middle.

An optimizer step, ``set_weights`` and ``load_weights`` each write several
arrays. They compute and check every new value first, then write them all
inside ``interrupts_deferred()``: a SIGINT that arrives while the arrays are
being written is held back and raised (as the usual KeyboardInterrupt) after the
last one, so no one ever sees some arrays moved and others not.
"""
import contextlib
import signal
import threading

import numpy as np


@contextlib.contextmanager
def interrupts_deferred():
    """Hold back SIGINT for the duration of the block, then deliver it."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is None):
        yield       # signals reach the main thread only; None: a handler Python cannot restore
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            signal.raise_signal(signal.SIGINT)


def assign(pairs):
    """``target[...] = value`` for every (target, value) pair, as one step."""
    with interrupts_deferred():
        for target, value in pairs:
            np.copyto(target, value)
