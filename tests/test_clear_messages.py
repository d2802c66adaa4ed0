"""Errors say what was expected and what came, in the user's terms (not numpy's, not an assert)."""
import numpy as np
import pytest

from tinylstm import callbacks, gradcheck
from tinylstm.layers import LSTM, Dense, Input
from tinylstm.models import Sequential

from helpers import randomize

T, D = 6, 2
RNG = np.random.default_rng(5)


def model():
    m = Sequential([LSTM(3, input_shape=(T, D)), Dense(1)])
    m.compile(optimizer="sgd", loss="mse")
    return m


def test_a_nested_list_is_not_read_as_many_inputs():
    x = RNG.standard_normal((8, T, D))
    with pytest.raises(ValueError, match=r"expects 1 input array\(s\), got a list of 8.*np\.asarray\(x\)"):
        model().predict(x.tolist())
    np.testing.assert_array_equal(model().predict([x]).shape, (8, 1))     # [x]: one array per input


def test_a_dict_is_named_as_a_dict():
    with pytest.raises(TypeError, match="input expected an array, or a list of arrays .*got a dict"):
        model().predict({"x": np.zeros((2, T, D))})


def test_finite_values_that_overflow_float32_are_not_called_nan():
    with pytest.raises(ValueError, match=r"finite values too large for float32 \(largest magnitude 1e\+300"):
        model().predict(np.full((2, T, D), 1e300))


def test_calling_a_model_on_an_empty_batch_says_it_is_empty():
    with pytest.raises(ValueError, match=r"input is empty \(shape \(0, 6, 2\)\)"):
        model()(np.zeros((0, T, D)))


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


def test_one_callback_is_taken_as_keras_takes_it():
    """Keras flattens ``callbacks``, so one callback (not in a list) works, and a History
    given is the one fit fills and returns."""
    history = callbacks.History()
    returned = model().fit(RNG.standard_normal((4, T, D)), RNG.standard_normal((4, 1)),
                           epochs=2, callbacks=history, verbose=0)
    assert returned is history and history.epoch == [0, 1]


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
