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
