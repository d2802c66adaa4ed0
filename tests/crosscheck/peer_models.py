"""The models the cross-checks run, each built the same way in Keras 3 and in tinylstm.

A builder takes ``lib``, the module ``keras`` or ``tinylstm``: both offer
``lib.Input``, ``lib.layers.LSTM / Dense / RepeatVector`` and ``lib.Model``, so
one description gives two models with the same layers, weights in the same order.

Symbols: B batch, T timesteps, D features, H units.
"""
import numpy as np

UNITS = (2, 3, 4, 5)                       # H <= 5 keeps the suite fast
DENSE_ACTIVATIONS = (None, "tanh", "sigmoid", "relu")


def random_stack(seed):
    """A random valid stack: (input shape without B, [layer spec, ...], sequential).

    The input is (T, D) or (D,). An LSTM needs 3-D input, a RepeatVector 2-D; a
    Dense takes either. The stack holds at least one LSTM and ends with a Dense.
    A spec is ("lstm", H, return_sequences), ("repeat", n) or ("dense", K, activation).
    """
    rng = np.random.default_rng(seed)
    T, D = int(rng.integers(2, 7)), int(rng.integers(1, 5))
    ndim = int(rng.choice([2, 3]))
    shape = (T, D) if ndim == 3 else (D,)
    specs, has_lstm = [], False
    while not has_lstm or (len(specs) < 5 and rng.random() < 0.6):
        kinds = ["lstm" if ndim == 3 else "repeat"] + (["dense"] if has_lstm else [])
        kind = rng.choice(kinds)
        if kind == "repeat":
            specs.append(("repeat", int(rng.integers(2, 7))))
            ndim = 3
        elif kind == "lstm":
            return_sequences = bool(rng.random() < 0.5)
            specs.append(("lstm", int(rng.choice(UNITS)), return_sequences))
            ndim, has_lstm = (3 if return_sequences else 2), True
        else:
            specs.append(("dense", int(rng.choice(UNITS)), rng.choice(DENSE_ACTIVATIONS)))
    specs.append(("dense", int(rng.choice(UNITS)), None))
    return shape, specs, bool(rng.random() < 0.5)


def build_stack(lib, shape, specs, sequential):
    """``random_stack``'s description as a ``Sequential`` or a functional ``Model``."""
    layers = []
    for kind, *args in specs:
        if kind == "lstm":
            layers.append(lib.layers.LSTM(args[0], return_sequences=args[1]))
        elif kind == "repeat":
            layers.append(lib.layers.RepeatVector(args[0]))
        else:
            layers.append(lib.layers.Dense(args[0], activation=args[1]))
    if sequential:
        return lib.Sequential([lib.Input(shape)] + layers)
    x = y = lib.Input(shape)
    for layer in layers:
        y = layer(y)
    return lib.Model(x, y)


def encoder_decoder(lib, T=4, D=3, H=4, T_out=3, K=2):
    """Sequence to sequence: the encoder's final (h, c) is the decoder's initial state;
    the decoder reads the encoding repeated T_out times.

        x (B, T, D) -> LSTM(return_state) -> h_T (B, H), [h_T, c_T]
        h_T -> RepeatVector(T_out) -> LSTM(initial_state=[h_T, c_T], return_sequences)
            -> Dense(K)  (B, T_out, K)
    """
    x = lib.Input((T, D))
    h, h_T, c_T = lib.layers.LSTM(H, return_state=True)(x)
    r = lib.layers.RepeatVector(T_out)(h)
    s = lib.layers.LSTM(H, return_sequences=True)(r, initial_state=[h_T, c_T])
    return lib.Model(x, lib.layers.Dense(K)(s))


def given_state(lib, T=5, D=2, H=3, K=2):
    """An LSTM whose initial state comes in as model inputs:
    [x (B, T, D), h0 (B, H), c0 (B, H)] -> LSTM -> h_T (B, H) -> Dense(K, tanh)."""
    x, h0, c0 = lib.Input((T, D)), lib.Input((H,)), lib.Input((H,))
    h = lib.layers.LSTM(H)(x, initial_state=[h0, c0])
    return lib.Model([x, h0, c0], lib.layers.Dense(K, activation="tanh")(h))


def random_weights(shapes, rng, low=0.1, high=0.6):
    """Arrays with entries of random sign and magnitude in [low, high]: no zero biases,
    no constants, so a swapped gate or a misplaced bias changes the output."""
    return [(rng.uniform(low, high, s) * rng.choice([-1.0, 1.0], s)).astype(np.float32)
            for s in shapes]


def random_inputs(input_shapes, B, rng):
    """One float32 array (B, *shape) per model input, entries in [-1, 1]."""
    return [rng.uniform(-1.0, 1.0, (B,) + tuple(s)).astype(np.float32) for s in input_shapes]


def assert_weights_trained_alike(keras_model, tiny_model, w0, rtol, what):
    """After the same training from the same weights w0: tinylstm's weights moved (else the
    comparison would prove little) and each is within ``rtol`` of Keras', named by its path."""
    from tinylstm.gradcheck import relative_error
    moved = max(relative_error(w, v) for w, v in zip(tiny_model.get_weights(), w0))
    assert moved > 1e-4, f"{what}: training barely changed the weights"
    for path, a, b in zip([w.path for w in keras_model.weights], tiny_model.get_weights(),
                          keras_model.get_weights()):
        err = relative_error(a, b)
        assert err < rtol, f"{what}: weight {path} differs from Keras' by {err:.2e}"


def twin_models(build, rng):
    """Keras' and tinylstm's model from one builder ``build(lib)``, with the same random
    weights (no zero biases). Keras is imported here: only the Keras cross-checks call it."""
    import keras

    import tinylstm
    from tinylstm import interop
    keras_model, tiny_model = build(keras), build(tinylstm)
    keras_model.set_weights(random_weights([w.shape for w in tiny_model.get_weights()], rng))
    interop.from_keras(keras_model, tiny_model)
    return keras_model, tiny_model


def model_inputs(model, B, rng):
    """Random inputs for every input of ``model``: an array, or a list for several."""
    xs = random_inputs([t.shape[1:] for t in model.inputs], B, rng)
    return xs if len(xs) > 1 else xs[0]
