"""What ``Model.compile`` makes of its ``loss`` and ``metrics``, output by output (Keras' rules).

    loss      one loss (a name, a Loss, or a pair (loss_fn, grad_fn)) for every
              output, or a list with one loss per output
    metrics   a list of metrics for a one-output model (logged as "mae"), or
              one list per output (logged as "<output layer>_mae"), as Keras 3
"""
from . import losses


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
        return [(f"{names[k]}_{_metric_name(m)}", k, losses.get(m))
                for k, group in enumerate(metrics) for m in group]
    if n_outputs != 1:
        raise ValueError(f"{owner} has {n_outputs} outputs: give `metrics` as one list per "
                         f"output, e.g. {[['mae']] * n_outputs}, got {metrics!r}")
    return [(_metric_name(m), 0, losses.get(m)) for m in metrics]


def _is_loss_pair(loss):
    """``(loss_fn, grad_fn)`` is one loss of your own (see ``losses.get``), not one per output."""
    return isinstance(loss, tuple) and len(loss) == 2 and all(callable(f) for f in loss)


def _metric_name(metric):
    """The log name of a metric: its Keras name as given, else the loss function's name."""
    return metric if isinstance(metric, str) else losses.get(metric).name
