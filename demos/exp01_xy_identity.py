"""Sequence to sequence, X-Y: an LSTM reproduces the points (x, y) of a line and of a hill.

The post: "A one layered LSTM (SGD with fixed learning rate) was able to approx. the
line", and "in order to get the hill-shaped function I added a second lstm layer".
The network only has to learn the identity: it reads the points (x_t, y_t) one by
one and gives them back.

As in the post: an LSTM reads the points (x_t, y_t) and gives them back, trained with
plain SGD at a fixed learning rate; the line with one LSTM layer, the hill with two. The
post gives no sizes, data or budget; ours: T = 50 points with x in [0, 1], the line
y = 0.8 x + 0.1 and the hill y = 0.1 + 0.8 sin(pi x) (both inside the LSTM's output range
(-1, 1)), one sequence each, learning rate 1.0, 1000 epochs. The hill gets one LSTM layer
too, with the same epochs, to test whether it needs the second.
"""
import common  # first: puts the checkout on sys.path, matplotlib on Agg

import numpy as np

from tinylstm.models import Sequential
from tinylstm.optimizers import SGD
from tinylstm.utils import set_random_seed

plt = common.plt

T = 50                      # points per sequence
LEARNING_RATE = 1.0         # plain SGD, fixed
EPOCHS, QUICK_EPOCHS = 1000, 5
HIDDEN = 16                 # units of the first layer of the two-layer net
FIT_MSE = 1e-3              # "approximated": within 0.03 RMS of the points

args = common.parse_args(__doc__)
set_random_seed(args.seed)
LSTM, _ = common.keras_defaults(args)
epochs = QUICK_EPOCHS if args.quick else EPOCHS
report = common.Report(1, "Sequence to sequence: (x, y) points of a line and a hill", __doc__, args)

# -- data: one sequence of points (x_t, y_t) per function ---------------------
x = np.linspace(0, 1, T)
curves = {"line": 0.8 * x + 0.1,
          "hill": 0.1 + 0.8 * np.sin(np.pi * x)}


def points(y):
    return np.stack([x, y], axis=-1).reshape(1, T, 2)          # (1, T, 2)


# -- the models ---------------------------------------------------------------
def one_layer():
    model = Sequential()
    model.add(LSTM(2, input_shape=(T, 2), return_sequences=True))
    model.compile(loss='mean_squared_error', optimizer=SGD(learning_rate=LEARNING_RATE))
    return model


def two_layers():
    model = Sequential()
    model.add(LSTM(HIDDEN, input_shape=(T, 2), return_sequences=True))
    model.add(LSTM(2, return_sequences=True))
    model.compile(loss='mean_squared_error', optimizer=SGD(learning_rate=LEARNING_RATE))
    return model


# -- training: identity, the points are input and target ----------------------
runs = {}
for name, curve, make in [("line, 1 layer", "line", one_layer),
                          ("hill, 1 layer", "hill", one_layer),
                          ("hill, 2 layers", "hill", two_layers)]:
    data = points(curves[curve])
    model = make()
    untrained = common.mse(model.predict(data, verbose=0), data)     # the control: before training
    history = model.fit(data, data, epochs=epochs, batch_size=1, verbose=0,
                        callbacks=[report.progress(name, epochs)])
    predicted = model.predict(data, verbose=0)
    losses = history.history["loss"]
    runs[name] = {"curve": curve, "predicted": predicted[0], "loss": losses,
                  "mse": common.mse(predicted, data), "untrained_mse": untrained,
                  "epochs_to_fit": next((e + 1 for e, l in enumerate(losses) if l < FIT_MSE), None)}
    report.numbers[name] = {k: runs[name][k] for k in ("mse", "untrained_mse", "epochs_to_fit")}
report.numbers["epochs"] = epochs

# -- figures: the points (blue line) and what the LSTM gives back (red dots) -----
fig, axes = plt.subplots(1, 3, figsize=(12, 3.6), sharey=True)
for ax, (name, run) in zip(axes, runs.items()):
    ax.plot(x, curves[run["curve"]], c='b', label="input = target")
    ax.scatter(run["predicted"][:, 0], run["predicted"][:, 1], c='r', s=10, label="LSTM output")
    ax.set_title(f"{name}: MSE {run['mse']:.1e}", fontsize=10)
    ax.set_xlabel("x")
axes[0].set_ylabel("y")
axes[-1].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
fig.tight_layout()
report.savefig(fig, "xy_fits", f"Each sequence of points (x_t, y_t) (blue) and the points the "
               f"trained LSTM gives back (red), after {epochs} epochs of SGD.")

fig, ax = plt.subplots(figsize=(6, 3.4))
for name, run in runs.items():
    ax.semilogy(np.arange(1, len(run["loss"]) + 1), run["loss"], label=name)
ax.axhline(FIT_MSE, c='k', ls=':', lw=1, label=f"MSE {FIT_MSE:g}")
ax.set_xlabel("epoch (SGD, one sequence: one update)")
ax.set_ylabel("training MSE")
ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
fig.tight_layout()
report.savefig(fig, "loss", "Training loss per epoch; dotted: the MSE below which we call a "
               "curve approximated.")

# -- the claims -----------------------------------------------------------------------------
APPROX = "'approximated': the points come back within 0.03 RMS."
report.check("1a", "A one layered LSTM (SGD with fixed learning rate) was able to approx. the line",
             APPROX, "MSE of the line, one LSTM layer", runs["line, 1 layer"]["mse"], "<", FIT_MSE,
             ("the untrained one-layer LSTM", runs["line, 1 layer"]["untrained_mse"]))
report.check("1b", "In order to get the hill-shaped function I added a second lstm layer",
             APPROX, "MSE of the hill, two LSTM layers", runs["hill, 2 layers"]["mse"], "<", FIT_MSE,
             ("the untrained two-layer LSTM", runs["hill, 2 layers"]["untrained_mse"]))
report.check("1c", "The hill needs the second layer: one layer does not get it",
             "one layer, trained as long, leaves the hill's points more than 0.03 RMS off.",
             "MSE of the hill, one LSTM layer (same epochs)", runs["hill, 1 layer"]["mse"],
             ">", FIT_MSE, ("the same one layer on the line", runs["line, 1 layer"]["mse"]))
report.note(f"Epochs until the training MSE first fell below {FIT_MSE:g} (of {epochs}): "
            + "; ".join(f"{name}: {run['epochs_to_fit'] or 'never'}" for name, run in runs.items()) + ".")
report.write()
