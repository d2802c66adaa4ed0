"""Autoencoder: sines with a small phase displacement through one latent value.

The post: "I feed it a sine with a given phase displacement and it shall reconstruct the
sine with one latent parameter. Which works: [...] Now I interpolate in the linear space
of the latent variable from -1 to -0.5 [...] So by changing the latent value we can
displace the phase of the sine (except for the beginning [...])". The displacement is
at most 0.1 * pi/2; the model is the four-layer ``get_model(latent_dim=1)``, trained
"with default MSE and rmsprop".

Here: T = 100 as in the post, 200 training waves sin(2 pi x + p), p ~ U(0, 0.1 pi/2),
batch size 20 (the post: 1000). Small batches give our short budget 10 times more
updates: in one run with the post's own sizes (1000 waves, batch 1000, 25 x 10 epochs;
set N_TRAIN, BATCH_SIZE and EPOCHS below to repeat it, about a minute) the training
loss after the 250 epochs was still 0.05, the wave itself not yet drawn. We interpolate
the latent over the range the encoder actually produces, decode, and read each decoded
wave's phase by a least-squares fit on x >= 0.2.
"Works" is measured against the mean training wave, which already fits every wave
closely when the phases differ this little: the autoencoder must do better than it.
The post switched to Adam for experiment 9; we run the same model with Adam too (half
the epochs), as a second, clearly labelled row.
"""
import common  # first: keeps BLAS to one thread

import numpy as np

from tinylstm.layers import Input, LSTM, RepeatVector
from tinylstm.models import Model, Sequential
from tinylstm.utils import set_random_seed

plt = common.plt

timesteps = 100                 # as in the post
input_dim = 1
N_TRAIN = 200
MAX_PHASE = 0.1 * np.pi / 2     # "the phase displacement was just 0.1 * pi/2"
BATCH_SIZE = 20
EPOCHS, QUICK_EPOCHS = 200, 2     # rmsprop, the post's optimizer: 2000 updates
ADAM_EPOCHS = 100                 # the Adam variant gets half of that
START = 0.2                     # the beginning is left out of the phase fit
N_INTERPOLATE = 9
WORKS = 0.2                     # MSE (x >= 0.2) / MSE of the mean wave below this
ORDERED = 0.95                  # |Spearman rho| of latent and decoded phase above this
SHIFTS = 0.5                    # decoded phases span at least this fraction of the training range

args = common.parse_args(__doc__)
set_random_seed(args.seed)
epochs = {"rmsprop": QUICK_EPOCHS if args.quick else EPOCHS,
          "adam": QUICK_EPOCHS if args.quick else ADAM_EPOCHS}
report = common.Report(7, "Autoencoder: sines, phase displacement up to 0.1 pi/2, one latent value",
                       __doc__, args)

# -- data ------------------------------------------------------------------------------------
x = np.linspace(0, 1, timesteps)
phases = np.random.uniform(0, MAX_PHASE, N_TRAIN)
x_train = np.sin(2 * np.pi * x + phases[:, None]).reshape(-1, timesteps, input_dim)
rest = x >= START
mean_wave_mse = float(((x_train - x_train.mean(axis=0)) ** 2)[:, rest].mean())


# -- the post's model ------------------------------------------------------------------------
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


def encoder_decoder(model, latent_dim=1):
    """The two halves of a trained get_model, sharing its layers."""
    inputs = Input(shape=(timesteps, input_dim))
    encoder = Model(inputs, model.layers[1](model.layers[0](inputs)))
    encoded_input = Input(shape=(latent_dim,))
    deco = model.layers[2](encoded_input)
    deco = model.layers[3](deco)
    deco = model.layers[4](deco)
    return encoder, Model(encoded_input, deco)


results = {}
for optimizer in ["rmsprop", "adam"]:
    model = get_model(latent_dim=1)
    model.compile(loss='mean_squared_error', optimizer=optimizer)
    model.fit(x_train, x_train, epochs=epochs[optimizer], batch_size=BATCH_SIZE, shuffle=True,
              verbose=0, callbacks=common.progress(epochs[optimizer]))
    encoder, decoder = encoder_decoder(model)

    reconstructed = model.predict(x_train, verbose=0)                       # (N, T, 1)
    mse_rest = float(((reconstructed - x_train) ** 2)[:, rest].mean())
    z = encoder.predict(x_train, verbose=0)[:, 0]                           # (N,)
    z_grid = np.linspace(z.min(), z.max(), N_INTERPOLATE)
    waves = decoder.predict(z_grid.reshape(-1, 1), verbose=0)[..., 0]       # (9, T)
    decoded_phase = np.unwrap(common.sine_phase(x[rest], waves[:, rest], 1.0))
    results[optimizer] = {
        "mse_x_ge_0.2": mse_rest, "relative_to_mean_wave": mse_rest / mean_wave_mse,
        "latent_range": [float(z.min()), float(z.max())], "decoded_phase": decoded_phase,
        "spearman": common.spearman(z_grid, decoded_phase),
        "phase_span": float(np.ptp(decoded_phase) / MAX_PHASE),
        "z": z, "z_grid": z_grid, "waves": waves, "sample": reconstructed[:3, :, 0]}
    report.numbers[optimizer] = {k: v for k, v in results[optimizer].items()
                                 if k not in ("z", "z_grid", "waves", "sample")}
report.numbers["mse_of_the_mean_wave_x_ge_0.2"] = mean_wave_mse

# -- figures: reconstructions, and the decoded waves along the latent --------------------------
fig, axes = plt.subplots(2, 2, figsize=(10, 6.4))
for row, (optimizer, r) in enumerate(results.items()):
    ax = axes[row, 0]
    for k in range(3):
        ax.plot(x, x_train[k, :, 0], c='b', lw=1)
        ax.scatter(x, r["sample"][k], c='r', s=5)
    ax.set_title(f"{optimizer}: training waves (blue) and reconstruction (red)", fontsize=9)
    ax = axes[row, 1]
    colors = plt.cm.viridis(np.linspace(0, 1, N_INTERPOLATE))
    for k, wave in enumerate(r["waves"]):
        ax.plot(x, wave, c=colors[k], lw=1)
    lo, hi = r["latent_range"]
    ax.set_title(f"{optimizer}: decoded, latent {lo:.4f} .. {hi:.4f}; "
                 f"phase span {r['phase_span']:.2f} of the data's", fontsize=9)
    ax.axvspan(0, START, color='gray', alpha=0.15)
for ax in axes[1]:
    ax.set_xlabel("x")
fig.tight_layout()
report.savefig(fig, "sine_autoencoder")

# -- the claims --------------------------------------------------------------------------------
r = results["rmsprop"]
report.check("7a", "The autoencoder reconstructs the sine with one latent parameter: 'Which works'",
             "MSE (x >= 0.2) / MSE of the mean training wave, rmsprop",
             r["relative_to_mean_wave"], "<", WORKS)
report.check("7b", "Interpolating the latent displaces the phase (in order)",
             "|Spearman rho| of interpolated latent and decoded phase, rmsprop",
             abs(r["spearman"]), ">", ORDERED)
report.check("7c", "... over the range of the training phases",
             "range of decoded phases / range of training phases, rmsprop",
             r["phase_span"], ">", SHIFTS)
report.check("7d", "(variant: Adam, as the post uses in experiment 9) the latent displaces the phase",
             "range of decoded phases / range of training phases, adam",
             results["adam"]["phase_span"], ">", SHIFTS)
for optimizer, r in results.items():
    lo, hi = r["latent_range"]
    report.note(f"{optimizer}: the encoder's latent values lie in [{lo:.4f}, {hi:.4f}]; decoding "
                f"across that range moves the phase by {r['phase_span']:.2f} of the training "
                f"range; reconstruction MSE (x >= 0.2) {r['mse_x_ge_0.2']:.2e}, "
                f"against {mean_wave_mse:.2e} for the mean training wave.")
report.write()
