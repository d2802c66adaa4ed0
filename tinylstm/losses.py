"""Losses and their gradients, with Keras' reduction and masks.

Notation: ``y`` = y_true, ``yhat`` = y_pred, both of shape ``(B, ..., D)``;
``N = yhat.size`` is the number of entries.

A Keras loss first gives one value per sample (and step): the mean over the last
axis for the regression losses, the cross-entropy over the classes for the
categorical ones. Then it takes the mean of those values ("sum_over_batch_size"),
or, when the prediction carries a mask (from ``Embedding(mask_zero=True)`` or
``Masking``), their mean over the unmasked entries only:

    L = sum(v * mask) / sum(mask)           (0 if every entry is masked)

With equal-length last axes and no mask the regression losses are the mean over
all N entries, so

    mean_squared_error   L = (1/N) sum (yhat - y)^2      dL/dyhat = 2 (yhat - y) / N
    mean_absolute_error  L = (1/N) sum |yhat - y|        dL/dyhat = sign(yhat - y) / N

(sign(0) = 0, the subgradient Keras' backends use). The cross-entropies and their
derivatives are in ``tinylstm/ops/crossentropy.py``. Each loss function returns a
Python float (Keras' return one value per sample); each gradient has y_pred's
shape and dtype. ``y_true`` is cast to ``y_pred``'s dtype, as Keras does; the
sparse forms take class indices, shaped like y_pred without its last axis (or
with a last axis of 1).
"""
import numpy as np

from tinylstm import config
from tinylstm.ops import crossentropy as ce


# -- the regression losses, one value per sample ----------------------------------------------
def squared_error(y, yhat):
    """v = mean over the last axis of (yhat - y)^2."""
    return np.mean(np.square(yhat - y), axis=-1)


def squared_error_backward(dv, y, yhat):
    """d(sum dv * v)/dyhat = dv 2 (yhat - y) / D."""
    return dv[..., None] * 2 * (yhat - y) / yhat.shape[-1]


def absolute_error(y, yhat):
    """v = mean over the last axis of |yhat - y|."""
    return np.mean(np.abs(yhat - y), axis=-1)


def absolute_error_backward(dv, y, yhat):
    """d(sum dv * v)/dyhat = dv sign(yhat - y) / D."""
    return dv[..., None] * np.sign(yhat - y) / yhat.shape[-1]


# -- the reduction --------------------------------------------------------------------------
def reduction_weights(shape, mask, dtype):
    """w with L = sum(w * v): 1/n everywhere, or mask / sum(mask) (zeros if all masked)."""
    if mask is None:
        return np.full(shape, 1.0 / max(int(np.prod(shape)), 1), dtype)
    mask = np.asarray(mask)
    if mask.shape != tuple(shape):
        raise ValueError(f"loss: the mask of y_pred must have the shape of the loss values "
                         f"{tuple(shape)} (y_pred's without its last axis), got {mask.shape}")
    valid = mask.sum()
    return mask.astype(dtype) / valid if valid else np.zeros(shape, dtype)


class Loss:
    """A loss function paired with its gradient: ``loss(y, yhat)``, ``loss.grad(y, yhat)``."""

    def __init__(self, fn, grad, name=None):
        if not (callable(fn) and callable(grad)):
            raise TypeError("Loss: expected two callables (loss, gradient), got "
                            f"{type(fn).__name__} and {type(grad).__name__}")
        self._fn, self._grad = fn, grad
        self.name = name or getattr(fn, "__name__", "loss")

    def __call__(self, y_true, y_pred, mask=None):
        self._refuse_mask(mask)
        return self._fn(y_true, y_pred)

    def grad(self, y_true, y_pred, mask=None):
        """dL/dy_pred, with y_pred's shape."""
        self._refuse_mask(mask)
        return self._grad(y_true, y_pred)

    def _refuse_mask(self, mask):
        if mask is not None:
            raise ValueError(f"loss '{self.name}': the prediction carries a mask (from "
                             "Embedding(mask_zero=True) or Masking), and a loss given as a pair "
                             "(loss_fn, grad_fn) cannot weigh it; use a built-in loss")

    def fused_with(self, activation):
        """The same loss computed from the logits of ``activation``, or None (see the subclasses)."""
        return None

    def __repr__(self):
        return f"{type(self).__name__}(name={self.name!r})"


class LossFunctionWrapper(Loss):
    """A Keras loss: ``values(t, yhat)`` per sample, with ``backward(dv, t, yhat)``, reduced as
    the module docstring says. ``sparse``: y_true holds class indices."""

    sparse = False

    def __init__(self, values, backward, name):
        self._values, self._backward, self.name = values, backward, name

    def __call__(self, y_true, y_pred, mask=None):
        t, yhat = self.targets(y_true, y_pred)
        v = self._values(t, yhat)
        if mask is None:
            return float(v.sum() / v.size)
        return float((v * reduction_weights(v.shape, mask, yhat.dtype)).sum())

    def grad(self, y_true, y_pred, mask=None):
        t, yhat = self.targets(y_true, y_pred)
        w = reduction_weights(yhat.shape[:-1], mask, yhat.dtype)
        return self._backward(w, t, yhat).astype(yhat.dtype, copy=False)

    def values(self, y_true, y_pred):
        """One value per sample (and step): y_pred's shape without its last axis."""
        return self._values(*self.targets(y_true, y_pred))

    def targets(self, y_true, y_pred):
        """(y_true as the math reads it, y_pred as a float array), both checked."""
        if self.sparse:
            y_pred = _float(y_pred, self.name)
            return class_indices(y_true, y_pred, self.name), y_pred
        return _check(y_true, y_pred, self.name)


def class_indices(y_true, y_pred, owner):
    """Sparse targets: integers in [0, K), y_pred's shape without its last axis (or with it as 1)."""
    y_true = np.asarray(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1:] == (1,):
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError(f"{owner}: y_true holds class indices: expected shape "
                         f"{y_pred.shape[:-1]} or {y_pred.shape[:-1] + (1,)} for y_pred "
                         f"{y_pred.shape}, got {np.shape(y_true)}")
    K = y_pred.shape[-1]
    if y_true.dtype.kind not in "biuf" or not np.all(np.mod(y_true, 1) == 0) \
            or y_true.min() < 0 or y_true.max() >= K:
        raise ValueError(f"{owner}: y_true must hold class indices, whole numbers in [0, {K}) "
                         f"for y_pred's {K} classes, got values from {y_true.min()} to "
                         f"{y_true.max()}")
    return y_true.astype(np.int64)


# -- the regression losses as functions and classes --------------------------------------------
def mean_squared_error(y_true, y_pred):
    """L = mean over the last axis of (y_pred - y_true)^2, then the mean of that."""
    return MeanSquaredError()(y_true, y_pred)


def mean_squared_error_grad(y_true, y_pred):
    """dL/dy_pred = 2 (y_pred - y_true) / N, N = y_pred.size."""
    return MeanSquaredError(name="mean_squared_error_grad").grad(y_true, y_pred)


def mean_absolute_error(y_true, y_pred):
    """L = mean over the last axis of |y_pred - y_true|, then the mean of that."""
    return MeanAbsoluteError()(y_true, y_pred)


def mean_absolute_error_grad(y_true, y_pred):
    """dL/dy_pred = sign(y_pred - y_true) / N, N = y_pred.size."""
    return MeanAbsoluteError(name="mean_absolute_error_grad").grad(y_true, y_pred)


mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error


class MeanSquaredError(LossFunctionWrapper):
    """``mean_squared_error`` and its gradient as one object."""

    def __init__(self, name="mean_squared_error"):
        super().__init__(squared_error, squared_error_backward, name)


class MeanAbsoluteError(LossFunctionWrapper):
    """``mean_absolute_error`` and its gradient as one object."""

    def __init__(self, name="mean_absolute_error"):
        super().__init__(absolute_error, absolute_error_backward, name)


# -- the cross-entropies --------------------------------------------------------------------
class BinaryCrossentropy(LossFunctionWrapper):
    """Binary cross-entropy, as ``keras.losses.BinaryCrossentropy``: one or more independent
    yes/no targets in [0, 1]; ``from_logits=True`` reads y_pred as logits (equation (2) of
    ``ops/crossentropy.py``), else as probabilities clipped to [eps, 1 - eps] ((4)).
    ``label_smoothing`` s moves the targets towards 1/2: t (1 - s) + s / 2."""

    def __init__(self, from_logits=False, label_smoothing=0.0, name="binary_crossentropy"):
        self.from_logits = _flag(name, "from_logits", from_logits)
        self.label_smoothing = _smoothing(name, label_smoothing)
        values, backward = ((ce.sigmoid_crossentropy, ce.sigmoid_crossentropy_backward)
                            if self.from_logits else
                            (ce.binary_crossentropy, ce.binary_crossentropy_backward))
        super().__init__(values, backward, name)

    def targets(self, y_true, y_pred):
        """The targets smoothed towards 1/2 (``label_smoothing``), and y_pred."""
        t, yhat = super().targets(y_true, y_pred)
        return t * (1 - self.label_smoothing) + 0.5 * self.label_smoothing, yhat

    def get_config(self):
        """The constructor's arguments under Keras 3's names (a .keras file keeps them)."""
        return {"name": self.name, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}

    def fused_with(self, activation):
        """From the logits of a sigmoid output (equation (2)): what Keras' TensorFlow backend does."""
        if activation == "sigmoid" and not self.from_logits:
            return BinaryCrossentropy(True, self.label_smoothing, self.name)
        return None


class CategoricalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy, as ``keras.losses.CategoricalCrossentropy``: y_true a
    distribution over the classes (one-hot); ``from_logits=True`` reads y_pred as logits
    ((1) of ``ops/crossentropy.py``), else as probabilities, normalized to sum 1 and clipped
    ((3)). ``label_smoothing`` s: t (1 - s) + s / K."""

    def __init__(self, from_logits=False, label_smoothing=0.0, name="categorical_crossentropy"):
        self.from_logits = _flag(name, "from_logits", from_logits)
        self.label_smoothing = _smoothing(name, label_smoothing)
        values, backward = ((ce.softmax_crossentropy, ce.softmax_crossentropy_backward)
                            if self.from_logits else
                            (ce.categorical_crossentropy, ce.categorical_crossentropy_backward))
        super().__init__(values, backward, name)

    def targets(self, y_true, y_pred):
        """The targets smoothed towards 1/K (``label_smoothing``), and y_pred."""
        t, yhat = super().targets(y_true, y_pred)
        s = self.label_smoothing
        return t * (1 - s) + s / yhat.shape[-1], yhat

    def get_config(self):
        """The constructor's arguments under Keras 3's names (a .keras file keeps them)."""
        return {"name": self.name, "from_logits": self.from_logits,
                "label_smoothing": self.label_smoothing}

    def fused_with(self, activation):
        """From the logits of a softmax output (equation (1)): what Keras' TensorFlow backend does."""
        if activation == "softmax" and not self.from_logits:
            return CategoricalCrossentropy(True, self.label_smoothing, self.name)
        return None


class SparseCategoricalCrossentropy(LossFunctionWrapper):
    """Categorical cross-entropy with y_true as class indices, as
    ``keras.losses.SparseCategoricalCrossentropy``; ``from_logits`` as above."""

    sparse = True

    def __init__(self, from_logits=False, name="sparse_categorical_crossentropy"):
        self.from_logits = _flag(name, "from_logits", from_logits)
        values, backward = (
            (ce.sparse_softmax_crossentropy, ce.sparse_softmax_crossentropy_backward)
            if self.from_logits else
            (ce.sparse_categorical_crossentropy, ce.sparse_categorical_crossentropy_backward))
        super().__init__(values, backward, name)

    def get_config(self):
        """The constructor's arguments under Keras 3's names (a .keras file keeps them)."""
        return {"name": self.name, "from_logits": self.from_logits}

    def fused_with(self, activation):
        """From the logits of a softmax output (equation (1))."""
        if activation == "softmax" and not self.from_logits:
            return SparseCategoricalCrossentropy(True, self.name)
        return None


def binary_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """The mean binary cross-entropy (see ``BinaryCrossentropy``)."""
    return BinaryCrossentropy(from_logits, label_smoothing)(y_true, y_pred)


def binary_crossentropy_grad(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """dL/dy_pred of ``binary_crossentropy``."""
    return BinaryCrossentropy(from_logits, label_smoothing).grad(y_true, y_pred)


def categorical_crossentropy(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """The mean categorical cross-entropy (see ``CategoricalCrossentropy``)."""
    return CategoricalCrossentropy(from_logits, label_smoothing)(y_true, y_pred)


def categorical_crossentropy_grad(y_true, y_pred, from_logits=False, label_smoothing=0.0):
    """dL/dy_pred of ``categorical_crossentropy``."""
    return CategoricalCrossentropy(from_logits, label_smoothing).grad(y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits=False):
    """The mean sparse categorical cross-entropy (see ``SparseCategoricalCrossentropy``)."""
    return SparseCategoricalCrossentropy(from_logits)(y_true, y_pred)


def sparse_categorical_crossentropy_grad(y_true, y_pred, from_logits=False):
    """dL/dy_pred of ``sparse_categorical_crossentropy``."""
    return SparseCategoricalCrossentropy(from_logits).grad(y_true, y_pred)


_BY_NAME = {
    "mean_squared_error": MeanSquaredError, "mse": MeanSquaredError,
    "MSE": MeanSquaredError, "MeanSquaredError": MeanSquaredError,
    "mean_absolute_error": MeanAbsoluteError, "mae": MeanAbsoluteError,
    "MAE": MeanAbsoluteError, "MeanAbsoluteError": MeanAbsoluteError,
    "binary_crossentropy": BinaryCrossentropy, "BinaryCrossentropy": BinaryCrossentropy,
    "categorical_crossentropy": CategoricalCrossentropy,
    "CategoricalCrossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "SparseCategoricalCrossentropy": SparseCategoricalCrossentropy,
}
_BY_FUNCTION = {mean_squared_error: MeanSquaredError, mean_absolute_error: MeanAbsoluteError,
                binary_crossentropy: BinaryCrossentropy,
                categorical_crossentropy: CategoricalCrossentropy,
                sparse_categorical_crossentropy: SparseCategoricalCrossentropy}


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


def _float(y_pred, fn):
    y_pred = np.asarray(y_pred)
    if not np.issubdtype(y_pred.dtype, np.floating):
        y_pred = y_pred.astype(config.dtype())  # Keras casts to floatx
    if y_pred.ndim == 0 or y_pred.size == 0:
        raise ValueError(f"{fn}: expected arrays with at least one axis and one "
                         f"entry, got shape {y_pred.shape}")
    return y_pred


def _check(y_true, y_pred, fn):
    y_pred = _float(y_pred, fn)
    y_true = np.asarray(y_true, dtype=y_pred.dtype)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{fn}: y_true and y_pred must have the same shape, got "
                         f"y_true {y_true.shape} and y_pred {y_pred.shape}")
    return y_true, y_pred


def _flag(owner, name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{owner}: `{name}` expected True or False, got {value!r}")
    return bool(value)


def _smoothing(owner, value):
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if not ok or not 0 <= value <= 1:
        raise ValueError(f"{owner}: `label_smoothing` expected a number in [0, 1], got {value!r}")
    return float(value)
