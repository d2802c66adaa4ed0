"""GRU and SimpleRNN against Keras 3: same random weights, same outputs, same gradients.

Every weight, biases included, is random and non-zero: a swapped gate block
(z and r), the wrong bias row of the GRU's (2, 3H) bias, or the reset gate
applied before instead of after the matmul all change the numbers.

Forward in float32 (Keras' default) to 1e-5. Gradients come from torch's
autograd through the float32 Keras layer and are compared with tinylstm's
float64 backward pass on the same (float32) weights, to 5e-5 of the largest
entry: float32 rounding through 7 steps of BPTT measured up to 5e-6 here; a
wrong gradient is off by O(1).
(A float64 Keras layer does not help: Keras 3's type promotion turns float64
matmuls into float32 ones on the torch backend, ``BIT64_TO_BIT32_DTYPE``.)
"""
import os

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
keras = pytest.importorskip("keras", reason="the Keras cross-checks need keras 3 (pip install keras)")
if keras.backend.backend() != "torch":
    pytest.skip(f"gradient cross-checks use torch autograd, KERAS_BACKEND is "
                f"{keras.backend.backend()!r}", allow_module_level=True)
import torch  # noqa: E402

from tinylstm import layers  # noqa: E402

B, T, D, H = 3, 7, 4, 5

CASES = [  # (class name, options)
    ("GRU", {}),
    ("GRU", {"reset_after": False}),
    ("GRU", {"return_sequences": True, "go_backwards": True}),
    ("GRU", {"reset_after": False, "return_sequences": True, "return_state": True}),
    ("GRU", {"use_bias": False, "return_sequences": True}),
    ("GRU", {"activation": "relu", "recurrent_activation": "tanh", "return_sequences": True}),
    ("SimpleRNN", {}),
    ("SimpleRNN", {"return_sequences": True, "go_backwards": True}),
    ("SimpleRNN", {"return_sequences": True, "return_state": True}),
    ("SimpleRNN", {"use_bias": False, "activation": "relu", "return_sequences": True}),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in opts.items()) or 'defaults'}" for name, opts in CASES]


def twins(name, opts, dtype, seed, with_state):
    """A Keras layer and a tinylstm layer with the same random weights, and inputs."""
    rng = np.random.default_rng(seed)
    k_layer = getattr(keras.layers, name)(H, dtype=dtype, **opts)
    t_layer = getattr(layers, name)(H, dtype=dtype, **opts)
    shapes = [(None, T, D)] + ([(None, H)] if with_state else [])
    k_layer.build(shapes[0])
    t_layer.build(shapes if with_state else shapes[0])
    weights = [0.5 * rng.standard_normal(w.shape).astype(dtype) for w in k_layer.get_weights()]
    assert [w.shape for w in weights] == [w.shape for w in t_layer.weights], \
        "tinylstm's weight layout differs from Keras'"
    k_layer.set_weights(weights)
    t_layer.set_weights(weights)
    x = rng.standard_normal((B, T, D)).astype(dtype)
    h0 = rng.standard_normal((B, H)).astype(dtype) if with_state else None
    return k_layer, t_layer, x, h0


def as_list(outputs):
    return list(outputs) if isinstance(outputs, (list, tuple)) else [outputs]


def as_numpy(outputs):
    return [keras.ops.convert_to_numpy(o) for o in as_list(outputs)]


@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("name,opts", CASES, ids=IDS)
def test_forward_matches_keras(name, opts, with_state):
    k_layer, t_layer, x, h0 = twins(name, opts, "float32", seed=1, with_state=with_state)
    k_out = as_numpy(k_layer(x, initial_state=[h0]) if with_state else k_layer(x))
    t_out = t_layer(x, initial_state=[h0]) if with_state else t_layer(x)
    t_out = t_out if isinstance(t_out, list) else [t_out]
    assert len(k_out) == len(t_out)
    for k, t in zip(k_out, t_out):
        assert t.dtype == np.float32 and t.shape == k.shape
        np.testing.assert_allclose(t, k, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name,opts", CASES, ids=IDS)
def test_gradients_match_keras(name, opts):
    """L = sum_k sum(out_k * R_k); dL/d(weights), dL/dx and dL/dh0 from both."""
    k_layer, _, x, h0 = twins(name, opts, "float32", seed=2, with_state=True)
    t_layer = getattr(layers, name)(H, dtype="float64", **opts)
    t_layer.build([(None, T, D), (None, H)])
    t_layer.set_weights(k_layer.get_weights())
    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0, requires_grad=True)
    k_outs = k_layer(xt, initial_state=[h0t])
    k_outs = as_list(k_outs)
    rng = np.random.default_rng(3)
    R = [rng.standard_normal(tuple(o.shape)).astype("float32") for o in k_outs]
    loss = sum((o * torch.tensor(r)).sum() for o, r in zip(k_outs, R))
    k_weights = [w.value for w in k_layer.weights]
    k_grads = torch.autograd.grad(loss, k_weights + [xt, h0t])

    t_layer.zero_grads()
    outs, cache = t_layer.forward([x.astype("float64"), h0.astype("float64")])
    R = [r.astype("float64") for r in R]
    dx, dh0 = t_layer.backward(R if isinstance(outs, list) else R[0], cache)
    t_grads = list(t_layer.grads.values()) + [dx, dh0]
    names = list(t_layer.params) + ["x", "h0"]
    for n, k, t in zip(names, k_grads, t_grads):
        k = k.detach().numpy()
        assert t.shape == k.shape, n
        scale = np.abs(t).max()
        assert scale > 0, n
        np.testing.assert_allclose(t, k, rtol=0, atol=5e-5 * scale, err_msg=n)
