"""Seconds per training epoch: tinylstm's numba path, its NumPy path and PyTorch's nn.LSTM.

    python benchmarks/bench_lstm.py [--epochs 7] [--threads 2,1] [--sweep-epochs 3]
                                    [--sweep-threads 2] [--no-sweep] [--out docs/performance.md]

Two parts. The size sweep (``sweep.py``): one LSTM layer under a Dense readout,
D 1-128, H 32-512, T 25-200, batch 32-1000, training and ``predict``, with
``--sweep-threads`` threads (default: all cores), and a log-log figure of seconds
per epoch against H (``docs/figures/performance_sweep.png``). Then the models of
the blog post, trained on the same 1000 sine waves of 100 steps with Adam and the
mean squared error (the autoencoder reconstructs its input):

    ae4   LSTM 32 -> LSTM 1 -> RepeatVector 100 -> LSTM 32 -> LSTM 1  (8,976 weights)
    deep  LSTM 32 -> LSTM 32 -> LSTM 1 -> RepeatVector -> LSTM 32 -> LSTM 32 -> LSTM 1

in float32 and float64, with the same number of threads for numba, BLAS and torch
(one table per thread count; each runs in its own process, the counts set through
the environment before anything starts its thread pools).
The three implementations take turns epoch by epoch, so that a change of load on
the machine hits them alike (with a pause between turns, for idle threads to stop
spinning); the table gives the median over the epochs after a
first one (whose extra time, numba's loading of compiled code included, is the
"first-epoch overhead"), and each ratio to PyTorch the median over the turns of the
two times taken in the same turn. The arithmetic floor is the time the epoch's matrix
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

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, ".."), HERE]

import numba  # noqa: E402

import sweep  # noqa: E402
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
    for H in (2, 64):                   # the small layers' kernels, then the large layers'
        x = np.ones((2, 3, 1), dtype); W = np.ones((1, 4 * H), dtype); U = np.ones((H, 4 * H), dtype)
        h, _, cache = lstm_numba.lstm_forward(x, W, U)
        lstm_numba.lstm_backward(np.ones_like(h), None, None, cache)
print(time.perf_counter() - start)
"""


def compile_times():
    """Seconds to import and first run the kernels (float32 and float64), cold and warm cache."""
    root = os.path.join(HERE, "..")
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
    # (first epoch, median wall seconds, median CPU seconds of the whole process), and the
    # ratios to torch's (wall, CPU) time taken turn by turn (sweep.paired_ratio)
    result = {name: (wall[name][0], statistics.median(wall[name][1:]), statistics.median(cpu[name][1:]))
              for name in trainers}
    ratio = {name: (sweep.paired_ratio(wall[name][1:], wall["torch"][1:]),
                    sweep.paired_ratio(cpu[name][1:], cpu["torch"][1:]))
             for name in trainers if name != "torch"} if "torch" in trainers else {}
    return result, ratio


# -- where the numba path's time goes ------------------------------------------------
def kernel_phases(shapes, dtype=np.float32, reps=30):
    """Median milliseconds of each of the numba path's kernels in one lstm_forward +
    lstm_backward call (T = 100), and of the whole call, for each (D, H, batch). The
    kernels are timed where ``tinylstm.ops.threads.run`` starts them (wrapped here for
    the measurement)."""
    from tinylstm.ops import lstm_numba, threads
    rng = np.random.default_rng(0)
    run = threads.run
    times = {}

    def timed(kernel, args, work):
        start = time.perf_counter()
        run(kernel, args, work)
        times.setdefault(kernel.py_func.__name__, []).append(time.perf_counter() - start)

    rows = []
    threads.run = timed
    try:
        for d, h, batch_size in shapes:
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
            kernels = {name: 1e3 * statistics.median(t[1:]) for name, t in times.items()}
            rows.append(dict(D=d, H=h, B=batch_size, large=bool(cache.large),
                             whole=1e3 * statistics.median(whole[1:]), kernels=kernels))
    finally:
        threads.run = run
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


# (D, H, batch): the post's layers, a larger one, and one on the large layers' kernels
PHASE_SHAPES = [(1, 32, 100), (32, 1, 100), (32, 32, 100), (32, 128, 100), (32, 512, 8)]
CROSSOVER_H = (32, 64, 128, 256, 512)
CROSSOVER_B = (1, 8, 16, 32, 100, 1000)
CROSSOVER_T = 25


def crossover(dtype=np.float32):
    """Milliseconds of one lstm_forward + lstm_backward (T = 25, median of 7, of 3 for the
    largest) on the small layers' kernels and on the large layers', for D 1 and 32 and
    the batches and H of CROSSOVER_B and CROSSOVER_H (``lstm_numba.uses_large`` chooses)."""
    from tinylstm.ops import lstm_numba
    rng = np.random.default_rng(0)
    choose = lstm_numba.uses_large
    rows = []
    try:
        for B in CROSSOVER_B:
            for D in (1, 32):
                for H in CROSSOVER_H:
                    T = CROSSOVER_T
                    x = rng.standard_normal((B, T, D)).astype(dtype)
                    W, U = (0.3 * rng.standard_normal(s).astype(dtype) for s in [(D, 4 * H), (H, 4 * H)])
                    dh = rng.standard_normal((B, T, H)).astype(dtype)
                    reps = 3 if B * H >= 100_000 else 7
                    ms = {}
                    for large in (False, True):
                        lstm_numba.uses_large = lambda *shape, large=large: large
                        times = []
                        for _ in range(reps + 1):
                            start = time.perf_counter()
                            _, _, cache = lstm_numba.lstm_forward(x, W, U)
                            lstm_numba.lstm_backward(dh, None, None, cache)
                            times.append(time.perf_counter() - start)
                        ms["large" if large else "small"] = 1e3 * statistics.median(times[1:])
                    rows.append(dict(B=B, D=D, H=H, chosen=bool(choose(B, T, D, H)), **ms))
    finally:
        lstm_numba.uses_large = choose
    return rows


def worker(part, epochs):
    """Run one part in this process (thread counts come from the environment) and print
    one JSON line per row."""
    threads = config.num_threads()
    if torch is not None:
        torch.set_num_threads(threads)
    rates = {np.dtype(dtype).name: blas_rate(dtype) for dtype in (np.float32, np.float64)}
    for dtype in (np.float32, np.float64):
        name = np.dtype(dtype).name
        if part == "sweep":
            for shape in sweep.SHAPES:
                result, ratio = sweep.run_shape(shape, dtype, epochs)
                print(json.dumps(dict(kind="sweep", shape=shape, dtype=name, threads=threads, rates=rates,
                                      result=result, ratio=ratio)), flush=True)
            continue
        for model_name, batch_size in CASES:
            result, ratio = run_case(model_name, batch_size, dtype, epochs)
            print(json.dumps(dict(kind="autoencoder", model=model_name, batch=batch_size, dtype=name,
                                  threads=threads, result=result, ratio=ratio, rate=rates[name],
                                  floor=epoch_flops(model_name) / rates[name])), flush=True)
    if part == "autoencoders":
        print(json.dumps(dict(kind="phases", threads=threads, rows=kernel_phases(PHASE_SHAPES))), flush=True)
        print(json.dumps(dict(kind="crossover", threads=threads, rows=crossover())), flush=True)


def run_workers(part, threads, epochs, show):
    """Rows from a worker process running ``part`` with ``threads`` threads for numba, BLAS
    and torch; ``show(row)`` prints each as it comes."""
    n = str(threads)
    env = dict(os.environ, NUMBA_NUM_THREADS=n, OPENBLAS_NUM_THREADS=n, OMP_NUM_THREADS=n,
               MKL_NUM_THREADS=n)
    process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", part,
                                "--epochs", str(epochs)], env=env, stdout=subprocess.PIPE, text=True)
    rows = []
    for line in process.stdout:
        rows.append(json.loads(line))
        show(rows[-1])
    if process.wait() != 0:
        raise RuntimeError(f"the benchmark worker ({part}, {threads} thread(s)) failed")
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=7, help="timed epochs after the first (default 7)")
    parser.add_argument("--threads", default=f"{os.cpu_count()},1",
                        help="comma-separated thread counts, one autoencoder table each "
                             "(default: all cores, then 1)")
    parser.add_argument("--sweep-epochs", type=int, default=3,
                        help="timed epochs after the first, size sweep (default 3)")
    parser.add_argument("--sweep-threads", type=int, default=os.cpu_count(),
                        help="threads for the size sweep (default: all cores)")
    parser.add_argument("--no-sweep", action="store_true", help="skip the size sweep")
    parser.add_argument("--out", default=os.path.join(HERE, "..", "docs", "performance.md"))
    parser.add_argument("--worker", choices=["sweep", "autoencoders"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker, args.epochs)
    if torch is None:
        print("torch is not installed (pip install -e .[crosscheck]): no PyTorch columns")
    load_before = os.getloadavg()[0]
    cold, warm = compile_times()
    print(f"numba compile, first process: {cold:.1f} s (cold cache), {warm:.2f} s (warm cache)")
    sweep_text, figure = "(not run: --no-sweep)", os.path.join(os.path.dirname(args.out), "figures",
                                                              "performance_sweep.png")
    if not args.no_sweep:
        print(f"size sweep, {args.sweep_threads} thread(s):\n{SWEEP_HEADER}")
        rows = run_workers("sweep", args.sweep_threads, args.sweep_epochs,
                           lambda row: print(format_sweep_row(row), flush=True))
        sweep.plot(rows, {d: r for d, r in rows[0]["rates"].items()}, figure)
        sweep_text = format_sweep(rows, args.sweep_threads)
    tables, rates, phase_rows, crossover_rows = [], {}, [], []
    for threads in [int(t) for t in args.threads.split(",")]:
        print(f"{threads} thread(s):\n{HEADER}")
        rows = run_workers("autoencoders", threads, args.epochs,
                           lambda row: row["kind"] == "autoencoder" and print(format_row(row), flush=True))
        phase_rows += [format_phase_row(threads, r) for row in rows if row["kind"] == "phases"
                       for r in row["rows"]]
        crossover_rows += [line for row in rows if row["kind"] == "crossover"
                           for line in format_crossover(threads, row["rows"])]
        rows = [row for row in rows if row["kind"] == "autoencoder"]
        rates.update({(threads, row["dtype"]): row["rate"] / 1e9 for row in rows})
        tables.append(f"### {threads} thread(s), seconds per epoch\n\n{HEADER}\n{SEPARATOR}\n"
                      + "\n".join(format_row(row) for row in rows))
        if threads == 1:                # CPU time: what a busy machine disturbs least
            tables.append("### 1 thread, CPU seconds per epoch (`time.process_time`)\n\n"
                          f"{CPU_HEADER}\n{CPU_SEPARATOR}\n"
                          + "\n".join(format_cpu_row(row) for row in rows))
    load_after = os.getloadavg()[0]
    command = (f"python benchmarks/bench_lstm.py --epochs {args.epochs} --threads {args.threads} "
               f"--sweep-epochs {args.sweep_epochs} --sweep-threads {args.sweep_threads}"
               + (" --no-sweep" if args.no_sweep else ""))
    text = REPORT.format(
        machine=machine(), epochs=args.epochs, cold=cold, warm=warm, sweep=sweep_text,
        load_before=load_before, load_after=load_after, tables="\n\n".join(tables),
        phases="\n".join([PHASE_HEADER, "|" + "---|" * (PHASE_HEADER.count("|") - 1)] + phase_rows),
        crossover="\n".join([CROSSOVER_HEADER, "|" + "---|" * (CROSSOVER_HEADER.count("|") - 1)]
                            + crossover_rows),
        rates="; ".join(f"{t} thread(s): {r32:.0f} GFLOP/s in float32, {rates[(t, 'float64')]:.0f} in float64"
                        for (t, d), r32 in rates.items() if d == "float32"),
        date=time.strftime("%Y-%m-%d"), command=command)
    with open(args.out, "w") as f:
        f.write(text)
    print(f"written to {os.path.normpath(args.out)}")


# -- the size sweep's table -------------------------------------------------------------
SWEEP_HEADER = ("| D | H | T | B | dtype | numba train s | torch train s | **numba / torch train** "
                "| numba predict s | torch predict s | **numba / torch predict** | NumPy / torch train "
                "| floor train s |")


def format_sweep_row(row):
    D, H, T, B = row["shape"]
    r = row["result"]
    floor = 3 * sweep.flops(D, H, T, B) / row["rates"][row["dtype"]]
    cells = f"| {D} | {H} | {T} | {B} | {row['dtype']} | {r['numba']['train']:.3f} | "
    if "torch" not in r:
        return cells + f"no torch | - | {r['numba']['predict']:.3f} | no torch | - | - | {floor:.3f} |"
    t, ratio = r["torch"], row["ratio"]
    return cells + (f"{t['train']:.3f} | **{ratio['numba']['train']:.2f}** | "
                    f"{r['numba']['predict']:.3f} | {t['predict']:.3f} | "
                    f"**{ratio['numba']['predict']:.2f}** | "
                    f"{ratio['numpy']['train']:.2f} | {floor:.3f} |")


def format_sweep(rows, threads):
    table = "\n".join([SWEEP_HEADER, "|" + "---|" * (SWEEP_HEADER.count("|") - 1)]
                      + [format_sweep_row(row) for row in rows])
    worst = {what: max((row["ratio"]["numba"][what], row["shape"], row["dtype"])
                       for row in rows) for what in ("train", "predict") if "torch" in rows[0]["result"]}
    summary = "; ".join(f"the largest numba / torch ratio, {what}: {ratio:.2f} "
                        f"(D, H, T, B = {tuple(shape)}, {dtype})" for what, (ratio, shape, dtype) in worst.items())
    return (f"{threads} thread(s), seconds per epoch of {sweep.BATCHES} batches (median of the timed "
            f"epochs after a first); each ratio is the median over the turns of the two times taken in "
            f"the same turn; {summary}.\n\n{table}")


# -- the autoencoders' tables -------------------------------------------------------------
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
    return cells + f"{torch_s:.3f} | {row['ratio']['numba'][1]:.2f} | {row['ratio']['numpy'][1]:.2f} |"


PHASE_HEADER = ("| threads | LSTM D -> H | batch | kernels | " + " | ".join(
    ["recurrence, forward", "recurrence, backward (small: and the weight gradients, dx)", "packing dL/dz",
     "weight gradients (large)", "dx (large)"]) + " | whole call |")
PHASE_COLUMNS = [("_forward_kernel",), ("_backward_kernel",), ("_pack_kernel",), ("_weight_gradient_kernel",),
                 ("_input_gradient_kernel",)]


def format_phase_row(threads, row):
    cells = " | ".join(" + ".join(f"{row['kernels'][n]:.2f}" for n in names if n in row["kernels"]) or "-"
                       for names in PHASE_COLUMNS)
    kind = "large (packed products)" if row["large"] else "small (loops)"
    return f"| {threads} | {row['D']} -> {row['H']} | {row['B']} | {kind} | {cells} | {row['whole']:.2f} |"


CROSSOVER_HEADER = ("| threads | batch | D | " + " | ".join(f"H {h}: small / large ms" for h in CROSSOVER_H)
                    + " |")


def format_crossover(threads, rows):
    """One line per batch and D from the rows of ``crossover``: small / large milliseconds
    for each H, the faster in bold, the one ``uses_large`` chooses marked with *."""
    lines = []
    for B, D in sorted({(r["B"], r["D"]) for r in rows}):
        cells = []
        for r in sorted((r for r in rows if (r["B"], r["D"]) == (B, D)), key=lambda r: r["H"]):
            small, large = f"{r['small']:.2f}", f"{r['large']:.2f}"
            small, large = (f"**{small}**", large) if r["small"] <= r["large"] else (small, f"**{large}**")
            small, large = (small, large + "*") if r["chosen"] else (small + "*", large)
            cells.append(f"{small} / {large}")
        lines.append(f"| {threads} | {B} | {D} | " + " | ".join(cells) + " |")
    return lines


def format_row(row):
    first, numba_s = row["result"]["numba"][:2]
    numpy_s = row["result"]["numpy"][1]
    if "torch" in row["result"]:
        torch_s = row["result"]["torch"][1]
        torch_cells = f"{torch_s:.3f} | {row['ratio']['numba'][0]:.2f} | {row['ratio']['numpy'][0]:.2f}"
    else:
        torch_cells = "no torch | - | -"
    return (f"| {row['model']} | {row['batch']} | {row['dtype']} | {numba_s:.3f} | {numpy_s:.3f} | "
            f"{torch_cells} | {first - numba_s:.2f} | {row['floor']:.4f} | "
            f"{100 * row['floor'] / numba_s:.0f}% |")


REPORT = open(os.path.join(HERE, "performance_template.md")).read()


if __name__ == "__main__":
    main()
