"""Finite-difference gradient checks for layers and whole models.

The analytic gradient from a backward pass is compared with a numerical one,
from central differences of fourth order,

    dL/dw  ~  (8 (L(w + eps) - L(w - eps)) - (L(w + 2 eps) - L(w - 2 eps))) / (12 eps)

for every entry of every weight and of the input. The error reported for a
tensor is

    max |a - n| / max(max |a|, max |n|, tiny)

with ``a`` the analytic and ``n`` the numerical gradient: the largest
difference, relative to the tensor's largest gradient. (Entry by entry, a
gradient that happens to be ~1e-9 would have a relative error dominated by
rounding in L, however right the code is.)

Why fourth order. A numerical derivative errs by truncation (the Taylor terms
the stencil ignores) and by rounding: each L is off by about u |L|, u the unit
roundoff, and dividing by eps magnifies that to about u |L| / eps. The simple
stencil (L(w + eps) - L(w - eps)) / (2 eps) truncates at O(eps^2): with eps =
1e-6 both errors are ~1e-10 in float64. That is plenty when a tensor's
gradients are of the size of L, but a weight deep in a saturated stack can have
gradients ~1e-5 while L ~ 1, and then 1e-10 / 1e-5 = 1e-5 fails a 1e-6 check
with correct code (hypothesis found such a stack). The fourth-order stencil
truncates at O(eps^4), so eps can be 1e-3: rounding drops to ~1e-13 and
truncation, ~eps^4 = 1e-12 times a fifth derivative, stays about as small. In float32 (u ~ 6e-8) the rounding term alone
is ~1e-3 of L, so checks run in float64 only.
"""
import numpy as np

from .layers.base import as_list, call_forward, unpack

TINY = 1e-30


def numerical_gradient(f, x, eps=1e-3):
    """dF/dx by fourth-order central differences, perturbing ``x`` in place (and restoring it)."""
    if not isinstance(x, np.ndarray) or not x.flags.c_contiguous:
        got = type(x).__name__ if not isinstance(x, np.ndarray) else (
            "a Fortran-order array" if x.flags.f_contiguous else "a strided view")
        raise ValueError("numerical_gradient perturbs x in place through a flat view, so x must "
                         f"be a C-contiguous NumPy array (np.ascontiguousarray makes one), got {got}")
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)

    def f_at(k, value):
        flat[k] = value
        return f()

    for k in range(flat.size):
        old = flat[k]
        near = f_at(k, old + eps) - f_at(k, old - eps)           # 2 eps L' + (1/3) eps^3 L''' + ...
        far = f_at(k, old + 2 * eps) - f_at(k, old - 2 * eps)    # 4 eps L' + (8/3) eps^3 L''' + ...
        flat[k] = old
        gflat[k] = (8 * near - far) / (12 * eps)                 # the eps^3 terms cancel
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


def check_layer(layer, inputs, seed=0, eps=1e-3, training=False, mask=None):
    """Check a layer's backward pass on ``inputs`` (an array or a list of arrays).

    The loss is L = sum_k sum(out_k * R_k) with fixed random R_k, so that every
    output entry gets a different weight. Returns {name: relative error} for
    each weight and each input ("input_0", ...). ``training`` and ``mask`` go to
    the layer's forward as a model would pass them (fix the dropout masks first).
    """
    xs = [np.array(x, dtype=np.float64, order="C") for x in as_list(inputs)]
    if not layer.built:
        layer.build(unpack([(None,) + x.shape[1:] for x in xs]))
    _require_float64(xs + layer.weights)
    rng = np.random.default_rng(seed)

    def forward():
        return call_forward(layer, unpack(xs), training, mask)

    outs, _ = forward()
    R = [rng.standard_normal(o.shape) for o in as_list(outs)]

    def loss():
        outs, _ = forward()
        return sum(float((o * r).sum()) for o, r in zip(as_list(outs), R))

    layer.zero_grads()
    _, cache = forward()
    d_ins = as_list(layer.backward(unpack(R), cache))
    errors = {name: relative_error(layer.grads[name], numerical_gradient(loss, w, eps))
              for name, w in layer.params.items()}
    for k, (x, dx) in enumerate(zip(xs, d_ins)):
        if dx is not None:                      # None: integer ids (Embedding) have no gradient
            errors[f"input_{k}"] = relative_error(dx, numerical_gradient(loss, x, eps))
    return errors


def check_model(model, x, y, eps=1e-3, training=False):
    """Check a compiled model's gradients of its loss on (x, y).

    Returns {"layer/weight": relative error} for every weight of every layer,
    and "input_k" for each model input. ``training=True`` runs the forward pass as
    ``fit`` does (dropout on): fix the dropout masks first, or every call draws new ones.
    """
    # our own C-order copies: numerical_gradient perturbs the inputs in place
    xs, ys = model._check_xy(x, y)
    xs = [np.array(a, order="C") for a in xs]
    _require_float64(xs + model.weights)

    def loss():
        preds, trace = model._forward(xs, training)
        return model._loss(ys, preds, trace)

    layers = model._weight_layers()
    for layer in layers:
        layer.zero_grads()
    preds, trace = model._forward(xs, training)
    _, d_outputs = model._loss_and_grads(ys, preds, trace)
    d_inputs = model._backward(d_outputs, trace)
    errors = {}
    for layer in layers:
        for name, w in layer.params.items():
            errors[f"{layer.name}/{name}"] = relative_error(
                layer.grads[name], numerical_gradient(loss, w, eps))
    for k, (xk, dx) in enumerate(zip(xs, d_inputs)):
        if dx is not None:                      # None: integer ids (Embedding) have no gradient
            errors[f"input_{k}"] = relative_error(dx, numerical_gradient(loss, xk, eps))
    return errors
