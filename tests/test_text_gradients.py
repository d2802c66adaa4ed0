"""Float64 gradient checks of issue 18's layers and losses, and of the models they make.

Embedding, Masking, Dropout (fixed masks), TimeDistributed, Bidirectional (every merge
mode, masks, states), the cross-entropies (from logits and from probabilities), and
whole models where a softmax or sigmoid output is differentiated together with its
cross-entropy (``models.FromLogits``). Weights random, biases non-zero.
"""
import numpy as np
import pytest

from tinylstm import gradcheck, losses
from tinylstm.layers import (GRU, LSTM, Bidirectional, Dense, Dropout, Embedding, Input, Masking,
                             SimpleRNN, TimeDistributed)
from tinylstm.models import Model, Sequential

from helpers import TOL, assert_small, randomize

B, T, D, H, V, K = 3, 5, 2, 3, 6, 4
MASK = np.array([[0, 1, 1, 0, 1], [1, 1, 1, 1, 0], [0, 0, 0, 0, 0]], dtype=bool)


def ids(rng):
    """(B, T) ids in [0, V) with repeats (the scatter-add must add) and zeros."""
    x = rng.integers(0, V, (B, T))
    x[0, :2] = x[0, 2]
    return x


def test_embedding(float64, rng):
    layer = Embedding(V, D)
    layer.build((None, T))
    randomize(layer, rng)
    errors = gradcheck.check_layer(layer, ids(rng))
    assert set(errors) == {"embeddings"}          # ids have no gradient
    assert_small(errors)


def test_embedding_adds_the_gradients_of_a_repeated_id(float64, rng):
    layer = Embedding(V, 2)
    layer.build((None, 3))
    _, cache = layer.forward(np.array([[1, 1, 4]]))
    layer.zero_grads()
    layer.backward(np.array([[[1.0, 2.0], [10.0, 20.0], [5.0, 5.0]]]), cache)
    expected = np.zeros((V, 2))
    expected[1], expected[4] = [11.0, 22.0], [5.0, 5.0]
    np.testing.assert_array_equal(layer.grads["embeddings"], expected)


@pytest.mark.parametrize("bad", [-1, V, 1.5])
def test_embedding_refuses_ids_out_of_range(bad):
    layer = Embedding(V, 2)
    with pytest.raises(ValueError, match=rf"whole numbers in \[0, {V}\)"):
        layer(np.array([[0, bad]]))


@pytest.mark.parametrize("mask_value", [0.0, -1.0])
def test_masking(float64, rng, mask_value):
    x = rng.standard_normal((B, T, D))
    x[~MASK] = mask_value
    layer = Masking(mask_value)
    out, _ = layer.forward(x)
    np.testing.assert_array_equal(layer.compute_mask(x, None), MASK)
    assert np.all(out[~MASK] == 0) and np.array_equal(out[MASK], x[MASK])
    # a masked step jumps when any feature moves off mask_value: no derivative there, and
    # the backward pass gives 0 (Keras' where); at the real steps, central differences
    R = rng.standard_normal(out.shape)
    _, cache = layer.forward(x)
    dx = layer.backward(R, cache)
    assert np.all(dx[~MASK] == 0)
    numeric = gradcheck.numerical_gradient(lambda: float((layer.forward(x)[0] * R).sum()), x)
    assert gradcheck.relative_error(dx[MASK], numeric[MASK]) < TOL


@pytest.mark.parametrize("noise_shape", [None, (B, 1, D)])
def test_dropout_with_a_fixed_mask(float64, rng, noise_shape):
    layer = Dropout(0.4, noise_shape=noise_shape)
    fixed = layer.draw_mask((B, T, D), np.float64)
    assert fixed.shape == ((B, T, D) if noise_shape is None else (B, 1, D))
    layer.draw_mask = lambda shape, dtype: fixed
    x = rng.standard_normal((B, T, D))
    np.testing.assert_array_equal(layer.forward(x, training=True)[0], x * fixed)
    np.testing.assert_array_equal(layer.forward(x)[0], x)
    assert_small(gradcheck.check_layer(layer, x, training=True))


@pytest.mark.parametrize("activation", [None, "tanh", "softmax"])
def test_time_distributed_dense(float64, rng, activation):
    layer = TimeDistributed(Dense(K, activation=activation))
    layer.build((None, T, D))
    randomize(layer, rng)
    assert list(layer.params) == ["kernel", "bias"]
    errors = gradcheck.check_layer(layer, rng.standard_normal((B, T, D)))
    assert_small(errors)
    np.testing.assert_allclose(layer.forward(np.ones((1, T, D)))[0],
                               layer.layer.forward(np.ones((1, T, D)))[0], rtol=1e-14)


RECURRENT = {"LSTM": LSTM, "GRU": GRU, "SimpleRNN": SimpleRNN}


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "mul", "ave", None])
@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("masked", [False, True])
def test_bidirectional(float64, rng, merge_mode, return_sequences, masked):
    """On the default LSTM backend (the wrapper's own math does not depend on it; the LSTM's
    backends are checked against each other elsewhere, and states below run on both)."""
    layer = Bidirectional(LSTM(H, return_sequences=return_sequences), merge_mode=merge_mode)
    layer.build((None, T, D))
    randomize(layer, rng)
    assert [k.split("/")[0] for k in layer.params] == ["forward"] * 3 + ["backward"] * 3
    assert_small(gradcheck.check_layer(layer, rng.standard_normal((B, T, D)),
                                       mask=MASK if masked else None))


@pytest.mark.parametrize("kind", list(RECURRENT))
def test_bidirectional_with_states_in_and_out(float64, backend, rng, kind):
    n = 2 if kind == "LSTM" else 1
    layer = Bidirectional(RECURRENT[kind](H, return_sequences=True, return_state=True))
    layer.build([(None, T, D)] + [(None, H)] * 2 * n)
    randomize(layer, rng)
    inputs = [rng.standard_normal((B, T, D))] + [rng.standard_normal((B, H)) for _ in range(2 * n)]
    errors = gradcheck.check_layer(layer, inputs, mask=MASK)
    assert {f"input_{k}" for k in range(1 + 2 * n)} <= set(errors)
    assert_small(errors)


def test_bidirectional_is_two_layers_one_reading_backwards(float64, rng):
    """concat = [forward layer, backward layer's outputs reversed in time], both from copies
    of the wrapped layer with their own weights."""
    wrapped = LSTM(H, return_sequences=True)
    layer = Bidirectional(wrapped)
    layer.build((None, T, D))
    randomize(layer, rng)
    assert not wrapped.built and layer.backward_layer.go_backwards
    x = rng.standard_normal((B, T, D))
    fwd, bwd = LSTM(H, return_sequences=True), LSTM(H, return_sequences=True)
    for plain, sub in ((fwd, layer.forward_layer), (bwd, layer.backward_layer)):
        plain.build((None, T, D))
        plain.set_weights(sub.get_weights())
    expected = np.concatenate([fwd(x), bwd(x[:, ::-1])[:, ::-1]], axis=-1)
    np.testing.assert_allclose(layer(x), expected, rtol=1e-12)


# -- the losses --------------------------------------------------------------------------
def numerical(loss, y, p, mask, eps=1e-6):
    g = np.zeros_like(p)
    for idx in np.ndindex(*p.shape):
        up, down = p.copy(), p.copy()
        up[idx] += eps
        down[idx] -= eps
        g[idx] = (loss(y, up, mask) - loss(y, down, mask)) / (2 * eps)
    return g


LOSSES = [("binary", losses.BinaryCrossentropy, {}), ("binary", losses.BinaryCrossentropy,
                                                       {"from_logits": True, "label_smoothing": 0.1}),
          ("onehot", losses.CategoricalCrossentropy, {}),
          ("onehot", losses.CategoricalCrossentropy, {"from_logits": True}),
          ("onehot", losses.CategoricalCrossentropy, {"label_smoothing": 0.2}),
          ("ids", losses.SparseCategoricalCrossentropy, {}),
          ("ids", losses.SparseCategoricalCrossentropy, {"from_logits": True})]


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("target,cls,options", LOSSES, ids=[f"{c.__name__}-{o}" for _, c, o in LOSSES])
def test_crossentropy_gradients(rng, target, cls, options, masked):
    shape = (B, T, K)
    logits = options.get("from_logits", False)
    p = rng.normal(0, 2, shape) if logits else rng.uniform(0.05, 0.95, shape)
    y = {"binary": lambda: rng.integers(0, 2, shape).astype(float),
         "onehot": lambda: np.eye(K)[rng.integers(0, K, shape[:-1])],
         "ids": lambda: rng.integers(0, K, shape[:-1])}[target]()
    loss = cls(**options)
    mask = MASK if masked else None
    analytic = loss.grad(y, p, mask)
    assert analytic.shape == p.shape
    assert gradcheck.relative_error(analytic, numerical(loss, y, p, mask)) < TOL
    if masked:
        assert np.all(analytic[~MASK] == 0), "masked steps must get no gradient"


def test_the_fused_form_pushes_where_the_clipped_one_stops(float64, rng):
    """A softmax output whose right class has underflowed: the probability form (Keras'
    torch backend) clips it and gives it no gradient; a model reads the logits and gets
    p - t, and the loss stays finite (the stable form, docs/text-and-classification.md)."""
    model = Sequential([Input((2,)), Dense(3, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    model.set_weights([np.array([[60.0, 0.0, -60.0], [0.0, 0.0, 0.0]]), np.zeros(3)])
    x, y = np.array([[1.0, 0.0]]), np.array([2])            # logits (60, 0, -60): p_2 ~ 1e-52
    p = model.predict(x)
    assert p[0, 2] < 1e-50
    assert np.all(losses.SparseCategoricalCrossentropy().grad(y, p) == 0)   # clipped: stuck
    preds, trace = model._forward([x])
    loss, (d_logits,) = model._loss_and_grads([y], preds, trace)
    assert loss == pytest.approx(120.0, rel=1e-12)           # logsumexp(a) - a_2 = 60 + 60
    np.testing.assert_allclose(d_logits.value, p - np.eye(3)[y], rtol=1e-12)


OUTPUTS = [("softmax", "sparse_categorical_crossentropy"), ("softmax", "categorical_crossentropy"),
           ("sigmoid", "binary_crossentropy"), (None, losses.SparseCategoricalCrossentropy(True)),
           ("softmax", losses.CategoricalCrossentropy(label_smoothing=0.1))]


@pytest.mark.parametrize("wrap", [False, True])
@pytest.mark.parametrize("activation,loss", OUTPUTS, ids=[f"{a}-{l}" for a, l in OUTPUTS])
def test_sequence_classifier_with_masks(float64, backend, rng, activation, loss, wrap):
    """Embedding(mask_zero) -> LSTM -> Dropout -> Dense or TimeDistributed(Dense): the masked
    loss, the fused softmax, the scatter-add, all through one check."""
    units = 1 if activation == "sigmoid" else K
    dense = Dense(units, activation=activation)
    model = Sequential([Input((T,)), Embedding(V, D, mask_zero=True), LSTM(H, return_sequences=True),
                        Dropout(0.5), TimeDistributed(dense) if wrap else dense])
    model.compile("sgd", loss)
    randomize(model, rng)
    x = ids(rng)
    x[2] = 0                                                  # a row masked everywhere
    if activation == "sigmoid":
        y = rng.integers(0, 2, (B, T, 1)).astype(float)
    elif loss == "categorical_crossentropy" or isinstance(loss, losses.CategoricalCrossentropy):
        y = np.eye(K)[rng.integers(0, K, (B, T))]
    else:
        y = rng.integers(0, K, (B, T))
    preds, trace = model._forward([x.astype(float)])
    assert trace.output_masks[0] is not None
    fused = model._output_loss(0, preds[0], trace)[2]
    assert fused == (activation in ("softmax", "sigmoid"))
    assert_small(gradcheck.check_model(model, x, y))


def test_a_masked_model_with_dropout_in_training(float64, backend, rng):
    """The LSTM's input dropout on the numba path (one mask on x), fixed, with a mask."""
    model = Sequential([Input((T,)), Embedding(V, D, mask_zero=True),
                        LSTM(H, dropout=0.5, return_sequences=True), Dense(K, activation="softmax")])
    model.compile("sgd", "sparse_categorical_crossentropy")
    randomize(model, rng)
    lstm = model.layers[1]
    fixed = lstm.draw_dropout_masks(B, D, np.float64)
    lstm.draw_dropout_masks = lambda *args: fixed
    x, y = ids(rng), rng.integers(0, K, (B, T))
    assert_small(gradcheck.check_model(model, x, y, training=True))


def test_functional_model_with_two_outputs_and_masks(float64, rng):
    """A masked per-step head and a last-step head: the mask reaches the first loss only."""
    inputs = Input((T,))
    seq = LSTM(H, return_sequences=True)(Embedding(V, D, mask_zero=True)(inputs))
    per_step = Dense(K, activation="softmax")(seq)
    last = Dense(1, activation="sigmoid")(GRU(H)(seq))
    model = Model(inputs, [per_step, last])
    model.compile("adam", ["sparse_categorical_crossentropy", "binary_crossentropy"])
    randomize(model, rng)
    x = ids(rng)
    preds, trace = model._forward([x.astype(float)])
    assert trace.output_masks[0] is not None and trace.output_masks[1] is None
    assert_small(gradcheck.check_model(model, x, [rng.integers(0, K, (B, T)),
                                                 rng.integers(0, 2, (B, 1)).astype(float)]))
