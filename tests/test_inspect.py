"""The instruments: recorded gates rebuild the layer's output; recorded gradients are right.

The gradient dL/dh_t (and dL/dc_t) between two steps is checked by finite
differences on a forward pass cut in two at step t: run the first t steps, nudge
the state, run the rest from there. That uses only the forward functions, not
the backward code the instrument steps through.
"""
import numpy as np
import pytest

from tinylstm import inspect
from tinylstm.layers import GRU, LSTM, Dense, Input, RepeatVector, SimpleRNN
from tinylstm.models import Model, Sequential
from tinylstm.ops.gru import gru_forward
from tinylstm.ops.lstm import lstm_forward
from tinylstm.ops.simple_rnn import simple_rnn_forward

B, T, D, H = 2, 6, 3, 3
LINEAR_LOSS = (lambda y, p: float(np.sum(y * p)), lambda y, p: y)   # L = sum(R * out)


def randomize(model, rng, scale=0.5):
    for layer in model.layers:
        layer.set_weights([scale * rng.standard_normal(w.shape) for w in layer.weights])


def one_layer_model(kind, rng, **kw):
    model = Sequential([Input((T, D)), kind(H, return_sequences=True, **kw)])
    randomize(model, rng)
    return model


# -- the recorded gates rebuild the layer's output -----------------------------------------

@pytest.mark.parametrize("go_backwards", [False, True])
def test_lstm_gates_rebuild_the_output(rng, go_backwards):
    model = one_layer_model(LSTM, rng, go_backwards=go_backwards)
    x = rng.standard_normal((B, T, D)).astype("float32")
    (tr,) = inspect.record(model, x)
    i, f, g, o = (tr.gates[k] for k in "ifgo")
    c, h = tr.c0, tr.h0
    hs = []
    for t in range(T):
        c = f[:, t] * c + i[:, t] * g[:, t]                # (6)
        h = o[:, t] * np.tanh(c)                           # (7)
        np.testing.assert_allclose(c, tr.c[:, t], rtol=1e-5, atol=1e-6)
        hs.append(h)
    np.testing.assert_allclose(np.stack(hs, axis=1), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    assert set(tr.gates) == {"i", "f", "g", "o"}
    for name in "ifo":                                      # sigmoid gates lie in (0, 1)
        assert 0 < tr.gates[name].min() and tr.gates[name].max() < 1


def test_gru_gates_rebuild_the_output(rng):
    model = one_layer_model(GRU, rng)
    x = rng.standard_normal((B, T, D))
    (tr,) = inspect.record(model, x)
    z, g, h = tr.gates["z"], tr.gates["g"], tr.h0
    hs = []
    for t in range(T):
        h = z[:, t] * h + (1 - z[:, t]) * g[:, t]          # (6) of ops/gru.py
        hs.append(h)
    np.testing.assert_allclose(np.stack(hs, axis=1), model.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)
    assert set(tr.gates) == {"z", "r", "g"} and tr.c is None and tr.dh is None


def test_simple_rnn_states_are_the_output(rng):
    model = one_layer_model(SimpleRNN, rng)
    x = rng.standard_normal((B, T, D))
    (tr,) = inspect.record(model, x)
    assert tr.gates == {}
    np.testing.assert_allclose(tr.h, model.predict(x, verbose=0), rtol=1e-6)


# -- the recorded gradients --------------------------------------------------------------

def cut_forward(kind, layer, x, t, nudge):
    """Outputs (B, T, H) of a forward pass cut after step t+1 (index t), with
    ``nudge(h, c, o)`` -> (h, c) applied to the state in between."""
    p = layer.params
    W, U, b = p["kernel"], p["recurrent_kernel"], p["bias"]
    if kind is LSTM:
        first, (h, c), cache = lstm_forward(x[:, :t + 1], W, U, b)
        h, c = nudge(h, c, cache.o[t])               # o_t, (B, H)
        rest, _, _ = lstm_forward(x[:, t + 1:], W, U, b, h, c)
    elif kind is GRU:
        first, h, _ = gru_forward(x[:, :t + 1], W, U, b)
        h, _ = nudge(h, None, None)
        rest, _, _ = gru_forward(x[:, t + 1:], W, U, b, h)
    else:
        first, h, _ = simple_rnn_forward(x[:, :t + 1], W, U, b)
        h, _ = nudge(h, None, None)
        rest, _, _ = simple_rnn_forward(x[:, t + 1:], W, U, b, h)
    return np.concatenate([first[:, :t], h[:, None], rest], axis=1)


def fd_state_gradient(kind, layer, x, R, t, which, eps=1e-6):
    """dL/dh_t or dL/dc_t, L = sum(R * outputs), by central differences.

    Nudging c_t moves h_t = o_t * tanh(c_t) with it: dL/dc_t counts every path."""
    grad = np.zeros((B, H))
    for k in range(B * H):
        def nudge(h, c, o, step):
            if which == "h":
                h = h.copy()
                h.flat[k] += step
                return h, c
            c = c.copy()
            c.flat[k] += step
            return o * np.tanh(c), c
        up = cut_forward(kind, layer, x, t, lambda h, c, o: nudge(h, c, o, eps))
        down = cut_forward(kind, layer, x, t, lambda h, c, o: nudge(h, c, o, -eps))
        grad.flat[k] = (np.sum(R * up) - np.sum(R * down)) / (2 * eps)
    return grad


@pytest.mark.parametrize("kind", [LSTM, GRU, SimpleRNN])
def test_recorded_gradients_match_finite_differences(float64, rng, kind):
    model = one_layer_model(kind, rng)
    layer = model.layers[0]
    x, R = rng.standard_normal((B, T, D)), rng.standard_normal((B, T, H))
    (tr,) = inspect.record(model, x, R, loss=LINEAR_LOSS)
    for t in range(T):
        np.testing.assert_allclose(tr.dh[:, t], fd_state_gradient(kind, layer, x, R, t, "h"),
                                   rtol=1e-6, atol=1e-8, err_msg=f"dL/dh at step {t + 1}")
        if kind is LSTM:
            np.testing.assert_allclose(tr.dc[:, t], fd_state_gradient(kind, layer, x, R, t, "c"),
                                       rtol=1e-6, atol=1e-8, err_msg=f"dL/dc at step {t + 1}")
    np.testing.assert_allclose(tr.dh_norm, [np.linalg.norm(tr.dh[:, t]) for t in range(T)])


@pytest.mark.parametrize("return_sequences", [True, False])
def test_initial_state_gradients_match_the_models_backward(float64, rng, return_sequences):
    """dL/dh_0 and dL/dc_0 of the trace are what the model's backward pass gives its inputs."""
    x_in, h_in, c_in = Input((T, D)), Input((H,)), Input((H,))
    seq = LSTM(4, return_sequences=True)(x_in)
    out = LSTM(H, return_sequences=return_sequences)(seq, initial_state=[h_in, c_in])
    model = Model([x_in, h_in, c_in], Dense(2)(out))
    randomize(model, rng)
    model.compile(optimizer="sgd", loss="mse")
    xs = [rng.standard_normal((B, T, D)), rng.standard_normal((B, H)), rng.standard_normal((B, H))]
    y = rng.standard_normal((B, T, 2) if return_sequences else (B, 2))

    traces = inspect.record(model, xs, y)
    preds, trace = model._forward(xs)
    _, dh0, dc0 = model._backward(model._loss_and_grads([y], preds, trace)[1], trace)
    second = traces[1]
    np.testing.assert_allclose(second.dh0, dh0, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(second.dc0, dc0, rtol=1e-10, atol=1e-14)
    # h_T's gradient reaches the lower layer's last output: the first trace saw it
    assert traces[0].dh_norm[-1] > 0


# -- any model; no side effects -------------------------------------------------------------

def test_the_posts_autoencoder(rng):
    """Stacked LSTMs around a RepeatVector (the post's model): one trace per LSTM."""
    model = Sequential([LSTM(8, input_shape=(10, 1), return_sequences=True), LSTM(1),
                        RepeatVector(10), LSTM(8, return_sequences=True),
                        LSTM(1, return_sequences=True)])
    model.compile(optimizer="adam", loss="mse")
    x = rng.standard_normal((4, 10, 1))
    traces = inspect.record(model, x, x)
    assert [tr.name for tr in traces] == [layer.name for layer in model.layers if layer.params]
    for tr, units in zip(traces, (8, 1, 8, 1)):
        assert tr.h.shape == tr.c.shape == tr.dh.shape == tr.dc.shape == (4, 10, units)
        assert tr.dh_norm.shape == (10,) and np.all(tr.dh_norm > 0)
    # the encoder's top LSTM returns h_T only: dL/dh_t must come back down the chain
    assert traces[1].dh_norm[0] < traces[1].dh_norm[-1]


def test_a_layer_called_twice_gives_two_traces(rng):
    shared = LSTM(H, return_sequences=True)
    a, b = Input((T, D)), Input((T + 2, D))
    model = Model([a, b], [shared(a), shared(b)])
    randomize(model, rng)
    xs = [rng.standard_normal((B, T, D)), rng.standard_normal((B, T + 2, D))]
    first, second = inspect.record(model, xs)
    assert first.layer is second.layer is shared
    assert first.h.shape[1] == T and second.h.shape[1] == T + 2
    np.testing.assert_allclose(second.h, model.predict(xs, verbose=0)[1], rtol=1e-5, atol=1e-6)


def test_record_leaves_the_model_as_it_was(rng):
    model = Sequential([Input((T, D)), LSTM(H), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    for layer in model.layers:
        for g in layer.grads.values():
            g[...] = rng.standard_normal(g.shape)
    grads = [g.copy() for g in model._grads()]
    weights = model.get_weights()
    inspect.record(model, rng.standard_normal((B, T, D)), rng.standard_normal((B, 1)))
    for old, new in zip(grads + weights, model._grads() + model.get_weights()):
        np.testing.assert_array_equal(old, new)
    assert "forward" not in vars(model.layers[0]) and "backward" not in vars(model.layers[0])


def test_errors():
    dense_only = Sequential([Input((3,)), Dense(1)])
    with pytest.raises(ValueError, match="has no LSTM, GRU or SimpleRNN layer"):
        inspect.record(dense_only, np.ones((1, 3)))
    uncompiled = Sequential([Input((T, D)), LSTM(H)])
    with pytest.raises(ValueError, match="give `loss=` or compile the model"):
        inspect.record(uncompiled, np.ones((1, T, D)), np.ones((1, H)))
    assert "forward" not in vars(uncompiled.layers[0])


# -- the plots draw what was recorded ----------------------------------------------------

def test_plots_draw_the_recorded_numbers(rng):
    from tinylstm import plotting
    model = Sequential([Input((T, D)), LSTM(H, return_sequences=True), GRU(2), Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x, y = rng.standard_normal((B, T, D)), rng.standard_normal((B, 1))
    lstm, gru = inspect.record(model, x, y)

    fig = plotting.gradient_norms({"lstm": lstm, "gru": gru})
    lines = fig.axes[0].get_lines()
    assert len(lines) == 3                                # dh, dc of the LSTM; dh of the GRU
    np.testing.assert_allclose(lines[0].get_ydata(), lstm.dh_norm)
    np.testing.assert_allclose(lines[1].get_ydata(), lstm.dc_norm)
    np.testing.assert_allclose(lines[2].get_ydata(), gru.dh_norm)
    assert fig.axes[0].get_yscale() == "log"

    fig = plotting.gate_heatmaps(lstm, sample=1)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 6                               # i, f, g, o, c, h
    np.testing.assert_allclose(images[1].get_array(), lstm.gates["f"][1].T)
    np.testing.assert_allclose(images[4].get_array(), lstm.c[1].T)

    fig = plotting.cell_state_traces(gru, sample=0)      # no c: draws h
    np.testing.assert_allclose(fig.axes[0].get_lines()[1].get_ydata(), gru.h[0, :, 1])

    history = model.fit(x, y, epochs=3, verbose=0, validation_data=(x, y))
    fig = plotting.training_curves({"run": history})
    ys = [line.get_ydata() for line in fig.axes[0].get_lines()]
    np.testing.assert_allclose(ys[0], history.history["loss"])
    np.testing.assert_allclose(ys[1], history.history["val_loss"])

    with pytest.raises(ValueError, match="has no gradients"):
        plotting.gradient_norms({"no y": inspect.record(model, x)[0]})


def test_latent_sweep_draws_the_decoder_output(rng):
    from tinylstm import plotting
    z = Input((2,))
    decoder = Model(z, LSTM(1, return_sequences=True)(RepeatVector(T)(z)))
    values = np.linspace(-1, 1, 5)
    fig = plotting.latent_sweep(decoder, values, dim=1, base=[0.3, 0.0])
    lines = fig.axes[0].get_lines()
    assert len(lines) == 5
    want = decoder.predict(np.stack([np.full(5, 0.3), values], axis=1), verbose=0)[:, :, 0]
    for line, w in zip(lines, want):                      # drawn in order of the value
        np.testing.assert_allclose(line.get_ydata(), w, rtol=1e-6)
    with pytest.raises(ValueError, match="0 <= dim < 2"):
        plotting.latent_sweep(decoder, values, dim=2)


def test_a_masked_layer_is_refused_not_recorded_wrong(rng):
    """record() re-runs each layer on the NumPy specification without its mask: refused."""
    from tinylstm.layers import Embedding, Input
    model = Sequential([Input((4,)), Embedding(5, 2, mask_zero=True), LSTM(3)])
    with pytest.raises(ValueError, match="reads a mask"):
        inspect.record(model, np.array([[0, 1, 2, 3]]))
    inspect.record(Sequential([Input((4,)), Embedding(5, 2), LSTM(3)]), np.array([[0, 1, 2, 3]]))
