"""Seconds per training epoch of two (or more) checkouts of tinylstm, taking turns.

    python benchmarks/ab_epoch.py deep 100 float32 numba /path/to/before /path/to/after

For measuring one change: each round starts a fresh process per checkout (so each
imports its own tinylstm and numba cache), trains the benchmark's model there for one
warm-up epoch and three timed ones, and the checkouts alternate round by round, so
that a change of load on the machine hits them alike. Prints the minimum and the
median over all timed epochs. Models and data are those of ``bench_lstm.py`` (model
``ae4`` or ``deep``; batch size; ``float32`` or ``float64``; backend ``numba`` or
``numpy``). Extra environment variables pass through (thread counts, for example
``NUMBA_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2``).
"""
import argparse
import statistics
import subprocess
import sys

EPOCHS = r"""
import sys, time
sys.path[:0] = [{root!r}, {root!r} + "/benchmarks"]
import numpy as np
import bench_lstm
x = bench_lstm.sine_data(np.{dtype})
epoch = bench_lstm.tinylstm_trainer({model!r}, {batch}, np.{dtype}, {backend!r}, x)
epoch()
for _ in range(3):
    start = time.perf_counter()
    epoch()
    print(time.perf_counter() - start)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", choices=["ae4", "deep"])
    parser.add_argument("batch", type=int)
    parser.add_argument("dtype", choices=["float32", "float64"])
    parser.add_argument("backend", choices=["numba", "numpy"])
    parser.add_argument("roots", nargs="+", help="checkouts of tinylstm to compare")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    seconds = {root: [] for root in args.roots}
    for _ in range(args.rounds):
        for root in args.roots:
            code = EPOCHS.format(root=root, dtype=args.dtype, model=args.model, batch=args.batch,
                                 backend=args.backend)
            out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout
            seconds[root] += [float(line) for line in out.split()]
    for root, times in seconds.items():
        print(f"{root}: min {min(times):.3f} s, median {statistics.median(times):.3f} s "
              f"({len(times)} epochs)")


if __name__ == "__main__":
    main()
