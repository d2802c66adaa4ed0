"""Sine and cosine: a sequence of zeros should give the cosine, a sequence of ones the sine.

The post: "The same lstm gets as input a lot of zeros if we want an cosine and a lot of
ones if we want the sine: f(0,0,0,0,0,0,0,..) = cos(x) and f(1,1,1,1,1,1,...) = sin(x).
My assumption is that it learns sinus displaced between the phase of sin and cos. What
it did was to learn one perfectly and ignore the other one..."

Here: the post's four-layer ``get_model(latent_dim=1)`` with T = 100, the two input
sequences (all zeros, all ones) as one batch, mean squared error and RMSprop. We
measure the error of each of the two outputs and the phase of each (0 is the sine,
pi/2 the cosine).
"""
import common  # first: keeps BLAS to one thread

import numpy as np

from tinylstm.layers import LSTM, RepeatVector
from tinylstm.models import Sequential
from tinylstm.utils import set_random_seed

plt = common.plt

timesteps = 100                 # as in the post
input_dim = 1
EPOCHS, QUICK_EPOCHS = 2000, 5      # one update per epoch: the batch is the two sequences
PERFECT = 1e-3                      # "learn one perfectly": MSE below this
IGNORED = 0.1                       # "ignore the other one": MSE above this

args = common.parse_args(__doc__)
set_random_seed(args.seed)
epochs = QUICK_EPOCHS if args.quick else EPOCHS
report = common.Report(8, "Zeros give cosine, ones give sine", __doc__, args)

# -- data: f(0, 0, ...) = cos(x), f(1, 1, ...) = sin(x) -------------------------------------
x = np.linspace(0, 1, timesteps)
x_train = np.stack([np.zeros(timesteps), np.ones(timesteps)]).reshape(2, timesteps, input_dim)
y_train = np.stack([np.cos(2 * np.pi * x), np.sin(2 * np.pi * x)]).reshape(2, timesteps, input_dim)
names = ["zeros -> cos", "ones -> sin"]


# -- the post's model --------------------------------------------------------------------------
def get_model(latent_dim=1):
    model = Sequential()
    model.add(LSTM(32, input_shape=(timesteps, input_dim), return_sequences=True))
    model.add(LSTM(latent_dim, return_sequences=False))
    # repeat the latent vector in order to
    # feed it to the next lstm
    model.add(RepeatVector(timesteps))
    model.add(LSTM(32, input_shape=(timesteps, latent_dim), return_sequences=True))
    model.add(LSTM(1, return_sequences=True))
    return model


model = get_model(latent_dim=1)
model.compile(loss='mean_squared_error', optimizer='rmsprop')
history = model.fit(x_train, y_train, epochs=epochs, batch_size=2, shuffle=True, verbose=0,
                    callbacks=common.progress(epochs))

predicted = model.predict(x_train, verbose=0)[..., 0]                       # (2, T)
errors = [common.mse(p, y[:, 0]) for p, y in zip(predicted, y_train)]
phases = common.sine_phase(x, predicted, 1.0)
latent = model.layers[1](model.layers[0](x_train))[:, 0]                    # (2,)
for name, error, phase, z in zip(names, errors, phases, latent):
    report.numbers[name] = {"mse": error, "phase": phase, "latent": z}

# -- figures --------------------------------------------------------------------------------------
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
ax = axes[0]
for k, (name, c) in enumerate(zip(names, "rb")):
    ax.plot(x, y_train[k, :, 0], c=c, lw=1, label=f"target: {name.split()[-1]}")
    ax.scatter(x, predicted[k], c=c, s=8, label=f"output for {name.split()[0]}: MSE {errors[k]:.1e}")
ax.set_xlabel("x")
ax.legend(fontsize=7)
ax.set_title("f(0, 0, ...) and f(1, 1, ...)", fontsize=10)
ax = axes[1]
ax.semilogy(history.history["loss"])
ax.set_xlabel("epoch")
ax.set_ylabel("training MSE (both)")
fig.tight_layout()
report.savefig(fig, "zeros_ones")

# -- the claims -------------------------------------------------------------------------------------
report.check("8a", "It learned one (of cosine and sine) perfectly",
             "the smaller of the two MSEs", min(errors), "<", PERFECT)
report.check("8b", "... and ignored the other one",
             "the larger of the two MSEs", max(errors), ">", IGNORED)
report.note(f"Fitted phase of the output for zeros: {phases[0]:.2f} (the cosine is pi/2 = 1.57); "
            f"for ones: {phases[1]:.2f} (the sine is 0). Latent values: {latent[0]:.3f} and "
            f"{latent[1]:.3f}.")
report.write()
