"""Sequence to sequence, sine: learn one sine, then feed the net inputs it never saw.

The post trains the only-y network on a sine ("Which worked out"), then probes it:
- lines with slopes 0.1 to 1.2: "they perform something like a sine phase in the
  beginning and then they grow all by the same factor although their slopes differed";
- the same lines without y-intercept: "mapped to non-linear functions";
- the sine with other amplitudes: "The valley in the middle stays nearly untouched";
- other phases: "Wrong! The valley stays";
- other frequencies: "Except for the first part between 0.0 to 0.2 the frequency is copied
  correctly. It looks as though the only thing that is really wrong is the amplitude."

Every figure shows the input (line) and the output (dots of the same colour).

As in the post: the only-y network of experiment 2 (two LSTM layers, plain SGD), trained
on one sine, then probed with lines of slopes 0.1 to 1.2 (with and without intercept) and
with sines of other amplitudes, phases and frequencies. The post gives no sizes, sine or
budget; ours: T = 50, the sine 0.5 sin(3 pi x) on x in [0, 1] (its valley is in the
middle, at x = 0.5), 1000 epochs. Each sentence above becomes a number with a threshold,
and every number is also measured on the same net before training (the control), except
3h's, whose control is the trained frequency itself.
"""
import common  # first: puts the checkout on sys.path, matplotlib on Agg

import numpy as np

from tinylstm.models import Sequential
from tinylstm.optimizers import SGD
from tinylstm.utils import set_random_seed

plt = common.plt

T = 50
AMPLITUDE, FREQUENCY = 0.5, 1.5   # the trained sine: AMPLITUDE sin(2 pi FREQUENCY x)
LEARNING_RATE = 1.0
EPOCHS, QUICK_EPOCHS = 1000, 5
HIDDEN = 16
SLOPES = np.linspace(0.1, 1.2, 6)
INTERCEPT = 0.2
AMPLITUDES = [0.25, 0.5, 0.75, 1.0]
PHASES = np.linspace(0, np.pi / 2, 5)
FREQUENCIES = [0.5, 1.0, 1.5, 2.0, 2.5]
START = 0.2                       # "the first part between 0.0 to 0.2"
# thresholds of the claims, each with its reading of the post's words
FIT_MSE = 1e-3                    # "which worked out": the sine comes back within 0.03 RMS
BUMP = 0.05                       # "a sine phase in the beginning": the output rises, then drops by more than this
SAME_GROWTH = 0.25                # "grow all by the same factor": the output slopes' relative spread
                                  # (std / mean) is below this fraction of the input slopes'
NONLINEAR = 0.1                   # "non-linear": residual of a straight-line fit / std of the output above this
UNTOUCHED = 0.3                   # "the valley stays": it moves by less than this fraction of what the peaks move
FREQ_CORR = 0.9                   # "the frequency is copied": correlation of output and input (x >= 0.2) above this
AMPL_WRONG = 0.2                  # "the amplitude is wrong": |std(output) / std(input) - 1| (x >= 0.2) above this

args = common.parse_args(__doc__)
set_random_seed(args.seed)
LSTM, _ = common.keras_defaults(args)
epochs = QUICK_EPOCHS if args.quick else EPOCHS
report = common.Report(3, "Sequence to sequence: a sine, then probes it never saw", __doc__, args)

# -- data: one sine, and the probes ----------------------------------------------------------
x = np.linspace(0, 1, T)
sine = AMPLITUDE * np.sin(2 * np.pi * FREQUENCY * x)
x_train = sine.reshape(1, T, 1)
probes = {
    "lines": [m * x + INTERCEPT for m in SLOPES],
    "lines_no_intercept": [m * x for m in SLOPES],
    "amplitudes": [a * np.sin(2 * np.pi * FREQUENCY * x) for a in AMPLITUDES],
    "phases": [AMPLITUDE * np.sin(2 * np.pi * FREQUENCY * x + p) for p in PHASES],
    "frequencies": [AMPLITUDE * np.sin(2 * np.pi * f * x) for f in FREQUENCIES],
}

# -- the measurements, for any net --------------------------------------------------------------
early, late, rest = x < 0.4, x >= 0.5, x >= START
middle = np.flatnonzero((x >= 0.25) & (x <= 0.75))
peaks = np.flatnonzero((x < 0.25) | (x > 0.75))


def drop_after_first_peak(y):
    """How far y falls after its highest point in x < 0.4: a sine phase at the start."""
    y = y[early]
    peak = int(np.argmax(y))
    return float(y[peak] - y[peak:].min())


def slope(y):
    return float(np.polyfit(x[late], y[late], 1)[0])


def nonlinearity(y):
    """RMS residual of the best straight line through y, over the std of y (0: a line)."""
    residual = y - np.polyval(np.polyfit(x, y, 1), x)
    return float(residual.std() / y.std())


def valley(y):
    """Position and value of the minimum over the middle, x in [0.25, 0.75]."""
    k = middle[np.argmin(y[middle])]
    return x[k], y[k]


def relative_spread(values):
    return float(np.std(values) / abs(np.mean(values)))


def measure(model):
    """Every probe's output and every claim's number, for ``model``."""
    out = {name: model.predict(np.asarray(c).reshape(-1, T, 1), verbose=0)[..., 0]
           for name, c in probes.items()}                                     # name -> (n, T)
    out_slopes = [slope(o) for o in out["lines"]]
    valley_values = [valley(o)[1] for o in out["amplitudes"]]
    peak_values = [np.abs(o[peaks]).max() for o in out["amplitudes"]]
    valley_at_in = [valley(i)[0] for i in probes["phases"]]
    valley_at_out = [valley(o)[0] for o in out["phases"]]
    others = [k for k, f in enumerate(FREQUENCIES) if f != FREQUENCY]
    trained = FREQUENCIES.index(FREQUENCY)
    correlation = [np.corrcoef(probes["frequencies"][k][rest], out["frequencies"][k][rest])[0, 1]
                   for k in range(len(FREQUENCIES))]
    ratio = [out["frequencies"][k][rest].std() / probes["frequencies"][k][rest].std()
             for k in range(len(FREQUENCIES))]
    return {
        "outputs": out,
        "sine_mse": common.mse(model.predict(x_train, verbose=0), x_train),
        "lines_drop_after_first_peak": [drop_after_first_peak(o) for o in out["lines"]],
        "lines_output_slopes_x_ge_0.5": out_slopes,
        "same_growth": relative_spread(out_slopes) / relative_spread(SLOPES),
        "lines_no_intercept_nonlinearity": [nonlinearity(o) for o in out["lines_no_intercept"]],
        "amplitudes_valley_out": valley_values, "amplitudes_peak_out": peak_values,
        "valley_moves": float(np.ptp(valley_values) / np.ptp(peak_values)),
        "phases_valley_position_out": valley_at_out,
        "valley_shift": float(np.ptp(valley_at_out) / np.ptp(valley_at_in)),
        "frequencies_correlation_x_ge_0.2": correlation, "frequencies_amplitude_ratio_x_ge_0.2": ratio,
        "copied": float(np.median([correlation[k] for k in others])),
        "amplitude_wrong": float(np.median([abs(ratio[k] - 1) for k in others])),
        "amplitude_wrong_trained_frequency": float(abs(ratio[trained] - 1)),
    }


# -- the model: two LSTM layers, y in, y out ------------------------------------------------
model = Sequential()
model.add(LSTM(HIDDEN, input_shape=(T, 1), return_sequences=True))
model.add(LSTM(1, return_sequences=True))
model.compile(loss='mean_squared_error', optimizer=SGD(learning_rate=LEARNING_RATE))
untrained = measure(model)                       # the controls: the same net before training
model.fit(x_train, x_train, epochs=epochs, batch_size=1, verbose=0,
          callbacks=[report.progress("sine", epochs)])
r = measure(model)
outputs = r["outputs"]
report.numbers.update({k: v for k, v in r.items() if k != "outputs"})
report.numbers["untrained"] = {k: v for k, v in untrained.items() if k != "outputs"}


# -- figures ----------------------------------------------------------------------
def plot_probe(ax, inputs, outputs, labels, title):
    for k, (i, o, label) in enumerate(zip(inputs, outputs, labels)):
        ax.plot(x, i, c=f"C{k}", lw=1.2, label=label)
        ax.scatter(x, o, c=f"C{k}", s=7)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)


LINE_DOTS = "Lines: the input; dots of the same colour: the net's output."
fig, ax = plt.subplots(figsize=(5.5, 3.4))
plot_probe(ax, [sine], outputs["amplitudes"][1:2], ["trained sine"], f"the sine, MSE {r['sine_mse']:.1e}")
fig.tight_layout()
report.savefig(fig, "sine_fit", f"The sine the net is trained on and its output after {epochs} epochs.")

fig, axes = plt.subplots(1, 2, figsize=(12, 3.6))
plot_probe(axes[0], probes["lines"], outputs["lines"], [f"m={m:.2f}" for m in SLOPES],
           f"lines m x + {INTERCEPT}")
plot_probe(axes[1], probes["lines_no_intercept"], outputs["lines_no_intercept"],
           [f"m={m:.2f}" for m in SLOPES], "lines m x, no intercept")
fig.tight_layout()
report.savefig(fig, "sine_probe_lines", "The net trained on the sine, fed lines it never saw. " + LINE_DOTS)

for name, values, fmt, title in [
        ("amplitudes", AMPLITUDES, "a={:.2f}", "other amplitudes (trained: a=0.5)"),
        ("phases", PHASES, "phase={:.2f}", "other phases (trained: 0)"),
        ("frequencies", FREQUENCIES, "f={:.1f}", f"other frequencies (trained: f={FREQUENCY})")]:
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    plot_probe(ax, probes[name], outputs[name], [fmt.format(v) for v in values], title)
    fig.tight_layout()
    report.savefig(fig, f"sine_probe_{name}", f"The net trained on the sine, fed sines of {title}. "
                   + LINE_DOTS)

# -- the claims -------------------------------------------------------------------
UNTRAINED = "the same net before training"
report.check("3a", "The sine: 'Which worked out'", "the sine comes back within 0.03 RMS.",
             "MSE on the trained sine", r["sine_mse"], "<", FIT_MSE, (UNTRAINED, untrained["sine_mse"]))
report.check("3b", "Lines perform something like a sine phase in the beginning",
             "the output for a line first rises, then falls back by more than 0.05.",
             "median drop after the first peak (x < 0.4), lines with intercept",
             np.median(r["lines_drop_after_first_peak"]), ">", BUMP,
             (UNTRAINED, np.median(untrained["lines_drop_after_first_peak"])))
report.check("3c", "... and then they grow all by the same factor although their slopes differed",
             "the outputs' slopes on x >= 0.5 differ (relatively: std / mean) by less than a quarter "
             "of how much the input slopes differ.",
             "relative spread of output slopes / of input slopes", r["same_growth"], "<", SAME_GROWTH,
             (UNTRAINED, untrained["same_growth"]))
report.check("3d", "Without intercept, the linear functions are mapped to non-linear functions",
             "a straight line leaves a residual over 10 % of the output's spread.",
             "median residual of a straight-line fit / std, outputs of lines m x",
             np.median(r["lines_no_intercept_nonlinearity"]), ">", NONLINEAR,
             (UNTRAINED, np.median(untrained["lines_no_intercept_nonlinearity"])))
report.check("3e", "Other amplitudes: the valley in the middle stays nearly untouched",
             "as the amplitude goes from 0.25 to 1, the output's valley moves by less than 30 % of "
             "what its peaks move.",
             "range of the output's valley value / range of its peak value", r["valley_moves"],
             "<", UNTOUCHED, (UNTRAINED, untrained["valley_moves"]))
report.check("3f", "Other phases: 'Wrong! The valley stays'",
             "as the phase goes from 0 to pi/2, the output's valley moves by less than 30 % of what "
             "the input's valley moves.",
             "range of the output's valley position / range of the input's", r["valley_shift"],
             "<", UNTOUCHED, (UNTRAINED, untrained["valley_shift"]))
report.check("3g", "Other frequencies: except for x < 0.2 the frequency is copied correctly",
             "on x >= 0.2 the output correlates with the input above 0.9.",
             "median correlation of output and input, x >= 0.2, other frequencies", r["copied"],
             ">", FREQ_CORR, (UNTRAINED, untrained["copied"]))
report.check("3h", "... the only thing that is really wrong is the amplitude",
             "on x >= 0.2 the output's amplitude is more than 20 % off the input's.",
             "median |std(output) / std(input) - 1|, x >= 0.2, other frequencies", r["amplitude_wrong"],
             ">", AMPL_WRONG, (f"the trained frequency, f = {FREQUENCY}",
                               r["amplitude_wrong_trained_frequency"]))
report.write()
