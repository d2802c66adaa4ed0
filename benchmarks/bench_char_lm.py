"""Seconds per training batch of demos/char_lm.py's model, on the numba kernels and on the NumPy
specification, taking turns in one process.

    python benchmarks/bench_char_lm.py                 # 5 rounds, batch 32, one thread each
    NUMBA_NUM_THREADS=2 python benchmarks/bench_char_lm.py --rounds 9

The model and batch are the demo's: Embedding(103, 32) -> LSTM(128, return_sequences) ->
Dense(103, softmax), sparse cross-entropy, Adam, windows of 64 characters, batch 32, float32.
Each round times 10 ``train_on_batch`` steps on each backend in turn, so a change of load hits
both alike; prints the median and the minimum per backend and their ratio. On a shared machine
say what the load was (``uptime``).
"""
import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from tinylstm import config  # noqa: E402
from tinylstm.layers import LSTM, Dense, Embedding, Input  # noqa: E402
from tinylstm.models import Sequential  # noqa: E402
from tinylstm.utils import set_random_seed  # noqa: E402

V, EMBEDDING, UNITS, WINDOW, BATCH, STEPS = 103, 32, 128, 64, 32, 10


def trainer(backend):
    """A function that runs STEPS training steps of a fresh model on ``backend``."""
    set_random_seed(0)
    model = Sequential([Input((WINDOW,)), Embedding(V, EMBEDDING), LSTM(UNITS, return_sequences=True),
                        Dense(V, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    rng = np.random.default_rng(0)
    x, y = rng.integers(0, V, (BATCH, WINDOW)), rng.integers(0, V, (BATCH, WINDOW))

    def steps():
        config.set_backend(backend)
        for _ in range(STEPS):
            model.train_on_batch(x, y)
    return steps


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    runs = {b: trainer(b) for b in ("numba", "numpy")}
    for run in runs.values():
        run()                                        # warm-up: numba compiles, caches fill
    seconds = {b: [] for b in runs}
    for _ in range(args.rounds):
        for backend, run in runs.items():
            start = time.perf_counter()
            run()
            seconds[backend].append((time.perf_counter() - start) / STEPS)
    for backend, times in seconds.items():
        print(f"{backend}: median {1000 * statistics.median(times):.1f} ms per batch, "
              f"min {1000 * min(times):.1f} ms ({args.rounds} rounds of {STEPS} batches of "
              f"{BATCH} x {WINDOW} characters)")
    ratio = statistics.median(seconds["numpy"]) / statistics.median(seconds["numba"])
    print(f"NumPy specification / numba kernels: {ratio:.2f} (medians)")


if __name__ == "__main__":
    main()
