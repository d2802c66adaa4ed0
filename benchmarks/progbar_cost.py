"""What throttling the progress bar saves: one 2000-step epoch of a tiny model, drawing to a
terminal-like stream every 0.1 s (the default) or at every step (interval=0), taking turns.

    python benchmarks/progbar_cost.py

Prints the median epoch time over 7 rounds and how many times each drew the bar.
"""
import io
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from tinylstm import utils  # noqa: E402
from tinylstm.callbacks import ProgbarLogger  # noqa: E402
from tinylstm.layers import Dense  # noqa: E402
from tinylstm.models import Sequential  # noqa: E402


class Terminal(io.StringIO):
    """A stream that says it is a terminal, so the bar draws in place."""

    def isatty(self):
        return True


def epoch_seconds(x, y, interval):
    """(seconds for one epoch of batch-size-1 steps, number of drawings)."""
    utils.set_random_seed(0)
    model = Sequential([Dense(1, input_shape=(3,))])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    out = Terminal()
    start = time.perf_counter()
    model.fit(x, y, batch_size=1, epochs=1, callbacks=[ProgbarLogger(1, stream=out,
                                                                     interval=interval)])
    return time.perf_counter() - start, out.getvalue().count("\r")


def main():
    x = np.random.default_rng(0).standard_normal((2000, 3))
    y = np.zeros((2000, 1))
    times, draws = {0.1: [], 0.0: []}, {}
    for _ in range(7):
        for interval in times:
            seconds, draws[interval] = epoch_seconds(x, y, interval)
            times[interval].append(seconds)
    for interval, seconds in times.items():
        print(f"interval={interval}: median {statistics.median(seconds):.3f} s per 2000-step "
              f"epoch, {draws[interval]} drawings")


if __name__ == "__main__":
    main()
