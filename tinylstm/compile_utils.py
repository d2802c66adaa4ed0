"""What ``Model.compile`` makes of its ``loss`` and ``metrics``, output by output (Keras' rules).

    loss      one loss (a name, a Loss, or a pair (loss_fn, grad_fn)) for every
              output, or a list with one loss per output
    metrics   a list of metrics for a one-output model (logged as "mae"), or
              one list per output (logged as "<output layer>_mae"), as Keras 3;
              "accuracy" becomes binary, categorical or sparse accuracy by the
              shapes of target and prediction (``metrics.py``)
    targets   shaped as their output, except for a sparse loss: class indices,
              the output's shape without its class axis (or with it as 1)
"""
import numpy as np

from . import losses
from . import metrics as metrics_module


def losses_per_output(owner, loss, n_outputs):
    """[Loss]: one for all outputs, or one per output; [] for None."""
    if loss is None:
        return []
    if not isinstance(loss, (list, tuple)) or _is_loss_pair(loss):
        return [losses.get(loss)]
    if len(loss) != n_outputs:
        raise ValueError(f"{owner} has {n_outputs} output(s) and compile got {len(loss)} "
                         f"losses {list(loss)}: give one loss for every output, or a list "
                         "of one loss per output")
    return [losses.get(l) for l in loss]


def metrics_per_output(owner, metrics, n_outputs, output_names):
    """[(log name, output index, function)]; ``output_names()`` names the outputs."""
    if metrics is None:
        return []
    if not isinstance(metrics, (list, tuple)):
        raise ValueError(f"{owner}: expected `metrics` to be a list such as ['mae'], got "
                         f"{metrics!r} of type {type(metrics).__name__}")
    if metrics and all(isinstance(m, list) for m in metrics):
        if len(metrics) != n_outputs:
            raise ValueError(f"{owner} has {n_outputs} output(s) and `metrics` has "
                             f"{len(metrics)} lists: give one list per output")
        names = output_names()
        return [(f"{names[k]}_{m.name}", k, m)
                for k, group in enumerate(metrics) for m in map(metrics_module.get, group)]
    if n_outputs != 1:
        raise ValueError(f"{owner} has {n_outputs} outputs: give `metrics` as one list per "
                         f"output, e.g. {[['mae']] * n_outputs}, got {metrics!r}")
    return [(m.name, 0, m) for m in map(metrics_module.get, metrics)]


def target_shapes(loss_fns, out_shapes, ys):
    """The shape each target must have (see the module docstring); no losses: the outputs'."""
    shapes = []
    for k, shape in enumerate(out_shapes):
        if loss_fns and getattr(loss_fns[k], "sparse", False):
            shape = tuple(shape[:-1]) + ((1,) if ys[k].ndim == len(shape) else ())
        shapes.append(shape)
    return shapes


def check_class_indices(owner, loss_fns, out_shapes, ys):
    """Targets of a sparse loss are whole numbers in [0, classes), checked before training."""
    for k, (shape, y) in enumerate(zip(out_shapes, ys)):
        if not (loss_fns and getattr(loss_fns[k], "sparse", False)):
            continue
        K = shape[-1]
        if not (np.all(np.mod(y, 1) == 0) and y.min() >= 0 and y.max() < K):
            raise ValueError(f"{owner}: target {k} holds class indices for "
                             f"'{loss_fns[k].name}': expected whole numbers in [0, {K}) for "
                             f"the output's {K} classes, got values from {y.min():g} to "
                             f"{y.max():g}")


def _is_loss_pair(loss):
    """``(loss_fn, grad_fn)`` is one loss of your own (see ``losses.get``), not one per output."""
    return isinstance(loss, tuple) and len(loss) == 2 and all(callable(f) for f in loss)
