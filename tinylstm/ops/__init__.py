"""Pure functions: the math of every layer, forward and backward, no classes with state.

The LSTM has two implementations of the same function: ``lstm.py``, the NumPy
specification, and ``lstm_numba.py``, fused numba kernels. This is the one place
that chooses: ``lstm_forward`` uses the kernels when ``config.backend()`` is
``"numba"``, the activations are ones the kernels compute (tanh with sigmoid,
hard_sigmoid or hard_sigmoid_keras2; Keras likewise keeps its cuDNN kernel for its
defaults) and there is no mask and no recurrent dropout; otherwise it uses the
NumPy specification. Input dropout without recurrent dropout is applied to x
before the call, and a stateful layer only gives initial states, so both keep the
kernels. ``lstm_backward`` follows the forward pass that made its cache. Inside
``forward_only()`` (``predict``, ``evaluate``: no backward pass follows) the numba
path computes the same outputs without storing what a backward pass would need,
and gives no cache. Inside ``without_input_gradient()`` (a training step, for a
layer that reads the model's input) the numba path's ``lstm_backward`` skips dx
and returns None for it. ``dense_forward`` on the numba path, given an LSTM's
sequence output in the small kernels' layout and an entrywise activation, computes
on that layout (``dense_numba.py``) rather than copying it into rows.

Every op here runs NumPy's BLAS on one thread (``blas.one_thread``): OpenBLAS
adds a product's terms in an order that depends on its thread count, and the
same seed must give the same bits whatever the machine's threads.
"""
import contextlib
import contextvars

from .. import config
from . import blas, dense
from . import lstm as lstm_numpy

__all__ = ["lstm_forward", "lstm_backward", "dense_forward", "dense_backward",
           "dense_backward_from_logits", "forward_only", "without_input_gradient"]

_forward_only = contextvars.ContextVar("forward_only", default=False)
_input_gradient = contextvars.ContextVar("input_gradient", default=True)


@contextlib.contextmanager
def _setting(variable, value):
    """``variable`` holds ``value`` within the block, in this thread (or task) only."""
    token = variable.set(value)
    try:
        yield
    finally:
        variable.reset(token)


def forward_only():
    """Within it, forward passes are not followed by a backward pass: ``lstm_forward``
    may return None for its cache (``Model.predict`` and ``evaluate`` use it)."""
    return _setting(_forward_only, True)


def without_input_gradient():
    """Within it, nothing reads dL/dx: ``lstm_backward`` may return None for dx
    (``Model._backward`` uses it when a training step does not ask for input gradients)."""
    return _setting(_input_gradient, False)


def _numba_ops():
    from . import lstm_numba        # imported on first use: it imports numba
    return lstm_numba


@blas.one_thread()
def lstm_forward(x, kernel, recurrent_kernel, bias=None, h0=None, c0=None,
                 activation="tanh", recurrent_activation="sigmoid",
                 mask=None, x_masks=None, h_masks=None):
    """The LSTM over whole sequences; see ``tinylstm/ops/lstm.py`` for the equations."""
    if (config.backend() == "numba" and _numba_ops().supports(activation, recurrent_activation)
            and mask is None and x_masks is None and h_masks is None):
        forward = _numba_ops().lstm_predict if _forward_only.get() else _numba_ops().lstm_forward
        return forward(x, kernel, recurrent_kernel, bias, h0, c0, activation, recurrent_activation)
    return lstm_numpy.lstm_forward(x, kernel, recurrent_kernel, bias, h0, c0,
                                   activation, recurrent_activation, mask, x_masks, h_masks)


@blas.one_thread()
def lstm_backward(dh_seq, dh_T, dc_T, cache):
    """Backpropagation through time, by the implementation whose forward made ``cache``."""
    if isinstance(cache, lstm_numpy.LSTMCache):
        return lstm_numpy.lstm_backward(dh_seq, dh_T, dc_T, cache)
    return _numba_ops().lstm_backward(dh_seq, dh_T, dc_T, cache, _input_gradient.get())


def _numba_dense():
    from . import dense_numba       # imported on first use: it imports numba
    return dense_numba


@blas.one_thread()
def dense_forward(x, kernel, bias=None, activation=None):
    """y = activation(x W + b); see ``tinylstm/ops/dense.py``. On the numba path, on an
    LSTM's output in the small kernels' layout, ``dense_numba`` computes it in place."""
    if config.backend() == "numba" and x.ndim == 3:
        fm = _numba_dense().source(x, kernel, bias, activation)
        if fm is not None:
            return _numba_dense().dense_forward(fm, len(x), kernel, bias, activation)
    return dense.dense_forward(x, kernel, bias, activation)


@blas.one_thread()
def dense_backward(dy, cache):
    """dx, dW, db of :func:`dense_forward`, by the implementation that made ``cache``."""
    if isinstance(cache, dense.DenseCache):
        return dense.dense_backward(dy, cache)
    return _numba_dense().dense_backward(dy, cache)


@blas.one_thread()
def dense_backward_from_logits(da, cache):
    """dx, dW, db from dL/da, the gradient at the pre-activation; see ``tinylstm/ops/dense.py``."""
    if isinstance(cache, dense.DenseCache):
        return dense.dense_backward_from_logits(da, cache)
    return _numba_dense().dense_backward_from_logits(da, cache)
