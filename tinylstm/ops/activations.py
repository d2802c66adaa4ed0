"""Activation functions, each with its derivative right below it.

Every derivative is written in terms of the activation's *output* ``y`` (all of
Keras' classic activations allow it), so a backward pass needs to keep only what
the forward pass produced:

    forward(x) -> y
    backward(dy, y) -> dx        dx = dy * dy/dx  (softmax: the Jacobian-vector product)

Names are Keras' (``keras.activations``), plus ``hard_sigmoid_keras2``: the
hard sigmoid of Keras 2 before 2.3, whose LSTM used it as its default
``recurrent_activation``. Keras 3 changed both the default (to sigmoid) and
the slope of ``hard_sigmoid``.
"""
import numpy as np


def linear(x):
    """x: the identity (a Dense layer without an activation)."""
    return x


def linear_backward(dy, y):
    """dy: the identity passes the gradient through."""
    return dy


def sigmoid(x):
    """1 / (1 + e^-x), elementwise."""
    # e^-x overflows to inf for x below about -88 (float32); 1 / inf = 0 is the right value
    with np.errstate(over="ignore"):
        return 1 / (1 + np.exp(-x))


def sigmoid_backward(dy, y):
    """dy * y (1 - y): sigma' = sigma (1 - sigma)."""
    return dy * y * (1 - y)


def hard_sigmoid(x):
    """Keras 3's hard sigmoid, clip(x / 6 + 0.5, 0, 1): 0 below -3, 1 above 3."""
    return np.clip(x / 6 + 0.5, 0, 1)


def hard_sigmoid_backward(dy, y):
    """dy / 6 between the kinks, 0 outside (where the output is clipped)."""
    return dy * ((y > 0) & (y < 1)) / 6


def hard_sigmoid_keras2(x):
    """Keras 2's hard sigmoid, clip(0.2 x + 0.5, 0, 1): 0 below -2.5, 1 above 2.5."""
    return np.clip(0.2 * x + 0.5, 0, 1)


def hard_sigmoid_keras2_backward(dy, y):
    """0.2 dy between the kinks, 0 outside."""
    return dy * ((y > 0) & (y < 1)) * 0.2


def tanh(x):
    """tanh x, elementwise."""
    return np.tanh(x)


def tanh_backward(dy, y):
    """dy (1 - y^2): tanh' = 1 - tanh^2."""
    return dy * (1 - y * y)


def relu(x):
    """max(x, 0), elementwise."""
    return np.maximum(x, 0)


def relu_backward(dy, y):
    """dy where x > 0, else 0 (0 at x = 0 too, as Keras)."""
    return dy * (y > 0)


def softmax(x):
    """e^x_j / sum_k e^x_k over the last axis."""
    e = np.exp(x - x.max(axis=-1, keepdims=True))    # over the last axis; the shift keeps e finite
    return e / e.sum(axis=-1, keepdims=True)


def softmax_backward(dy, y):
    """The Jacobian-vector product: dx_j = y_j (dy_j - sum_k dy_k y_k)."""
    return y * (dy - (dy * y).sum(axis=-1, keepdims=True))


# name -> (forward, backward)
ACTIVATIONS = {
    "linear": (linear, linear_backward),
    "sigmoid": (sigmoid, sigmoid_backward),
    "hard_sigmoid": (hard_sigmoid, hard_sigmoid_backward),
    "hard_sigmoid_keras2": (hard_sigmoid_keras2, hard_sigmoid_keras2_backward),
    "tanh": (tanh, tanh_backward),
    "relu": (relu, relu_backward),
    "softmax": (softmax, softmax_backward),
}


def get(name):
    """``(forward, backward)`` for an activation name; ``None`` means linear."""
    if name is None:
        name = "linear"
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; expected one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]
