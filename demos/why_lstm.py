"""Why LSTM: SimpleRNN, GRU and LSTM on one long-range recall task, and the gradients inside.

The task. Each sequence has T = 30 steps of two features: a random value in
[-1, 1] at every step, and a marker that is 1 at a single step among the first
10, else 0. The target, read after the last step, is the value at the marked
step: the network has to store it and carry it for 21 to 30 steps while 20 or
more random values go by. Predicting the mean gives an MSE equal to the
variance of the targets, about 1/3: that is the baseline. A model "solves" the
task when its validation MSE falls under a tenth of the baseline.

The same model for the three cells, Keras' defaults: cell(16) -> Dense(1), MSE,
Adam(0.01), batch 32. For each model the instruments of ``tinylstm.inspect``
record |dL/dh_t| (and, for the LSTM, |dL/dc_t|) on validation data, once at
initialization and once after training: how much of the loss's gradient at the
last step reaches each earlier step.

Writes to ``--out`` (default out/, untracked; ``--publish``: docs/figures/, which
docs/inspect.md shows): why_lstm_curves.png, why_lstm_gradients.png,
why_lstm_gates.png, why_lstm_memory.png and why_lstm.json (the measured numbers).

    python demos/why_lstm.py [--quick] [--seed 0] [--verbose] [--out DIR | --publish]
"""
import common  # first: puts the checkout on sys.path, matplotlib on Agg

import json
import os
import time

import matplotlib
import numpy as np
from matplotlib.figure import Figure

from tinylstm import inspect, plotting
from tinylstm.layers import GRU, LSTM, Dense, Input, SimpleRNN
from tinylstm.models import Sequential
from tinylstm.optimizers import Adam
from tinylstm.utils import set_random_seed

T = 30                      # timesteps; the target is read after the last one
MARK_WITHIN = 10            # the marked value is at one of the first 10 steps
UNITS = 16
N_TRAIN, N_VAL = 2048, 512
N_GRAD = 256                # validation sequences the gradient norms are measured on
BATCH_SIZE = 32
LEARNING_RATE = 0.01
EPOCHS = 25
SOLVED = 0.1                # solved: validation MSE < SOLVED * baseline
CELLS = {"SimpleRNN": SimpleRNN, "GRU": GRU, "LSTM": LSTM}

args = common.parse_args(__doc__, keras=False)
if args.quick:               # a smoke run: short sequences, few epochs
    T, MARK_WITHIN, N_TRAIN, N_VAL, N_GRAD, EPOCHS = 12, 4, 256, 128, 64, 3
rng = np.random.default_rng(args.seed)
start = time.perf_counter()


# -- data -------------------------------------------------------------------------
def recall_task(n):
    """x (n, T, 2): [random value, marker]; y (n, 1): the value at the marked step."""
    x = np.zeros((n, T, 2))
    x[:, :, 0] = rng.uniform(-1, 1, (n, T))
    mark = rng.integers(0, MARK_WITHIN, n)
    x[np.arange(n), mark, 1] = 1.0
    return x, x[np.arange(n), mark, :1].copy(), mark


x_train, y_train, _ = recall_task(N_TRAIN)
x_val, y_val, mark_val = recall_task(N_VAL)
baseline = float(np.var(y_val))


# -- train each cell, recording the gradients before and after ----------------------
def build(cell):
    model = Sequential([Input((T, 2)), cell(UNITS), Dense(1)])
    model.compile(optimizer=Adam(learning_rate=LEARNING_RATE), loss="mse")
    return model


histories, traces_init, traces_trained, results = {}, {}, {}, {}
for name, cell in CELLS.items():
    set_random_seed(args.seed)
    model = build(cell)
    (traces_init[name],) = inspect.record(model, x_val[:N_GRAD], y_val[:N_GRAD])
    t0 = time.perf_counter()
    histories[name] = model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=EPOCHS,
                                validation_data=(x_val, y_val), verbose=0,
                                callbacks=[common.Progress(f"why_lstm seed {args.seed} {name}", EPOCHS,
                                                           args.verbose)])
    seconds = time.perf_counter() - t0
    (traces_trained[name],) = inspect.record(model, x_val[:N_GRAD], y_val[:N_GRAD])
    val = histories[name].history["val_loss"]
    solved = [e + 1 for e, v in enumerate(val) if v < SOLVED * baseline]
    results[name] = {
        "final_val_mse": val[-1], "best_val_mse": min(val),
        "first_solved_epoch": solved[0] if solved else None,
        "train_seconds": round(seconds, 1),
    }
    for when, tr in (("init", traces_init[name]), ("trained", traces_trained[name])):
        # how much of the last step's gradient reaches step 1, as a power of ten
        results[name][f"log10_dh1_over_dhT_{when}"] = float(np.log10(tr.dh_norm[0] / tr.dh_norm[-1]))
        if tr.dc is not None:
            results[name][f"log10_dc1_over_dcT_{when}"] = float(np.log10(tr.dc_norm[0] / tr.dc_norm[-1]))
    print(f"{name:9s} val MSE {val[-1]:.4f} (baseline {baseline:.3f}), "
          f"solved at epoch {results[name]['first_solved_epoch']}, {seconds:.0f} s")


# -- the memory: which unit keeps the value, and how its keep-gate learned to stay open ---
KEEP_GATE = {"GRU": "z", "LSTM": "f"}   # h_t = z h_{t-1} + ...;  c_t = f c_{t-1} + ...
after_marks = slice(MARK_WITHIN, T)      # the steps after every possible mark


def memory_unit(trace):
    """The unit whose final state (c_T, or h_T without a cell) best tells the target."""
    state = trace.c if trace.c is not None else trace.h        # (N_GRAD, T, H)
    corr = [abs(np.corrcoef(state[:, -1, u], y_val[:N_GRAD, 0])[0, 1]) for u in range(UNITS)]
    unit = int(np.nanargmax(corr))
    return unit, corr[unit]


for name, gate in KEEP_GATE.items():
    unit, corr = memory_unit(traces_trained[name])
    results[name].update({
        "memory_unit": unit, "memory_abs_corr_final_state_target": corr,
        f"memory_unit_mean_{gate}_after_marks_init":
            traces_init[name].gates[gate][:, after_marks, unit].mean(),
        f"memory_unit_mean_{gate}_after_marks_trained":
            traces_trained[name].gates[gate][:, after_marks, unit].mean(),
        f"all_units_mean_{gate}_after_marks_trained":
            traces_trained[name].gates[gate][:, after_marks].mean(),
    })


# -- figures ------------------------------------------------------------------------
def save(fig, name):
    fig.savefig(os.path.join(args.out, name), dpi=common.DPI, bbox_inches="tight")
    return name


figures = []
fig = plotting.training_curves(histories, keys=("val_loss",), figsize=(6, 3.5))
ax = fig.axes[0]
ax.axhline(baseline, color="0.5", ls=":", lw=1, label="baseline: predict the mean")
ax.axhline(SOLVED * baseline, color="0.5", ls="-.", lw=1, label="solved")
ax.legend(fontsize=7)
ax.set_title(f"Recall a value across {T - MARK_WITHIN + 1}-{T} steps: validation MSE", fontsize=10)
figures.append(save(fig, "why_lstm_curves.png"))

fig = Figure(figsize=(10, 3.8), layout="constrained")
ax_init, ax_trained = fig.subplots(1, 2, sharey=True)
plotting.gradient_norms(traces_init, ax=ax_init)
plotting.gradient_norms(traces_trained, ax=ax_trained)
ax_init.set_title("at initialization", fontsize=10)
ax_trained.set_title(f"after {EPOCHS} epochs", fontsize=10)
for a in (ax_init, ax_trained):
    a.axvspan(0.5, MARK_WITHIN + 0.5, color="0.9", zorder=0)   # where the marked value can be
figures.append(save(fig, "why_lstm_gradients.png"))

lstm = traces_trained["LSTM"]
unit = results["LSTM"]["memory_unit"]

# every gate of the trained LSTM on the validation sequence with the earliest marker
sample = int(np.argmin(mark_val[:N_GRAD]))
fig = plotting.gate_heatmaps(lstm, sample=sample)
fig.suptitle(f"trained LSTM, one sequence: the value to recall is at step {mark_val[sample] + 1}; "
             f"unit {unit} keeps it", fontsize=10)
figures.append(save(fig, "why_lstm_gates.png"))

# that unit's cell state over many sequences: written at the marked step, then kept
fig = Figure(figsize=(6, 3.5), layout="constrained")
ax = fig.add_subplot()
steps = np.arange(1, T + 1)
cmap = matplotlib.colormaps["coolwarm"]
for n in range(min(N_GRAD, 24)):
    color = cmap((y_val[n, 0] + 1) / 2)
    ax.plot(steps, lstm.c[n, :, unit], color=color, lw=1)
    ax.plot(mark_val[n] + 1, lstm.c[n, mark_val[n], unit], "o", color=color, ms=3)  # the marked step
ax.axvspan(0.5, MARK_WITHIN + 0.5, color="0.9", zorder=0)
ax.set_xlabel("timestep t")
ax.set_ylabel(f"c_t of unit {unit}")
ax.set_title(f"trained LSTM: cell state of unit {unit} on 24 sequences,\n"
             f"coloured by the value to recall, dot: its step "
             f"(|corr(c_T, target)| = {results['LSTM']['memory_abs_corr_final_state_target']:.2f})", fontsize=9)
figures.append(save(fig, "why_lstm_memory.png"))

# -- the numbers ------------------------------------------------------------------------
record = {
    "demo": "why_lstm", "quick": args.quick, "seed": args.seed,
    "task": {"T": T, "mark_within": MARK_WITHIN, "units": UNITS, "n_train": N_TRAIN,
             "n_val": N_VAL, "epochs": EPOCHS, "batch_size": BATCH_SIZE,
             "learning_rate": LEARNING_RATE, "baseline_mse": baseline,
             "solved_below": SOLVED * baseline},
    "models": results,
    "figures": figures,
    "seconds": round(time.perf_counter() - start, 1),
}
path = os.path.join(args.out, "why_lstm.json")
with open(path, "w") as f:
    json.dump(common.to_builtin(record), f, indent=1)
print(f"wrote {path} and {len(figures)} figures in {record['seconds']:.0f} s")
