"""Sequence to vector: the amplitude of a sine.

The post: "The lstm gets a sine and is supervised with the sine's amplitude." The
training amplitudes are at most 0.5; the validation set has amplitudes greater than
0.5, "this explains the divergence starting from 0.5 in this plot. Dotted curves are
with amplitude from lstm, solid curves groundtruth."

Here: T = 50, the sines a sin(3 pi x) of experiment 3 with a ~ U(0, 0.5] for training;
an LSTM(32) reads the sequence and a Dense(1) gives the amplitude; mean squared error
and RMSprop as in the post. Measured on held-out amplitudes inside the training range
and on validation amplitudes in (0.5, 1.0].
"""
import common  # first: keeps BLAS to one thread

import numpy as np

from tinylstm.layers import LSTM, Dense
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
IN_RANGE_MAE = 0.02              # inside the training range the amplitude is learned
DIVERGENCE = 3.0                 # MAE above 0.5 / MAE inside, at least this
GROWS = 0.8                      # Spearman rho of |error| against the amplitude, above 0.5

args = common.parse_args(__doc__)
set_random_seed(args.seed)
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
x_train, y_train = sines(a_train), a_train.reshape(-1, 1)

# -- the model ----------------------------------------------------------------------
model = Sequential()
model.add(LSTM(32, input_shape=(T, 1)))
model.add(Dense(1))
model.compile(loss='mean_squared_error', optimizer='rmsprop')
model.fit(x_train, y_train, epochs=epochs, batch_size=BATCH_SIZE, shuffle=True, verbose=0)

p_test = model.predict(sines(a_test), verbose=0)[:, 0]
p_val = model.predict(sines(a_val), verbose=0)[:, 0]
grid = np.linspace(0.02, MAX_VAL_AMPLITUDE, 50)
p_grid = model.predict(sines(grid), verbose=0)[:, 0]
mae_in = float(np.mean(np.abs(p_test - a_test)))
mae_out = float(np.mean(np.abs(p_val - a_val)))
report.numbers.update({"mae_amplitude_le_0.5": mae_in, "mae_amplitude_gt_0.5": mae_out,
                       "grid_amplitude": grid, "grid_predicted": p_grid})

# -- figures ------------------------------------------------------------------------
fig, ax = plt.subplots(figsize=(5, 3.4))
for a in a_train[:12]:
    ax.plot(x, a * wave, lw=1)
ax.set_title(f"training sines, amplitude <= {MAX_TRAIN_AMPLITUDE}")
ax.set_xlabel("x")
fig.tight_layout()
report.savefig(fig, "training_sines")

fig, ax = plt.subplots(figsize=(5, 3.4))
for k, a in enumerate(np.linspace(0.55, 1.0, 4)):
    predicted = model.predict(sines(np.array([a])), verbose=0)[0, 0]
    ax.plot(x, a * wave, c=f"C{k}", label=f"a={a:.2f}, lstm: {predicted:.2f}")
    ax.plot(x, predicted * wave, c=f"C{k}", ls=':', lw=2)
ax.set_title("validation: solid truth, dotted amplitude from lstm", fontsize=10)
ax.set_xlabel("x")
ax.legend(fontsize=7)
fig.tight_layout()
report.savefig(fig, "validation_sines")

fig, ax = plt.subplots(figsize=(5, 3.4))
ax.plot(grid, grid, c='k', lw=1, label="truth")
ax.scatter(a_test, p_test, s=8, c='b', label="held out, inside training range")
ax.scatter(a_val, p_val, s=8, c='r', label="validation, above 0.5")
ax.axvline(MAX_TRAIN_AMPLITUDE, c='gray', ls=':')
ax.set_xlabel("true amplitude")
ax.set_ylabel("predicted amplitude")
ax.legend(fontsize=7)
fig.tight_layout()
report.savefig(fig, "prediction_vs_truth")

# -- the claims -----------------------------------------------------------------------
report.check("4a", "The lstm learns the amplitude of the training sines (<= 0.5)",
             "mean absolute error, held-out amplitudes <= 0.5", mae_in, "<", IN_RANGE_MAE)
report.check("4b", "Divergence starting from 0.5 (validation amplitudes > 0.5)",
             "MAE above 0.5 / MAE below 0.5", mae_out / mae_in, ">", DIVERGENCE)
report.check("4c", "The divergence grows past 0.5",
             "Spearman rho of |error| and amplitude, amplitudes > 0.5",
             common.spearman(a_val, np.abs(p_val - a_val)), ">", GROWS)
report.note(f"For a sine of amplitude {grid[-1]:.2f} the lstm says {p_grid[-1]:.3f}; "
            f"for {grid[len(grid) // 2 - 1]:.2f} it says {p_grid[len(grid) // 2 - 1]:.3f}.")
report.write()
