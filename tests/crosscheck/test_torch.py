"""tinylstm against PyTorch: the weight mapping of ``tinylstm.interop``, and the LSTM's
hand-written gradients against autograd on the mapped ``nn.LSTM``, in float64.

Symbols: B batch, T timesteps, D features, H units.
"""
import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="torch is not installed: pip install -e .[crosscheck]")

from tinylstm import interop  # noqa: E402
from tinylstm.optimizers import RMSprop  # noqa: E402
from tinylstm.gradcheck import relative_error  # noqa: E402
from tinylstm.layers import LSTM, Dense  # noqa: E402

B, T, D, H = 3, 6, 4, 5
GRAD_RTOL = 1e-10


def random_signed(rng, *shape):
    """Entries of random sign with magnitude in [0.1, 0.6]: no zeros, no constants."""
    return rng.uniform(0.1, 0.6, shape) * rng.choice([-1.0, 1.0], shape)


def torch_lstm_like(layer, dtype=torch.float64):
    D_in = layer.params["kernel"].shape[0]
    return torch.nn.LSTM(D_in, layer.units, batch_first=True, dtype=dtype)


@pytest.mark.parametrize("return_sequences", [True, False])
def test_lstm_gradients_match_torch_autograd(backend, float64, return_sequences):
    """L = sum(R_out * out) + sum(R_h * h_T) + sum(R_c * c_T) with random R: every output
    feeds the loss. dL/d(x, h0, c0, kernel, recurrent_kernel, bias) from tinylstm's
    backward pass equal autograd's through nn.LSTM."""
    rng = np.random.default_rng(6)
    layer = LSTM(H, return_sequences=return_sequences, return_state=True)
    layer.build([(None, T, D), (None, H), (None, H)])
    layer.set_weights([random_signed(rng, D, 4 * H), random_signed(rng, H, 4 * H),
                       random_signed(rng, 4 * H)])
    x, h0, c0 = random_signed(rng, B, T, D), random_signed(rng, B, H), random_signed(rng, B, H)
    out_shape = (B, T, H) if return_sequences else (B, H)
    R_out, R_h, R_c = random_signed(rng, *out_shape), random_signed(rng, B, H), random_signed(rng, B, H)

    (out, h_T, c_T), cache = layer.forward([x, h0, c0])
    dx, dh0, dc0 = layer.backward([R_out, R_h, R_c], cache)

    net = torch_lstm_like(layer)
    interop.lstm_to_torch(layer, net)
    tx, th0, tc0 = (torch.tensor(a, requires_grad=True) for a in (x, h0[None], c0[None]))
    seq, (t_hT, t_cT) = net(tx, (th0, tc0))                 # (B, T, H), (1, B, H) x 2
    t_out = seq if return_sequences else t_hT[0]
    loss = ((t_out * torch.tensor(R_out)).sum() + (t_hT[0] * torch.tensor(R_h)).sum()
            + (t_cT[0] * torch.tensor(R_c)).sum())
    loss.backward()

    g = layer.grads
    pairs = {
        "output": (out, t_out), "h_T": (h_T, t_hT[0]), "c_T": (c_T, t_cT[0]),
        "dx": (dx, tx.grad), "dh0": (dh0, th0.grad[0]), "dc0": (dc0, tc0.grad[0]),
        "dkernel": (g["kernel"], net.weight_ih_l0.grad.T),
        "drecurrent_kernel": (g["recurrent_kernel"], net.weight_hh_l0.grad.T),
        "dbias vs dbias_ih": (g["bias"], net.bias_ih_l0.grad),
        "dbias vs dbias_hh": (g["bias"], net.bias_hh_l0.grad),
    }
    errors = {k: relative_error(ours, theirs.detach().numpy()) for k, (ours, theirs) in pairs.items()}
    assert all(ours.dtype == np.float64 for ours, _ in pairs.values())
    bad = {k: f"{e:.1e}" for k, e in errors.items() if not e < GRAD_RTOL}
    assert not bad, f"backend {backend}: differs from torch autograd: {bad}"


def test_lstm_from_torch_sums_the_two_biases(float64):
    """Torch's own init: weights and both biases random and non-zero."""
    torch.manual_seed(0)
    net = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.float64)
    assert net.bias_hh_l0.abs().min() > 0 and net.bias_ih_l0.abs().min() > 0
    layer = LSTM(H, return_sequences=True)
    interop.lstm_from_torch(net, layer)                     # builds the layer
    x = np.random.default_rng(1).uniform(-1, 1, (B, T, D))

    expected = net(torch.tensor(x))[0].detach().numpy()
    assert relative_error(layer(x), expected) < 1e-13
    np.testing.assert_array_equal(
        layer.params["bias"], (net.bias_ih_l0 + net.bias_hh_l0).detach().numpy())

    back = torch_lstm_like(layer)
    interop.lstm_to_torch(layer, back)                      # all into bias_ih, zeros in bias_hh
    assert torch.all(back.bias_hh_l0 == 0)
    assert relative_error(back(torch.tensor(x))[0].detach().numpy(), expected) < 1e-13


def test_float32_weights_cross_over(float32):
    """A float32 layer and a float32 nn.LSTM: values cast, computed alike to float32 rounding."""
    rng = np.random.default_rng(2)
    layer = LSTM(H)
    layer.build((None, T, D))
    layer.set_weights([random_signed(rng, D, 4 * H), random_signed(rng, H, 4 * H),
                       random_signed(rng, 4 * H)])
    net = torch_lstm_like(layer, torch.float32)
    interop.lstm_to_torch(layer, net)
    x = random_signed(rng, B, T, D).astype(np.float32)
    _, (h_T, _) = net(torch.tensor(x))
    assert relative_error(layer(x), h_T[0].detach().numpy()) < 1e-5


@pytest.mark.parametrize("x_shape", [(B, D), (B, T, D)])
def test_dense_to_and_from_torch(float64, x_shape):
    rng = np.random.default_rng(3)
    linear = torch.nn.Linear(D, 3, dtype=torch.float64)
    dense = Dense(3)
    interop.dense_from_torch(linear, dense)                 # builds the layer
    x = rng.uniform(-1, 1, x_shape)
    expected = linear(torch.tensor(x)).detach().numpy()
    assert relative_error(dense(x), expected) < 1e-14

    dense.set_weights([random_signed(rng, D, 3), random_signed(rng, 3)])
    interop.dense_to_torch(dense, linear)
    assert relative_error(linear(torch.tensor(x)).detach().numpy(), dense(x)) < 1e-14


def test_mismatches_are_refused_with_what_was_expected():
    layer = LSTM(H)
    layer.build((None, T, D))
    with pytest.raises(TypeError, match="expected a torch.nn.LSTM, got GRU"):
        interop.lstm_from_torch(torch.nn.GRU(D, H), layer)
    with pytest.raises(ValueError, match="5 units, the nn.LSTM hidden_size=4"):
        interop.lstm_to_torch(layer, torch.nn.LSTM(D, 4))
    with pytest.raises(ValueError, match="reads 4 features, the nn.LSTM input_size=2"):
        interop.lstm_to_torch(layer, torch.nn.LSTM(2, H))
    with pytest.raises(ValueError, match="num_layers=1, bidirectional=False"):
        interop.lstm_to_torch(layer, torch.nn.LSTM(D, H, num_layers=2))
    with pytest.raises(ValueError, match="bias=False"):
        interop.lstm_to_torch(layer, torch.nn.LSTM(D, H, bias=False))
    with pytest.raises(ValueError, match="use_bias=True"):
        interop.lstm_from_torch(torch.nn.LSTM(D, H), LSTM(H, use_bias=False))
    with pytest.raises(ValueError, match="recurrent_activation='sigmoid'"):
        interop.lstm_from_torch(torch.nn.LSTM(D, H), LSTM(H, activation="relu"))
    with pytest.raises(ValueError, match="3 units, the nn.Linear out_features=2"):
        interop.dense_from_torch(torch.nn.Linear(D, 2), Dense(3))


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.7])
def test_rmsprop_eps_outside_sqrt_is_torch_rmsprop(centered, momentum, float64):
    """``RMSprop(epsilon_outside_sqrt=True)`` against ``torch.optim.RMSprop`` (which divides by
    sqrt(v) + eps): six steps of random gradients on three tensors, float64, every step compared.
    eps = 0.1 and gradients ~0.3 so that where eps sits matters. The optimizers are made in
    float64, so their learning rate is 0.01 exactly."""
    rng = np.random.default_rng(11)
    shapes = [(4, 3), (3,), (2, 5)]
    ours = [random_signed(rng, *s) for s in shapes]
    theirs = [torch.tensor(p.copy(), requires_grad=True) for p in ours]
    kw = dict(lr=0.01, alpha=0.9, eps=0.1, momentum=momentum, centered=centered)
    opt = RMSprop(learning_rate=kw["lr"], rho=kw["alpha"], epsilon=kw["eps"], momentum=momentum,
                  centered=centered, epsilon_outside_sqrt=True)
    keras3 = RMSprop(learning_rate=kw["lr"], rho=kw["alpha"], epsilon=kw["eps"], momentum=momentum,
                     centered=centered)
    inside = [p.copy() for p in ours]
    torch_opt = torch.optim.RMSprop(theirs, **kw)
    for step in range(6):
        grads = [random_signed(rng, *s) for s in shapes]
        opt.apply(ours, grads)
        keras3.apply(inside, grads)
        for t, g in zip(theirs, grads):
            t.grad = torch.tensor(g)
        torch_opt.step()
        for k, (p, t) in enumerate(zip(ours, theirs)):
            np.testing.assert_allclose(p, t.detach().numpy(), rtol=1e-12, atol=1e-15,
                                       err_msg=f"step {step + 1}, tensor {k}")
    assert max(np.abs(a - b).max() for a, b in zip(inside, ours)) > 1e-4   # Keras 3's form differs
