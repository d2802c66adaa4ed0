"""Keras 3's config format: one JSON-friendly dict per object, the same in and out of Keras.

An object (a layer, an initializer, an optimizer, a schedule, a model) is
written as Keras 3 writes it,

    {"module": "keras.layers", "class_name": "LSTM",
     "config": {"name": "lstm", "units": 32, ...}, "registered_name": None}

where ``config`` is ``obj.get_config()``: the constructor's arguments under
their Keras names, so that ``cls.from_config(config)``, which is
``cls(**config)``, makes the same object again.

Keras configs hold keys for features tinylstm does not have (``dropout``,
``kernel_regularizer``, ``use_ema``, ...). Reading a config, such a key is
dropped when it holds Keras' default (the feature is off, so nothing is lost)
and refused otherwise, with a ValueError that names the class, the key and the
value: a model never loads as something other than what was saved. A class
that takes the argument itself receives it like any other.
"""
import inspect

import numpy as np

# Keras 3.15's arguments that tinylstm does not take, and the value that means "not used".
KERAS_DEFAULTS = {
    # layers
    "kernel_regularizer": None, "recurrent_regularizer": None, "bias_regularizer": None,
    "activity_regularizer": None, "kernel_constraint": None, "recurrent_constraint": None,
    "bias_constraint": None, "dropout": 0.0, "recurrent_dropout": 0.0, "seed": None,
    "stateful": False, "unroll": False, "zero_output_for_mask": False, "use_cudnn": "auto",
    "lora_rank": None, "lora_alpha": None, "quantization_config": None,
    "embeddings_regularizer": None, "embeddings_constraint": None,
    "sparse": False, "ragged": False, "optional": False,
    # initializers
    "input_axes": None, "output_axes": None,
    # optimizers
    "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
    "loss_scale_factor": None, "gradient_accumulation_steps": None,
    # losses
    "reduction": "sum_over_batch_size", "axis": -1, "ignore_class": None,
}


def serialize(obj, module):
    """``obj`` as Keras 3 writes it: module, class name, ``obj.get_config()``."""
    return {"module": module, "class_name": type(obj).__name__,
            "config": obj.get_config(), "registered_name": None}


def deserialize(data, classes, what):
    """The object that ``data`` (a ``serialize`` dict) describes, made by ``from_config``.

    ``classes`` maps the class names tinylstm knows to classes; ``what`` names
    the kind of object for the error ("layer", "initializer", ...).
    """
    if not isinstance(data, dict) or "class_name" not in data:
        raise ValueError(f"expected a serialized {what} (a dict with 'class_name' and "
                         f"'config'), got {data!r}")
    name = data["class_name"]
    if name not in classes:
        raise ValueError(f"unknown {what} class {name!r} (module {data.get('module')!r}); "
                         f"tinylstm has {sorted(classes)}")
    config = data.get("config") or {}
    if not isinstance(config, dict):
        raise ValueError(f"the config of {what} {name!r} must be a dict, got {config!r}")
    return classes[name].from_config(config)


def constructor_kwargs(cls, config):
    """The keys of ``config`` that ``cls(**kwargs)`` takes; Keras-only keys holding their
    default are dropped, any other key is refused.

    The keys a class takes are its named arguments, plus ``cls.base_config_keys``
    when it passes ``**kwargs`` on (a layer's ``name``, ``trainable``, ``dtype``).
    """
    params = inspect.signature(cls.__init__).parameters
    known = {k for k, p in params.items() if p.kind is not p.VAR_KEYWORD} - {"self"}
    if any(p.kind is p.VAR_KEYWORD for p in params.values()):
        known |= set(getattr(cls, "base_config_keys", ()))
    kwargs = {}
    for key, value in config.items():
        if key in known:
            kwargs[key] = value
        elif key in KERAS_DEFAULTS and _same(value, KERAS_DEFAULTS[key]):
            continue
        elif key in KERAS_DEFAULTS:
            raise ValueError(f"{cls.__name__}: tinylstm does not support {key}={value!r} "
                             f"(only Keras' default, {KERAS_DEFAULTS[key]!r})")
        else:
            raise ValueError(f"{cls.__name__}: unknown config key {key!r} (value {value!r}); "
                             f"it takes {sorted(known)}")
    return kwargs


def _same(value, default):
    """Config values compare as JSON would: 0 and 0.0 agree, True and 1 do not."""
    if isinstance(default, bool) or isinstance(value, bool):
        return value is default
    if isinstance(default, (int, float)) and isinstance(value, (int, float, np.number)):
        return float(value) == float(default)
    return value == default


def dtype_policy(dtype):
    """A float type as Keras 3 writes a layer's dtype: its DTypePolicy dict."""
    return {"module": "keras", "class_name": "DTypePolicy",
            "config": {"name": np.dtype(dtype).name}, "registered_name": None}


def dtype_from_config(value):
    """A layer's ``dtype`` argument as a NumPy float dtype, or None: a name, a dtype, or
    the DTypePolicy dict of a config."""
    if value is None:
        return None
    if isinstance(value, dict):
        if value.get("class_name") != "DTypePolicy":
            raise ValueError(f"dtype: expected Keras' DTypePolicy (a float type), got {value!r}; "
                             "tinylstm has no mixed precision")
        value = (value.get("config") or {}).get("name")
    try:
        dtype = np.dtype(value)
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind != "f":
        raise ValueError(f"dtype: expected a float type such as 'float32' or 'float64', "
                         f"got {value!r}")
    return dtype


def shape_list(shape):
    """A shape as JSON holds it: a list, ``None`` for unknown sizes."""
    return None if shape is None else [None if d is None else int(d) for d in shape]
