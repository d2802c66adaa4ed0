"""The training loop behind ``Model.fit`` and ``Model.train_on_batch``.

    fit         check every argument and all the data (a refused fit changes
                nothing), set up the callbacks, build the model if it is not,
                then run the epochs
    epoch       shuffle; for each batch a train_step, then the callbacks see the
                running logs
    train_step  zero grads, forward, loss, backward, one optimizer update

A step whose loss, gradient or update is NaN or infinite changes no weight and
no optimizer state (``Optimizer.apply`` checks the whole update before it writes
any of it) and logs a non-finite loss, on which ``TerminateOnNaN``, always part
of ``fit``, stops training: the weights are those of the last finite step.
"""
import math

import numpy as np

from . import callbacks as callbacks_module
from . import utils, validation


def fit(model, x, y, batch_size=None, epochs=1, verbose="auto", callbacks=None,
        validation_split=0.0, validation_data=None, shuffle=True, initial_epoch=0):
    """Keras' ``fit``: returns the ``History``."""
    model._check_compiled("fit")
    owner = f"Model '{model.name}'.fit"
    batch_size = validation.positive_int(owner, "batch_size", 32 if batch_size is None else batch_size)
    epochs = validation.non_negative_int(owner, "epochs", epochs)
    initial_epoch = validation.non_negative_int(owner, "initial_epoch", initial_epoch)
    validation_split = validation.fraction(owner, "validation_split", validation_split)
    shuffle = validation.boolean(owner, "shuffle", shuffle)
    verbose = validation.verbosity(owner, verbose)
    train, val = split_data(model, owner, x, y, validation_split, validation_data)
    cbs, history = callback_list(owner, callbacks, verbose)
    names = ["loss"] + model._metric_names()
    params = {"epochs": epochs, "steps": math.ceil(len(train[0][0]) / batch_size),
              "verbose": verbose,
              "metrics": names + (["val_" + k for k in names] if val is not None else [])}
    cb = callbacks_module.CallbackList(cbs, model, params)     # callbacks check params here
    model.optimizer.check_params(model._trainable_weights() if model.built else [])
    model._ensure_built(train[0])
    for part in [train] + ([val] if val is not None else []):
        model._check_stateful_batches("fit", len(part[0][0]), batch_size)
    run_epochs(model, cb, train, val, range(initial_epoch, epochs), batch_size, shuffle)
    model.history = history
    return history


def split_data(model, owner, x, y, validation_split, validation_data):
    """((xs, ys) to train on, (xs, ys) to validate on or None), all checked; nothing built."""
    xs, ys = model._check_xy(x, y)
    if validation_data is not None:
        if not isinstance(validation_data, (list, tuple)) or len(validation_data) != 2:
            raise ValueError(f"{owner}: validation_data expected a tuple (x_val, y_val)")
        return (xs, ys), model._check_xy(*validation_data)
    if not validation_split:
        return (xs, ys), None
    n = len(xs[0])
    split = int(math.floor(n * (1.0 - validation_split)))   # Keras: the last rows validate
    if split in (0, n):
        raise ValueError(
            f"{owner}: Training data contains {n} samples, which is not sufficient to split it "
            f"into a validation and training set as specified by `validation_split="
            f"{validation_split}`. Either provide more data, or a different value for the "
            "`validation_split` argument.")
    return (([a[:split] for a in xs], [a[:split] for a in ys]),
            ([a[split:] for a in xs], [a[split:] for a in ys]))


def callback_list(owner, callbacks, verbose):
    """The user's callbacks (a list, or one callback as Keras allows), then TerminateOnNaN,
    History and the progress bar unless given; returns (callbacks, the History)."""
    given = [] if callbacks is None else (
        list(callbacks) if isinstance(callbacks, (list, tuple)) else [callbacks])
    for cb in given:
        if not isinstance(cb, callbacks_module.Callback):
            raise TypeError(f"{owner}: `callbacks` expected Callback instances, got {cb!r}")
    cbs = list(given)
    if not any(isinstance(cb, callbacks_module.TerminateOnNaN) for cb in cbs):
        cbs.append(callbacks_module.TerminateOnNaN())
    history = next((cb for cb in cbs if isinstance(cb, callbacks_module.History)), None)
    if history is None:
        history = callbacks_module.History()
        cbs.append(history)
    if verbose and not any(isinstance(cb, callbacks_module.ProgbarLogger) for cb in cbs):
        cbs.append(callbacks_module.ProgbarLogger(verbose))
    return cbs, history


def run_epochs(model, cb, train, val, epochs, batch_size, shuffle):
    """Train epoch after epoch, validating after each, until done or a callback stops it."""
    model.stop_training = False
    cb.on_train_begin()
    for epoch in epochs:
        cb.on_epoch_begin(epoch)
        logs = train_epoch(model, cb, *train, batch_size, shuffle)
        if val is not None:
            logs.update({"val_" + k: v for k, v in model._evaluate(*val, batch_size).items()})
        cb.on_epoch_end(epoch, logs)
        if model.stop_training:
            break
    cb.on_train_end()


def train_epoch(model, cb, xs, ys, batch_size, shuffle):
    """One pass over the data in batches; the epoch's logs: the loss weighted by batch size, the
    metrics by what they count (unmasked steps), as Keras 3."""
    n = len(xs[0])
    order = utils.rng().permutation(n) if shuffle else np.arange(n)
    sums, logs = {}, {}
    for step, start in enumerate(range(0, n, batch_size)):
        idx = order[start:start + batch_size]
        cb.on_train_batch_begin(step)
        bx, by = [a[idx] for a in xs], [a[idx] for a in ys]
        loss, preds, trace = train_step(model, bx, by)
        accumulate(sums, model._batch_logs(loss, by, preds, trace))
        logs = means(sums)
        cb.on_train_batch_end(step, dict(logs))
        if model.stop_training:
            break
    return logs


def train_step(model, xs, ys):
    """Zero grads, forward (training: dropout on), loss, backward, update; returns
    (loss, predictions, the forward ``Trace``).

    A non-finite loss skips the backward pass and the update; a non-finite
    gradient or update is refused whole by the optimizer and reported as a NaN
    loss. Either way no weight moves.
    """
    for layer in model._weight_layers():
        layer.zero_grads()
    preds, trace = model._forward(xs, training=True)
    with np.errstate(over="ignore", invalid="ignore"):   # a non-finite loss is handled below
        loss, d_outputs = model._loss_and_grads(ys, preds, trace)
    if not np.isfinite(loss):
        return loss, preds, trace
    model._backward(d_outputs, trace, input_gradients=False)     # nothing reads dL/dx here
    try:
        model.optimizer.apply(model._trainable_weights(), model._trainable_grads())
    except FloatingPointError:
        return float("nan"), preds, trace
    return loss, preds, trace


def accumulate(sums, batch_logs):
    """Add one batch's {name: (total, count)} into the running sums (Keras' ``Mean`` metrics)."""
    for k, (total, count) in batch_logs.items():
        t, c = sums.get(k, (0.0, 0.0))
        sums[k] = (t + total, c + count)


def means(sums):
    """{name: total / count}; a count of 0 (every step masked) gives 0, as Keras' divide_no_nan."""
    return {k: (t / c if c else 0.0) for k, (t, c) in sums.items()}
