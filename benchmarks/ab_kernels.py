"""The LSTM op of two checkouts of tinylstm in one process, their calls taking turns.

    python benchmarks/ab_kernels.py /path/to/before /path/to/after --dtype float32

For measuring a change to the numba kernels: each checkout's ``tinylstm`` package is
copied to a temporary folder under a name of its own (its absolute imports renamed with
it), so that both load in one process. Then, shape by shape (the sweep's, or those
given with ``--shape D,H,T,B``), one forward, one backward and one ``predict`` call of
each take turns, the order swapped every pair, and the median over the pairs of the
after/before ratio is printed for each. A change of load on the machine hits both
alike, which separate processes do not see (``ab_epoch.py`` compares whole epochs, a
process per checkout). Both run on the numba path with ``--threads`` threads; the copies
compile their kernels afresh (numba's cache is keyed by the file's path).
"""
import argparse
import importlib
import os
import re
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import sweep  # noqa: E402  (its shapes)


def load_copy(root, name, folder):
    """``root``'s tinylstm package, copied into ``folder`` as ``name``: its numba LSTM op
    (``ops.lstm_numba``) and its ``config``."""
    target = os.path.join(folder, name)
    shutil.copytree(os.path.join(root, "tinylstm"), target,
                    ignore=shutil.ignore_patterns("__pycache__"))
    pattern = re.compile(r"\b(from|import) tinylstm\b")
    for directory, _, files in os.walk(target):
        for file in files:
            if file.endswith(".py"):
                path = os.path.join(directory, file)
                with open(path) as f:
                    text = f.read()
                with open(path, "w") as f:
                    f.write(pattern.sub(rf"\1 {name}", text))
    return importlib.import_module(f"{name}.ops.lstm_numba"), importlib.import_module(f"{name}.config")


def problem(D, H, T, B, dtype):
    rng = np.random.default_rng(0)

    def normal(*shape, scale=1.0):
        return (scale * rng.standard_normal(shape)).astype(dtype)
    return normal(B, T, D), normal(D, 4 * H, scale=0.3), normal(H, 4 * H, scale=0.3), \
        normal(4 * H, scale=0.1), normal(B, T, H)


def calls(ops, x, W, U, b, dh):
    """Seconds of one forward, one backward and one predict call of the op ``ops``."""
    start = time.perf_counter()
    cache = ops.lstm_forward(x, W, U, b)[2]
    middle = time.perf_counter()
    ops.lstm_backward(dh, None, None, cache)
    end = time.perf_counter()
    ops.lstm_predict(x, W, U, b)
    return middle - start, end - middle, time.perf_counter() - end


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--pairs", type=int, default=16)
    parser.add_argument("--shape", action="append", help="D,H,T,B (repeatable); default: the sweep's")
    args = parser.parse_args()
    shapes = [tuple(map(int, s.split(","))) for s in args.shape] if args.shape else sweep.SHAPES
    with tempfile.TemporaryDirectory() as folder:
        sys.path.insert(0, folder)
        packages = {"before": load_copy(args.before, "tinylstm_before", folder),
                    "after": load_copy(args.after, "tinylstm_after", folder)}
        for _, config in packages.values():
            config.set_num_threads(args.threads)
        print(f"after / before, median over {args.pairs} pairs, {args.dtype}, {args.threads} thread(s)")
        for D, H, T, B in shapes:
            x, W, U, b, dh = problem(D, H, T, B, np.dtype(args.dtype))
            for ops, _ in packages.values():
                calls(ops, x, W, U, b, dh)                      # compile, warm up
            seconds = {name: [] for name in packages}
            for pair in range(args.pairs):
                for name in (("before", "after") if pair % 2 == 0 else ("after", "before")):
                    seconds[name].append(calls(packages[name][0], x, W, U, b, dh))
            ratios = [statistics.median(a[k] / z[k] for a, z in zip(seconds["after"], seconds["before"]))
                      for k in range(3)]
            before = [statistics.median(s[k] for s in seconds["before"]) * 1e3 for k in range(3)]
            print(f"LSTM {D:>3} -> {H:<3} T {T:<3} batch {B:<4}: forward {ratios[0]:.3f}, backward "
                  f"{ratios[1]:.3f}, predict {ratios[2]:.3f}  (before: {before[0]:.2f}, {before[1]:.2f}, "
                  f"{before[2]:.2f} ms)")


if __name__ == "__main__":
    main()
