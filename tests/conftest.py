import numpy as np
import pytest

from tinylstm import config, utils


@pytest.fixture
def float64():
    """Build everything in float64 for the duration of a test (gradient checks need it)."""
    old = config.floatx()
    config.set_floatx("float64")
    yield
    config.set_floatx(old)


@pytest.fixture(params=["numpy", "numba"])
def backend(request):
    """Run the test on the NumPy specification, then on the numba kernels."""
    old = config.backend()
    config.set_backend(request.param)
    yield request.param
    config.set_backend(old)


@pytest.fixture
def numba_backend():
    """Run the test on the numba path (a test that needs numba skips without it first)."""
    old = config.backend()
    config.set_backend("numba")
    yield
    config.set_backend(old)


@pytest.fixture
def rng():
    return np.random.default_rng(1234)


@pytest.fixture(autouse=True)
def _seed():
    utils.set_random_seed(0)
