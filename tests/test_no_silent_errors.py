"""No silent wrong results: what used to give a plausible but wrong answer now gives the right
one, or an error that says what was expected."""
import numpy as np
import pytest

from tinylstm import config
from tinylstm.layers import LSTM, Dense


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_an_initial_state_of_another_batch_size_is_refused(backend):
    old = config.backend()
    config.set_backend(backend)
    try:
        x, h0, c0 = np.ones((5, 4, 2)), np.zeros((3, 3)), np.zeros((3, 3))
        with pytest.raises(ValueError, match=r"initial state h0 must have shape \(5, 3\).*got \(3, 3\)"):
            LSTM(3)(x, initial_state=[h0, c0])
    finally:
        config.set_backend(old)


@pytest.mark.parametrize("make,name", [
    (lambda: LSTM(3, return_sequences="no"), "return_sequences"),
    (lambda: LSTM(3, use_bias="False"), "use_bias"),
    (lambda: Dense(3, use_bias="False"), "use_bias"),
    (lambda: LSTM(3, return_state=1), "return_state"),
    (lambda: LSTM(3, go_backwards="yes"), "go_backwards"),
], ids=["LSTM return_sequences", "LSTM use_bias", "Dense use_bias", "return_state", "go_backwards"])
def test_flags_given_as_strings_are_refused_not_read_as_true(make, name):
    with pytest.raises(TypeError, match=f"`{name}` expected True or False"):
        make()


def test_set_floatx_takes_a_name_and_floatx_gives_a_name():
    with pytest.raises(ValueError, match=r"np\.dtype\(\.\.\.\)\.name"):
        config.set_floatx(np.dtype("float64"))
    assert config.floatx() == "float32" and isinstance(config.floatx(), str)
