"""Keras 3's files, both ways: ``.keras`` models and ``.weights.h5`` weights.

A ``.keras`` file is a zip of three members, as Keras 3.15 writes it:

    metadata.json        {"keras_version": ..., ...}
    config.json          {"module": "keras", "class_name": "Sequential" | "Functional",
                          "config": model.get_config(), "build_config", "compile_config"}
    model.weights.h5     the weights and the optimizer state (HDF5, below)

The HDF5 file (alone, it is what ``save_weights("w.weights.h5")`` writes):

    layers/<key>/vars/0, 1, ...          a layer's weights (Dense: kernel, bias)
    layers/<key>/cell/vars/0, 1, 2       a recurrent layer's (kernel, recurrent_kernel, bias)
    optimizer/vars/0                     iterations
    optimizer/vars/1                     learning_rate (absent with a schedule)
    optimizer/vars/2, ...                the slots, per trainable weight, as Keras lists them

``<key>`` is the snake-case class name with a counter over the model's layers
in Keras' order (``lstm``, ``lstm_1``, ``dense``), not the layer's name. The
optimizer's slots follow ``type(optimizer).keras_slot_groups``: Adam's are
interleaved (momentum, velocity of weight 0, then of weight 1, ...), RMSprop's
one kind after another; Nadam's ``u_product`` comes last.

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

import numpy as np

from . import __version__, atomic, losses, optimizers, saving, serialization, validation
from .layers.base import snake_case
from .layers.input_layer import InputLayer
from .layers.recurrent import Recurrent

KERAS_VERSION = "3.15.1"            # the Keras release whose files these are written as
MEMBERS = ("metadata.json", "config.json", "model.weights.h5")
MAX_CONFIG_BYTES = 64 * 2**20
COMPILE_DEFAULTS = {"loss_weights": None, "weighted_metrics": None, "steps_per_execution": 1}
ZIP_DATE = (1980, 1, 1, 0, 0, 0)    # fixed member dates: the same model gives the same bytes


def h5py_module():
    """h5py, or an ImportError that says what to install."""
    try:
        import h5py
    except ImportError as err:
        raise ImportError('Keras files (.keras, .weights.h5) need h5py: pip install '
                          '"tinylstm[keras-files]" (or pip install h5py)') from err
    return h5py


# -- the model's weights as Keras lists them --------------------------------------------
def keras_layers(model):
    """The model's layers in Keras 3's order: a Sequential's stack, a functional model's
    graph by depth (``model_config.keras_order``)."""
    from . import model_config
    from .models import Sequential
    if isinstance(model, Sequential):
        return model.layers
    return model_config.keras_order(model.inputs, model.outputs)


def layer_groups(model):
    """[(HDF5 group path, layer name, [weight arrays])] in Keras' order; every layer has a
    group, as Keras writes one (empty for layers without weights)."""
    used, groups = {}, []
    for layer in keras_layers(model):
        base = snake_case(type(layer).__name__)
        key = base if base not in used else f"{base}_{used[base] + 1}"
        used[base] = used.get(base, -1) + 1
        groups.append((f"layers/{key}/vars", layer.name, [] if isinstance(layer, Recurrent)
                       else list(layer.params.values())))
        if isinstance(layer, Recurrent):
            groups.append((f"layers/{key}/cell/vars", f"{base}_cell", list(layer.params.values())))
    return groups


def trainable_in_keras_order(model):
    """The trainable weights as Keras' ``model.trainable_variables`` lists them."""
    seen, out = set(), []
    for layer in keras_layers(model):
        if layer.trainable and id(layer) not in seen:
            seen.add(id(layer))
            out.extend(layer.params.values())
    return out


def optimizer_arrays(model):
    """Keras' optimizer variables for ``model.optimizer``: iterations, the learning rate
    (unless a schedule), the slots by ``keras_slot_groups``, then the scalars. An optimizer
    that has not stepped yet gives its starting values."""
    opt = model.optimizer
    params = trainable_in_keras_order(model)
    ours = model._trainable_weights()
    position = [next(k for k, w in enumerate(ours) if w is p) for p in params]
    slots = opt._slots or {s: [opt.initial_slot(s, w) for w in ours] for s in opt.slot_names}
    scalars = opt._scalars or {s: opt.initial_scalar(s, ours[0].dtype) for s in opt.scalar_names}
    arrays = [np.array(opt.iterations, dtype=np.int64)]
    if not isinstance(opt._learning_rate, optimizers.schedules.LearningRateSchedule):
        arrays.append(np.array(opt._learning_rate))
    for group in opt.keras_slot_groups:
        names = [s for s in group if s in opt.slot_names]
        arrays += [slots[s][k] for k in position for s in names]
    return arrays + [np.array(scalars[s]) for s in opt.scalar_names]


def set_optimizer_arrays(model, arrays, where):
    """The inverse of ``optimizer_arrays``: state for ``model.optimizer``, checked whole."""
    opt = model.optimizer
    params, ours = trainable_in_keras_order(model), model._trainable_weights()
    has_lr = not isinstance(opt._learning_rate, optimizers.schedules.LearningRateSchedule)
    n_scalars = len(opt.scalar_names)
    expected = 1 + has_lr + len(opt.slot_names) * len(params) + n_scalars
    if len(arrays) != expected:
        raise ValueError(f"{where}: the optimizer state has {len(arrays)} variables; "
                         f"{type(opt).__name__} {'(with a schedule) ' if not has_lr else ''}of "
                         f"model '{model.name}' needs {expected}")
    iterations, rest = arrays[0], list(arrays[1:])
    if iterations.shape != () or iterations.dtype.kind not in "iu" or int(iterations) < 0:
        raise ValueError(f"{where}: optimizer/vars/0 (iterations) must be a count, got "
                         f"{iterations.dtype} {iterations.shape}")
    lr = rest.pop(0) if has_lr else None
    slots, k = {s: [None] * len(ours) for s in opt.slot_names}, 0
    for group in opt.keras_slot_groups:
        names = [s for s in group if s in opt.slot_names]
        for p in params:
            for s in names:
                slots[s][next(i for i, w in enumerate(ours) if w is p)] = rest[k]
                k += 1
    scalars = rest[k:]
    for s in opt.slot_names:
        validation.weight_values(f"{where}: optimizer slot", [f"'{s}' {i}" for i in range(len(ours))],
                                 ours, slots[s])
    state = [np.asarray(iterations)] + [slots[s][i] for s in opt.slot_names
                                        for i in range(len(ours))] + list(scalars)
    if lr is not None:
        lr = float(validation.weight_values(f"{where}:", ["learning_rate"],
                                            [np.zeros(())], [lr])[0])
    with atomic.interrupts_deferred():
        if lr is not None:
            opt.learning_rate = lr
        opt.set_state_arrays(state)


# -- writing ----------------------------------------------------------------------------
def weights_file_bytes(model, with_optimizer=True):
    """The HDF5 weights file Keras 3 writes for ``model`` (and its optimizer, if compiled)."""
    h5py = h5py_module()
    buffer = io.BytesIO()
    with h5py.File(buffer, "w") as f:
        f.create_group("vars").attrs["name"] = model.name
        for path, name, arrays in layer_groups(model):
            group = f.create_group(path)
            group.attrs["name"] = name
            for k, a in enumerate(arrays):
                group[str(k)] = a
        if with_optimizer and model.optimizer is not None and model._trainable_weights():
            group = f.create_group("optimizer/vars")
            group.attrs["name"] = model.optimizer.name
            for k, a in enumerate(optimizer_arrays(model)):
                group[str(k)] = a
    return buffer.getvalue()


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
    weights = weights_file_bytes(model)
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
    h5py_module()
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
    _assign(model, io.BytesIO(weights), where, with_optimizer=compile and model.optimizer is not None)
    return model


def load_weights_file(model, filepath):
    """``model.load_weights("w.weights.h5")``: every layer's weights, or none. The optimizer
    state such a file may hold is not read (``load_model`` restores it)."""
    if not model.built:
        raise ValueError(f"Model '{model.name}' has no weights yet: build it first (give the "
                         "first layer an input_shape, or call fit or predict once)")
    h5py_module()
    with open(filepath, "rb") as f:
        head = f.read(8)
    if head != b"\x89HDF\r\n\x1a\n":
        raise ValueError(f"{filepath} is not an HDF5 file (it starts with {head!r})")
    _assign(model, filepath, os.fspath(filepath), with_optimizer=False)


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


def _assign(model, source, where, with_optimizer):
    """Read the layers' weights (and the optimizer state) from the HDF5 ``source``, check
    them all, then assign them as one step."""
    h5py = h5py_module()
    try:
        f = h5py.File(source, "r")
    except OSError as err:
        raise ValueError(f"{where}: the weights are not a readable HDF5 file ({err})") from None
    with f:
        labels, targets, values = [], [], []
        for path, _, arrays in layer_groups(model):
            stored = _datasets(h5py, f, path, where, len(arrays), required=bool(arrays))
            for k, (target, dataset) in enumerate(zip(arrays, stored)):
                values.append(_dataset_value(dataset, target.shape, f"{where}: {path}/{k}"))
                labels.append(f"{path}/{k}")
                targets.append(target)
        new = validation.weight_values(f"{where}:", labels, targets, values)
        state = None
        if with_optimizer and "optimizer" in f:
            n = len(f["optimizer/vars"]) if "optimizer/vars" in f else 0
            state = [_dataset_value(d, None, f"{where}: optimizer/vars/{k}")
                     for k, d in enumerate(_datasets(h5py, f, "optimizer/vars", where, n))]
    with atomic.interrupts_deferred():
        atomic.assign(zip(targets, new))
        if state is not None:
            set_optimizer_arrays(model, state, where)


def _datasets(h5py, f, path, where, n, required=True):
    """The datasets 0 .. n-1 of group ``path``, checked to be exactly those."""
    if path not in f:
        if required:
            raise ValueError(f"{where}: the weights file has no {path}, where the model keeps "
                             f"{n} weight(s)")
        return []
    group = f[path]
    if not isinstance(group, h5py.Group):
        raise ValueError(f"{where}: {path} is not a group")
    names = sorted(group.keys())
    if names != sorted(str(k) for k in range(n)):
        raise ValueError(f"{where}: {path} holds {names}; the model expects {n} weight(s), "
                         f"{[str(k) for k in range(n)]}")
    out = []
    for k in range(n):
        dataset = group[str(k)]
        if not isinstance(dataset, h5py.Dataset):
            raise ValueError(f"{where}: {path}/{k} is not a dataset")
        out.append(dataset)
    return out


def _dataset_value(dataset, shape, where):
    """A dataset's values, after its header says it is numbers of ``shape`` (any shape if None)."""
    if dataset.dtype.kind not in "fiu" or dataset.dtype.hasobject:
        raise ValueError(f"{where} has dtype {dataset.dtype}, expected numbers")
    if shape is not None and dataset.shape != tuple(shape):
        raise ValueError(f"{where} has shape {dataset.shape}, the model expects {tuple(shape)}")
    if dataset.size > 2**31:
        raise ValueError(f"{where} claims {dataset.size} values")
    return np.asarray(dataset[()])
