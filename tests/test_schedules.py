"""Learning-rate schedules against their formulas, written out here in float64.

The module runs in float64, so the schedules compute in float64 too and agree
with the formulas to rounding; the float32 agreement with Keras 3 itself is in
tests/crosscheck/test_keras_training.py.
"""
import json
import math

import pytest

from tinylstm.optimizers import schedules
from tinylstm.optimizers.schedules import CosineDecay, ExponentialDecay, PiecewiseConstantDecay


@pytest.fixture(autouse=True)
def _float64(float64):
    """The schedules compute in float64 here."""


def test_exponential_decay():
    lr = ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5)
    for s in (0, 1, 3, 4, 9):
        assert lr(s) == pytest.approx(0.1 * 0.5 ** (s / 4), rel=1e-15)
    assert lr(4) == pytest.approx(0.05, rel=1e-15)


def test_exponential_decay_staircase():
    lr = ExponentialDecay(0.1, decay_steps=4, decay_rate=0.5, staircase=True)
    assert [float(lr(s)) for s in (0, 3, 4, 7, 8)] == [0.1, 0.1, 0.05, 0.05, 0.025]


def test_piecewise_constant_decay_boundaries_belong_to_the_interval_below():
    lr = PiecewiseConstantDecay([2, 5], [1.0, 0.5, 0.1])
    assert [float(lr(s)) for s in range(8)] == [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.1, 0.1]


def cosine(s, lr0, N, alpha):
    s = min(s, N)
    return lr0 * ((1 - alpha) * 0.5 * (1 + math.cos(math.pi * s / N)) + alpha)


def test_cosine_decay():
    lr = CosineDecay(0.1, decay_steps=10, alpha=0.2)
    for s in (0, 3, 5, 10, 15):
        assert lr(s) == pytest.approx(cosine(s, 0.1, 10, 0.2), rel=1e-14)
    assert lr(5) == pytest.approx(0.1 * (0.8 * 0.5 + 0.2), rel=1e-14)   # half way: the mean
    assert lr(30) == pytest.approx(0.02, rel=1e-14)                    # flat at alpha * lr0


def test_cosine_decay_with_warmup():
    lr = CosineDecay(0.0, decay_steps=10, warmup_target=0.1, warmup_steps=4)
    assert [pytest.approx(float(lr(s)), rel=1e-14) for s in range(4)] == \
        [0.0, 0.025, 0.05, 0.075]                                     # linear to the target
    for s in (4, 7, 14, 20):
        assert lr(s) == pytest.approx(cosine(s - 4, 0.1, 10, 0.0), abs=1e-17)


@pytest.mark.parametrize("schedule", [
    ExponentialDecay(0.1, 3, 0.9, staircase=True), PiecewiseConstantDecay([3], [0.1, 0.2]),
    CosineDecay(0.1, 7, alpha=0.1, warmup_target=0.2, warmup_steps=2)],
    ids=lambda s: type(s).__name__)
def test_config_round_trip(schedule):
    data = json.loads(json.dumps(schedules.serialize(schedule)))
    assert data["module"] == "keras.optimizers.schedules"
    again = schedules.deserialize(data)
    assert again.get_config() == schedule.get_config()
    assert [again(s) for s in range(12)] == [schedule(s) for s in range(12)]


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="decay_steps.*must be > 0"):
        ExponentialDecay(0.1, 0, 0.5)
    with pytest.raises(ValueError, match="1 less than the length of values"):
        PiecewiseConstantDecay([1, 2], [0.1, 0.2])
    with pytest.raises(ValueError, match="boundaries must increase"):
        PiecewiseConstantDecay([5, 2], [0.1, 0.2, 0.3])
    with pytest.raises(ValueError, match="warmup_steps"):
        CosineDecay(0.1, 10, warmup_target=0.2, warmup_steps=0)
