"""Optimizers with Keras 3's names, defaults and exact update rules: ``keras.optimizers``.

    SGD  RMSprop  Adam  AdamW  Adagrad  Nadam       one module each, the update in its docstring
    schedules                                        learning rates that follow the step
    optimizer.py                                     what they share (notation, clipping, one step)

``compile(optimizer="adam")`` takes a name (``get``); ``compile(optimizer=Adam(...))``
an instance. See ``optimizer.py`` for the notation and the order of a step.
"""
from .. import serialization
from . import schedules
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .nadam import Nadam
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

_CLASSES = {cls.__name__: cls for cls in (SGD, RMSprop, Adam, AdamW, Adagrad, Nadam)}
_BY_NAME = {name.lower(): cls for name, cls in _CLASSES.items()}


def get(identifier):
    """An ``Optimizer`` instance as is, a fresh one with defaults from a Keras name
    (``"adam"``, ``"rmsprop"``, ...), or one from a serialized config (a dict)."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Unknown optimizer {identifier!r}; expected one of "
                             f"{sorted(_BY_NAME)} or an Optimizer instance")
        return cls()
    raise TypeError("Could not interpret optimizer identifier: expected an Optimizer "
                    f"instance or one of {sorted(_BY_NAME)}, got {type(identifier).__name__}")


def serialize(optimizer):
    """An optimizer as Keras 3 writes it: ``{"module", "class_name", "config", ...}``."""
    return serialization.serialize(optimizer, "keras.optimizers")


def deserialize(data):
    """The optimizer a ``serialize`` dict (tinylstm's or Keras') describes."""
    return serialization.deserialize(data, _CLASSES, "optimizer")


__all__ = ["Adagrad", "Adam", "AdamW", "Nadam", "Optimizer", "RMSprop", "SGD", "deserialize",
           "get", "schedules", "serialize"]
