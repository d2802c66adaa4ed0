"""The parameter count of the post's autoencoder: Total params 8,976.

The post prints the Keras summary of its four-layer model (``get_model(latent_dim=1)``
with timesteps = 100):

    lstm_5 (LSTM)                (None, 100, 32)           4352
    lstm_6 (LSTM)                (None, 1)                 136
    repeat_vector_2 (RepeatVecto (None, 100, 1)            0
    lstm_7 (LSTM)                (None, 100, 32)           4352
    lstm_8 (LSTM)                (None, 100, 1)            136
    Total params: 8,976

An LSTM with D inputs and H units has 4 H (D + H + 1) weights: kernel (D, 4H),
recurrent_kernel (H, 4H) and bias (4H,), one block of H columns per gate (i, f, c, o).
So 4 * 32 * (1 + 32 + 1) = 4352 and 4 * 1 * (32 + 1 + 1) = 136. Nothing is trained: the
claims are arithmetic and have no control. The post's Keras 2 defaults change no shape or
count (``--keras 2`` builds the same model with Keras 2's gates).
"""
import common  # first: puts the checkout on sys.path, matplotlib on Agg

import numpy as np

from tinylstm import layers
from tinylstm.layers import RepeatVector
from tinylstm.models import Sequential

plt = common.plt

timesteps = 100
input_dim = 1
POST_TOTAL = 8976
POST_PER_LAYER = [4352, 136, 0, 4352, 136]
POST_SHAPES = ["(None, 100, 32)", "(None, 1)", "(None, 100, 1)", "(None, 100, 32)", "(None, 100, 1)"]

args = common.parse_args(__doc__)
LSTM, _ = common.keras_defaults(args)
report = common.Report(10, "The post's parameter count", __doc__, args)


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
summary = []
model.summary(print_fn=summary.append)
print("\n".join(summary))

per_layer = [layer.count_params() for layer in model.layers]
shapes, h = [], np.zeros((1, timesteps, input_dim))
for layer in model.layers:                       # run one sequence through, layer by layer
    h = layer(h)
    shapes.append(str((None,) + h.shape[1:]).replace(",)", ")"))
formula = [4 * layer.units * (layer.params["kernel"].shape[0] + layer.units + 1)
           if isinstance(layer, layers.LSTM) else 0 for layer in model.layers]
report.numbers.update({"summary": summary, "per_layer": per_layer, "formula_4H(D+H+1)": formula,
                       "output_shapes": shapes, "total": model.count_params()})

# -- figure: where the parameters are, per layer and weight -------------------------------------
fig, ax = plt.subplots(figsize=(7, 3.4))
names = [f"{layer.name}\n{type(layer).__name__}" for layer in model.layers]
bottom = np.zeros(len(names))
for key, color in [("kernel", "C0"), ("recurrent_kernel", "C1"), ("bias", "C2")]:
    sizes = np.array([layer.params[key].size if key in layer.params else 0 for layer in model.layers])
    ax.bar(names, sizes, bottom=bottom, color=color, label=key)
    bottom += sizes
for k, total in enumerate(per_layer):
    ax.text(k, total, f"{total:,}", ha="center", va="bottom", fontsize=8)
ax.set_ylabel("parameters")
ax.set_ylim(0, 1.15 * max(per_layer))
ax.set_title(f"get_model(latent_dim=1): {model.count_params():,} parameters", fontsize=10)
ax.tick_params(axis="x", labelsize=7)
ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=7)
fig.tight_layout()
report.savefig(fig, "param_count", "The weights of the post's four-layer autoencoder, per layer "
               "and per weight array; the post's summary lists the same counts.")

# -- the claims ------------------------------------------------------------------------------------
ARITHMETIC = (common.ARITHMETIC + ": 4 H (D + H + 1) per LSTM", None)
report.check("10a", "Total params: 8,976", "the same total.", "model.count_params()",
             model.count_params(), "==", POST_TOTAL, ARITHMETIC)
report.check("10b", "Per layer: 4352, 136, 0, 4352, 136", "the same count in every layer.",
             "layers whose count equals the post's (of 5)",
             sum(a == b for a, b in zip(per_layer, POST_PER_LAYER)), "==", len(POST_PER_LAYER), ARITHMETIC)
report.check("10c", "Output shapes (None, 100, 32), (None, 1), (None, 100, 1), ...",
             "the same shape out of every layer.", "layers whose output shape equals the post's (of 5)",
             sum(a == b for a, b in zip(shapes, POST_SHAPES)), "==", len(POST_SHAPES),
             (common.ARITHMETIC + ": shapes follow from units and return_sequences", None))
report.write()
