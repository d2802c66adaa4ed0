"""Sequence to vector: slope and intercept (m, t) of a line.

The post: "The hidden function is f(x) = mx + t and the seq2vec lstm is trained to
return the parameters (m, t). [...] Neither negative slope nor a larger slope are
handled correctly."

Here: T = 50 points of lines with m ~ U(0, 1) (as in the post's data generation) and
t ~ U(0, 0.5); an LSTM(32) reads the points and a Dense(2) gives (m, t); RMSprop.
Tested on held-out lines inside that range, on negative slopes m in [-1, 0) and on
larger slopes m in (1, 2].
"""
import common  # first: keeps BLAS to one thread

import numpy as np

from tinylstm.layers import LSTM, Dense
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
IN_RANGE_MAE = 0.05              # inside the training range (m, t) are learned
FAILS = 3.0                      # "not handled correctly": MAE of m outside / inside, at least

args = common.parse_args(__doc__)
set_random_seed(args.seed)
epochs = QUICK_EPOCHS if args.quick else EPOCHS
report = common.Report(5, "Sequence to vector: slope and intercept of a line", __doc__, args)

# -- data -----------------------------------------------------------------------------
x = np.linspace(0, 1, T)


def lines(m, t):
    return (m[:, None] * x + t[:, None]).reshape(-1, T, 1)      # (n, T, 1)


def draw(n, slopes):
    return np.random.uniform(*slopes, n), np.random.uniform(*INTERCEPTS, n)


m_train, t_train = draw(N_TRAIN, SLOPES_TRAIN)
x_train, y_train = lines(m_train, t_train), np.stack([m_train, t_train], axis=1)   # (n, 2)
tests = {"inside": draw(N_TEST, SLOPES_TRAIN),
         "negative slopes": draw(N_TEST, SLOPES_NEGATIVE),
         "larger slopes": draw(N_TEST, SLOPES_LARGER)}

# -- the model ------------------------------------------------------------------------
model = Sequential()
model.add(LSTM(32, input_shape=(T, 1)))
model.add(Dense(2))
model.compile(loss='mean_squared_error', optimizer='rmsprop')
model.fit(x_train, y_train, epochs=epochs, batch_size=BATCH_SIZE, shuffle=True, verbose=0)

errors = {}
for name, (m, t) in tests.items():
    predicted = model.predict(lines(m, t), verbose=0)                            # (n, 2)
    errors[name] = {"mae_m": float(np.mean(np.abs(predicted[:, 0] - m))),
                    "mae_t": float(np.mean(np.abs(predicted[:, 1] - t))),
                    "true_m": m, "predicted_m": predicted[:, 0]}
    report.numbers[name] = {k: errors[name][k] for k in ("mae_m", "mae_t")}

# -- figures: thin line the truth, thick line the line with the predicted (m, t) ----------
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
ax = axes[0]
for k, (m, t) in enumerate([(-0.8, 0.1), (-0.3, 0.4), (0.3, 0.2), (0.9, 0.0), (1.4, 0.3), (1.9, 0.1)]):
    mp, tp = model.predict(lines(np.array([m]), np.array([t])), verbose=0)[0]
    ax.plot(x, m * x + t, c=f"C{k}", lw=1, label=f"m={m}, t={t}: ({mp:.2f}, {tp:.2f})")
    ax.plot(x, mp * x + tp, c=f"C{k}", lw=4, alpha=0.6)
ax.set_title("thin: truth, thick: from predicted (m, t)", fontsize=10)
ax.set_xlabel("x")
ax.legend(fontsize=6)
ax = axes[1]
for name, c in zip(tests, "bgr"):
    ax.scatter(errors[name]["true_m"], errors[name]["predicted_m"], s=6, c=c, label=name)
ax.plot([-1, 2], [-1, 2], c='k', lw=1)
ax.axvspan(*SLOPES_TRAIN, color='gray', alpha=0.15, label="training slopes")
ax.set_xlabel("true slope m")
ax.set_ylabel("predicted slope")
ax.legend(fontsize=7)
fig.tight_layout()
report.savefig(fig, "lines")

# -- the claims -------------------------------------------------------------------------
inside = errors["inside"]["mae_m"]
report.check("5a", "The seq2vec lstm returns (m, t) for lines like the training lines",
             "MAE of m and t (the larger), held-out lines inside the training range",
             max(inside, errors["inside"]["mae_t"]), "<", IN_RANGE_MAE)
report.check("5b", "Negative slopes are not handled correctly",
             "MAE of m, negative slopes / inside", errors["negative slopes"]["mae_m"] / inside,
             ">", FAILS)
report.check("5c", "Larger slopes are not handled correctly",
             "MAE of m, slopes in (1, 2] / inside", errors["larger slopes"]["mae_m"] / inside,
             ">", FAILS)
edge = model.predict(lines(np.array([-1.0, 2.0]), np.array([0.25, 0.25])), verbose=0)[:, 0]
report.note(f"The line -1 x + 0.25 gets slope {edge[0]:.2f}; the line 2 x + 0.25 gets {edge[1]:.2f}.")
report.write()
