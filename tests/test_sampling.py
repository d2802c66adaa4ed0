"""Sampling with temperature, and generating from a stateful step model."""
import numpy as np
import pytest

from tinylstm import sampling
from tinylstm.layers import LSTM, Dense, Embedding, Input
from tinylstm.models import Sequential

P = np.array([0.5, 0.3, 0.15, 0.05])


@pytest.mark.parametrize("temperature", [1.0, 0.5, 2.0])
def test_draws_follow_p_to_the_one_over_t(temperature):
    """40000 draws: each frequency within 4 standard errors of p^(1/T) / sum p^(1/T)."""
    n = 40000
    rng = np.random.default_rng(0)
    draws = sampling.sample(np.tile(P, (n, 1)), temperature, rng)
    expected = P ** (1 / temperature) / (P ** (1 / temperature)).sum()
    freq = np.bincount(draws, minlength=len(P)) / n
    assert np.all(np.abs(freq - expected) < 4 * np.sqrt(expected * (1 - expected) / n)), freq


def test_temperature_zero_is_the_argmax_and_zeros_are_never_drawn():
    np.testing.assert_array_equal(sampling.sample([[0.1, 0.7, 0.2], [0.6, 0.1, 0.3]], 0), [1, 0])
    draws = sampling.sample(np.tile([0.0, 1e-3, 0.0, 0.999], (5000, 1)), 3.0, np.random.default_rng(1))
    assert set(np.unique(draws)) == {1, 3}


@pytest.mark.parametrize("bad,match", [([0.2, -0.1, 0.9], ">= 0"), ([0.0, 0.0], "sums to 0")])
def test_bad_probabilities_are_refused(bad, match):
    with pytest.raises(ValueError, match=match):
        sampling.sample(bad)
    with pytest.raises(ValueError, match="temperature"):
        sampling.sample(P, -1.0)


def language_model(batch_shape, stateful):
    return Sequential([Input(batch_shape=batch_shape), Embedding(6, 3),
                       LSTM(5, return_sequences=True, stateful=stateful),
                       Dense(6, activation="softmax")])


def test_generating_step_by_step_equals_reading_the_whole_text(rng):
    """Greedy generation from the stateful step model draws, at each step, the argmax of what
    the trained (not stateful) model gives for the whole text so far."""
    trained = language_model((None, None), stateful=False)
    step = language_model((1, None), stateful=True)
    trained.predict(np.zeros((1, 2)))                       # builds nothing new: weights exist
    step.set_weights([1.5 * rng.standard_normal(w.shape) for w in trained.get_weights()])
    trained.set_weights(step.get_weights())
    primer = [1, 4, 2]
    drawn = sampling.generate(step, primer, 6, temperature=0)
    text = list(primer)
    for k in drawn:
        probs = trained.predict(np.array([text]))
        assert k == probs[0, -1].argmax()
        text.append(k)
    assert len(set(drawn)) > 1, "a constant sequence would test little"


def test_generate_starts_from_a_zero_state(rng):
    step = language_model((1, None), stateful=True)
    lstm = step.layers[1]
    for s in lstm.states:
        s.fill(5.0)
    seen, predict = [], step.predict
    step.predict = lambda x, **kw: (seen.append([s.copy() for s in lstm.states]), predict(x, **kw))[1]
    sampling.generate(step, [1, 2], 2)
    assert len(seen) == 2 and all(np.all(s == 0) for s in seen[0])
    assert not all(np.all(s == 0) for s in seen[1])


def test_generate_needs_a_stateful_model():
    with pytest.raises(ValueError, match="no stateful layer"):
        sampling.generate(language_model((None, None), stateful=False), [1], 3)
    with pytest.raises(ValueError, match="1-D sequence"):
        sampling.generate(language_model((1, None), stateful=True), [], 3)
