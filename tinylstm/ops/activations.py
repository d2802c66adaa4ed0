"""Activation functions, each with its derivative right below it.

Every derivative is written in terms of the activation's *output* ``y`` (all
of Keras' classic activations allow it), so a backward pass needs to keep only
what the forward pass already produced:

    forward(x, out=None) -> y
    backward(dy, y, out=None) -> dx    with dx = dy * dy/dx, or the softmax
                                       Jacobian-vector product.

Each writes into ``out`` if given (an LSTM keeps its gates where they are made).
The element-wise backward functions (all but softmax's) work in place, into
``out`` or one new array: an LSTM takes its derivatives for whole sequences at once, and a
temporary array that large is fresh memory from the operating system, slow to
touch. For an element-wise activation ``backward(a, y)`` is ``a`` times the
derivative, whatever ``a`` is; :func:`elementwise` hands out only those.
"""
import numpy as np


def linear(x, out=None):
    if out is None:
        return x
    np.copyto(out, x)
    return out


def linear_backward(dy, y, out=None):
    if out is None:
        return dy
    np.copyto(out, dy)
    return out


def sigmoid(x, out=None):
    # sigma(x) = 1 / (1 + e^-x), each step in `out` if given. For x below about -88
    # (float32) or -709 (float64) e^-x overflows to inf and 1 / inf = 0 is the right
    # value: no warning for it.
    with np.errstate(over="ignore"):
        e = np.exp(np.negative(x, out=out), out=out)
    return np.reciprocal(np.add(e, 1.0, out=out), out=out)


def sigmoid_backward(dy, y, out=None):
    # d sigma / dx = sigma (1 - sigma); dx = (1 - y) y dy, in place
    out = np.subtract(1.0, y, out=out)
    out *= y
    out *= dy
    return out


def tanh(x, out=None):
    return np.tanh(x, out=out)


def tanh_backward(dy, y, out=None):
    # d tanh / dx = 1 - tanh^2; dx = (1 - y y) dy, in place
    out = np.multiply(y, y, out=out)
    np.subtract(1.0, out, out=out)
    out *= dy
    return out


def relu(x, out=None):
    return np.maximum(x, 0.0, out=out)


def relu_backward(dy, y, out=None):
    # d relu / dx = 1 where x > 0 (taken as 0 at x = 0, as Keras)
    return np.multiply(dy, y > 0, out=out)


def softmax(x, out=None):
    # softmax over the last axis; shifting by the max keeps exp finite
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return np.divide(e, e.sum(axis=-1, keepdims=True), out=out)


def softmax_backward(dy, y, out=None):
    # Jacobian-vector product: dx_j = y_j (dy_j - sum_k dy_k y_k)
    return np.multiply(y, dy - (dy * y).sum(axis=-1, keepdims=True), out=out)


# Keras' names for the activations above: name -> (forward, backward)
ACTIVATIONS = {
    "linear": (linear, linear_backward),
    "sigmoid": (sigmoid, sigmoid_backward),
    "tanh": (tanh, tanh_backward),
    "relu": (relu, relu_backward),
    "softmax": (softmax, softmax_backward),
}


# those whose derivative acts on each number alone (softmax mixes the numbers of a row)
ELEMENTWISE = ("linear", "relu", "sigmoid", "tanh")


def elementwise(name, owner="this layer"):
    """``(forward, backward)`` as :func:`get`, for an element-wise activation only."""
    forward_backward = get(name)
    if (name or "linear") not in ELEMENTWISE:
        raise ValueError(f"{owner} takes element-wise activations {list(ELEMENTWISE)}, "
                         f"not {name!r}: its derivative mixes the units")
    return forward_backward


def get(name):
    """``(forward, backward)`` for a Keras activation name; ``None`` means linear."""
    if name is None:
        name = "linear"
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}"
        )
    return ACTIVATIONS[name]
