"""Autoencoder: lines through a latent vector of 10, 5 and 1 values.

The post: "The LSTM creates a hidden representation of a line and shall then regenerate
the line from that representation. We know that it should be possible with a vector of
2 entries if it learns 'our' linear model", shown for sizeof(latent) = 10, 5 and 1,
with the post's data generation (slopes ~ U(0, 1), intercept 0), its ``get_model``,
RMSprop, batch size 1000, and its evaluation on slopes 0.1 to 1.0.

Here: the same code, T = 100 points as in the post, and 100 training lines (the
post: 1000). With batch_size=1000 every epoch is one full-batch step, as in the post,
and we keep its 25 x 10 = 250 epochs, so the number of updates is the post's.
"""
import common  # first: keeps BLAS to one thread

import numpy as np

from tinylstm.layers import LSTM, RepeatVector
from tinylstm.models import Sequential
from tinylstm.utils import set_random_seed

plt = common.plt

batch_size = 1000
timesteps = 100                 # as in the post
input_dim = 1
N_TRAIN = 100                   # the post: batch_size = 1000 lines
LATENT_SIZES = [10, 5, 1]
ROUNDS, QUICK_ROUNDS = 25, 1    # the post: for i in range(25): model.fit(..., epochs=10)
EPOCHS_PER_ROUND, QUICK_EPOCHS_PER_ROUND = 10, 2
EVAL_SLOPES = [0.1, 0.2, 0.4, 0.6, 0.8, 1.0]
FIT_MSE = 1e-3                  # "regenerates the line": MSE on the evaluation slopes below this
ORDERED = 0.95                  # one latent value orders the slopes: |Spearman rho| above this

args = common.parse_args(__doc__)
set_random_seed(args.seed)
rounds = QUICK_ROUNDS if args.quick else ROUNDS
epochs_per_round = QUICK_EPOCHS_PER_ROUND if args.quick else EPOCHS_PER_ROUND
report = common.Report(6, "Autoencoder: lines, latent sizes 10, 5 and 1", __doc__, args)

# -- data, as in the post: y = ampl * x + intercept -------------------------------------
x = np.linspace(0, 1, timesteps)


def make_lines(n):
    slopes = np.random.random(n)
    intercept = 0
    lines = slopes[:, None] * x + intercept
    return lines.reshape(-1, timesteps, input_dim), slopes


x_train, slopes_train = make_lines(N_TRAIN)
x_val, _ = make_lines(N_TRAIN // 10)


# -- the post's model ---------------------------------------------------------------------
def get_model(latent_dim=5):
    model = Sequential()
    model.add(LSTM(32, input_shape=(timesteps, input_dim), return_sequences=True))
    model.add(LSTM(latent_dim, return_sequences=False))
    # repeat the latent vector in order to
    # feed it to the next lstm
    model.add(RepeatVector(timesteps))
    model.add(LSTM(32, input_shape=(timesteps, latent_dim), return_sequences=True))
    model.add(LSTM(1, return_sequences=True))
    return model


# -- training and evaluation, once per latent size ------------------------------------------
eval_lines = np.array([m * x for m in EVAL_SLOPES])                   # (6, T)
results = {}
for latent_dim in LATENT_SIZES:
    model = get_model(latent_dim=latent_dim)
    model.compile(loss='mean_squared_error', optimizer='rmsprop')
    bar = common.progress(rounds * epochs_per_round)       # a live bar on a terminal only
    for i in range(rounds):
        model.fit(x_train, x_train,
                  epochs=epochs_per_round,
                  batch_size=batch_size,
                  shuffle=True,
                  validation_data=(x_val, x_val),
                  verbose=0, callbacks=bar)
    predicted = model.predict(eval_lines.reshape(-1, timesteps, input_dim), verbose=0)[..., 0]
    latent = model.layers[1](model.layers[0](x_train))                 # (N, latent_dim)
    results[latent_dim] = {"predicted": predicted, "mse": common.mse(predicted, eval_lines),
                           "val_loss": model.history.history["val_loss"][-1], "latent": latent}
    report.numbers[f"latent_{latent_dim}"] = {"eval_mse": results[latent_dim]["mse"],
                                              "val_loss": results[latent_dim]["val_loss"]}
report.numbers["updates"] = rounds * epochs_per_round

# -- figures: the post's evaluation plot, one panel per latent size ----------------------------
fig, axes = plt.subplots(1, len(LATENT_SIZES), figsize=(11, 3.4), sharey=True)
for ax, latent_dim in zip(axes, LATENT_SIZES):
    for k, m in enumerate(EVAL_SLOPES):
        ax.scatter(x, results[latent_dim]["predicted"][k], c=f"C{k}", s=6)
        ax.plot(x, eval_lines[k], c=f"C{k}", lw=1, label=f"m={m}")
    ax.set_title(f"sizeof(latent) = {latent_dim}: MSE {results[latent_dim]['mse']:.1e}", fontsize=10)
    ax.set_xlabel("x")
axes[0].legend(fontsize=7)
fig.tight_layout()
report.savefig(fig, "line_autoencoder")

z = results[1]["latent"][:, 0]
fig, ax = plt.subplots(figsize=(4.5, 3.4))
ax.scatter(slopes_train, z, s=6)
ax.set_xlabel("slope of the training line")
ax.set_ylabel("the one latent value")
fig.tight_layout()
report.savefig(fig, "latent_vs_slope")

# -- the claims ---------------------------------------------------------------------------
for claim_id, latent_dim in zip("abc", LATENT_SIZES):
    report.check(f"6{claim_id}", f"The autoencoder regenerates the lines from a latent of size {latent_dim}",
                 f"MSE on slopes 0.1..1.0, latent {latent_dim}", results[latent_dim]["mse"],
                 "<", FIT_MSE)
report.check("6d", "One latent value is enough: it encodes the slope ('our' linear model)",
             "|Spearman rho| of latent and slope, latent 1", abs(common.spearman(z, slopes_train)),
             ">", ORDERED)
ends = ", ".join(f"latent {d}: {results[d]['predicted'][-1, -1]:.2f}" for d in LATENT_SIZES)
report.note(f"The line with slope 1.0 ends at 1.0; its reconstruction ends at {ends} "
            f"(after {rounds * epochs_per_round} full-batch updates).")
report.write()
