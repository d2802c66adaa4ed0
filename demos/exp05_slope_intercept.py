"""Sequence to vector: slope and intercept (m, t) of a line.

The post: "The hidden function is f(x) = mx + t and the seq2vec lstm is trained to
return the parameters (m, t). [...] Neither negative slope nor a larger slope are
handled correctly."

As in the post: a seq2vec LSTM is trained to return (m, t) of lines with slopes
m ~ U(0, 1) (its data generation), with mean squared error and RMSprop, and tested on
negative and on larger slopes. The post gives no sizes or budget, and its data code has
intercept 0; ours: T = 50 points, t ~ U(0, 0.5) (so that there is an intercept to learn),
500 training lines, an LSTM(32) and a Dense(2), batches of 32, 80 epochs. Tested on
held-out lines inside that range, on negative slopes m in [-1, 0) and on larger slopes
m in (1, 2]. The control of "not handled" is the same net trained on slopes from -1 to 2.
"""
import common  # first: puts the checkout on sys.path, matplotlib on Agg

import numpy as np

from tinylstm.layers import Dense
from tinylstm.models import Sequential
from tinylstm.utils import set_random_seed

plt = common.plt

T = 50
N_TRAIN, N_TEST = 500, 100
SLOPES_TRAIN = (0.0, 1.0)
INTERCEPTS = (0.0, 0.5)
SLOPES_NEGATIVE = (-1.0, 0.0)
SLOPES_LARGER = (1.0, 2.0)
BATCH_SIZE = 32
EPOCHS, QUICK_EPOCHS = 80, 2
SLOPES_WIDE = (-1.0, 2.0)        # the control's training slopes
IN_RANGE_MAE = 0.05              # "returns (m, t)": both within 0.05 on average
FAILS = 5.0                      # "not handled correctly": MAE of m outside / inside, over this

args = common.parse_args(__doc__)
set_random_seed(args.seed)
LSTM, rmsprop = common.keras_defaults(args)
epochs = QUICK_EPOCHS if args.quick else EPOCHS
report = common.Report(5, "Sequence to vector: slope and intercept of a line", __doc__, args)

# -- data -----------------------------------------------------------------------------
x = np.linspace(0, 1, T)


def lines(m, t):
    return (m[:, None] * x + t[:, None]).reshape(-1, T, 1)      # (n, T, 1)


def draw(n, slopes):
    return np.random.uniform(*slopes, n), np.random.uniform(*INTERCEPTS, n)


m_train, t_train = draw(N_TRAIN, SLOPES_TRAIN)
tests = {"inside": draw(N_TEST, SLOPES_TRAIN),
         "negative slopes": draw(N_TEST, SLOPES_NEGATIVE),
         "larger slopes": draw(N_TEST, SLOPES_LARGER)}
m_wide, t_wide = draw(N_TRAIN, SLOPES_WIDE)                     # the control's training set


# -- the model ------------------------------------------------------------------------
def trained(m, t, label):
    model = Sequential()
    model.add(LSTM(32, input_shape=(T, 1)))
    model.add(Dense(2))
    model.compile(loss='mean_squared_error', optimizer=rmsprop())
    model.fit(lines(m, t), np.stack([m, t], axis=1), epochs=epochs, batch_size=BATCH_SIZE, shuffle=True,
              verbose=0, callbacks=[report.progress(label, epochs)])
    return model


def errors(model):
    """Per test set: MAE of m and of t, and the predicted slopes."""
    out = {}
    for name, (m, t) in tests.items():
        predicted = model.predict(lines(m, t), verbose=0)                      # (n, 2)
        out[name] = {"mae_m": float(np.mean(np.abs(predicted[:, 0] - m))),
                     "mae_t": float(np.mean(np.abs(predicted[:, 1] - t))),
                     "true_m": m, "predicted_m": predicted[:, 0]}
    return out


model = trained(m_train, t_train, "slopes 0..1")
found = errors(model)
wide = errors(trained(m_wide, t_wide, "control, slopes -1..2"))
mean_guess = {"mae_m": float(np.mean(np.abs(m_train.mean() - tests["inside"][0]))),
              "mae_t": float(np.mean(np.abs(t_train.mean() - tests["inside"][1])))}
for name in tests:
    report.numbers[name] = {k: found[name][k] for k in ("mae_m", "mae_t")}
    report.numbers[f"control {name}"] = {k: wide[name][k] for k in ("mae_m", "mae_t")}
report.numbers["mean_guess_inside"] = mean_guess

# -- figures: thin line the truth, thick line the line with the predicted (m, t) ----------
fig, axes = plt.subplots(1, 2, figsize=(13, 3.8))
ax = axes[0]
for k, (m, t) in enumerate([(-0.8, 0.1), (-0.3, 0.4), (0.3, 0.2), (0.9, 0.0), (1.4, 0.3), (1.9, 0.1)]):
    mp, tp = model.predict(lines(np.array([m]), np.array([t])), verbose=0)[0]
    ax.plot(x, m * x + t, c=f"C{k}", lw=1, label=f"m={m}, t={t}: ({mp:.2f}, {tp:.2f})")
    ax.plot(x, mp * x + tp, c=f"C{k}", lw=4, alpha=0.6)
ax.set_title("thin: truth, thick: from predicted (m, t)", fontsize=10)
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7, title="true: (predicted)")
ax = axes[1]
for name, c in zip(tests, "bgr"):
    ax.scatter(found[name]["true_m"], found[name]["predicted_m"], s=6, c=c, label=name)
ax.plot([-1, 2], [-1, 2], c='k', lw=1)
ax.axvspan(*SLOPES_TRAIN, color='gray', alpha=0.15, label="training slopes")
ax.set_xlabel("true slope m")
ax.set_ylabel("predicted slope")
ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
fig.tight_layout()
report.savefig(fig, "lines", "Left: lines (thin) and the lines drawn from the (m, t) the LSTM "
               "returns (thick, same colour). Right: predicted against true slope on the three "
               "test sets; grey band: the training slopes, black: the truth.")

# -- the claims -------------------------------------------------------------------------
inside = found["inside"]["mae_m"]
WIDE = "the same net trained on slopes from -1 to 2"
NOT_HANDLED = "the slope's error is over five times that inside the training range."
report.check("5a", "The seq2vec lstm returns (m, t) for lines like the training lines",
             "m and t both come back within 0.05 on average.",
             "MAE of m and t (the larger), held-out lines inside the training range",
             max(inside, found["inside"]["mae_t"]), "<", IN_RANGE_MAE,
             ("always guessing the mean training (m, t)", max(mean_guess.values())))
report.check("5b", "Negative slopes are not handled correctly", NOT_HANDLED,
             "MAE of m, negative slopes / inside", found["negative slopes"]["mae_m"] / inside,
             ">", FAILS, (WIDE, wide["negative slopes"]["mae_m"] / wide["inside"]["mae_m"]))
report.check("5c", "Larger slopes are not handled correctly", NOT_HANDLED,
             "MAE of m, slopes in (1, 2] / inside", found["larger slopes"]["mae_m"] / inside,
             ">", FAILS, (WIDE, wide["larger slopes"]["mae_m"] / wide["inside"]["mae_m"]))
edge = model.predict(lines(np.array([-1.0, 2.0]), np.array([0.25, 0.25])), verbose=0)[:, 0]
report.note(f"The line -1 x + 0.25 gets slope {edge[0]:.2f}; the line 2 x + 0.25 gets {edge[1]:.2f}.")
report.write()
