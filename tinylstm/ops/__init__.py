"""Pure functions: the math of every layer, forward and backward, no classes with state.

The LSTM has two implementations of the same function: ``lstm.py``, the NumPy
specification, and ``lstm_numba.py``, fused numba kernels. This is the one place
that chooses: ``lstm_forward`` uses the kernels when ``config.backend()`` is
``"numba"``, the activations are the default tanh and sigmoid, and there is no
mask and no recurrent dropout (the kernels compute the plain LSTM; Keras likewise
keeps its cuDNN kernel for it), and the NumPy specification otherwise. Input
dropout without recurrent dropout is applied to x before the call, and a stateful
layer only gives initial states, so both keep the kernels. ``lstm_backward``
follows the forward pass that made its cache.
"""
from .. import config
from . import lstm as lstm_numpy
from .dense import dense_backward, dense_backward_from_logits, dense_forward

__all__ = ["lstm_forward", "lstm_backward", "dense_forward", "dense_backward",
           "dense_backward_from_logits"]


def _numba_ops():
    from . import lstm_numba        # imported on first use: it imports numba
    return lstm_numba


def lstm_forward(x, kernel, recurrent_kernel, bias=None, h0=None, c0=None,
                 activation="tanh", recurrent_activation="sigmoid",
                 mask=None, x_masks=None, h_masks=None):
    """The LSTM over whole sequences; see ``tinylstm/ops/lstm.py`` for the equations."""
    if (config.backend() == "numba" and (activation, recurrent_activation) == ("tanh", "sigmoid")
            and mask is None and x_masks is None and h_masks is None):
        return _numba_ops().lstm_forward(x, kernel, recurrent_kernel, bias, h0, c0,
                                         activation, recurrent_activation)
    return lstm_numpy.lstm_forward(x, kernel, recurrent_kernel, bias, h0, c0,
                                   activation, recurrent_activation, mask, x_masks, h_masks)


def lstm_backward(dh_seq, dh_T, dc_T, cache):
    """Backpropagation through time, by the implementation whose forward made ``cache``."""
    if isinstance(cache, lstm_numpy.LSTMCache):
        return lstm_numpy.lstm_backward(dh_seq, dh_T, dc_T, cache)
    return _numba_ops().lstm_backward(dh_seq, dh_T, dc_T, cache)
