"""Sequence to vector: the amplitude of a sine.

The post: "The lstm gets a sine and is supervised with the sine's amplitude." The
training amplitudes are at most 0.5; the validation set has amplitudes greater than
0.5, "this explains the divergence starting from 0.5 in this plot. Dotted curves are
with amplitude from lstm, solid curves groundtruth."

As in the post: a seq2vec LSTM reads a sine and is supervised with its amplitude, the
training amplitudes at most 0.5, the validation amplitudes above; mean squared error and
RMSprop, the post's choice throughout. The post's claim is the divergence past 0.5 (4b);
4c, that it keeps growing, is ours. The post gives no sizes or budget; ours: T = 50,
the sines a sin(3 pi x) of experiment 3, 500 training amplitudes a ~ U(0, 0.5], an
LSTM(32) and a Dense(1), batches of 32, 30 epochs. Measured on held-out amplitudes inside
the training range and on validation amplitudes in (0.5, 1.0]. The control of the
divergence is the same net trained on amplitudes up to 1.0: it must not diverge past 0.5.
"""
import common  # first: puts the checkout on sys.path, matplotlib on Agg

import numpy as np

from tinylstm.layers import Dense
from tinylstm.models import Sequential
from tinylstm.utils import set_random_seed

plt = common.plt

T = 50
FREQUENCY = 1.5                  # the sines: a sin(2 pi FREQUENCY x)
N_TRAIN, N_TEST = 500, 100
MAX_TRAIN_AMPLITUDE = 0.5
MAX_VAL_AMPLITUDE = 1.0
BATCH_SIZE = 32
EPOCHS, QUICK_EPOCHS = 30, 2
IN_RANGE_MAE = 0.02              # "learns the amplitude": within 0.02 of it on average (4 % of 0.5)
DIVERGENCE = 3.0                 # "divergence starting from 0.5": MAE above 0.5 / MAE inside, over this
GROWS = 0.8                      # (ours) the error keeps growing past 0.5: Spearman rho above this

args = common.parse_args(__doc__)
set_random_seed(args.seed)
LSTM, rmsprop = common.keras_defaults(args)
epochs = QUICK_EPOCHS if args.quick else EPOCHS
report = common.Report(4, "Sequence to vector: the amplitude of a sine", __doc__, args)

# -- data ---------------------------------------------------------------------------
x = np.linspace(0, 1, T)
wave = np.sin(2 * np.pi * FREQUENCY * x)                       # (T,)


def sines(amplitudes):
    return (amplitudes[:, None] * wave).reshape(-1, T, 1)     # (n, T, 1)


a_train = np.random.uniform(0, MAX_TRAIN_AMPLITUDE, N_TRAIN)
a_test = np.random.uniform(0, MAX_TRAIN_AMPLITUDE, N_TEST)                 # held out, inside
a_val = np.random.uniform(MAX_TRAIN_AMPLITUDE, MAX_VAL_AMPLITUDE, N_TEST)  # outside
a_wide = np.random.uniform(0, MAX_VAL_AMPLITUDE, N_TRAIN)                  # the control's training set


# -- the model ----------------------------------------------------------------------
def trained(amplitudes, label):
    model = Sequential()
    model.add(LSTM(32, input_shape=(T, 1)))
    model.add(Dense(1))
    model.compile(loss='mean_squared_error', optimizer=rmsprop())
    model.fit(sines(amplitudes), amplitudes.reshape(-1, 1), epochs=epochs, batch_size=BATCH_SIZE,
              shuffle=True, verbose=0, callbacks=[report.progress(label, epochs)])
    return model


def errors(model):
    """MAE inside and outside the training range, and the Spearman rho of |error| past 0.5."""
    p_test = model.predict(sines(a_test), verbose=0)[:, 0]
    p_val = model.predict(sines(a_val), verbose=0)[:, 0]
    mae_in = float(np.mean(np.abs(p_test - a_test)))
    mae_out = float(np.mean(np.abs(p_val - a_val)))
    return {"p_test": p_test, "p_val": p_val, "mae_in": mae_in, "mae_out": mae_out,
            "divergence": mae_out / mae_in, "grows": common.spearman(a_val, np.abs(p_val - a_val))}


model = trained(a_train, "amplitudes <= 0.5")
r = errors(model)
wide = errors(trained(a_wide, "control, amplitudes <= 1.0"))
mean_guess_mae = float(np.mean(np.abs(a_train.mean() - a_test)))    # 4a's control
grid = np.linspace(0.02, MAX_VAL_AMPLITUDE, 50)
p_grid = model.predict(sines(grid), verbose=0)[:, 0]
p_test, p_val = r["p_test"], r["p_val"]
report.numbers.update({"mae_amplitude_le_0.5": r["mae_in"], "mae_amplitude_gt_0.5": r["mae_out"],
                       "mean_guess_mae_le_0.5": mean_guess_mae,
                       "control_trained_to_1.0": {k: wide[k] for k in ("mae_in", "mae_out", "divergence",
                                                                       "grows")},
                       "grid_amplitude": grid, "grid_predicted": p_grid})

# -- figures ------------------------------------------------------------------------
fig, ax = plt.subplots(figsize=(5, 3.4))
for a in a_train[:12]:
    ax.plot(x, a * wave, lw=1)
ax.set_title(f"training sines, amplitude <= {MAX_TRAIN_AMPLITUDE}", fontsize=10)
ax.set_xlabel("x")
ax.set_ylabel("y")
fig.tight_layout()
report.savefig(fig, "training_sines", f"Twelve of the {N_TRAIN} training sines a sin(3 pi x), a <= 0.5.")

fig, ax = plt.subplots(figsize=(6.5, 3.4))
for k, a in enumerate(np.linspace(0.55, 1.0, 4)):
    predicted = model.predict(sines(np.array([a])), verbose=0)[0, 0]
    ax.plot(x, a * wave, c=f"C{k}", label=f"a={a:.2f}, lstm: {predicted:.2f}")
    ax.plot(x, predicted * wave, c=f"C{k}", ls=':', lw=2)
ax.set_title("validation sines, amplitude > 0.5", fontsize=10)
ax.set_xlabel("x")
ax.set_ylabel("y")
ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
fig.tight_layout()
report.savefig(fig, "validation_sines", "The post's plot: validation sines (solid) and the sine with "
               "the amplitude the LSTM gives (dotted, same colour).")

fig, ax = plt.subplots(figsize=(6.5, 3.4))
ax.plot(grid, grid, c='k', lw=1, label="truth")
ax.scatter(a_test, p_test, s=8, c='b', label="held out, inside training range")
ax.scatter(a_val, p_val, s=8, c='r', label="validation, above 0.5")
ax.scatter(a_val, wide["p_val"], s=8, c='gray', marker='x', label="control: trained up to 1.0")
ax.axvline(MAX_TRAIN_AMPLITUDE, c='gray', ls=':')
ax.set_xlabel("true amplitude")
ax.set_ylabel("predicted amplitude")
ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
fig.tight_layout()
report.savefig(fig, "prediction_vs_truth", "Predicted against true amplitude, inside the training "
               "range (blue) and above it (red); grey crosses: the same net trained on amplitudes up "
               "to 1.0 (the control). Dotted: the largest training amplitude.")

# -- the claims -----------------------------------------------------------------------
WIDE = "the same net trained on amplitudes up to 1.0"
report.check("4a", "The lstm learns the amplitude of the training sines (<= 0.5)",
             "the amplitude comes back within 0.02 on average (4 % of the largest).",
             "mean absolute error, held-out amplitudes <= 0.5", r["mae_in"], "<", IN_RANGE_MAE,
             ("always guessing the mean training amplitude", mean_guess_mae))
report.check("4b", "Divergence starting from 0.5 (validation amplitudes > 0.5)",
             "past 0.5 the error is over three times the error inside the training range.",
             "MAE above 0.5 / MAE below 0.5", r["divergence"], ">", DIVERGENCE, (WIDE, wide["divergence"]))
report.check("4c", "The error keeps growing past 0.5",
             "the error rises with the amplitude past 0.5: rank correlation above 0.8. Ours, not the "
             "post's: its words are 4b's.",
             "Spearman rho of |error| and amplitude, amplitudes > 0.5", r["grows"], ">", GROWS,
             (WIDE, wide["grows"]), variant=True)
report.note(f"For a sine of amplitude {grid[-1]:.2f} the lstm says {p_grid[-1]:.3f}; "
            f"for {grid[len(grid) // 2 - 1]:.2f} it says {p_grid[len(grid) // 2 - 1]:.3f}.")
report.write()
