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


# -- where the numba path's time goes ------------------------------------------------
PHASES = ["_input_projection_kernel", "_forward_kernel", "_backward_kernel", "_weight_gradient_kernel"]


def kernel_phases(batch_size=100, dtype=np.float32, reps=30):
    """Median milliseconds of each of the numba path's kernels in one lstm_forward +
    lstm_backward call, for each (D, H) of the deep autoencoder's LSTMs, and of the
    whole call. The kernels are timed where ``lstm_numba._run_on_threads`` starts them
    (a private function, wrapped here for the measurement only)."""
    from tinylstm.ops import lstm_numba
    rng = np.random.default_rng(0)
    run = lstm_numba._run_on_threads
    times = {}

    def timed(kernel, slices, args_of_slice):
        start = time.perf_counter()
        run(kernel, slices, args_of_slice)
        times.setdefault(kernel.py_func.__name__, []).append(time.perf_counter() - start)

    rows = []
    lstm_numba._run_on_threads = timed
    try:
        for d, h in sorted(set(layer_shapes("deep"))):
            # x and dL/dh_seq as a stack of LSTMs passes them: (B, T, F) views of
            # feature-major (T, F, B) arrays
            x = rng.standard_normal((TIMESTEPS, d, batch_size)).astype(dtype).transpose(2, 0, 1)
            W, U = (0.3 * rng.standard_normal(shape).astype(dtype) for shape in [(d, 4 * h), (h, 4 * h)])
            b = 0.1 * rng.standard_normal(4 * h).astype(dtype)
            dh_seq = rng.standard_normal((TIMESTEPS, h, batch_size)).astype(dtype).transpose(2, 0, 1)
            times.clear()
            whole = []
            for _ in range(reps + 1):
                start = time.perf_counter()
                _, _, cache = lstm_numba.lstm_forward(x, W, U, b)
                lstm_numba.lstm_backward(dh_seq, None, None, cache)
                whole.append(time.perf_counter() - start)
            rows.append(dict(D=d, H=h, whole=1e3 * statistics.median(whole[1:]),
                             **{name: 1e3 * statistics.median(times[name][1:]) for name in PHASES}))
    finally:
        lstm_numba._run_on_threads = run
    return rows


def numpy_step_costs(batch_size=100, dtype=np.float32, reps=20):
    """Microseconds per step of the NumPy specification, forward and backward, for each
    (D, H) of the deep autoencoder's LSTMs, beside what the step's unavoidable work
    alone costs when done by the same NumPy calls on arrays of the same shapes: forward
    the recurrent product (4 gates), e^x for the three sigmoid gates and tanh twice;
    backward the recurrent product. Minimum over ``reps`` calls of T steps."""
    from tinylstm.ops import lstm
    rng = np.random.default_rng(0)
    B, T = batch_size, TIMESTEPS
    rows = []
    for d, h in sorted(set(layer_shapes("deep"))):
        x = rng.standard_normal((B, T, d)).astype(dtype)
        W, U = (0.3 * rng.standard_normal(shape).astype(dtype) for shape in [(d, 4 * h), (h, 4 * h)])
        b = 0.1 * rng.standard_normal(4 * h).astype(dtype)
        dh_seq = rng.standard_normal((B, T, h)).astype(dtype)
        z = rng.standard_normal((4, B, h)).astype(dtype)
        dz = rng.standard_normal((B, 4 * h)).astype(dtype)
        hs = rng.standard_normal((B, h)).astype(dtype)
        U4 = np.ascontiguousarray(U.reshape(h, 4, h).transpose(1, 0, 2))

        def floor_forward():
            for _ in range(T):
                hs @ U4, np.exp(z[0:3]), np.tanh(z[3]), np.tanh(z[0])

        def floor_backward():
            for _ in range(T):
                dz @ U.T
        forward, backward, floor_f, floor_b = [], [], [], []
        for _ in range(reps):
            start = time.perf_counter()
            _, _, cache = lstm.lstm_forward(x, W, U, b)
            middle = time.perf_counter()
            lstm.lstm_backward(dh_seq, None, None, cache)
            end = time.perf_counter()
            forward.append(middle - start)
            backward.append(end - middle)
            for fn, out in ((floor_forward, floor_f), (floor_backward, floor_b)):
                start = time.perf_counter()
                fn()
                out.append(time.perf_counter() - start)
        rows.append(dict(D=d, H=h, **{name: 1e6 * min(v) / T for name, v in
                                      [("forward", forward), ("floor_forward", floor_f),
                                       ("backward", backward), ("floor_backward", floor_b)]}))
    return rows


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
    print(json.dumps(dict(phases=kernel_phases(), numpy_steps=numpy_step_costs(), threads=threads)),
          flush=True)


def run_workers(threads, epochs):
    """Rows from a worker process with ``threads`` threads for numba, BLAS and torch."""
    n = str(threads)
    env = dict(os.environ, NUMBA_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n, OMP_NUM_THREADS=n,
               MKL_NUM_THREADS=n)
    process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker",
                                "--epochs", str(epochs)], env=env, stdout=subprocess.PIPE, text=True)
    rows, phases = [], None
    for line in process.stdout:
        row = json.loads(line)
        if "phases" in row:
            phases = row
            continue
        rows.append(row)
        print(format_row(row), flush=True)
    if process.wait() != 0:
        raise RuntimeError(f"the benchmark worker with {threads} thread(s) failed")
    return rows, phases


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
    tables, rates, phase_rows, step_rows = [], {}, [], []
    for threads in [int(t) for t in args.threads.split(",")]:
        print(f"{threads} thread(s):\n{HEADER}")
        rows, phases = run_workers(threads, args.epochs)
        phase_rows += [format_phase_row(threads, row) for row in phases["phases"]]
        step_rows += [format_step_row(threads, row) for row in phases["numpy_steps"]]
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
        phases="\n".join([PHASE_HEADER, "|" + "---|" * (PHASE_HEADER.count("|") - 1)] + phase_rows),
        steps="\n".join([STEP_HEADER, "|" + "---|" * (STEP_HEADER.count("|") - 1)] + step_rows),
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


PHASE_HEADER = ("| threads | LSTM D -> H | input projection | recurrence, forward | recurrence, backward "
                "| weight gradients and dx | whole call |")


STEP_HEADER = ("| threads | LSTM D -> H | forward µs/step | of it, product, e^x and tanh alone "
               "| backward µs/step | of it, product alone |")


def format_step_row(threads, row):
    return (f"| {threads} | {row['D']} -> {row['H']} | {row['forward']:.1f} | {row['floor_forward']:.1f} "
            f"| {row['backward']:.1f} | {row['floor_backward']:.1f} |")


def format_phase_row(threads, row):
    cells = " | ".join(f"{row[name]:.2f}" for name in PHASES)
    return f"| {threads} | {row['D']} -> {row['H']} | {cells} | {row['whole']:.2f} |"


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
PyTorch's 2-thread time varies most between runs: for the deep model at batch 100 in
float32, four runs of this script on one machine within two hours (2026-11-29) gave
0.36, 0.42, 0.61 and 0.71 s per epoch, and its ratios move with it.

Reproduce: `{command}` (writes this file). To measure one change, compare two
checkouts epoch by epoch, taking turns: `python benchmarks/ab_epoch.py deep 100 float32
numba /path/to/before /path/to/after`.

## How the fast path works

`tinylstm/ops/lstm_numba.py` computes the same equations as the NumPy specification
`tinylstm/ops/lstm.py`, with the same signatures, and `tinylstm/ops/__init__.py` is the
one place that chooses between them (`tinylstm.config.set_backend("numpy" | "numba")`;
numba is the default when it imports, for the default tanh/sigmoid activations).

- Feature-major layout inside, (T, 4H, B): for a fixed step and unit the batch is
  contiguous, so every inner loop runs over the batch and vectorises, even with H = 1.
- What does not depend on h leaves the time loop, as in the specification: forward,
  `z_t = b + x_t W` for all t, then the recurrence (the recurrent product, the gates and
  the cell, fused per step); backward, the recurrence (dL/dz_t, dL/dh_(t-1),
  dL/dc_(t-1)), then dx and the weight gradients from the stored dL/dz_t. Each is one
  compiled call: no per-step Python, and no BLAS (no OpenBLAS threads spinning against
  numba's).
- Threads: the recurrence runs one slice of the batch per thread (rows of a batch never
  meet in an LSTM, so the threads never synchronise); the work outside it runs one
  range of steps per thread, each over the whole batch, so its loops are twice as long.
  Each thread is a Python thread running a `nogil` kernel.
- The batch is padded with zero columns to a multiple of 8 (one AVX2 register of
  float32): a vectorised loop leaves the last n % 8 columns to scalar code, which at
  batch 100 cost as much as 16 vectorised columns.
- Whole-sequence arrays come from `tinylstm/ops/buffers.py`, which reuses an array once
  nothing refers to it, and start on a 64-byte cache line: fresh memory from the
  operating system, page by page, cost more than the arithmetic on it on this machine.
- A branch-free tanh (Cephes' rational approximations, within 2 ulp), so the gate
  loops vectorise; numba has no vector math library here, and libm's scalar tanh
  blocks vectorisation. Sigmoid is computed from tanh.
- numba's on-disk cache (`cache=True`): a second process does not recompile.
- `tests/test_numba_kernels.py` holds the fast path to the specification: float64 to
  1e-12 relative; float32 within 1e-5 of the float64 result, or at least as close to
  it as the float32 specification is (where a one-entry gradient cancels, two float32
  computations can differ by more than 1e-5 and both be right to float32 precision).
  `tests/test_buffers.py` checks that an array in use is never handed out twice.

## Where the numba path spends its time

Milliseconds per kernel in one forward and backward call of each of the deep
autoencoder's LSTMs, batch 100, float32 (median of 30; the whole call adds the
copies into the padded feature-major arrays, the thread hand-offs and the Python
around the kernels):

{phases}

At batch 100 each thread's slice of the recurrence is about 50 columns wide, and a
step has costs that do not shrink with the slice (the loops over the 4H rows of the
products, the gates and the cell start once per row and step): going from one thread
to two cuts the forward recurrence by about a third and the backward recurrence
hardly at all. The products outside the recurrence, twice as wide, split well.
At batch 1000 the slices are wide and a second thread helps more (the `ae4` rows).

## Where the NumPy path spends its time

Microseconds per step of the specification `tinylstm/ops/lstm.py`, batch 100, float32
(the whole forward or backward call divided by its 100 steps, minimum of 20 calls),
beside what the step's unavoidable work costs alone, done by the same NumPy calls on
arrays of the same shapes:

{steps}

A step forward is fourteen NumPy calls (the recurrent product and its sum with the
input part, four for one sigmoid of the three gates i, f and o, two tanh, four for the
cell and two for h, storing them), a step backward seven (the activations' derivatives are taken for the whole sequence before
the loop; see `docs/lstm-math.md`); each works on a few thousand numbers (H = 32) or a hundred
(H = 1), so a call's fixed cost, about a microsecond, is a large part of it, and for
H = 1 nearly all of it. NumPy's float32 `exp` and `tanh` take about 1.5 and 2.7 ns a
number on this machine (`tanh` is not vectorised here). All of it runs on one core:
NumPy's element-wise functions are single-threaded, and the recurrent products took
the same time with one BLAS thread as with two, so the second thread of the 2-thread tables helps only the
products outside the loop. The whole-sequence arrays come from `ops/buffers.py` as in
the fast path (touching fresh memory cost the `ae4` epoch at batch 100 about 0.08 s).
"""


if __name__ == "__main__":
    main()
