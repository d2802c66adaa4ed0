"""Pure functions: the math of every layer, forward and backward, no classes with state.

The LSTM has two implementations of the same function: ``lstm.py``, the NumPy
specification, and ``lstm_numba.py``, fused numba kernels. This is the one place
that chooses: ``lstm_forward`` uses the kernels when ``config.backend()`` is
``"numba"`` and the activations are the default tanh and sigmoid (the only ones
the kernels compute; Keras likewise keeps its cuDNN kernel for those), and the
NumPy specification otherwise. ``lstm_backward`` follows the forward pass that
made its cache.
"""
from .. import config
from . import lstm as lstm_numpy
from .dense import dense_forward, dense_backward

__all__ = ["lstm_forward", "lstm_backward", "dense_forward", "dense_backward"]


def _numba_ops():
    from . import lstm_numba        # imported on first use: it imports numba
    return lstm_numba


def lstm_forward(x, kernel, recurrent_kernel, bias=None, h0=None, c0=None,
                 activation="tanh", recurrent_activation="sigmoid"):
    """The LSTM over whole sequences; see ``tinylstm/ops/lstm.py`` for the equations."""
    if config.backend() == "numba" and (activation, recurrent_activation) == ("tanh", "sigmoid"):
        return _numba_ops().lstm_forward(x, kernel, recurrent_kernel, bias, h0, c0,
                                         activation, recurrent_activation)
    return lstm_numpy.lstm_forward(x, kernel, recurrent_kernel, bias, h0, c0,
                                   activation, recurrent_activation)


def lstm_backward(dh_seq, dh_T, dc_T, cache):
    """Backpropagation through time, by the implementation whose forward made ``cache``."""
    if isinstance(cache, lstm_numpy.LSTMCache):
        return lstm_numpy.lstm_backward(dh_seq, dh_T, dc_T, cache)
    return _numba_ops().lstm_backward(dh_seq, dh_T, dc_T, cache)
