"""Where a training epoch of the benchmark's autoencoder goes: kernels, and the Python around them.

    python benchmarks/epoch_phases.py [ae4|deep] [batch] [float32|float64] [--epochs 20]

Trains the model of ``bench_lstm.py`` (numba path, the threads of ``config.num_threads()``)
for a few warm-up epochs, then times ``--epochs`` epochs back to back and prints
milliseconds per epoch: the whole epoch; the numba kernels, timed where
``tinylstm.ops.threads.run`` starts them (thread hand-offs included); and what is left
of the forward pass, the loss, the backward pass and the optimizer's update once the
kernel time inside each is taken out. Then each LSTM shape's kernels alone, on one
thread and on all: milliseconds per call (median of 40). Not a test: nothing is asserted.
"""
import argparse
import collections
import os
import statistics
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, ".."), HERE]

import bench_lstm  # noqa: E402
from tinylstm import config, models  # noqa: E402
from tinylstm.ops import lstm_numba_small as small, threads  # noqa: E402
from tinylstm.optimizers import optimizer  # noqa: E402

PHASES = [(models.Sequential, "_forward", "forward"), (models.Sequential, "_loss_and_grads", "loss"),
          (models.Sequential, "_backward", "backward"), (optimizer.Optimizer, "apply", "optimizer")]


def instrument(spent):
    """Wrap threads.run and the phases of a training step: spent[name] += seconds, the
    kernels' time counted under "kernels" and taken out of the phase that ran them."""
    run, open_phases = threads.run, []

    def timed_run(kernel, args, work):
        start = time.perf_counter()
        run(kernel, args, work)
        seconds = time.perf_counter() - start
        spent["kernels"] += seconds
        for phase in open_phases:
            phase[1] += seconds
    threads.run = timed_run

    def wrap(owner, name, label):
        method = getattr(owner, name)

        def timed(*args, **kwargs):
            phase = [label, 0.0]
            open_phases.append(phase)
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                open_phases.pop()
                spent[label] += time.perf_counter() - start - phase[1]
        setattr(owner, name, timed)
    for owner, name, label in PHASES:
        wrap(owner, name, label)


def kernel_calls(d, h, batch, dtype, reps=40):
    """Median ms of the small kernels' forward and backward passes (the latter as its two
    kernels) for one LSTM d -> h, T = 100, on this batch."""
    rng = np.random.default_rng(0)
    T, Bp = bench_lstm.TIMESTEPS, small.padded(batch)
    x = np.zeros((T, d, Bp), dtype)
    x[:, :, :batch] = rng.standard_normal((T, d, batch))
    W, U = (0.3 * rng.standard_normal(shape).astype(dtype) for shape in [(d, 4 * h), (h, 4 * h)])
    b = (0.1 * rng.standard_normal(4 * h)).astype(dtype)
    dh = np.zeros((T, h, Bp), dtype)
    dh[:, :, :batch] = rng.standard_normal((T, h, batch))
    times = collections.defaultdict(list)
    run = threads.run

    def timed(kernel, args, work):
        start = time.perf_counter()
        run(kernel, args, work)
        times[kernel.py_func.__name__.strip("_")].append(time.perf_counter() - start)
    small.threads.run = timed
    try:
        for _ in range(reps + 1):
            hs, cs = np.zeros((T + 1, h, Bp), dtype), np.zeros((T + 1, h, Bp), dtype)
            gates, phi_c = small.forward(x, W, U, b, hs, cs, 0)
            small.backward(dh, np.zeros((h, Bp), dtype), np.zeros((h, Bp), dtype), x, W, U, gates, hs,
                           cs, phi_c, 0)
    finally:
        small.threads.run = run
    return {name: 1e3 * statistics.median(t[1:]) for name, t in times.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model", nargs="?", default="ae4", choices=sorted(bench_lstm.MODELS))
    parser.add_argument("batch", nargs="?", type=int, default=100)
    parser.add_argument("dtype", nargs="?", default="float32", choices=["float32", "float64"])
    parser.add_argument("--epochs", type=int, default=20)
    args = parser.parse_args()
    dtype = np.dtype(args.dtype).type
    epoch = bench_lstm.tinylstm_trainer(args.model, args.batch, dtype, "numba",
                                        bench_lstm.sine_data(dtype))
    spent = collections.defaultdict(float)
    instrument(spent)
    for _ in range(3):
        epoch()
    spent.clear()
    whole = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        epoch()
        whole.append(time.perf_counter() - start)
    n = args.epochs
    print(f"{args.model}, batch {args.batch}, {args.dtype}, {config.num_threads()} threads: "
          f"ms per epoch (median of {n}) {1e3 * statistics.median(whole):.1f}")
    print(f"  kernels (threads.run) {1e3 * spent['kernels'] / n:.1f}")
    for _, _, label in PHASES:
        print(f"  {label}, outside the kernels {1e3 * spent[label] / n:.1f}")
    threads_all = config.num_threads()
    for d, h in sorted(set(bench_lstm.layer_shapes(args.model))):
        for count in sorted({1, threads_all}):
            config.set_num_threads(count)
            ms = kernel_calls(d, h, args.batch, dtype)
            print(f"LSTM {d} -> {h}, {count} thread(s), ms per call: "
                  + ", ".join(f"{name} {value:.3f}" for name, value in ms.items()))
        config.set_num_threads(threads_all)


if __name__ == "__main__":
    main()
