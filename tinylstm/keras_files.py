"""Keras 3's files, both ways: ``.keras`` models and ``.weights.h5`` weights.

A ``.keras`` file is a zip of three members, as Keras 3.15 writes it:

    metadata.json        {"keras_version": ..., ...}
    config.json          {"module": "keras", "class_name": "Sequential" | "Functional",
                          "config": model.get_config(), "build_config", "compile_config"}
    model.weights.h5     the weights and the optimizer state (HDF5, below)

The HDF5 file's layout, and reading and writing it, are in ``keras_weights.py``.

h5py is optional (``pip install "tinylstm[keras-files]"``); without it these
calls say so. Nothing here uses pickle. Reading checks before it assigns: the
zip's members and sizes, every dataset's shape and float type against the
model, the values finite; every refusal is a ValueError naming the file and
the entry, and a refused file changes nothing.
"""
import io
import json
import os
import zipfile

from . import __version__, keras_weights, losses, optimizers, saving, serialization

KERAS_VERSION = "3.15.1"            # the Keras release whose files these are written as
MEMBERS = ("metadata.json", "config.json", "model.weights.h5")
MAX_CONFIG_BYTES = 64 * 2**20
COMPILE_DEFAULTS = {"loss_weights": None, "weighted_metrics": None, "steps_per_execution": 1}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)    # fixed member dates: the same model gives the same bytes


def model_config_json(model):
    """config.json: the model's config, its build and compile configs, as Keras 3 writes them."""
    from .models import Sequential
    if isinstance(model, Sequential):
        data = {"module": "keras", "class_name": "Sequential", "config": model.get_config(),
                "registered_name": None,
                "build_config": {"input_shape": serialization.shape_list(model.inputs[0].shape)}}
    else:
        data = {"module": "keras.src.models.functional", "class_name": "Functional",
                "config": model.get_config(), "registered_name": "Functional",
                "build_config": {"input_shape": None}}
    data["compile_config"] = compile_config(model)
    return json.dumps(data)


def compile_config(model):
    """``compile``'s arguments as Keras 3 writes them, or None for a model not compiled."""
    if model.optimizer is None or not model._loss_fns:
        return None
    return {"optimizer": optimizers.serialize(model.optimizer),
            "loss": _loss_spec(model.loss, model), "loss_weights": None,
            "metrics": _metric_spec(model._metrics_given),
            "weighted_metrics": None, "run_eagerly": False, "steps_per_execution": 1,
            "jit_compile": False}


def _loss_spec(loss, model):
    """A loss as ``compile`` was given it, in a form JSON holds and both libraries read."""
    if isinstance(loss, (list, tuple)) and not (len(loss) == 2 and all(map(callable, loss))):
        return [_loss_spec(l, model) for l in loss]
    if isinstance(loss, str):
        return loss
    if isinstance(loss, losses.Loss) and type(loss) is not losses.Loss:
        config = loss.get_config() if hasattr(loss, "get_config") else {"name": loss.name}
        return {"module": "keras.losses", "class_name": type(loss).__name__, "config": config,
                "registered_name": None}
    if callable(loss) and getattr(losses, getattr(loss, "__name__", ""), None) is loss:
        return loss.__name__
    raise ValueError(f"Model '{model.name}': the loss {loss!r} is your own (loss, gradient) "
                     "pair, which a file cannot hold; save_weights() keeps the weights, or "
                     "compile with a loss by name before saving")


def _metric_spec(metrics):
    if metrics is None:
        return None
    if isinstance(metrics, (list, tuple)):
        return [_metric_spec(m) for m in metrics]
    if isinstance(metrics, str):
        return metrics
    name = getattr(metrics, "__name__", None)
    if name and getattr(losses, name, None) is metrics:
        return name
    raise ValueError(f"the metric {metrics!r} is your own function, which a file cannot hold; "
                     "compile with metrics by name before saving")


def model_file_bytes(model):
    """The whole ``.keras`` file for ``model``, as bytes."""
    if not model.built:
        raise ValueError(f"Model '{model.name}' has no weights yet: build it first (give the "
                         "first layer an input_shape, or call fit or predict once)")
    config = model_config_json(model)
    weights = keras_weights.weights_file_bytes(model)
    metadata = json.dumps({"keras_version": KERAS_VERSION, "tinylstm_version": __version__})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in zip(MEMBERS, (metadata.encode(), config.encode(), weights)):
            archive.writestr(zipfile.ZipInfo(name, ZIP_DATE), data)
    return buffer.getvalue()


def save_model(model, filepath, overwrite=True):
    """``model.save(filepath)``: the ``.keras`` file, written atomically."""
    if not os.fspath(filepath).endswith(".keras"):
        raise ValueError("Invalid `filepath` argument: expected a `.keras` extension. "
                         f"Received: filepath={filepath} (weights alone: save_weights to "
                         ".npz or .weights.h5)")
    if not overwrite and os.path.exists(filepath):
        raise ValueError(f"{filepath} exists and overwrite=False")
    saving.write_atomically(filepath, model_file_bytes(model))


# -- reading ----------------------------------------------------------------------------
def load_model(filepath, compile=True):
    """The model a ``.keras`` file holds (tinylstm's or Keras 3's), compiled as it was saved
    (with the optimizer's state, to resume training) unless ``compile=False``."""
    from . import model_config
    from .models import Model, Sequential
    where = os.fspath(filepath)
    if not where.endswith(".keras"):
        raise ValueError(f"Invalid filename: expected a `.keras` extension. Received: "
                         f"filepath={filepath}")
    keras_weights.h5py_module()
    with _open_zip(filepath) as archive:
        data = _read_json(archive, "config.json", where)
        if not isinstance(data, dict) or data.get("class_name") not in ("Sequential", "Functional", "Model"):
            raise ValueError(f"{where}: config.json describes "
                             f"{data.get('class_name') if isinstance(data, dict) else data!r}, "
                             "not a Sequential or functional model")
        config = data.get("config")
        if not isinstance(config, dict):
            raise ValueError(f"{where}: config.json has no model config")
        try:
            if data["class_name"] == "Sequential":
                model = model_config.sequential_from_config(config, Sequential)
            else:
                model = model_config.functional_from_config(config, Model)
        except (TypeError, ValueError, KeyError, IndexError) as err:
            raise ValueError(f"{where}: config.json: {err}") from None
        if not model.built:
            raise ValueError(f"{where}: the model in config.json has no input shape")
        if compile and data.get("compile_config"):
            _compile_from_config(model, data["compile_config"], where)
        if "model.weights.h5" not in archive.namelist():
            raise ValueError(f"{where} has no model.weights.h5 (members: {archive.namelist()}); "
                             "tinylstm reads Keras 3's HDF5 weights, not its pickled .npz form")
        weights = _read_member(archive, "model.weights.h5", where, _expected_bytes(model))
    keras_weights.assign(model, io.BytesIO(weights), where,
                         with_optimizer=compile and model.optimizer is not None)
    return model


def _open_zip(filepath):
    try:
        return zipfile.ZipFile(filepath)
    except zipfile.BadZipFile as err:
        raise ValueError(f"{filepath} is not a .keras file (a zip archive): {err}") from None


def _read_member(archive, name, where, limit):
    try:
        info = archive.getinfo(name)
    except KeyError:
        raise ValueError(f"{where} has no {name} (members: {archive.namelist()})") from None
    if info.file_size > limit:
        raise ValueError(f"{where}: {name} claims {info.file_size} bytes, more than the "
                         f"{limit} this model's weights could take")
    try:
        with archive.open(info) as f:
            data = f.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError) as err:
        raise ValueError(f"{where}: {name} cannot be read: {err}") from None
    if len(data) != info.file_size:
        raise ValueError(f"{where}: {name} holds {len(data)} bytes, its entry says {info.file_size}")
    return data


def _read_json(archive, name, where):
    try:
        return json.loads(_read_member(archive, name, where, MAX_CONFIG_BYTES))
    except json.JSONDecodeError as err:
        raise ValueError(f"{where}: {name} is not valid JSON: {err}") from None


def _expected_bytes(model):
    """An upper bound for the weights file of ``model``: its arrays, the optimizer's slots,
    and room for HDF5's own records."""
    n = sum(w.nbytes for w in model.weights)
    return 4 * n + 2**20 * (1 + len(model.layers))


def _compile_from_config(model, config, where):
    """``model.compile`` with what config.json's compile_config holds."""
    for key, default in COMPILE_DEFAULTS.items():
        if config.get(key, default) != default:
            raise ValueError(f"{where}: compile_config has {key}={config[key]!r}; tinylstm "
                             f"compiles with {key}={default!r} only")
    try:
        optimizer = optimizers.deserialize(config["optimizer"])
        loss = _loss_from_spec(config.get("loss"))
        model.compile(optimizer=optimizer, loss=loss, metrics=config.get("metrics"))
    except (TypeError, ValueError, KeyError) as err:
        raise ValueError(f"{where}: compile_config: {err}") from None


def _loss_from_spec(spec):
    if isinstance(spec, list):
        return [_loss_from_spec(s) for s in spec]
    if isinstance(spec, dict):
        classes = {name: cls for name, cls in vars(losses).items()
                   if isinstance(cls, type) and issubclass(cls, losses.Loss) and cls is not losses.Loss}
        if spec.get("class_name") not in classes:
            raise ValueError(f"unknown loss {spec.get('class_name')!r}; tinylstm has {sorted(classes)}")
        cls = classes[spec["class_name"]]
        return cls(**serialization.constructor_kwargs(cls, spec.get("config") or {}))
    return spec


