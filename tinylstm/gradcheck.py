"""Finite-difference gradient checks for layers and whole models.

The analytic gradient from a backward pass is compared with central differences

    dL/dw  ~  (L(w + eps) - L(w - eps)) / (2 eps)

for every entry of every weight and of the input. The error reported for a
tensor is

    max |a - n| / max(max |a|, max |n|, tiny)

with ``a`` the analytic and ``n`` the numerical gradient: the largest
difference, relative to the tensor's largest gradient. (Entry by entry, a
gradient that happens to be ~1e-9 would have a relative error dominated by
rounding in L, however right the code is.)

Central differences have error O(eps^2) from truncation and O(u / eps) from
rounding, u the unit roundoff. In float64 (u ~ 1e-16) with eps = 1e-6 both are
~1e-10, far below the 1e-6 a bug would show; in float32 (u ~ 6e-8) the rounding
term alone is ~0.06, so checks run in float64 only.
"""
import numpy as np

from .layers.base import as_list, unpack

TINY = 1e-30


def numerical_gradient(f, x, eps=1e-6):
    """dF/dx by central differences, perturbing ``x`` in place (and restoring it)."""
    assert x.flags.c_contiguous, "numerical_gradient perturbs x through a flat view: x must be C-contiguous"
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        up = f()
        flat[k] = old - eps
        down = f()
        flat[k] = old
        gflat[k] = (up - down) / (2 * eps)
    return grad


def relative_error(analytic, numerical):
    """max |a - n| / max(max |a|, max |n|, tiny), over the whole tensor."""
    scale = max(np.abs(analytic).max(), np.abs(numerical).max(), TINY)
    return float(np.abs(analytic - numerical).max() / scale)


def _require_float64(arrays):
    for a in arrays:
        if a.dtype != np.float64:
            raise TypeError(
                f"gradient checks need float64 arrays, got {a.dtype}: call "
                "tinylstm.config.set_floatx('float64') before building the model"
            )


def check_layer(layer, inputs, seed=0, eps=1e-6):
    """Check a layer's backward pass on ``inputs`` (an array or a list of arrays).

    The loss is L = sum_k sum(out_k * R_k) with fixed random R_k, so that every
    output entry gets a different weight. Returns {name: relative error} for
    each weight and each input ("input_0", ...).
    """
    xs = [np.array(x, dtype=np.float64) for x in as_list(inputs)]
    if not layer.built:
        layer.build(unpack([(None,) + x.shape[1:] for x in xs]))
    _require_float64(xs + layer.weights)
    rng = np.random.default_rng(seed)
    outs, _ = layer.forward(unpack(xs))
    R = [rng.standard_normal(o.shape) for o in as_list(outs)]

    def loss():
        outs, _ = layer.forward(unpack(xs))
        return sum(float((o * r).sum()) for o, r in zip(as_list(outs), R))

    layer.zero_grads()
    _, cache = layer.forward(unpack(xs))
    d_ins = as_list(layer.backward(unpack(R), cache))
    errors = {name: relative_error(layer.grads[name], numerical_gradient(loss, w, eps))
              for name, w in layer.params.items()}
    for k, (x, dx) in enumerate(zip(xs, d_ins)):
        errors[f"input_{k}"] = relative_error(dx, numerical_gradient(loss, x, eps))
    return errors


def check_model(model, x, y, eps=1e-6):
    """Check a compiled model's gradients of its loss on (x, y).

    Returns {"layer/weight": relative error} for every weight of every layer,
    and "input_k" for each model input.
    """
    xs = model._prepare(x, model.inputs, "input")
    ys = model._prepare(y, model.outputs, "target")
    _require_float64(xs + model.weights)

    def loss():
        preds, _ = model._forward(xs)
        return model._loss_and_grads(ys, preds)[0]

    layers = model._weight_layers()
    for layer in layers:
        layer.zero_grads()
    preds, caches = model._forward(xs)
    _, d_outputs = model._loss_and_grads(ys, preds)
    d_inputs = model._backward(d_outputs, caches)
    errors = {}
    for layer in layers:
        for name, w in layer.params.items():
            errors[f"{layer.name}/{name}"] = relative_error(
                layer.grads[name], numerical_gradient(loss, w, eps))
    for k, (xk, dx) in enumerate(zip(xs, d_inputs)):
        errors[f"input_{k}"] = relative_error(dx, numerical_gradient(loss, xk, eps))
    return errors
