"""What every demo shares: the command line, the output folder, figures and claim records.

Import it first, before NumPy: it keeps OpenBLAS to one thread. The matrices here are
tiny ((B, 32) @ (32, 128)) and on a busy two-core machine BLAS threads only wait for each
other: on the NumPy path one thread ran the post's autoencoder 3 to 10 times faster. Set
OPENBLAS_NUM_THREADS yourself to override. (``reproduce_all.py`` also gives numba one
thread per demo when it runs two demos at once.)

A demo checks each of the post's claims against a threshold written at its top. A claim
record is

    {"id": "4a", "claim": <the post's words>, "metric": <what was measured>,
     "measured": 6.1, "op": ">", "threshold": 3.0, "held": true}

and the demo writes the records, its other numbers and its figures' names to
``<out>/expNN.json`` (see :class:`Report`). ``reproduce_all.py`` gathers them.
"""
import os
import sys

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402,F401  (the demos use common.plt)
import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "docs", "figures")
DPI = 80

# run from a checkout without installing: the package is next to demos/
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
       ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "==": lambda a, b: a == b}


def parse_args(description):
    """``--out`` folder, ``--quick`` smoke run, ``--seed``."""
    parser = argparse.ArgumentParser(description=description.strip().splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT,
                        help=f"folder for the PNG figures and the JSON (default {DEFAULT_OUT})")
    parser.add_argument("--quick", action="store_true",
                        help="a few epochs only: checks that the demo runs, not the claims")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    return args


class Report:
    """The numbers, claims and figures of one experiment, written to ``<out>/expNN.json``."""

    def __init__(self, number, title, about, args):
        self.number, self.title, self.about = number, title, about.strip()
        self.out, self.quick, self.seed = args.out, args.quick, args.seed
        self.numbers, self.claims, self.figures, self.notes = {}, [], [], []
        self.start = time.perf_counter()
        self.cpu_start = time.process_time()          # CPU of all threads: the load-free cost

    def savefig(self, fig, name):
        """Save ``fig`` as ``<out>/expNN_<name>.png`` and close it."""
        filename = f"exp{self.number:02d}_{name}.png"
        fig.savefig(os.path.join(self.out, filename), dpi=DPI)
        plt.close(fig)
        self.figures.append(filename)
        return filename

    def check(self, claim_id, claim, metric, measured, op, threshold):
        """Record whether ``measured op threshold``; a NaN never holds."""
        if op not in OPS:
            raise ValueError(f"check: expected op one of {sorted(OPS)}, got {op!r}")
        measured = float(measured)
        held = bool(math.isfinite(measured) and OPS[op](measured, threshold))
        self.claims.append({"id": claim_id, "claim": claim, "metric": metric,
                            "measured": measured, "op": op, "threshold": float(threshold),
                            "held": held})
        return held

    def note(self, text):
        """A sentence for the gallery about what this run showed (write it from the numbers)."""
        self.notes.append(text)

    def write(self):
        """Write the JSON, print the claims, return the file's path."""
        seconds = time.perf_counter() - self.start
        cpu_seconds = time.process_time() - self.cpu_start
        record = {"experiment": self.number, "title": self.title, "about": self.about,
                  "quick": self.quick, "seed": self.seed, "seconds": round(seconds, 1),
                  "cpu_seconds": round(cpu_seconds, 1),
                  "numbers": to_builtin(self.numbers), "claims": self.claims,
                  "figures": self.figures, "notes": self.notes}
        path = os.path.join(self.out, f"exp{self.number:02d}.json")
        with open(path, "w") as f:
            json.dump(record, f, indent=1)
        print(f"\nExperiment {self.number}: {self.title} ({seconds:.0f} s, CPU {cpu_seconds:.0f} s)")
        for c in self.claims:
            verdict = "held" if c["held"] else "DID NOT HOLD"
            print(f"  {c['id']}: {c['metric']} = {c['measured']:.4g} "
                  f"(claim: {c['op']} {c['threshold']:g}) {verdict}")
        print(f"  wrote {path} and {len(self.figures)} figure(s)")
        return path


def to_builtin(value):
    """NumPy scalars and arrays -> floats and lists, for json."""
    if isinstance(value, dict):
        return {k: to_builtin(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [to_builtin(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return round(float(value), 6) if math.isfinite(value) else None
    return value


# -- progress on a terminal ------------------------------------------------------
def progress(total_epochs):
    """Callbacks for ``fit`` that draw one live bar over a long run (``total_epochs`` epochs,
    over one or several ``fit`` calls) with the last epoch's logs, on a terminal only: when the
    output goes to a file or a pipe (``reproduce_all.py``) there is none and the demo's output
    is what it was."""
    if not sys.stdout.isatty():
        return []
    from tinylstm.callbacks import LambdaCallback
    from tinylstm.progbar import Progbar
    state = {"done": 0, "bar": None}

    def on_train_begin(logs):
        if state["bar"] is None:                 # the clock starts with the first fit
            state["bar"] = Progbar(total_epochs, unit_name="epoch")

    def on_epoch_end(epoch, logs):
        state["done"] += 1
        state["bar"].stateful_metrics = set(logs)   # the epoch's values, shown as they are
        state["bar"].update(state["done"], list(logs.items()))
    return [LambdaCallback(on_train_begin=on_train_begin, on_epoch_end=on_epoch_end)]


# -- small measurements the demos share -----------------------------------------
def mse(a, b):
    return float(np.mean((np.asarray(a) - np.asarray(b)) ** 2))


def spearman(a, b):
    """Spearman's rank correlation (no ties expected: the values are continuous)."""
    ra = np.argsort(np.argsort(a))
    rb = np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def sine_phase(x, y, frequency):
    """The phase p of the best fit y ~ a sin(2 pi f x + p), by least squares on sin and cos.

    a sin(w x + p) = (a cos p) sin(w x) + (a sin p) cos(w x), so p = atan2(c_cos, c_sin).
    y may hold several curves, one per row.
    """
    w = 2 * np.pi * frequency
    basis = np.stack([np.sin(w * x), np.cos(w * x)], axis=1)          # (T, 2)
    coef, *_ = np.linalg.lstsq(basis, np.atleast_2d(y).T, rcond=None)  # (2, n)
    return np.arctan2(coef[1], coef[0])                               # (n,)
