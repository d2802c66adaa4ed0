"""Metrics: what ``fit`` and ``evaluate`` report beside the loss, under Keras 3's names.

A metric function gives one value per sample (and step), y_pred's shape without
its last axis, as Keras' do:

    binary_accuracy              1 where (yhat > threshold) == y, per entry, averaged over the last axis
    categorical_accuracy         1 where argmax(yhat) == argmax(y)
    sparse_categorical_accuracy  1 where argmax(yhat) == y (y: class indices)
    mean_absolute_error (mae), mean_squared_error (mse): as the losses

Over an epoch Keras 3 keeps a running total and count (``keras.metrics.Mean``), so
the logged value is

    sum of v * mask over every batch / sum of mask over every batch

(mask = 1 everywhere when the prediction has none): with a mask, accuracy counts
the unmasked steps only, however they fall into batches. ``batch_result`` gives one
batch's (total, count); ``fit`` and ``evaluate`` add them up.

``"accuracy"`` (or ``"acc"``) is resolved as Keras 3 resolves it, from the shapes of
the target and the prediction (not from the loss): a prediction with a last axis
of 1 gets binary accuracy; a target with fewer axes than the prediction, or a last
axis of 1 against several classes, gets sparse categorical accuracy; anything else
categorical accuracy. The log keeps the name given, ``"accuracy"``.
"""
import numpy as np

from . import losses


def binary_accuracy(y_true, y_pred, threshold=0.5):
    """Mean over the last axis of [(y_pred > threshold) == y_true]."""
    y_true, y_pred = _same_shape(y_true, y_pred, "binary_accuracy")
    return ((y_pred > threshold) == y_true).astype(y_pred.dtype).mean(axis=-1)


def categorical_accuracy(y_true, y_pred):
    """[argmax(y_pred) == argmax(y_true)] over the last axis (the first maximum wins ties)."""
    y_true, y_pred = _same_shape(y_true, y_pred, "categorical_accuracy")
    return (y_pred.argmax(axis=-1) == y_true.argmax(axis=-1)).astype(y_pred.dtype)


def sparse_categorical_accuracy(y_true, y_pred):
    """[argmax(y_pred) == y_true], y_true the class indices."""
    y_pred = np.asarray(y_pred)
    ids = losses.class_indices(y_true, y_pred, "sparse_categorical_accuracy")
    return (y_pred.argmax(axis=-1) == ids).astype(y_pred.dtype)


def mean_absolute_error(y_true, y_pred):
    """Mean over the last axis of |y_pred - y_true|."""
    return losses.MeanAbsoluteError().values(y_true, y_pred)


def mean_squared_error(y_true, y_pred):
    """Mean over the last axis of (y_pred - y_true)^2."""
    return losses.MeanSquaredError().values(y_true, y_pred)


mae = mean_absolute_error
mse = mean_squared_error


class Metric:
    """A metric: ``fn(y_true, y_pred)`` -> one value per sample and step, and its log ``name``."""

    def __init__(self, fn, name=None, **kwargs):
        if not callable(fn):
            raise TypeError(f"Metric: expected a function fn(y_true, y_pred), got {fn!r}")
        self.fn, self.kwargs = fn, kwargs
        self.name = name or getattr(fn, "__name__", "metric")

    def values(self, y_true, y_pred):
        """One value per sample and step."""
        return np.asarray(self.fn(y_true, y_pred, **self.kwargs))

    def batch_result(self, y_true, y_pred, mask=None):
        """(sum of v * mask, sum of mask) for one batch; mask None counts every value."""
        v = self.values(y_true, y_pred)
        if v.shape != np.shape(y_pred)[:-1]:
            raise ValueError(f"metric '{self.name}' must give one value per sample and step, "
                             f"shape {np.shape(y_pred)[:-1]}, got {v.shape}")
        if mask is None:
            return float(v.sum()), float(v.size)
        if mask.shape != v.shape:
            raise ValueError(f"metric '{self.name}': the mask has shape {mask.shape}, "
                             f"the metric's values {v.shape}")
        return float((v * mask).sum()), float(mask.sum())

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


MeanMetricWrapper = Metric


class BinaryAccuracy(Metric):
    """``binary_accuracy`` at ``threshold`` as a metric, as ``keras.metrics.BinaryAccuracy``."""

    def __init__(self, name="binary_accuracy", threshold=0.5):
        super().__init__(binary_accuracy, name, threshold=threshold)


class CategoricalAccuracy(Metric):
    """``categorical_accuracy`` as a metric, as ``keras.metrics.CategoricalAccuracy``."""

    def __init__(self, name="categorical_accuracy"):
        super().__init__(categorical_accuracy, name)


class SparseCategoricalAccuracy(Metric):
    """``sparse_categorical_accuracy`` as a metric, as ``keras.metrics.SparseCategoricalAccuracy``."""

    def __init__(self, name="sparse_categorical_accuracy"):
        super().__init__(sparse_categorical_accuracy, name)


class MeanAbsoluteError(Metric):
    """``mean_absolute_error`` as a metric, as ``keras.metrics.MeanAbsoluteError``."""

    def __init__(self, name="mean_absolute_error"):
        super().__init__(mean_absolute_error, name)


class MeanSquaredError(Metric):
    """``mean_squared_error`` as a metric, as ``keras.metrics.MeanSquaredError``."""

    def __init__(self, name="mean_squared_error"):
        super().__init__(mean_squared_error, name)


class Accuracy(Metric):
    """``"accuracy"`` in ``compile``: binary, categorical or sparse, chosen at each batch from
    the shapes of the target and the prediction (see the module docstring)."""

    def __init__(self, name="accuracy"):
        super().__init__(lambda y_true, y_pred: accuracy_for(np.shape(y_true), np.shape(y_pred))(
            y_true, y_pred), name)


def accuracy_for(y_true_shape, y_pred_shape):
    """The accuracy function Keras 3 picks for these shapes (``compile_utils.get_metric``)."""
    if y_pred_shape[-1] == 1:
        return binary_accuracy
    if len(y_true_shape) < len(y_pred_shape) or (y_true_shape[-1] == 1 and y_pred_shape[-1] > 1):
        return sparse_categorical_accuracy
    return categorical_accuracy


_BY_NAME = {
    "accuracy": Accuracy, "acc": Accuracy,
    "binary_accuracy": BinaryAccuracy, "BinaryAccuracy": BinaryAccuracy,
    "categorical_accuracy": CategoricalAccuracy, "CategoricalAccuracy": CategoricalAccuracy,
    "sparse_categorical_accuracy": SparseCategoricalAccuracy,
    "SparseCategoricalAccuracy": SparseCategoricalAccuracy,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "MeanAbsoluteError": MeanAbsoluteError,
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "MeanSquaredError": MeanSquaredError,
}


def get(identifier):
    """A ``Metric`` from a Keras name (logged under that name, as Keras 3 does), a Metric,
    a built-in loss (its per-sample values), or a function fn(y_true, y_pred) giving one value
    per sample and step."""
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier in _BY_NAME:
            return _BY_NAME[identifier](name=identifier)
        if identifier in losses._BY_NAME:
            loss = losses.get(identifier)
            return Metric(loss.values, name=identifier)
        raise ValueError(f"Unknown metric {identifier!r}; expected one of "
                         f"{sorted(set(_BY_NAME) | set(losses._BY_NAME))}")
    loss = None
    if isinstance(identifier, losses.LossFunctionWrapper):
        loss = identifier
    elif callable(identifier) and identifier in losses._BY_FUNCTION:
        loss = losses.get(identifier)
    if loss is not None:
        return Metric(loss.values, name=loss.name)
    if isinstance(identifier, losses.Loss):
        raise TypeError(f"metric {identifier!r}: a loss given as a pair (loss_fn, grad_fn) "
                        "gives one number per batch, a metric one value per sample; pass "
                        "a function fn(y_true, y_pred) that returns those")
    if callable(identifier):
        return Metric(identifier)
    raise TypeError(f"Could not interpret metric identifier {identifier!r}: expected a name "
                    f"such as 'accuracy' or 'mae', a Metric, or a function fn(y_true, y_pred)")


def _same_shape(y_true, y_pred, fn):
    y_pred = np.asarray(y_pred)
    y_true = np.asarray(y_true, dtype=y_pred.dtype)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{fn}: y_true and y_pred must have the same shape, got "
                         f"y_true {y_true.shape} and y_pred {y_pred.shape}")
    return y_true, y_pred
