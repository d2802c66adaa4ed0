"""Cross-checks against the libraries people already trust: Keras 3 and PyTorch.

Each test module skips itself, with the reason shown by ``pytest -rs``, when
keras or torch is missing; ``.ci/run`` installs the ``crosscheck`` extra, so CI
always runs them. Keras runs on its torch backend unless KERAS_BACKEND says
otherwise, which must be set before anything imports keras: here.
"""
import os

os.environ.setdefault("KERAS_BACKEND", "torch")

import pytest  # noqa: E402

from tinylstm import config  # noqa: E402


@pytest.fixture
def float32():
    """tinylstm in float32 (Keras' default) for the test, restored after.
    (``float64`` is in tests/conftest.py.)"""
    old = config.floatx()
    config.set_floatx("float32")
    yield
    config.set_floatx(old)


@pytest.fixture(scope="module")
def keras_float32():
    """Keras in float32 (its default) for a test module, restored after; a module takes it
    with ``pytest.mark.usefixtures("keras_float32")``."""
    keras = pytest.importorskip("keras")
    old = keras.config.floatx()
    keras.config.set_floatx("float32")
    yield
    keras.config.set_floatx(old)
