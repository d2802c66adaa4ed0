"""The size sweep of ``bench_lstm.py``: one LSTM layer under a Dense readout, D 1-128, H 32-512.

Each shape (D, H, T, B) is ``LSTM(D -> H, return_sequences=True) + Dense(1)``, mean
squared error, Adam, on ``BATCHES`` batches of random sequences: seconds per
training epoch and per ``predict`` over the same sequences, for tinylstm's numba
path, its NumPy path (the specification) and PyTorch's ``nn.LSTM`` + ``nn.Linear``
(``torch.no_grad`` for predict), in one process, the implementations taking
turns epoch by epoch. The floor is the epoch's matrix products at the BLAS's best
rate (``bench_lstm.blas_rate``).
"""
import statistics
import time

import numpy as np

from tinylstm import config, utils
from tinylstm.layers import LSTM, Dense, Input
from tinylstm.models import Sequential

try:
    import torch
except ImportError:
    torch = None

BATCHES = 4                     # batches per epoch
ISSUE = [(1, 32, 100, 100), (16, 64, 100, 64), (16, 128, 50, 64), (64, 256, 50, 64),
         (128, 512, 25, 64), (32, 128, 200, 32)]              # issue 16's table: (D, H, T, B)
H_SERIES = [(32, h, 50, 64) for h in (32, 64, 128, 256, 512)]  # the figure: H at D 32, T 50, B 64
WIDE = [(1, 32, 100, 1000), (32, 128, 50, 1000), (128, 512, 25, 256)]
SHAPES = ISSUE + [s for s in H_SERIES if s not in ISSUE] + WIDE


def data(D, T, B, dtype):
    rng = np.random.default_rng(0)
    n = BATCHES * B
    return rng.standard_normal((n, T, D)).astype(dtype), rng.standard_normal((n, T, 1)).astype(dtype)


def tinylstm_model(D, H, T, B, dtype, backend, x, y):
    """(train one epoch, predict) for tinylstm on ``backend``."""
    config.set_floatx(np.dtype(dtype).name)
    utils.set_random_seed(0)
    model = Sequential([Input((T, D)), LSTM(H, return_sequences=True), Dense(1)])
    model.compile(optimizer="adam", loss="mse")

    def train():
        config.set_backend(backend)     # the implementations take turns: each sets its own
        model.fit(x, y, batch_size=B, epochs=1, verbose=0)

    def predict():
        config.set_backend(backend)
        model.predict(x, batch_size=B, verbose=0)
    return train, predict


def torch_model(D, H, T, B, dtype, x, y):
    """(train one epoch, predict) for nn.LSTM + nn.Linear."""
    torch.manual_seed(0)
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=tdtype)
    readout = torch.nn.Linear(H, 1, dtype=tdtype)
    opt = torch.optim.Adam(list(lstm.parameters()) + list(readout.parameters()), lr=1e-3)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)

    def train():
        order = torch.randperm(len(xt))
        for start in range(0, len(xt), B):
            rows = order[start:start + B]
            opt.zero_grad()
            loss = torch.mean((readout(lstm(xt[rows])[0]) - yt[rows]) ** 2)
            loss.backward()
            opt.step()

    def predict():
        with torch.no_grad():
            for start in range(0, len(xt), B):
                readout(lstm(xt[start:start + B])[0])
    return train, predict


def flops(D, H, T, B):
    """Multiply-adds x 2 of one epoch's LSTM products, forward: T (D + H) 4H per sequence."""
    return 2 * BATCHES * B * T * (D + H) * 4 * H


def paired_ratio(mine, theirs):
    """The median over turns of mine[k] / theirs[k], two times measured in the same turn: a
    slow spell of the machine that lasts a turn scales both, and the ratio keeps."""
    return statistics.median(a / b for a, b in zip(mine, theirs))


def run_shape(shape, dtype, epochs):
    """({implementation: {"train": median s, "predict": median s}}, {implementation:
    {"train": ratio, "predict": ratio}}) for one shape, the ratios to torch's times
    (``paired_ratio``; none without torch)."""
    D, H, T, B = shape
    x, y = data(D, T, B, dtype)
    runs = {"numba": tinylstm_model(*shape, dtype, "numba", x, y),
            "numpy": tinylstm_model(*shape, dtype, "numpy", x, y)}
    if torch is not None:
        runs["torch"] = torch_model(*shape, dtype, x, y)
    seconds = {name: {"train": [], "predict": []} for name in runs}
    for epoch in range(epochs + 1):                 # the first epoch of each is a warm-up
        for name, (train, predict) in runs.items():
            for what, fn in (("train", train), ("predict", predict)):
                time.sleep(0.2)                     # let the last one's idle threads stop spinning
                start = time.perf_counter()
                fn()
                if epoch:
                    seconds[name][what].append(time.perf_counter() - start)
    medians = {name: {what: statistics.median(v) for what, v in times.items()}
               for name, times in seconds.items()}
    ratios = {name: {what: paired_ratio(seconds[name][what], seconds["torch"][what]) for what in times}
              for name, times in seconds.items() if name != "torch"} if "torch" in seconds else {}
    return medians, ratios


def plot(rows, rate, path):
    """Log-log seconds per epoch against H for the H series: train and predict, float32 and
    float64, numba, NumPy and torch, and the floor."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    fig, axes = plt.subplots(2, 2, figsize=(10, 8), sharex=True, dpi=120)
    series = [r for r in rows if tuple(r["shape"]) in H_SERIES]
    styles = {"numba": ("tinylstm numba", "C0", "o"), "numpy": ("tinylstm NumPy (spec)", "C2", "s"),
              "torch": ("PyTorch nn.LSTM", "C3", "^")}
    for col, dtype in enumerate(("float32", "float64")):
        for row, what in enumerate(("train", "predict")):
            ax = axes[row, col]
            mine = sorted((r for r in series if r["dtype"] == dtype), key=lambda r: r["shape"][1])
            hs = [r["shape"][1] for r in mine]
            for name, (label, color, marker) in styles.items():
                if mine and name in mine[0]["result"]:
                    ax.plot(hs, [r["result"][name][what] for r in mine], marker=marker, color=color,
                            label=label)
            factor = 3 if what == "train" else 1    # backward: twice the forward's products
            ax.plot(hs, [factor * flops(*r["shape"]) / rate[dtype] for r in mine], "k--",
                    label="floor: the products at the BLAS's best rate")
            ax.set_xscale("log", base=2)
            ax.set_yscale("log")
            ax.set_xticks(hs, [str(h) for h in hs])
            ax.xaxis.set_tick_params(labelbottom=True)      # shared axes hide the top row's
            ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
            ax.set_title(f"{what}, {dtype}")
            ax.set_xlabel("H (units); D 32, T 50, batch 64")
            ax.set_ylabel("seconds per epoch")
            ax.grid(True, which="both", alpha=0.3)
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=4, fontsize=9)
    fig.tight_layout(rect=(0, 0.05, 1, 1))
    fig.savefig(path)
    plt.close(fig)
