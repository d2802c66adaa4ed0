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

Here: T = 50, the sine 0.5 sin(3 pi x) on x in [0, 1] (its valley is in the middle,
at x = 0.5), the two-layer only-y net of experiment 2, plain SGD. Each sentence above
becomes a number with a threshold (see the claims at the bottom).
"""
import common  # first: keeps BLAS to one thread

import numpy as np

from tinylstm.layers import LSTM
from tinylstm.models import Sequential
from tinylstm.optimizers import SGD
from tinylstm.utils import set_random_seed

plt = common.plt

T = 50
AMPLITUDE, FREQUENCY = 0.5, 1.5   # the trained sine: AMPLITUDE sin(2 pi FREQUENCY x)
LEARNING_RATE = 1.0
EPOCHS, QUICK_EPOCHS = 1000, 5
HIDDEN = 16
FIT_MSE = 1e-3                    # "which worked out"
SLOPES = np.linspace(0.1, 1.2, 6)
INTERCEPT = 0.2
AMPLITUDES = [0.25, 0.5, 0.75, 1.0]
PHASES = np.linspace(0, np.pi / 2, 5)
FREQUENCIES = [0.5, 1.0, 1.5, 2.0, 2.5]
START = 0.2                       # "the first part between 0.0 to 0.2"
# thresholds of the claims
BUMP = 0.05                       # a "sine phase": the output rises, then drops by more than this
SAME_GROWTH = 0.25                # std of output slopes / std of input slopes below this
NONLINEAR = 0.1                   # residual of a straight-line fit / std of the output above this
UNTOUCHED = 0.3                   # the valley moves by less than this fraction of the input's
FREQ_CORR = 0.9                   # correlation of output and input for x >= START above this
AMPL_WRONG = 0.2                  # |std(output) / std(input) - 1| for x >= START above this

args = common.parse_args(__doc__)
set_random_seed(args.seed)
epochs = QUICK_EPOCHS if args.quick else EPOCHS
report = common.Report(3, "Sequence to sequence: a sine, then probes it never saw", __doc__, args)

# -- data: one sine ---------------------------------------------------------------
x = np.linspace(0, 1, T)
sine = AMPLITUDE * np.sin(2 * np.pi * FREQUENCY * x)
x_train = sine.reshape(1, T, 1)

# -- the model: two LSTM layers, y in, y out --------------------------------------------
model = Sequential()
model.add(LSTM(HIDDEN, input_shape=(T, 1), return_sequences=True))
model.add(LSTM(1, return_sequences=True))
model.compile(loss='mean_squared_error', optimizer=SGD(learning_rate=LEARNING_RATE))
model.fit(x_train, x_train, epochs=epochs, batch_size=1, verbose=0)
fit_mse = common.mse(model.predict(x_train, verbose=0), x_train)
report.numbers["sine_mse"] = fit_mse


def probe(curves):
    """The net's output for each input curve, (n, T)."""
    curves = np.asarray(curves)                                       # (n, T)
    return model.predict(curves.reshape(-1, T, 1), verbose=0)[..., 0]


def plot_probe(ax, inputs, outputs, labels, title):
    for k, (i, o, label) in enumerate(zip(inputs, outputs, labels)):
        ax.plot(x, i, c=f"C{k}", lw=1.2, label=label)
        ax.scatter(x, o, c=f"C{k}", s=7)
    ax.set_title(title, fontsize=10)
    ax.set_xlabel("x")
    ax.legend(fontsize=7)


probes = {
    "lines": [m * x + INTERCEPT for m in SLOPES],
    "lines_no_intercept": [m * x for m in SLOPES],
    "amplitudes": [a * np.sin(2 * np.pi * FREQUENCY * x) for a in AMPLITUDES],
    "phases": [AMPLITUDE * np.sin(2 * np.pi * FREQUENCY * x + p) for p in PHASES],
    "frequencies": [AMPLITUDE * np.sin(2 * np.pi * f * x) for f in FREQUENCIES],
}
outputs = {name: probe(curves) for name, curves in probes.items()}

# -- figures ----------------------------------------------------------------------
fig, ax = plt.subplots(figsize=(5, 3.4))
plot_probe(ax, [sine], outputs["amplitudes"][1:2], ["trained sine"], f"the sine, MSE {fit_mse:.1e}")
fig.tight_layout()
report.savefig(fig, "sine_fit")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
plot_probe(axes[0], probes["lines"], outputs["lines"], [f"m={m:.2f}" for m in SLOPES],
           f"lines m x + {INTERCEPT} (line: input, dots: output)")
plot_probe(axes[1], probes["lines_no_intercept"], outputs["lines_no_intercept"],
           [f"m={m:.2f}" for m in SLOPES], "lines m x, no intercept")
fig.tight_layout()
report.savefig(fig, "sine_probe_lines")

for name, values, fmt, title in [
        ("amplitudes", AMPLITUDES, "a={:.2f}", "other amplitudes (trained: a=0.5)"),
        ("phases", PHASES, "phase={:.2f}", "other phases (trained: 0)"),
        ("frequencies", FREQUENCIES, "f={:.1f}", f"other frequencies (trained: f={FREQUENCY})")]:
    fig, ax = plt.subplots(figsize=(6, 3.6))
    plot_probe(ax, probes[name], outputs[name], [fmt.format(v) for v in values], title)
    fig.tight_layout()
    report.savefig(fig, f"sine_probe_{name}")

# -- measurements ------------------------------------------------------------------
early = x < 0.4
late = x >= 0.5
rest = x >= START


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
    middle = np.flatnonzero((x >= 0.25) & (x <= 0.75))
    k = middle[np.argmin(y[middle])]
    return x[k], y[k]


drops = [drop_after_first_peak(o) for o in outputs["lines"]]
out_slopes = [slope(o) for o in outputs["lines"]]
growth_spread = np.std(out_slopes) / np.std(SLOPES)
curvature = [nonlinearity(o) for o in outputs["lines_no_intercept"]]
valley_values_in = [valley(i)[1] for i in probes["amplitudes"]]
valley_values_out = [valley(o)[1] for o in outputs["amplitudes"]]
valley_change = np.ptp(valley_values_out) / np.ptp(valley_values_in)
valley_at_in = [valley(i)[0] for i in probes["phases"]]
valley_at_out = [valley(o)[0] for o in outputs["phases"]]
valley_shift = np.ptp(valley_at_out) / np.ptp(valley_at_in)
others = [k for k, f in enumerate(FREQUENCIES) if f != FREQUENCY]
correlations = [np.corrcoef(probes["frequencies"][k][rest], outputs["frequencies"][k][rest])[0, 1]
                for k in others]
amplitude_ratios = [outputs["frequencies"][k][rest].std() / probes["frequencies"][k][rest].std()
                    for k in others]
report.numbers.update({
    "lines_drop_after_first_peak": drops, "lines_output_slopes_x_ge_0.5": out_slopes,
    "lines_no_intercept_nonlinearity": curvature,
    "amplitudes_valley_in": valley_values_in, "amplitudes_valley_out": valley_values_out,
    "phases_valley_position_in": valley_at_in, "phases_valley_position_out": valley_at_out,
    "frequencies_other": [FREQUENCIES[k] for k in others],
    "frequencies_correlation_x_ge_0.2": correlations,
    "frequencies_amplitude_ratio_x_ge_0.2": amplitude_ratios,
})

# -- the claims -------------------------------------------------------------------
report.check("3a", "The sine: 'Which worked out'", "MSE on the trained sine", fit_mse, "<", FIT_MSE)
report.check("3b", "Lines perform something like a sine phase in the beginning",
             "median drop after the first peak (x < 0.4), lines with intercept",
             np.median(drops), ">", BUMP)
report.check("3c", "... and then they grow all by the same factor although their slopes differed",
             "std of output slopes (x >= 0.5) / std of input slopes", growth_spread, "<", SAME_GROWTH)
report.check("3d", "Without intercept, the linear functions are mapped to non-linear functions",
             "median residual of a straight-line fit / std, outputs of lines m x",
             np.median(curvature), ">", NONLINEAR)
report.check("3e", "Other amplitudes: the valley in the middle stays nearly untouched",
             "range of the output's valley value / range of the input's", valley_change,
             "<", UNTOUCHED)
report.check("3f", "Other phases: 'Wrong! The valley stays'",
             "range of the output's valley position / range of the input's", valley_shift,
             "<", UNTOUCHED)
report.check("3g", "Other frequencies: except for x < 0.2 the frequency is copied correctly",
             "median correlation of output and input, x >= 0.2", np.median(correlations),
             ">", FREQ_CORR)
report.check("3h", "... the only thing that is really wrong is the amplitude",
             "median |std(output) / std(input) - 1|, x >= 0.2",
             np.median(np.abs(np.array(amplitude_ratios) - 1)), ">", AMPL_WRONG)
report.write()
