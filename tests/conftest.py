import numpy as np
import pytest

from tinylstm import config, utils


def _setting(read, write, value):
    """For a fixture: ``value`` set for the duration of the test, the old one after it."""
    old = read()
    write(value)
    yield value
    write(old)


@pytest.fixture
def float64():
    """Build everything in float64 for the duration of a test (gradient checks need it)."""
    yield from _setting(config.floatx, config.set_floatx, "float64")


@pytest.fixture(params=["numpy", "numba"])
def backend(request):
    """Run the test on the NumPy specification, then on the numba kernels."""
    yield from _setting(config.backend, config.set_backend, request.param)


@pytest.fixture
def numba_backend():
    """Run the test on the numba path (a test that needs numba skips without it first)."""
    yield from _setting(config.backend, config.set_backend, "numba")


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)
