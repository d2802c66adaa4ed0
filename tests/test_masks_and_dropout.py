"""Masks and dropout in the recurrent layers: float64 gradient checks with fixed dropout
masks, and what a masked step does (Keras 3's semantics, checked here by construction;
tests/crosscheck/test_keras_text.py compares with Keras itself).

A mask here has real steps after masked ones, masked steps in the middle, a row masked
from some step to the end and a row masked everywhere: every path of (8)-(10) of
ops/lstm.py runs. Initial states are random, so "y_0 = 0 but h_0 != 0" matters.
"""
import numpy as np
import pytest

from tinylstm import gradcheck
from tinylstm.layers import GRU, LSTM, SimpleRNN
from tinylstm.layers.recurrent import DropoutMasks

from helpers import assert_small, randomize

B, T, D, H = 4, 6, 3, 2
KINDS = {"LSTM": (LSTM, {}), "GRU": (GRU, {}), "GRU-reset_before": (GRU, {"reset_after": False}),
         "SimpleRNN": (SimpleRNN, {})}


# (B, T): row 0 starts masked, row 1 has a gap, row 2 ends masked, row 3 is all masked
MASK = np.array([[0, 0, 1, 1, 0, 1],
                 [1, 0, 0, 1, 1, 1],
                 [1, 1, 1, 0, 0, 0],
                 [0, 0, 0, 0, 0, 0]], dtype=bool)


def make_layer(kind, rng, **options):
    cls, extra = KINDS[kind]
    layer = cls(H, **extra, **options)
    n_states = 2 if cls is LSTM else 1
    layer.build([(None, T, D)] + [(None, H)] * n_states)
    randomize(layer, rng)
    return layer, n_states


def fix_dropout(layer, rng, x_gates=False, h_gates=False, x=False):
    """Replace the layer's draws by fixed masks (entries 0 or 1 / (1 - rate), rate 0.4)."""
    G = layer.n_gates

    def draw(shape):
        return (rng.random(shape) >= 0.4) / 0.6

    masks = DropoutMasks(draw((B, D)) if x else None,
                         draw((G, B, D)) if x_gates else None,
                         draw((G if G > 1 else 1, B, H)) if h_gates else None)
    layer.draw_dropout_masks = lambda batch_size, n_features, dtype: masks
    return masks


@pytest.mark.parametrize("go_backwards", [False, True])
@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("kind", list(KINDS))
def test_masked_gradients(float64, backend, rng, kind, return_sequences, go_backwards):
    layer, n_states = make_layer(kind, rng, return_sequences=return_sequences,
                                 go_backwards=go_backwards, return_state=True)
    inputs = [rng.standard_normal((B, T, D))] + [rng.standard_normal((B, H))] * n_states
    assert_small(gradcheck.check_layer(layer, inputs, mask=MASK))


@pytest.mark.parametrize("dropout,recurrent_dropout", [(0.4, 0.0), (0.0, 0.4), (0.4, 0.4)])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("kind", list(KINDS))
def test_dropout_gradients_with_fixed_masks(float64, backend, rng, kind, dropout,
                                            recurrent_dropout, masked):
    layer, n_states = make_layer(kind, rng, dropout=dropout, recurrent_dropout=recurrent_dropout,
                                 return_sequences=True)
    per_gate = recurrent_dropout > 0 and layer.n_gates > 1
    fixed = fix_dropout(layer, rng, x_gates=per_gate and dropout > 0,
                        h_gates=recurrent_dropout > 0, x=dropout > 0 and not per_gate)
    inputs = [rng.standard_normal((B, T, D))] + [rng.standard_normal((B, H))] * n_states
    errors = gradcheck.check_layer(layer, inputs, training=True,
                                   mask=MASK if masked else None)
    assert_small(errors)
    out, _ = layer.forward(inputs, training=True)
    plain, _ = layer.forward(inputs, training=False)
    assert np.abs(out - plain).max() > 1e-3, "the fixed dropout masks changed nothing"
    assert (fixed.x is None) == (dropout == 0 or per_gate)


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_masked_step_keeps_the_state_and_repeats_the_output(float64, rng, kind):
    """Row by row: the outputs at real steps and the final state equal a run over the real
    steps alone; a masked step repeats the last output (0 before the first real step)."""
    layer, n_states = make_layer(kind, rng, return_sequences=True, return_state=True)
    x = rng.standard_normal((B, T, D))
    states = [rng.standard_normal((B, H)) for _ in range(n_states)]
    mask = MASK
    (out, *finals), _ = layer.forward([x] + states, mask=mask)
    for b in range(B):
        real = np.flatnonzero(mask[b])
        if len(real):
            (alone, *alone_finals), _ = layer.forward([x[b:b + 1, real]] + [s[b:b + 1] for s in states])
            np.testing.assert_allclose(out[b, real], alone[0], rtol=1e-12, atol=1e-14)
            for f, a in zip(finals, alone_finals):
                np.testing.assert_allclose(f[b], a[0], rtol=1e-12, atol=1e-14)
        else:
            for f, s in zip(finals, states):
                np.testing.assert_array_equal(f[b], s[b])
        last = np.zeros(H)
        for t in range(T):
            if mask[b, t]:
                last = out[b, t]
            np.testing.assert_array_equal(out[b, t], last)


@pytest.mark.parametrize("kind", list(KINDS))
def test_dropout_is_off_at_inference_and_draws_one_mask_per_sequence(float64, rng, kind):
    """training=False ignores the rates; training=True with input dropout only equals the
    layer without dropout run on x times one (B, D) mask, the same at every step."""
    layer, n_states = make_layer(kind, rng, dropout=0.5, return_sequences=True, seed=3)
    x = rng.standard_normal((B, T, D))
    plain = make_layer(kind, np.random.default_rng(0), return_sequences=True)[0]
    plain.set_weights(layer.get_weights())
    np.testing.assert_array_equal(layer.forward(x, training=False)[0], plain.forward(x)[0])
    out, (_, _, _, drop, _) = layer.forward(x, training=True)
    assert drop.x.shape == (B, D) and drop.x_gates is None and drop.h_gates is None
    assert set(np.unique(drop.x)) <= {0.0, 2.0} and 0 < (drop.x == 0).mean() < 1
    np.testing.assert_allclose(out, plain.forward(x * drop.x[:, None, :])[0], rtol=1e-12)


def test_recurrent_dropout_gives_each_gate_its_masks(float64, rng):
    """Keras' implementation 1: four input masks and four recurrent masks for the LSTM, three
    for the GRU, one recurrent mask for SimpleRNN (its input mask multiplies x)."""
    for cls, G in [(LSTM, 4), (GRU, 3)]:
        layer = cls(H, dropout=0.3, recurrent_dropout=0.3, seed=1)
        drop = layer.draw_dropout_masks(B, D, np.float64)
        assert drop.x is None and drop.x_gates.shape == (G, B, D) and drop.h_gates.shape == (G, B, H)
        assert not np.array_equal(drop.h_gates[0], drop.h_gates[1])
    drop = SimpleRNN(H, dropout=0.3, recurrent_dropout=0.3, seed=1).draw_dropout_masks(B, D, np.float64)
    assert drop.x.shape == (B, D) and drop.x_gates is None and drop.h_gates.shape == (1, B, H)


def test_a_seeded_layer_draws_the_same_masks_from_the_same_seed(rng):
    a, b = LSTM(H, dropout=0.5, seed=7), LSTM(H, dropout=0.5, seed=7)
    np.testing.assert_array_equal(a.draw_dropout_masks(B, D, np.float32).x,
                                  b.draw_dropout_masks(B, D, np.float32).x)


@pytest.mark.parametrize("kind", list(KINDS))
def test_going_backwards_reverses_the_mask_with_the_steps(float64, rng, kind):
    """go_backwards on (x, mask) is the forward layer on (x, mask) reversed in time."""
    back, n_states = make_layer(kind, rng, return_sequences=True, go_backwards=True)
    ahead = make_layer(kind, rng, return_sequences=True)[0]
    ahead.set_weights(back.get_weights())
    x = rng.standard_normal((B, T, D))
    np.testing.assert_array_equal(back.forward(x, mask=MASK)[0],
                                  ahead.forward(x[:, ::-1], mask=MASK[:, ::-1])[0])
