"""What every demo shares: the command line, the Keras defaults, progress lines, figures, claims.

The library sets its own threads (``tinylstm.config.set_num_threads``; NumPy's BLAS stays
on one thread while tinylstm computes), and no number depends on them. (``reproduce_all.py``
gives each demo one thread when it runs two demos at once.)

A demo turns each of the post's claims into a number, a threshold and a control: the same
number measured on something that must NOT pass (the untrained model, the decoder fed
another wave's latent, ...). A claim holds only if the trained model passes and the control
does not. A claim record is

    {"id": "7a", "claim": <the post's words>, "reading": <how we read them>,
     "metric": <what was measured>, "measured": 0.4, "op": "<", "threshold": 1.0,
     "passed": true, "control": {"what": ..., "measured": 2.1, "held": false},
     "held": true, "variant": false}

(``variant``: a claim of ours, not the post's). The demo writes the records, its other
numbers and its figures to ``<out>/expNN.json`` (``expNN_keras2.json`` under the post's
Keras 2 defaults, see :func:`keras_defaults`); ``reproduce_all.py`` gathers them.
"""
import argparse
import json
import math
import os
import sys
import time

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402,F401  (the demos use common.plt)
import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "out")                 # untracked (.gitignore)
PUBLISH_OUT = os.path.join(ROOT, "docs", "figures")     # what docs/experiments.md shows
DPI = 130

# run from a checkout without installing: the package is next to demos/
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from tinylstm.callbacks import Callback  # noqa: E402
from tinylstm.layers import LSTM  # noqa: E402
from tinylstm.optimizers import RMSprop  # noqa: E402
from tinylstm.progbar import Progbar  # noqa: E402

OPS = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
       ">": lambda a, b: a > b, ">=": lambda a, b: a >= b, "==": lambda a, b: a == b}
ARITHMETIC = "none: arithmetic, nothing is trained or measured"
# "works", "perfectly", "looks good" said of a plotted unit sine: its dots lie on the curve at
# the post's plot scale, within 0.05 RMS (2.5 % of the wave's height)
ON_THE_CURVE = 2.5e-3


def parse_args(description, keras=True):
    """``--out`` folder (or ``--publish``), ``--quick`` smoke run, ``--seed``, ``--verbose``, and
    ``--keras`` (3 or 2) for a demo that builds its LSTMs with :func:`keras_defaults`."""
    parser = argparse.ArgumentParser(description=description.strip().splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT,
                        help=f"folder for the PNG figures and the JSON (default {DEFAULT_OUT})")
    parser.add_argument("--publish", action="store_true",
                        help=f"write into {PUBLISH_OUT}, the figures the docs show")
    parser.add_argument("--quick", action="store_true",
                        help="a few epochs only: checks that the demo runs, not the claims")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    if keras:
        parser.add_argument("--keras", type=int, choices=[3, 2], default=3,
                            help="3: Keras 3's defaults (tinylstm's); 2: the post's Keras 2 defaults")
    parser.add_argument("--verbose", action="store_true", help="a progress line per epoch")
    args = parser.parse_args()
    if args.publish:
        if args.out != DEFAULT_OUT:
            parser.error(f"--publish writes into {PUBLISH_OUT}: not with --out")
        args.out = PUBLISH_OUT
    os.makedirs(args.out, exist_ok=True)
    return args


# -- the Keras the post ran --------------------------------------------------------------
class Keras2LSTM(LSTM):
    """tinylstm's LSTM with the default gates of Keras 2 before 2.3: clip(0.2 x + 0.5, 0, 1)."""

    def __init__(self, units, recurrent_activation="hard_sigmoid_keras2", **kwargs):
        super().__init__(units, recurrent_activation=recurrent_activation, **kwargs)


def keras_defaults(args):
    """The LSTM class and the optimizer for ``'rmsprop'`` of the Keras ``args.keras`` imitates.

    Keras 3 (tinylstm's defaults): sigmoid gates, RMSprop p <- p - lr g / sqrt(v + eps).
    Keras 2 before 2.3, the post's: hard-sigmoid gates clip(0.2 x + 0.5, 0, 1) and RMSprop
    p <- p - lr g / (sqrt(v) + eps). Adam, SGD, the initializers and the losses are the same
    in both, so ``'adam'`` and ``'sgd'`` stay as they are.
    """
    if args.keras == 2:
        return Keras2LSTM, lambda: RMSprop(epsilon_outside_sqrt=True)
    return LSTM, lambda: "rmsprop"


# -- progress ---------------------------------------------------------------------------------
class Progress(Callback):
    """Progress over one or several ``fit`` calls (the post trains in rounds), counted in epochs.

    With ``--verbose``, a line per epoch: what, epoch k of n, the loss, time and ETA. Without
    it, on a terminal, one live bar (tinylstm's Progbar); written to a file or a pipe (as
    ``reproduce_all.py`` runs the demos), nothing.
    """

    def __init__(self, label, epochs, verbose):
        super().__init__()
        self.label, self.epochs, self.verbose = label, epochs, verbose
        self.done, self.start, self.bar = 0, None, None

    def on_train_begin(self, logs=None):
        if self.start is None:                        # the clock starts with the first fit
            self.start = time.perf_counter()
            if not self.verbose and sys.stdout.isatty():
                self.bar = Progbar(self.epochs, unit_name="epoch")

    def on_epoch_end(self, epoch, logs=None):
        self.done += 1
        logs = logs or {}
        if self.bar is not None:
            self.bar.stateful_metrics = set(logs)    # the epoch's values, shown as they are
            self.bar.update(self.done, list(logs.items()))
        if not self.verbose:
            return
        seconds = time.perf_counter() - self.start
        eta = seconds / self.done * (self.epochs - self.done)
        losses = " - ".join(f"{k} {v:.4g}" for k, v in logs.items())
        print(f"{self.label}: epoch {self.done}/{self.epochs} - {losses} - {seconds:.0f} s, "
              f"ETA {eta:.0f} s", flush=True)


# -- the record of one run ---------------------------------------------------------------------
class Report:
    """The numbers, claims and figures of one experiment, written to ``<out>/expNN.json``."""

    def __init__(self, number, title, about, args):
        self.number, self.title, self.about = number, title, about.strip()
        self.out, self.quick, self.seed = args.out, args.quick, args.seed
        self.keras, self.verbose = getattr(args, "keras", 3), getattr(args, "verbose", False)
        self.numbers, self.claims, self.figures, self.notes = {}, [], [], []
        self.captions = {}                            # figure file -> its caption
        self.start = time.perf_counter()
        self.cpu_start = time.process_time()          # CPU of all threads: the load-free cost

    @property
    def name(self):
        """``exp07``, or ``exp07_keras2`` under the post's Keras 2 defaults."""
        return f"exp{self.number:02d}" + ("_keras2" if self.keras == 2 else "")

    def progress(self, label, epochs):
        """A :class:`Progress` callback labelled with this run: lines with --verbose, else a bar on a terminal."""
        return Progress(f"{self.name} seed {self.seed} {label}", epochs, self.verbose)

    def savefig(self, fig, name, caption):
        """Save ``fig`` as ``<out>/expNN_<name>.png`` and close it; the caption goes to the gallery."""
        filename = f"{self.name}_{name}.png"
        fig.savefig(os.path.join(self.out, filename), dpi=DPI, bbox_inches="tight")
        plt.close(fig)
        self.figures.append(filename)
        self.captions[filename] = caption
        return filename

    def check(self, claim_id, claim, reading, metric, measured, op, threshold, control,
              variant=False):
        """Record whether ``measured op threshold`` while the control's value does not.

        ``control`` is ``(what, value)``: the same metric on something that must not pass
        (``value`` None, and ``what`` saying why, for arithmetic). A NaN never passes.
        """
        if op not in OPS:
            raise ValueError(f"check {claim_id}: expected op one of {sorted(OPS)}, got {op!r}")
        what, control_value = control
        passed = passes(measured, op, threshold)
        control_held = control_value is not None and passes(control_value, op, threshold)
        self.claims.append({
            "id": claim_id, "claim": claim, "reading": reading, "metric": metric,
            "measured": float(measured), "op": op, "threshold": float(threshold), "passed": passed,
            "control": {"what": what, "measured": None if control_value is None else float(control_value),
                        "held": control_held},
            "held": passed and not control_held, "variant": variant})
        return passed and not control_held

    def note(self, text):
        """A sentence for the gallery about what this run showed (write it from the numbers)."""
        self.notes.append(text)

    def write(self):
        """Write the JSON, print the claims, return the file's path."""
        seconds = time.perf_counter() - self.start
        cpu_seconds = time.process_time() - self.cpu_start
        record = {"experiment": self.number, "title": self.title, "about": self.about,
                  "quick": self.quick, "seed": self.seed, "keras": self.keras,
                  "seconds": round(seconds, 1), "cpu_seconds": round(cpu_seconds, 1),
                  "numbers": to_builtin(self.numbers), "claims": self.claims,
                  "figures": self.figures, "captions": self.captions, "notes": self.notes}
        path = os.path.join(self.out, f"{self.name}.json")
        with open(path, "w") as f:
            json.dump(record, f, indent=1)
        print(f"\nExperiment {self.number}: {self.title}, Keras {self.keras} defaults, seed {self.seed} "
              f"({seconds:.0f} s, CPU {cpu_seconds:.0f} s)")
        for c in self.claims:
            print(f"  {c['id']}: {verdict(c)}")
        print(f"  wrote {path} and {len(self.figures)} figure(s)")
        return path


def passes(value, op, threshold):
    """``value op threshold``; a NaN or None never passes."""
    return bool(value is not None and math.isfinite(value) and OPS[op](float(value), threshold))


def verdict(c):
    """One line: the measured value, the control's, and whether the claim held."""
    control = c["control"]
    if control["measured"] is None:
        against = control["what"]
    else:
        against = (f"control {control['measured']:.4g}, "
                   + ("passes too" if control["held"] else "does not pass"))
    word = "held" if c["held"] else ("NOT DEMONSTRATED" if c["passed"] else "DID NOT HOLD")
    return (f"{c['metric']} = {c['measured']:.4g} (claim: {c['op']} {c['threshold']:g}; "
            f"{against}) {word}")


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


# -- small measurements the demos share -----------------------------------------
def mse(a, b):
    return float(np.mean((np.asarray(a) - np.asarray(b)) ** 2))


def ranks(a):
    """The rank of each value, 0 for the smallest; equal values share their mean rank."""
    a = np.asarray(a, dtype=float)
    r = np.empty(len(a))
    r[np.argsort(a, kind="stable")] = np.arange(len(a))
    for value in np.unique(a):
        r[a == value] = r[a == value].mean()
    return r


def spearman(a, b):
    """Spearman's rank correlation; 0 if either is constant (no order to follow)."""
    ra, rb = ranks(a), ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        return 0.0
    return float(np.corrcoef(ra, rb)[0, 1])


def sine_fit(x, y, frequency):
    """Amplitude, phase and RMS residual of the best fit y ~ a sin(2 pi f x + p), per row of y.

    a sin(w x + p) = (a cos p) sin(w x) + (a sin p) cos(w x): a least-squares fit on sin
    and cos gives a = |(c_sin, c_cos)| and p = atan2(c_cos, c_sin).
    """
    w = 2 * np.pi * frequency
    basis = np.stack([np.sin(w * x), np.cos(w * x)], axis=1)          # (T, 2)
    y = np.atleast_2d(y)                                              # (n, T)
    coef, *_ = np.linalg.lstsq(basis, y.T, rcond=None)                # (2, n)
    residual = y - (basis @ coef).T                                   # (n, T)
    return np.hypot(coef[0], coef[1]), np.arctan2(coef[1], coef[0]), np.sqrt((residual ** 2).mean(axis=1))


def sine_phase(x, y, frequency):
    """The phase p of the best fit y ~ a sin(2 pi f x + p), by least squares on sin and cos."""
    return sine_fit(x, y, frequency)[1]


def another(values):
    """Each row paired with another row's value: the array rolled by half its length.

    The shuffled-latent control: decode every wave from some other wave's latent.
    """
    values = np.asarray(values)
    return np.roll(values, len(values) // 2, axis=0)
