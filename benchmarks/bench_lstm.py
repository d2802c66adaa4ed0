"""Seconds per training epoch: tinylstm's numba path, its NumPy path and PyTorch's nn.LSTM.

    python benchmarks/bench_lstm.py [--epochs 7] [--threads 2,1] [--out docs/performance.md]

Models of the blog post, trained on the same 1000 sine waves of 100 steps with
Adam and the mean squared error (the autoencoder reconstructs its input):

    ae4   LSTM 32 -> LSTM 1 -> RepeatVector 100 -> LSTM 32 -> LSTM 1  (8,976 weights)
    deep  LSTM 32 -> LSTM 32 -> LSTM 1 -> RepeatVector -> LSTM 32 -> LSTM 32 -> LSTM 1

in float32 and float64, with the same number of threads for numba, BLAS and torch
(one table per thread count; each runs in its own process, the counts set through
the environment before anything starts its thread pools).
The three implementations take turns epoch by epoch, so that a change of load on
the machine hits them alike (with a pause between turns, for idle threads to stop
spinning); the table gives the median over the epochs after a
first one (whose extra time, numba's loading of compiled code included, is the
"first-epoch overhead"). The arithmetic floor is the time the epoch's matrix
products would take at the rate this machine's BLAS reaches on a large product
of the same kind.

The compile time of the numba kernels is measured in fresh processes, with an
empty on-disk cache (cold) and then with the cache it left (warm).

Not a test: nothing is asserted. torch is optional (`pip install -e .[crosscheck]`);
without it the PyTorch columns say so.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import numba  # noqa: E402

import tinylstm  # noqa: E402
from tinylstm import config, utils  # noqa: E402
from tinylstm.layers import LSTM, Input, RepeatVector  # noqa: E402
from tinylstm.models import Sequential  # noqa: E402

try:
    import torch
except ImportError:
    torch = None

N_SEQUENCES, TIMESTEPS = 1000, 100
# (name, encoder units, decoder units): the last encoder layer is the latent one
MODELS = {"ae4": ([32, 1], [32, 1]), "deep": ([32, 32, 1], [32, 32, 1])}
CASES = [("ae4", 1000), ("ae4", 100), ("deep", 100)]


def sine_data(dtype):
    """1000 sines of random phase, sampled at 100 points: (1000, 100, 1)."""
    rng = np.random.default_rng(0)
    t = np.linspace(0.0, 2.0 * np.pi, TIMESTEPS)
    phase = rng.uniform(0.0, np.pi / 2, (N_SEQUENCES, 1))
    return np.sin(t + phase)[:, :, None].astype(dtype)


def layer_shapes(model):
    """(D, H) of every LSTM of the model, in order."""
    encoder, decoder = MODELS[model]
    shapes, d = [], 1
    for h in encoder + decoder:
        shapes.append((d, h))
        d = h
    return shapes


def epoch_flops(model):
    """Multiply-adds x 2 of one epoch's matrix products: per LSTM and sample, forward
    T (D + H) 4H, and twice that backward (dW, dU; dx, dh)."""
    return sum(3 * 2 * N_SEQUENCES * TIMESTEPS * (d + h) * 4 * h for d, h in layer_shapes(model))


# -- the three trainers: each returns a function that runs one epoch ----------------
def tinylstm_trainer(model_name, batch_size, dtype, backend, x):
    config.set_floatx(np.dtype(dtype).name)
    config.set_backend(backend)
    utils.set_random_seed(0)
    encoder, decoder = MODELS[model_name]
    model = Sequential([Input((TIMESTEPS, 1))])
    for k, units in enumerate(encoder):
        model.add(LSTM(units, return_sequences=k < len(encoder) - 1))
    model.add(RepeatVector(TIMESTEPS))
    for units in decoder:
        model.add(LSTM(units, return_sequences=True))
    model.compile(optimizer="adam", loss="mse")

    def epoch():
        config.set_backend(backend)     # the trainers take turns: each sets its own
        model.fit(x, x, batch_size=batch_size, epochs=1, shuffle=True, verbose=0)
    return epoch


def torch_trainer(model_name, batch_size, dtype, x):
    torch.manual_seed(0)
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    encoder, decoder = MODELS[model_name]
    sizes = layer_shapes(model_name)
    lstms = torch.nn.ModuleList([torch.nn.LSTM(d, h, batch_first=True, dtype=tdtype) for d, h in sizes])
    n_enc = len(encoder)

    def forward(xb):
        h = xb
        for k, lstm in enumerate(lstms):
            h, _ = lstm(h)
            if k == n_enc - 1:                                  # latent: last step, repeated
                h = h[:, -1:, :].expand(-1, TIMESTEPS, -1)
        return h

    opt = torch.optim.Adam(lstms.parameters(), lr=1e-3)
    data = torch.from_numpy(x)

    def epoch():
        order = torch.randperm(len(data))
        for start in range(0, len(data), batch_size):
            xb = data[order[start:start + batch_size]]
            opt.zero_grad()
            loss = torch.mean((forward(xb) - xb) ** 2)
            loss.backward()
            opt.step()
    return epoch


def blas_rate(dtype):
    """FLOP/s of this machine's BLAS: the best of a product shaped like dU over a whole
    sequence (H x BT @ BT x 4H) and a square one."""
    rng = np.random.default_rng(0)
    rates = []
    for m, k, n in [(32, N_SEQUENCES * TIMESTEPS, 128), (2000, 2000, 2000)]:
        a = rng.standard_normal((m, k)).astype(dtype)
        b = rng.standard_normal((k, n)).astype(dtype)
        for _ in range(5):
            start = time.perf_counter()
            a @ b
            rates.append(2.0 * m * k * n / (time.perf_counter() - start))
    return max(rates)


# -- compile time ----------------------------------------------------------------
COMPILE_SNIPPET = """
import time, numpy as np
start = time.perf_counter()
from tinylstm.ops import lstm_numba
for dtype in (np.float32, np.float64):
    x = np.ones((2, 3, 1), dtype); W = np.ones((1, 8), dtype); U = np.ones((2, 8), dtype)
    h, _, cache = lstm_numba.lstm_forward(x, W, U)
    lstm_numba.lstm_backward(np.ones_like(h), None, None, cache)
print(time.perf_counter() - start)
"""


def compile_times():
    """Seconds to import and first run the kernels (float32 and float64), cold and warm cache."""
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    with tempfile.TemporaryDirectory() as cache_dir:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache_dir, PYTHONPATH=root)
        return [float(subprocess.run([sys.executable, "-c", COMPILE_SNIPPET], env=env, check=True,
                                     capture_output=True, text=True).stdout) for _ in range(2)]


# -- the run -----------------------------------------------------------------------
def run_case(model_name, batch_size, dtype, epochs):
    x = sine_data(dtype)
    trainers = {"numba": tinylstm_trainer(model_name, batch_size, dtype, "numba", x),
                "numpy": tinylstm_trainer(model_name, batch_size, dtype, "numpy", x)}
    if torch is not None:
        trainers["torch"] = torch_trainer(model_name, batch_size, dtype, x)
    wall, cpu = {name: [] for name in trainers}, {name: [] for name in trainers}
    for _ in range(epochs + 1):
        for name, epoch in trainers.items():
            time.sleep(0.5)             # let the last one's idle threads (BLAS, OpenMP) stop spinning
            start, start_cpu = time.perf_counter(), time.process_time()
            epoch()
            wall[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    # (first epoch, median wall seconds, median CPU seconds of the whole process)
    return {name: (wall[name][0], statistics.median(wall[name][1:]), statistics.median(cpu[name][1:]))
            for name in trainers}


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    versions = f"numpy {np.__version__}, numba {numba.__version__}, tinylstm {tinylstm.__version__}"
    versions += f", torch {torch.__version__}" if torch is not None else ", torch not installed"
    return f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}; {versions}"


def worker(epochs):
    """Run every case in this process (thread counts come from the environment) and
    print one JSON line per case."""
    threads = numba.get_num_threads()
    if torch is not None:
        torch.set_num_threads(threads)
    for dtype in (np.float32, np.float64):
        rate = blas_rate(dtype)
        for model_name, batch_size in CASES:
            result = run_case(model_name, batch_size, dtype, epochs)
            print(json.dumps(dict(model=model_name, batch=batch_size, dtype=np.dtype(dtype).name,
                                  threads=threads, result=result, rate=rate,
                                  floor=epoch_flops(model_name) / rate)), flush=True)


def run_workers(threads, epochs):
    """Rows from a worker process with ``threads`` threads for numba, BLAS and torch."""
    n = str(threads)
    env = dict(os.environ, NUMBA_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n, OMP_NUM_THREADS=n,
               MKL_NUM_THREADS=n)
    process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker",
                                "--epochs", str(epochs)], env=env, stdout=subprocess.PIPE, text=True)
    rows = []
    for line in process.stdout:
        rows.append(json.loads(line))
        print(format_row(rows[-1]), flush=True)
    if process.wait() != 0:
        raise RuntimeError(f"the benchmark worker with {threads} thread(s) failed")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=7, help="timed epochs after the first (default 7)")
    parser.add_argument("--threads", default=f"{os.cpu_count()},1",
                        help="comma-separated thread counts, one table each (default: all cores, then 1)")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "..", "docs", "performance.md"))
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.epochs)
    if torch is None:
        print("torch is not installed (pip install -e .[crosscheck]): no PyTorch columns")
    load_before = os.getloadavg()[0]
    cold, warm = compile_times()
    print(f"numba compile, first process: {cold:.1f} s (cold cache), {warm:.2f} s (warm cache)")
    tables, rates = [], {}
    for threads in [int(t) for t in args.threads.split(",")]:
        print(f"{threads} thread(s):\n{HEADER}")
        rows = run_workers(threads, args.epochs)
        rates.update({(threads, row["dtype"]): row["rate"] / 1e9 for row in rows})
        tables.append(f"### {threads} thread(s), seconds per epoch\n\n{HEADER}\n{SEPARATOR}\n"
                      + "\n".join(format_row(row) for row in rows))
        if threads == 1:                # CPU time: what a busy machine disturbs least
            tables.append("### 1 thread, CPU seconds per epoch (`time.process_time`)\n\n"
                          f"{CPU_HEADER}\n{CPU_SEPARATOR}\n"
                          + "\n".join(format_cpu_row(row) for row in rows))
    load_after = os.getloadavg()[0]
    text = REPORT.format(
        machine=machine(), epochs=args.epochs, cold=cold, warm=warm,
        load_before=load_before, load_after=load_after, tables="\n\n".join(tables),
        rates="; ".join(f"{t} thread(s): {r32:.0f} GFLOP/s in float32, {rates[(t, 'float64')]:.0f} in float64"
                        for (t, d), r32 in rates.items() if d == "float32"),
        command=f"python benchmarks/bench_lstm.py --epochs {args.epochs} --threads {args.threads}")
    with open(args.out, "w") as f:
        f.write(text)
    print(f"written to {os.path.normpath(args.out)}")


HEADER = ("| model | batch | dtype | numba s/epoch | NumPy s/epoch | torch s/epoch | numba / torch "
          "| NumPy / torch | numba first-epoch overhead s | floor s | numba % of floor |")
SEPARATOR = "|" + "---|" * (HEADER.count("|") - 1)


CPU_HEADER = "| model | batch | dtype | numba | NumPy | torch | numba / torch | NumPy / torch |"
CPU_SEPARATOR = "|" + "---|" * (CPU_HEADER.count("|") - 1)


def format_cpu_row(row):
    numba_s, numpy_s = row["result"]["numba"][2], row["result"]["numpy"][2]
    cells = f"| {row['model']} | {row['batch']} | {row['dtype']} | {numba_s:.3f} | {numpy_s:.3f} | "
    if "torch" not in row["result"]:
        return cells + "no torch | - | - |"
    torch_s = row["result"]["torch"][2]
    return cells + f"{torch_s:.3f} | {numba_s / torch_s:.2f} | {numpy_s / torch_s:.2f} |"


def format_row(row):
    first, numba_s = row["result"]["numba"][:2]
    numpy_s = row["result"]["numpy"][1]
    if "torch" in row["result"]:
        torch_s = row["result"]["torch"][1]
        torch_cells = f"{torch_s:.3f} | {numba_s / torch_s:.2f} | {numpy_s / torch_s:.2f}"
    else:
        torch_cells = "no torch | - | -"
    return (f"| {row['model']} | {row['batch']} | {row['dtype']} | {numba_s:.3f} | {numpy_s:.3f} | "
            f"{torch_cells} | {first - numba_s:.2f} | {row['floor']:.4f} | "
            f"{100 * row['floor'] / numba_s:.0f}% |")


REPORT = """# Performance

Seconds per training epoch (median of {epochs} epochs after the first) of the blog post's
autoencoders on 1000 sine waves of 100 steps, Adam, mean squared error:
tinylstm's numba path, tinylstm's NumPy path (the specification) and PyTorch's
`nn.LSTM` with the same layer shapes, dtype and thread count (numba, BLAS and torch
all get the count of the table).

- `ae4`: LSTM 32 -> LSTM 1 -> RepeatVector 100 -> LSTM 32 -> LSTM 1 (8,976 weights)
- `deep`: LSTM 32 -> LSTM 32 -> LSTM 1 -> RepeatVector 100 -> LSTM 32 -> LSTM 32 -> LSTM 1

{tables}

- *CPU seconds* (1 thread): the process's CPU time per epoch, which other processes
  on the machine disturb much less than the wall time.
- *first-epoch overhead*: the first epoch's time minus the median, numba path, in
  a process whose kernels are already in numba's on-disk cache.
- *floor*: the epoch's matrix products (forward T(D+H)4H multiply-adds per LSTM and
  sample, three times that with the backward pass) at the best rate this machine's
  BLAS reached on a large product ({rates}). The tanh/sigmoid evaluations and the
  memory traffic come on top of it.
- numba compile time, first process: {cold:.1f} s with an empty cache, {warm:.2f} s
  with a warm one (import and first call of the kernels, float32 and float64).

Machine: {machine}. Load average (1 min) {load_before:.2f} before the run, {load_after:.2f}
after: the machine is shared, so single numbers move; the ratios come from the same
run, the implementations taking turns epoch by epoch. With other processes on the
cores, the 2-thread rows suffer most (a thread that loses its core holds up the
others; OpenBLAS's and torch's idle threads spin), so read them with the load.

Reproduce: `{command}` (writes this file).

## How the fast path works

`tinylstm/ops/lstm_numba.py` computes the same equations as the NumPy specification
`tinylstm/ops/lstm.py`, with the same signatures, and `tinylstm/ops/__init__.py` is the
one place that chooses between them (`tinylstm.config.set_backend("numpy" | "numba")`;
numba is the default when it imports, for the default tanh/sigmoid activations).

- Feature-major layout inside, (T, 4H, B): for a fixed step and unit the batch is
  contiguous, so every inner loop runs over the batch and vectorises, even with H = 1.
- One compiled call per pass: the whole time loop, forward or backward, runs inside
  numba, with the recurrent product, the gates and the cell fused per step, and the
  weight gradients summed in the same loop (no per-step Python, no BLAS threads
  spinning against numba's).
- A branch-free tanh (Cephes' rational approximations, within 2 ulp), so the gate
  loops vectorise; numba has no vector math library here, and libm's scalar tanh
  blocks vectorisation. Sigmoid is computed from tanh, as in the specification.
- Threads: the batch is cut into one slice per thread, and each Python thread runs a
  `nogil` kernel over all T steps of its slice; rows of a batch never meet in an
  LSTM, so the threads never synchronise.
- numba's on-disk cache (`cache=True`): a second process does not recompile.
- `tests/test_numba_kernels.py` holds the fast path to the specification: float64 to
  1e-12 relative; float32 within 1e-5 of the float64 result, or at least as close to
  it as the float32 specification is (where a one-entry gradient cancels, two float32
  computations can differ by more than 1e-5 and both be right to float32 precision).

## Where the numba path spends its time

Measured one thread at a time (`time.process_time`, float32, `ae4`, batch 1000):
about 0.2 s per epoch, half forward, half backward, nearly all inside the two
kernels of `tinylstm/ops/lstm_numba.py`. Per LSTM 1 -> 32, per epoch:

- the recurrent products (h_{{t-1}} U forward, dz_t U^T and the dU sums backward,
  0.8 GFLOP each): 11-15 ms each, 55-75 GFLOP/s, about BLAS's single-core rate;
- the 16 million tanh of the gates and the cell (sigmoid is computed from tanh):
  about 1 ns each in float32, 2-3 ns in float64, some 16-20 ms (float32);
- the rest (bias, the D = 1 input product, the elementwise backward, dx): a few ms.

So the arithmetic floor of the table (matrix products only) is not the limit: the
transcendental functions cost as much as the products, and at batch 100 each
thread's slice is ~50 columns wide, so loop overheads weigh more. The NumPy path
pays for NumPy's float64 tanh (scalar libm on this CPU, ~20 ns) and, at batch 100,
for some twenty NumPy calls per step.
"""


if __name__ == "__main__":
    main()
