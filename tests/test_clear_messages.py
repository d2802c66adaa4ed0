"""Errors say what was expected and what came, in the user's terms (not numpy's, not an assert)."""
import numpy as np
import pytest

from tinylstm import gradcheck
from tinylstm.layers import LSTM, Dense, Input
from tinylstm.models import Sequential

from helpers import randomize

T, D = 6, 2
RNG = np.random.default_rng(5)


def model():
    m = Sequential([LSTM(3, input_shape=(T, D)), Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    return m


@pytest.mark.parametrize("shape", [5, "5", (5, 0), (2.0,)])
def test_a_bad_input_shape_says_what_a_shape_is(shape):
    with pytest.raises(ValueError, match=r"input_shape. expected a tuple of positive integers.*got"):
        Dense(3, input_shape=shape)
    with pytest.raises(ValueError, match=r"shape. expected a tuple of positive integers"):
        Input(shape)


def test_numpy_integers_are_integers_in_shapes():
    x = Input((np.int64(T), np.int32(D)))
    assert x.shape == (None, T, D) and all(type(d) is int for d in x.shape[1:])
    assert Dense(1, input_shape=(np.int64(4),)).input_shape_arg == (4,)


def test_check_model_takes_fortran_order_arrays(float64):
    m = model()
    randomize(m, RNG)
    x, y = RNG.standard_normal((3, T, D)), RNG.standard_normal((3, 1))
    c_order = gradcheck.check_model(m, x, y)
    f_order = gradcheck.check_model(m, np.asfortranarray(x), np.asfortranarray(y))
    assert f_order == c_order and max(c_order.values()) < 1e-6


def test_numerical_gradient_refuses_what_it_cannot_perturb_with_an_error_not_an_assert():
    with pytest.raises(ValueError, match="C-contiguous.*got a Fortran-order array"):
        gradcheck.numerical_gradient(lambda: 0.0, np.asfortranarray(np.ones((2, 3))))
    with pytest.raises(ValueError, match="got a strided view"):
        gradcheck.numerical_gradient(lambda: 0.0, np.ones((4, 3))[::2])
