"""Keras 3's HDF5 weights file: where each weight and each optimizer variable sits.

This is ``model.weights.h5`` inside a ``.keras`` file, and what
``save_weights("w.weights.h5")`` writes alone:

    vars                                 (the model; no arrays)
    layers/<key>/vars/0, 1, ...          a layer's weights (Dense: kernel, bias)
    layers/<key>/cell/vars/0, 1, 2       a recurrent layer's (kernel, recurrent_kernel, bias)
    optimizer/vars/0                     iterations
    optimizer/vars/1                     learning_rate (absent with a schedule)
    optimizer/vars/2, ...                the slots, per trainable weight, as Keras lists them

``<key>`` is the snake-case class name with a counter over the model's layers
in Keras' order (``lstm``, ``lstm_1``, ``dense``), not the layer's name. The
optimizer's slots follow ``type(optimizer).keras_slot_groups``: Adam's are
interleaved (momentum, velocity of weight 0, then of weight 1, ...), RMSprop's
one kind after another; Nadam's ``u_product`` comes last. Every layer gets a
group with its name as an attribute, empty for layers without weights, as
Keras writes them.

Reading checks every dataset's shape and type against the model and every
value before it assigns any; a refusal is a ValueError naming the file and
the dataset, and changes nothing.
"""
import io
import os

import numpy as np

from . import atomic, optimizers, validation
from .layers.base import Layer, snake_case
from .layers.recurrent import Recurrent


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
        groups += _groups(layer, f"layers/{key}")
    return groups


def _groups(layer, path):
    """One layer's groups, as Keras walks it: a recurrent layer keeps its weights in its
    ``cell``; a wrapper (a layer whose attributes hold layers, ``Bidirectional``'s
    ``forward_layer``...) in those, under the attributes' names, in their sorted order."""
    inner = sorted((name, value) for name, value in vars(layer).items()
                   if isinstance(value, Layer) and value is not layer)
    if inner:
        return [(f"{path}/vars", layer.name, [])] + [
            group for name, sublayer in inner for group in _groups(sublayer, f"{path}/{name}")]
    if isinstance(layer, Recurrent):
        return [(f"{path}/vars", layer.name, []),
                (f"{path}/cell/vars", f"{snake_case(type(layer).__name__)}_cell",
                 list(layer.params.values()))]
    return [(f"{path}/vars", layer.name, list(layer.params.values()))]


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
    unbuilt = len(arrays) == 1 + has_lr and arrays[0].shape == () and int(arrays[0]) == 0
    if unbuilt:             # Keras writes an optimizer that never stepped without its slots
        arrays = optimizer_arrays(model)[:1] + list(arrays[1:]) + optimizer_arrays(model)[1 + has_lr:]
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
    assign(model, filepath, os.fspath(filepath), with_optimizer=False)


def assign(model, source, where, with_optimizer):
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
