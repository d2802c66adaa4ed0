"""Issue 18's layers, losses and metrics against Keras 3 on the same weights and data, float32.

losses:    binary, categorical and sparse categorical cross-entropy, from logits and from
           probabilities (some clipped), with label smoothing and masks: the value and,
           through torch autograd, the gradient.
predict:   Embedding(mask_zero) and Masking before LSTM / GRU / SimpleRNN (masked steps
           in front, in the middle and at the end, a row masked everywhere),
           Bidirectional in every merge mode, TimeDistributed(Dense), Dropout and the
           recurrent dropouts at inference: to 1e-5.
fit:       two epochs, shuffle=False, softmax and sigmoid outputs with their
           cross-entropies and "accuracy": the same loss and accuracy history and the
           same weights, to 1e-4; dropout at rate 0 too.
dropout:   at rate > 0 Keras' masks cannot be drawn alike, so the masks tinylstm draws are
           handed to Keras' cell (it reuses a mask it already holds): the same outputs and
           gradients; and training really drops.
stateful:  predict twice carries the state as Keras does; reset_state() forgets it.
"""
import zlib

import numpy as np
import pytest

pytest.importorskip("torch", reason="torch (Keras' backend here) is not installed: "
                    "pip install -e .[crosscheck]")
keras = pytest.importorskip("keras", reason="keras 3 is not installed: pip install -e .[crosscheck]")
import torch  # noqa: E402

import tinylstm  # noqa: E402
from tinylstm import interop, losses  # noqa: E402
from tinylstm.gradcheck import relative_error  # noqa: E402
from tinylstm.layers.recurrent import DropoutMasks  # noqa: E402

from peer_models import assert_weights_trained_alike, random_weights, twin_models  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"),
    pytest.mark.usefixtures("keras_float32"),
]

B, T, V, E, H, K = 5, 6, 7, 3, 4, 5     # batch, steps, vocabulary, embedding, units, classes
FORWARD_RTOL, TRAINING_RTOL = 1e-5, 1e-4
RECURRENT = ("LSTM", "GRU", "SimpleRNN")


def padded_ids(rng, n=B):
    """(n, T) ids in [1, V) with zeros (padding): at the front of row 0, in the middle of
    row 1, at the end of row 2, everywhere in row 3."""
    ids = rng.integers(1, V, (n, T))
    ids[0, :2] = 0
    ids[1, 2:4] = 0
    ids[2, 3:] = 0
    ids[3] = 0
    return ids.astype(np.int32)


def padded_sequences(rng, n=B):
    """(n, T, 2) floats, with steps that are all 0 (masked by Masking) in the same places."""
    x = rng.uniform(-1, 1, (n, T, 2)).astype(np.float32)
    x[padded_ids(rng, n) == 0] = 0.0
    return x


def rnn(lib, kind, **options):
    return getattr(lib.layers, kind)(H, **options)


# -- the models ---------------------------------------------------------------------------
def embedding_rnn(kind, return_sequences):
    def build(lib):
        x = lib.Input((T,))
        y = lib.layers.Embedding(V, E, mask_zero=True)(x)
        y = rnn(lib, kind, return_sequences=return_sequences)(y)
        return lib.Model(x, lib.layers.Dense(K, activation="softmax")(y))
    return build


def masking_stack(kind):
    """Masking -> rnn (sequences) -> rnn (last) -> Dense: the mask reaches both."""
    def build(lib):
        x = lib.Input((T, 2))
        y = lib.layers.Masking(0.0)(x)
        y = rnn(lib, kind, return_sequences=True)(y)
        y = rnn(lib, kind)(y)
        return lib.Model(x, lib.layers.Dense(1)(y))
    return build


def masking_dense(lib):
    """Masking(-1) -> Dense per step: a masked step's features become 0 before the Dense."""
    x = lib.Input((T, 2))
    return lib.Model(x, lib.layers.Dense(2)(lib.layers.Masking(-1.0)(x)))


def bidirectional(merge_mode, return_sequences, masked):
    def build(lib):
        x = lib.Input((T, 2))
        y = lib.layers.Masking(0.0)(x) if masked else x
        y = lib.layers.Bidirectional(lib.layers.LSTM(H, return_sequences=return_sequences),
                                     merge_mode=merge_mode)(y)
        if merge_mode is None:
            return lib.Model(x, y)
        return lib.Model(x, lib.layers.Dense(2)(y))
    return build


def time_distributed(lib):
    x = lib.Input((T, 2))
    y = lib.layers.LSTM(H, return_sequences=True)(x)
    return lib.Model(x, lib.layers.TimeDistributed(lib.layers.Dense(K, activation="sigmoid"))(y))


def dropouts(lib):
    """Every kind of dropout; at inference all of them do nothing."""
    x = lib.Input((T, 2))
    y = lib.layers.LSTM(H, dropout=0.5, recurrent_dropout=0.5, return_sequences=True)(x)
    y = lib.layers.Dropout(0.5)(y)
    y = lib.layers.GRU(H, dropout=0.3, return_sequences=True)(y)
    y = lib.layers.SimpleRNN(H, recurrent_dropout=0.4)(y)
    return lib.Model(x, lib.layers.Dense(1)(y))


PREDICT_CASES = {
    **{f"embedding-{k}-{'seq' if s else 'last'}": (embedding_rnn(k, s), "ids")
       for k in RECURRENT for s in (True, False)},
    **{f"masking-{k}": (masking_stack(k), "floats") for k in RECURRENT},
    **{f"bidirectional-{m}-{'seq' if s else 'last'}-{'masked' if masked else 'plain'}":
       (bidirectional(m, s, masked), "floats")
       for m in ("concat", "sum", "mul", "ave", None) for s in (True, False)
       for masked in (True, False)},
    "masking-dense": (masking_dense, "padded with -1"),
    "time_distributed": (time_distributed, "floats"),
    "dropouts_at_inference": (dropouts, "floats"),
}


def inputs_for(kind, rng):
    if kind == "ids":
        return padded_ids(rng)
    x = padded_sequences(rng)
    if kind == "padded with -1":
        x[np.all(x == 0, axis=-1)] = -1.0
    return x


@pytest.mark.parametrize("name", list(PREDICT_CASES))
def test_predict_matches_keras(name, float32):
    build, kind = PREDICT_CASES[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    keras_model, tiny_model = twin_models(build, rng)
    x = inputs_for(kind, rng)
    expected = keras_model.predict(x, verbose=0)
    got = tiny_model.predict(x, verbose=0)
    expected, got = (expected, got) if isinstance(got, list) else ([expected], [got])
    for e, g in zip(expected, got):
        assert g.dtype == np.float32 and g.shape == e.shape
        assert np.ptp(e) > 1e-2, "outputs nearly constant: the comparison would prove little"
        err = relative_error(g, e)
        assert err < FORWARD_RTOL, f"{name}: predict differs from Keras by {err:.2e}"


def test_a_mask_changes_the_outputs(float32):
    """The masked cases above would prove little if masking changed nothing."""
    rng = np.random.default_rng(0)
    _, masked = twin_models(embedding_rnn("LSTM", True), rng)
    plain = embedding_rnn("LSTM", True)(tinylstm)
    plain.layers[1].mask_zero = False
    plain.set_weights(masked.get_weights())
    x = padded_ids(rng)
    assert np.abs(masked.predict(x, verbose=0) - plain.predict(x, verbose=0)).max() > 1e-2


# -- training --------------------------------------------------------------------------
def classifier(output):
    """Embedding(mask_zero) -> LSTM -> Dense, with the output and loss ``output`` names:
    "sparse" (softmax over K, per step), "categorical" (softmax, last step, one-hot targets),
    "binary" (sigmoid, per step), "logits" (no activation, sparse from_logits)."""
    def build(lib):
        x = lib.Input((T,))
        y = lib.layers.Embedding(V, E, mask_zero=True)(x)
        last = output == "categorical"
        y = lib.layers.LSTM(H, return_sequences=not last)(y)
        y = lib.layers.Dropout(0.0)(y)
        if output == "binary":
            return lib.Model(x, lib.layers.Dense(1, activation="sigmoid")(y))
        activation = None if output == "logits" else "softmax"
        return lib.Model(x, lib.layers.Dense(K, activation=activation)(y))
    return build


def targets(output, rng):
    if output == "categorical":
        return np.eye(K, dtype=np.float32)[rng.integers(0, K, B + 6)]
    if output == "binary":
        return rng.integers(0, 2, (B + 6, T, 1)).astype(np.float32)
    return rng.integers(0, K, (B + 6, T)).astype(np.int32)


def loss_for(lib, output):
    if output == "logits":
        return lib.losses.SparseCategoricalCrossentropy(from_logits=True)
    return {"sparse": "sparse_categorical_crossentropy", "categorical": "categorical_crossentropy",
            "binary": "binary_crossentropy"}[output]


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("output", ["sparse", "categorical", "binary", "logits"])
def test_fit_matches_keras(output, optimizer, float32):
    """11 samples in batches of 4 (4, 4, 3): masked steps, a partial batch, "accuracy"."""
    rng = np.random.default_rng([7, len(output)])
    keras_model, tiny_model = twin_models(classifier(output), rng)
    x = padded_ids(rng, B + 6)
    y = targets(output, rng)
    w0 = tiny_model.get_weights()
    histories = []
    for model, lib in ((keras_model, keras), (tiny_model, tinylstm)):
        model.compile(optimizer=optimizer, loss=loss_for(lib, output), metrics=["accuracy"])
        histories.append(model.fit(x, y, batch_size=4, epochs=2, shuffle=False,
                                   verbose=0).history)
    expected, got = histories
    assert set(got) == set(expected) == {"loss", "accuracy"}
    for key in expected:
        err = max(abs(a - b) / max(abs(b), 1e-3) for a, b in zip(got[key], expected[key]))
        assert err < TRAINING_RTOL, f"{output}, {optimizer}: {key} {got[key]} vs Keras' {expected[key]}"
    assert_weights_trained_alike(keras_model, tiny_model, w0, TRAINING_RTOL, f"{output}, {optimizer}")


def tagger(lib):
    """Masking -> Bidirectional(GRU, sequences) -> TimeDistributed(Dense(K, softmax)), per step."""
    x = lib.Input((T, 2))
    y = lib.layers.Bidirectional(lib.layers.GRU(H, return_sequences=True), merge_mode="ave")(
        lib.layers.Masking(0.0)(x))
    return lib.Model(x, lib.layers.TimeDistributed(lib.layers.Dense(K, activation="softmax"))(y))


def stateful_regressor(lib):
    """A stateful LSTM on batches of 4: the state flows from batch to batch and epoch to epoch.
    Keras' own LSTM loop on torch (use_cudnn=False): its fused CPU path cannot train a stateful
    layer, it writes the kept state in place before autograd reads it (the bug of Keras
    issues 20875 and 23462, fixed in 3.15 for the step loop and the cuDNN kernel only)."""
    x = lib.Input(batch_shape=(4, T, 2))
    fused = {"use_cudnn": False} if lib is keras else {}
    y = lib.layers.LSTM(H, stateful=True, return_sequences=True, **fused)(x)
    return lib.Model(x, lib.layers.Dense(1)(lib.layers.LSTM(H)(y)))


@pytest.mark.parametrize("name", ["tagger", "stateful"])
def test_fit_of_wrappers_and_state_matches_keras(name, float32):
    rng = np.random.default_rng(17)
    keras_model, tiny_model = twin_models(tagger if name == "tagger" else stateful_regressor, rng)
    if name == "tagger":
        x, y = padded_sequences(rng, 11), np.eye(K, dtype=np.float32)[rng.integers(0, K, (11, T))]
        args = dict(loss="categorical_crossentropy", metrics=["accuracy"])
        batch_size = 4
    else:
        x, y = rng.uniform(-1, 1, (12, T, 2)).astype(np.float32), rng.uniform(-1, 1, (12, 1))
        args, batch_size = dict(loss="mse"), 4
    histories = []
    for model in (keras_model, tiny_model):
        model.compile(optimizer="adam", **args)
        histories.append(model.fit(x, y.astype(np.float32), batch_size=batch_size, epochs=2,
                                   shuffle=False, verbose=0).history)
    expected, got = histories
    assert set(got) == set(expected)
    for key in expected:
        np.testing.assert_allclose(got[key], expected[key], rtol=TRAINING_RTOL, err_msg=key)
    for path, a, b in zip([w.path for w in keras_model.weights], tiny_model.get_weights(),
                          keras_model.get_weights()):
        assert relative_error(a, b) < TRAINING_RTOL, f"{name}: weight {path}"
    if name == "stateful":                    # the kept state after training, too
        kept = [keras.ops.convert_to_numpy(v.value) for v in keras_model.layers[1].states]
        for a, b in zip(tiny_model.layers[1].states, kept):
            assert relative_error(a, b) < TRAINING_RTOL and np.abs(a).max() > 1e-2


def test_dropout_at_rate_zero_trains_as_keras(float32):
    def build(lib):
        x = lib.Input((T, 2))
        y = lib.layers.LSTM(H, dropout=0.0, recurrent_dropout=0.0, return_sequences=True)(x)
        y = lib.layers.Dropout(0.0)(y)
        y = lib.layers.GRU(H, dropout=0.0, recurrent_dropout=0.0)(y)
        return lib.Model(x, lib.layers.Dense(1)(y))
    rng = np.random.default_rng(3)
    keras_model, tiny_model = twin_models(build, rng)
    x, y = padded_sequences(rng, 11), rng.uniform(-1, 1, (11, 1)).astype(np.float32)
    for model in (keras_model, tiny_model):
        model.compile(optimizer="rmsprop", loss="mse")
    expected = keras_model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    got = tiny_model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0).history
    np.testing.assert_allclose(got["loss"], expected["loss"], rtol=TRAINING_RTOL)
    for a, b in zip(tiny_model.get_weights(), keras_model.get_weights()):
        assert relative_error(a, b) < TRAINING_RTOL


# -- dropout at rate > 0: the same masks in both ------------------------------------------
DROPOUT_CASES = [("LSTM", 0.3, 0.0), ("LSTM", 0.3, 0.4), ("LSTM", 0.0, 0.4),
                 ("GRU", 0.3, 0.0), ("GRU", 0.3, 0.4), ("SimpleRNN", 0.3, 0.4)]


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("kind,dropout,recurrent_dropout", DROPOUT_CASES)
def test_training_with_the_same_dropout_masks_matches_keras(kind, dropout, recurrent_dropout,
                                                            masked):
    """tinylstm draws its masks; Keras' cell is given them (it keeps a mask it holds for the
    whole call). Outputs of a training call, and the gradients of sum(out * R) wrt every
    weight and the input, from torch autograd through Keras."""
    rng = np.random.default_rng(len(kind) + int(10 * recurrent_dropout))
    k_layer = getattr(keras.layers, kind)(H, dropout=dropout, recurrent_dropout=recurrent_dropout,
                                           return_sequences=True)
    t_layer = getattr(tinylstm.layers, kind)(H, dropout=dropout, recurrent_dropout=recurrent_dropout,
                                              return_sequences=True, seed=5, dtype="float64")
    k_layer.build((None, T, 2))
    t_layer.build((None, T, 2))
    weights = random_weights([w.shape for w in k_layer.get_weights()], rng)
    k_layer.set_weights(weights)
    t_layer.set_weights(weights)
    x = padded_sequences(rng)
    mask = np.any(x != 0, axis=-1) if masked else None

    drop = t_layer.draw_dropout_masks(B, 2, np.float32)
    t_layer.draw_dropout_masks = lambda *args: drop
    cell = k_layer.cell
    if drop.x is not None:                      # one input mask (B, D)
        cell._dropout_mask = torch.tensor(drop.x)
    elif drop.x_gates is not None:              # one per gate
        cell._dropout_mask = [torch.tensor(m) for m in drop.x_gates]
    if drop.h_gates is not None:
        h_masks = [torch.tensor(m) for m in drop.h_gates]
        cell._recurrent_dropout_mask = h_masks[0] if kind == "SimpleRNN" else h_masks
    xt = torch.tensor(x, requires_grad=True)
    out = k_layer(xt, training=True, mask=None if mask is None else torch.tensor(mask))
    R = rng.standard_normal(tuple(out.shape))
    (out * torch.tensor(R, dtype=torch.float32)).sum().backward()

    got, cache = t_layer.forward(x.astype(np.float64), training=True, mask=mask)
    t_layer.zero_grads()
    dx = t_layer.backward(R, cache)
    assert relative_error(got, out.detach().numpy()) < FORWARD_RTOL
    plain, _ = t_layer.forward(x.astype(np.float64), training=False, mask=mask)
    assert np.abs(got - plain).max() > 1e-2, "the dropout masks changed nothing"
    theirs = [w.value.grad.numpy() for w in k_layer.weights] + [xt.grad.numpy()]
    ours = list(t_layer.grads.values()) + [dx]
    for name, a, b in zip(list(t_layer.params) + ["x"], ours, theirs):
        assert relative_error(a, b) < 5e-5, f"{kind}: d{name} differs from Keras'"


def test_dropout_really_drops_while_training_only(float32):
    """Dropout(0.5): about half the entries are 0 in training, the rest doubled; none at
    inference. An LSTM's dropout changes its training output and not its inference output."""
    layer = tinylstm.layers.Dropout(0.5, seed=0)
    x = np.ones((200, 50), np.float32)
    y = layer(x, training=True)
    assert 0.45 < (y == 0).mean() < 0.55 and set(np.unique(y)) == {0.0, 2.0}
    np.testing.assert_array_equal(layer(x), x)
    lstm = tinylstm.layers.LSTM(H, dropout=0.5, recurrent_dropout=0.5, seed=0)
    x = np.random.default_rng(0).uniform(-1, 1, (B, T, 2)).astype(np.float32)
    np.testing.assert_array_equal(lstm(x), lstm(x))
    assert np.abs(lstm(x, training=True) - lstm(x)).max() > 1e-2


# -- stateful ------------------------------------------------------------------------
@pytest.mark.parametrize("kind", RECURRENT)
def test_stateful_predict_carries_the_state_as_keras(kind, float32):
    """Two calls on halves of a sequence equal Keras' two calls, and one call on the whole
    sequence; after reset_state() the second half starts from zero again, in both."""
    def build(lib):
        x = lib.Input(batch_shape=(B, None, 2))
        y = rnn(lib, kind, stateful=True, return_sequences=True)(x)
        return lib.Model(x, lib.layers.Dense(1)(y))
    rng = np.random.default_rng(11)
    keras_model, tiny_model = twin_models(build, rng)
    x = rng.uniform(-1, 1, (B, 2 * T, 2)).astype(np.float32)
    halves = [x[:, :T], x[:, T:]]
    for model in (keras_model, tiny_model):
        model.layers[1].reset_state()
    expected = [keras_model.predict(h, batch_size=B, verbose=0) for h in halves]
    got = [tiny_model.predict(h, batch_size=B, verbose=0) for h in halves]
    for e, g in zip(expected, got):
        assert relative_error(g, e) < FORWARD_RTOL
    tiny_model.layers[1].reset_state()
    whole = tiny_model.predict(x, batch_size=B, verbose=0)
    assert relative_error(np.concatenate(got, axis=1), whole) < FORWARD_RTOL
    for model in (keras_model, tiny_model):
        model.layers[1].reset_states()
    again_keras = keras_model.predict(halves[1], batch_size=B, verbose=0)
    again = tiny_model.predict(halves[1], batch_size=B, verbose=0)
    assert relative_error(again, again_keras) < FORWARD_RTOL
    assert np.abs(again - got[1]).max() > 1e-3, "the carried state changed nothing"


# -- the losses alone ---------------------------------------------------------------------
def probabilities(rng, shape, clipped):
    """Probabilities on the last axis; ``clipped``: some below 1e-7 and some above 1 - 1e-7."""
    p = rng.dirichlet(np.ones(shape[-1]), shape[:-1]).astype(np.float32)
    if clipped:
        p.reshape(-1, shape[-1])[0] = [1.0] + [0.0] * (shape[-1] - 1)
        p.reshape(-1, shape[-1])[1, 0] = 1e-9
    return p


LOSS_CASES = [
    ("BinaryCrossentropy", {}, "binary"), ("BinaryCrossentropy", {"from_logits": True}, "binary"),
    ("BinaryCrossentropy", {"label_smoothing": 0.2}, "binary"),
    ("CategoricalCrossentropy", {}, "onehot"),
    ("CategoricalCrossentropy", {"from_logits": True}, "onehot"),
    ("CategoricalCrossentropy", {"label_smoothing": 0.1}, "onehot"),
    ("SparseCategoricalCrossentropy", {}, "ids"),
    ("SparseCategoricalCrossentropy", {"from_logits": True}, "ids"),
]


@pytest.mark.parametrize("clipped", [False, True])
@pytest.mark.parametrize("shape,masked", [((B, K), False), ((B, T, K), False), ((B, T, K), True)])
@pytest.mark.parametrize("name,options,target", LOSS_CASES,
                         ids=[f"{n}-{o}" for n, o, _ in LOSS_CASES])
def test_loss_and_its_gradient_match_keras(name, options, target, shape, masked, clipped):
    """The value and dL/dy_pred (torch autograd through Keras' loss), float32; a mask is
    per step, (B, T)."""
    rng = np.random.default_rng(3)
    logits = options.get("from_logits", False)
    y_pred = (rng.normal(0, 3, shape).astype(np.float32) if logits
              else probabilities(rng, shape, clipped))
    if target == "binary":
        y_true = rng.integers(0, 2, shape).astype(np.float32)
    elif target == "onehot":
        y_true = np.eye(K, dtype=np.float32)[rng.integers(0, K, shape[:-1])]
    else:
        y_true = rng.integers(0, K, shape[:-1]).astype(np.int32)
    mask = rng.random(shape[:-1]) < 0.6 if masked else None

    pred = torch.tensor(y_pred, requires_grad=True)
    if mask is not None:
        keras.src.backend.set_keras_mask(pred, torch.tensor(mask))
    expected = getattr(keras.losses, name)(**options)(torch.tensor(y_true), pred)
    expected.backward()
    expected = expected.item()
    ours = getattr(losses, name)(**options)
    assert abs(ours(y_true, y_pred, mask) - expected) < 1e-6 * max(1.0, abs(expected))
    grad = ours.grad(y_true, y_pred, mask)
    assert grad.dtype == np.float32
    assert relative_error(grad, pred.grad.numpy()) < 1e-5
    if clipped and not logits:
        assert (grad == 0).any(), "the clipped entries should have no gradient"


# -- configs and .keras files of the new layers ------------------------------------------------
def new_layers(lib):
    """Each new layer with arguments off their defaults, built the same way in both libraries."""
    L = lib.layers
    return {
        "Embedding": L.Embedding(10, 3, embeddings_initializer="glorot_uniform", mask_zero=True,
                                 name="emb"),
        "Masking": L.Masking(-1.0, name="msk"),
        "Dropout": L.Dropout(0.3, noise_shape=(None, 1, 4), seed=2, name="drop"),
        "TimeDistributed": L.TimeDistributed(L.Dense(3, activation="relu", name="inner"),
                                             name="td"),
        "Bidirectional": L.Bidirectional(L.GRU(3, return_sequences=True, dropout=0.2, seed=1,
                                               name="gru"), merge_mode="mul", name="bi"),
        "LSTM": L.LSTM(2, dropout=0.1, recurrent_dropout=0.3, seed=5, stateful=True, name="st"),
    }


@pytest.mark.parametrize("name", list(new_layers(tinylstm)))
def test_new_layer_configs_are_keras_configs(name):
    from test_keras_files import assert_keras_config, without_ids
    theirs = without_ids(new_layers(keras)[name].get_config())
    ours = new_layers(tinylstm)[name].get_config()
    assert_keras_config(ours, theirs, name)
    assert getattr(tinylstm.layers, name).from_config(theirs).get_config() == ours


def text_model(lib):
    x = lib.Input((T,))
    y = lib.layers.Embedding(V, E, mask_zero=True)(x)
    y = lib.layers.Bidirectional(lib.layers.LSTM(H, return_sequences=True), merge_mode="concat")(y)
    y = lib.layers.Dropout(0.2)(y)
    return lib.Model(x, lib.layers.TimeDistributed(lib.layers.Dense(K, activation="softmax"))(y))


def masked_regressor(lib):
    x = lib.Input((T, 2))
    y = lib.layers.LSTM(H, return_sequences=True)(lib.layers.Masking(0.0)(x))
    return lib.Model(x, lib.layers.Dense(1)(lib.layers.GRU(H)(y)))


FILE_MODELS = {"text_model": (text_model, "ids"), "masked_regressor": (masked_regressor, "floats")}


def through_a_file(direction, keras_model, tiny_model, tmp_path):
    """(keras_model, tiny_model) with one of them replaced by the other saved to a .keras
    file and loaded back: tinylstm's model into Keras, or Keras' into tinylstm."""
    path = tmp_path / "m.keras"
    if direction == "tinylstm to keras":
        interop.save_keras(tiny_model, path)
        return keras.models.load_model(path), tiny_model
    keras_model.save(path)
    return keras_model, interop.load_keras(path)


@pytest.mark.parametrize("direction", ["tinylstm to keras", "keras to tinylstm"])
@pytest.mark.parametrize("name", list(FILE_MODELS))
def test_keras_files_of_the_new_layers_both_ways(tmp_path, name, direction, float32):
    """Functional models with masks: Keras writes the mask ops (NotEqual, Any) as nodes of
    their own and passes their output as `mask`; tinylstm reads past them."""
    pytest.importorskip("h5py", reason='Keras files need h5py: pip install -e ".[keras-files]"')
    build, kind = FILE_MODELS[name]
    rng = np.random.default_rng(23)
    keras_model, tiny_model = twin_models(build, rng)
    keras_model, tiny_model = through_a_file(direction, keras_model, tiny_model, tmp_path)
    x = inputs_for(kind, rng)
    expected, got = keras_model.predict(x, verbose=0), tiny_model.predict(x, verbose=0)
    assert np.ptp(expected) > 1e-2
    assert relative_error(got, expected) < FORWARD_RTOL


def test_a_keras_mask_tinylstm_would_not_compute_is_refused(tmp_path):
    """A mask made by hand (an op on the input, given to an LSTM) has no Embedding or Masking
    behind it: dropping it would load a different model, so the file is refused."""
    pytest.importorskip("h5py", reason='Keras files need h5py: pip install -e ".[keras-files]"')
    x = keras.Input((T, 2))
    mask = keras.ops.any(keras.ops.not_equal(x, 0.0), axis=-1)
    model = keras.Model(x, keras.layers.LSTM(H)(x, mask=mask))
    model.save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="a mask that tinylstm would not compute"):
        interop.load_keras(tmp_path / "m.keras")


@pytest.mark.parametrize("direction", ["tinylstm to keras", "keras to tinylstm"])
def test_a_cross_entropy_with_options_survives_a_keras_file(tmp_path, direction, float32):
    """from_logits and label_smoothing are kept in compile_config, both ways: the reloaded
    model trains on as the saved one would have."""
    pytest.importorskip("h5py", reason='Keras files need h5py: pip install -e ".[keras-files]"')
    rng = np.random.default_rng(31)
    keras_model, tiny_model = twin_models(classifier("categorical"), rng)
    tiny_model.layers[-1].activation = "linear"                 # logits out: from_logits=True
    keras_model.layers[-1].activation = keras.activations.linear
    for model, lib in ((keras_model, keras), (tiny_model, tinylstm)):
        model.compile("sgd", lib.losses.CategoricalCrossentropy(from_logits=True,
                                                               label_smoothing=0.2))
    x, y = padded_ids(rng, 8), targets("categorical", rng)[:8]
    keras_model, tiny_model = through_a_file(direction, keras_model, tiny_model, tmp_path)
    loss = (tiny_model if direction == "keras to tinylstm" else keras_model).loss
    assert loss.from_logits is True and loss.label_smoothing == pytest.approx(0.2)
    expected = keras_model.evaluate(x, y, verbose=0)
    assert abs(tiny_model.evaluate(x, y, verbose=0) - expected) < 1e-5 * abs(expected)
