"""Sequence to sequence, only Y: the same functions without the x values.

The post: "The following step was to remove the x value from the input so the lstm only
received the y-values. It took a little bit longer but the function got approximated."

As in the post: the functions of experiment 1 without the x values, SGD at a fixed
learning rate. The post gives no sizes or budget; ours are experiment 1's (T = 50, the
line with one LSTM layer, the hill with two, 1000 epochs). Each net is trained on (x, y)
points and on y alone; in both cases we follow the error on y only, so the two are
compared on the same numbers. "Took longer" is measured as the epochs until that error
first falls below 1e-3, summed over the two functions; the (x, y) nets are trained a
second time from other initial weights, to see how much that count moves by chance.
"""
import common  # first: puts the checkout on sys.path, matplotlib on Agg

import numpy as np

from tinylstm.callbacks import LambdaCallback
from tinylstm.models import Sequential
from tinylstm.optimizers import SGD
from tinylstm.utils import set_random_seed

plt = common.plt

T = 50                      # points per sequence
LEARNING_RATE = 1.0         # plain SGD, fixed
EPOCHS, QUICK_EPOCHS = 1000, 5
HIDDEN = 16                 # first layer of the two-layer net (the hill)
FIT_MSE = 1e-3              # "approximated": y comes back within 0.03 RMS
SLOWER_RATIO = 1.0          # "a little bit longer": epochs(y only) / epochs(x, y) above this
AGAIN_SEED = 1000           # the (x, y) nets trained again: seed + AGAIN_SEED
EVERY = 10                  # measure the error on y every EVERY epochs

args = common.parse_args(__doc__)
set_random_seed(args.seed)
LSTM, _ = common.keras_defaults(args)
epochs = QUICK_EPOCHS if args.quick else EPOCHS
report = common.Report(2, "Sequence to sequence: only y", __doc__, args)

# -- data ---------------------------------------------------------------------
x = np.linspace(0, 1, T)
curves = {"line": 0.8 * x + 0.1,
          "hill": 0.1 + 0.8 * np.sin(np.pi * x)}
layers_for = {"line": 1, "hill": 2}


def get_model(n_layers, input_dim):
    model = Sequential()
    if n_layers == 2:
        model.add(LSTM(HIDDEN, input_shape=(T, input_dim), return_sequences=True))
        model.add(LSTM(input_dim, return_sequences=True))
    else:
        model.add(LSTM(input_dim, input_shape=(T, input_dim), return_sequences=True))
    model.compile(loss='mean_squared_error', optimizer=SGD(learning_rate=LEARNING_RATE))
    return model


# -- training: (x, y) -> (x, y) and y -> y; the error on y every EVERY epochs -----
def train(curve, inputs):
    y = curves[curve]
    data = y.reshape(1, T, 1) if inputs == "only y" else np.stack([x, y], -1)[None]
    model = get_model(layers_for[curve], data.shape[-1])
    y_error = {}                                  # epoch -> MSE on y

    def track_y(epoch, logs):
        if (epoch + 1) % EVERY == 0 or epoch + 1 == epochs:
            y_error[epoch + 1] = common.mse(model.predict(data, verbose=0)[..., -1], y)

    untrained = common.mse(model.predict(data, verbose=0)[..., -1], y)
    model.fit(data, data, epochs=epochs, batch_size=1, verbose=0,
              callbacks=[LambdaCallback(on_epoch_end=track_y), report.progress(f"{curve}, {inputs}", epochs)])
    return {"predicted_y": model.predict(data, verbose=0)[0, :, -1], "y_error": y_error,
            "untrained_mse_y": untrained,
            "epochs_to_fit": next((e for e, l in y_error.items() if l < FIT_MSE), None)}


runs = {(curve, inputs): train(curve, inputs) for curve in curves for inputs in ["x, y", "only y"]}
set_random_seed(args.seed + AGAIN_SEED)
runs.update({(curve, "x, y again"): train(curve, "x, y again") for curve in curves})
for (curve, inputs), run in runs.items():
    report.numbers[f"{curve}, {inputs}"] = {"mse_y": run["y_error"][epochs],
                                            "untrained_mse_y": run["untrained_mse_y"],
                                            "epochs_to_fit": run["epochs_to_fit"]}
report.numbers["epochs"] = epochs

# -- figures ----------------------------------------------------------------------
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
for ax, curve in zip(axes, curves):
    run = runs[curve, "only y"]
    ax.plot(x, curves[curve], c='b', label="input = target")
    ax.scatter(x, run["predicted_y"], c='r', s=10, label="LSTM output")
    ax.set_title(f"{curve} from y only: MSE {run['y_error'][epochs]:.1e}", fontsize=10)
    ax.set_xlabel("x (the LSTM never sees it)")
axes[0].set_ylabel("y")
axes[0].legend(loc="upper left", fontsize=8)
ax = axes[2]
styles = {"x, y": "-", "only y": "--", "x, y again": ":"}
for (curve, inputs), run in runs.items():
    ax.semilogy(list(run["y_error"]), list(run["y_error"].values()),
                c='g' if curve == "line" else 'm', ls=styles[inputs], label=f"{curve}, input {inputs}")
ax.axhline(FIT_MSE, c='k', ls=':', lw=1)
ax.set_xlabel("epoch")
ax.set_ylabel("MSE on y")
ax.set_title("error on y while training", fontsize=10)
ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
fig.tight_layout()
report.savefig(fig, "only_y",
               "Left, middle: the line and the hill (blue) and what the LSTM gives back from y "
               f"alone (red). Right: the error on y every {EVERY} epochs, for input (x, y), for y "
               "alone, and for (x, y) again from other initial weights; black dotted: MSE 1e-3.")


# -- the claims -------------------------------------------------------------------
def epochs_or_all(run):
    """Epochs to reach the bar; a run that never does counts as all epochs plus one."""
    return run["epochs_to_fit"] if run["epochs_to_fit"] is not None else epochs + 1


def total_epochs(inputs):
    return sum(epochs_or_all(runs[c, inputs]) for c in curves)


def worst(key, inputs):
    return max(runs[c, inputs][key] for c in curves)


report.check("2a", "From y alone the function got approximated",
             "'approximated': y comes back within 0.03 RMS, for the line and for the hill.",
             "largest final MSE on y (line, hill), input y only",
             max(runs[c, "only y"]["y_error"][epochs] for c in curves), "<", FIT_MSE,
             ("the untrained nets", worst("untrained_mse_y", "only y")))
report.check("2b", "It took a little bit longer (than with the x values)",
             "y alone needs more epochs to get within 0.03 RMS than (x, y) do, more than "
             "other initial weights alone make it move.",
             f"epochs to MSE < {FIT_MSE:g} (checked every {EVERY}), y only / (x, y), line + hill",
             total_epochs("only y") / total_epochs("x, y"), ">", SLOWER_RATIO,
             ("the same ratio for (x, y) trained again from other initial weights",
              total_epochs("x, y again") / total_epochs("x, y")))
report.note(f"Epochs until the error on y first fell below {FIT_MSE:g} (of {epochs}): "
            + "; ".join(f"{c} from {i}: {r['epochs_to_fit'] or 'never'}" for (c, i), r in runs.items())
            + ".")
report.write()
