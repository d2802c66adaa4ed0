"""Activation functions, each with its derivative right below it.

Every derivative is written in terms of the activation's *output* ``y`` (all
of Keras' classic activations allow it), so a backward pass needs to keep only
what the forward pass already produced:

    backward(dy, y) -> dx          with dx = dy * dy/dx, or the softmax
                                   Jacobian-vector product.
"""
import numpy as np


def linear(x):
    return x


def linear_backward(dy, y):
    return dy


def sigmoid(x):
    # sigma(x) = 1 / (1 + e^-x). For x below about -88 (float32) or -709 (float64)
    # e^-x overflows to inf and 1 / inf = 0 is the right value: no warning for it.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def sigmoid_backward(dy, y):
    # d sigma / dx = sigma (1 - sigma)
    return dy * y * (1.0 - y)


def tanh(x):
    return np.tanh(x)


def tanh_backward(dy, y):
    # d tanh / dx = 1 - tanh^2
    return dy * (1.0 - y * y)


def relu(x):
    return np.maximum(x, 0.0)


def relu_backward(dy, y):
    # d relu / dx = 1 where x > 0 (taken as 0 at x = 0, as Keras)
    return dy * (y > 0)


def softmax(x):
    # softmax over the last axis; shifting by the max keeps exp finite
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(dy, y):
    # Jacobian-vector product: dx_j = y_j (dy_j - sum_k dy_k y_k)
    return y * (dy - (dy * y).sum(axis=-1, keepdims=True))


# Keras' names for the activations above: name -> (forward, backward)
ACTIVATIONS = {
    "linear": (linear, linear_backward),
    "sigmoid": (sigmoid, sigmoid_backward),
    "tanh": (tanh, tanh_backward),
    "relu": (relu, relu_backward),
    "softmax": (softmax, softmax_backward),
}


def get(name):
    """``(forward, backward)`` for a Keras activation name; ``None`` means linear."""
    if name is None:
        name = "linear"
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}"
        )
    return ACTIVATIONS[name]
