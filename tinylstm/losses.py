"""Losses and their gradients, with Keras' reduction.

Notation: ``y`` = y_true, ``yhat`` = y_pred, both of shape ``(B, ..., D)``;
``N = yhat.size`` is the number of entries.

Keras first takes the mean over the last axis (one value per sample and step),
then the mean of those ("sum_over_batch_size"). With equal-length last axes
that is the mean over all N entries, so

    mean_squared_error   L = (1/N) sum (yhat - y)^2      dL/dyhat = 2 (yhat - y) / N
    mean_absolute_error  L = (1/N) sum |yhat - y|        dL/dyhat = sign(yhat - y) / N

(sign(0) = 0, the subgradient Keras' backends use). Each loss returns a Python
float; each gradient has y_pred's shape and dtype. ``y_true`` is cast to
``y_pred``'s dtype, as Keras does.
"""
import numpy as np

from tinylstm import config


def mean_squared_error(y_true, y_pred):
    """L = mean over the last axis of (y_pred - y_true)^2, then the mean of that."""
    y_true, y_pred = _check(y_true, y_pred, "mean_squared_error")
    return float(np.mean(np.mean(np.square(y_pred - y_true), axis=-1)))


def mean_squared_error_grad(y_true, y_pred):
    """dL/dy_pred = 2 (y_pred - y_true) / N, N = y_pred.size."""
    y_true, y_pred = _check(y_true, y_pred, "mean_squared_error_grad")
    return (2 * (y_pred - y_true) / y_pred.size).astype(y_pred.dtype, copy=False)


def mean_absolute_error(y_true, y_pred):
    """L = mean over the last axis of |y_pred - y_true|, then the mean of that."""
    y_true, y_pred = _check(y_true, y_pred, "mean_absolute_error")
    return float(np.mean(np.mean(np.abs(y_pred - y_true), axis=-1)))


def mean_absolute_error_grad(y_true, y_pred):
    """dL/dy_pred = sign(y_pred - y_true) / N, N = y_pred.size."""
    y_true, y_pred = _check(y_true, y_pred, "mean_absolute_error_grad")
    return (np.sign(y_pred - y_true) / y_pred.size).astype(y_pred.dtype, copy=False)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


class Loss:
    """A loss function paired with its gradient: ``loss(y, yhat)``, ``loss.grad(y, yhat)``."""

    def __init__(self, fn, grad, name=None):
        if not (callable(fn) and callable(grad)):
            raise TypeError("Loss: expected two callables (loss, gradient), got "
                            f"{type(fn).__name__} and {type(grad).__name__}")
        self._fn, self._grad = fn, grad
        self.name = name or getattr(fn, "__name__", "loss")

    def __call__(self, y_true, y_pred):
        return self._fn(y_true, y_pred)

    def grad(self, y_true, y_pred):
        """dL/dy_pred, with y_pred's shape."""
        return self._grad(y_true, y_pred)

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class MeanSquaredError(Loss):
    """``mean_squared_error`` and its gradient as one object."""

    def __init__(self, name="mean_squared_error"):
        super().__init__(mean_squared_error, mean_squared_error_grad, name)


class MeanAbsoluteError(Loss):
    """``mean_absolute_error`` and its gradient as one object."""

    def __init__(self, name="mean_absolute_error"):
        super().__init__(mean_absolute_error, mean_absolute_error_grad, name)


_BY_NAME = {
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "MSE": MeanSquaredError, "MeanSquaredError": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError, "MeanAbsoluteError": MeanAbsoluteError,
}
_BY_FUNCTION = {mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError}


def get(identifier):
    """A ``Loss`` from a Keras name, a ``Loss`` instance, one of the loss functions
    above, or a pair ``(loss_fn, grad_fn)`` of your own."""
    if isinstance(identifier, Loss):
        return identifier
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(f"Unknown loss {identifier!r}; expected one of {sorted(_BY_NAME)}")
        return _BY_NAME[identifier]()
    if callable(identifier) and identifier in _BY_FUNCTION:
        return _BY_FUNCTION[identifier]()
    if isinstance(identifier, tuple) and len(identifier) == 2:
        return Loss(*identifier)
    raise TypeError(
        "Could not interpret loss identifier: expected one of "
        f"{sorted(_BY_NAME)}, a Loss instance or a pair (loss_fn, grad_fn) where "
        "grad_fn(y_true, y_pred) returns dL/dy_pred; got "
        f"{identifier!r} (a function alone has no gradient)")


def _check(y_true, y_pred, fn):
    y_pred = np.asarray(y_pred)
    if not np.issubdtype(y_pred.dtype, np.floating):
        y_pred = y_pred.astype(config.dtype())  # Keras casts to floatx
    y_true = np.asarray(y_true, dtype=y_pred.dtype)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{fn}: y_true and y_pred must have the same shape, got "
                         f"y_true {y_true.shape} and y_pred {y_pred.shape}")
    if y_pred.ndim == 0 or y_pred.size == 0:
        raise ValueError(f"{fn}: expected arrays with at least one axis and one "
                         f"entry, got shape {y_pred.shape}")
    return y_true, y_pred
