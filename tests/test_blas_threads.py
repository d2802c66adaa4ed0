"""tinylstm's threads: the setting, and NumPy's BLAS kept on one thread while tinylstm computes."""
import warnings

import numpy as np
import pytest

from tinylstm import config, ops, utils
from tinylstm.layers import LSTM, Dense, Input
from tinylstm.models import Sequential
from tinylstm.ops import blas

needs_openblas = pytest.mark.skipif(not blas.CONTROLLED, reason="NumPy's OpenBLAS was not found")


@pytest.mark.parametrize("bad", [0, -2, 1.5, "2", True, None])
def test_set_num_threads_refuses_what_is_not_a_positive_integer(bad):
    old = config.num_threads()
    with pytest.raises(ValueError, match="set_num_threads: expected a positive integer"):
        config.set_num_threads(bad)
    assert config.num_threads() == old


def test_set_num_threads_takes_numpy_integers():
    old = config.num_threads()
    try:
        config.set_num_threads(np.int64(3))
        assert config.num_threads() == 3 and type(config.num_threads()) is int
    finally:
        config.set_num_threads(old)


@needs_openblas
def test_one_thread_pins_the_blas_and_gives_its_count_back():
    old = blas.get_num_threads()
    blas.set_num_threads(2)
    try:
        with blas.one_thread():
            assert blas.get_num_threads() == 1
            with blas.one_thread():                 # nested: still one, restored only at the end
                assert blas.get_num_threads() == 1
            assert blas.get_num_threads() == 1
        assert blas.get_num_threads() == 2
    finally:
        blas.set_num_threads(old)


@needs_openblas
def test_the_blas_runs_on_one_thread_inside_fit_and_the_ops():
    """What the BLAS's thread count is while the spec's products run, seen from inside."""
    seen = []
    spec_forward = ops.lstm_numpy.lstm_forward

    def watched(*args, **kwargs):
        seen.append(blas.get_num_threads())
        return spec_forward(*args, **kwargs)
    old_threads, old_backend = blas.get_num_threads(), config.backend()
    blas.set_num_threads(2)
    ops.lstm_numpy.lstm_forward = watched
    try:
        config.set_backend("numpy")
        utils.set_random_seed(0)
        model = Sequential([Input((5, 2)), LSTM(3, return_sequences=True), Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        x = np.random.default_rng(0).standard_normal((4, 5, 2))
        model.fit(x, x[..., :1], epochs=1, verbose=0)
        ops.lstm_forward(x, *[w for w in model.layers[0].get_weights()])
        assert seen and set(seen) == {1}
        assert blas.get_num_threads() == 2
    finally:
        ops.lstm_numpy.lstm_forward = spec_forward
        config.set_backend(old_backend)
        blas.set_num_threads(old_threads)


def test_a_blas_it_cannot_control_is_said_once(monkeypatch):
    monkeypatch.setattr(blas, "CONTROLLED", False)
    monkeypatch.setattr(blas, "_warned", False)
    with pytest.warns(RuntimeWarning, match="cannot keep NumPy's matrix products on one thread"):
        with blas.one_thread():
            pass
    with warnings.catch_warnings(record=True) as again:
        warnings.simplefilter("always")
        with blas.one_thread():                     # said once: no second warning
            pass
    assert not again
