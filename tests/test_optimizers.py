"""Optimizers against their update equations, written out by hand below.

Every expected value is computed here from the formula (in float64, on a few
numbers), not by the optimizer code. Hyperparameters are chosen so that the
usual mistakes change the result: eps = 0.1 so that "eps inside or outside the
root" matters, a shrinking gradient with beta_2 = 0.5 so that amsgrad's maximum
matters, and so on.

The module runs in float64 (``set_floatx``): an optimizer keeps its learning rate
in Keras' float type of the moment it is made, as Keras keeps it in a variable.
"""
import json
import math

import numpy as np
import pytest

from tinylstm import config, optimizers
from tinylstm.optimizers import SGD, Adagrad, Adam, AdamW, Nadam, RMSprop


P0 = np.array([1.0, -2.0, 0.5])
G1 = np.array([0.5, -1.5, 2.0])
G2 = np.array([-1.0, 0.25, 3.0])


@pytest.fixture(autouse=True)
def _float64(float64):
    """Every optimizer here is made in float64, so its learning rate is exactly the number given."""


def steps(opt, grads, p0=P0):
    """Apply ``grads`` one after the other to a copy of p0; the params after each step."""
    p = p0.copy()
    out = []
    for g in grads:
        opt.apply([p], [g])
        out.append(p.copy())
    return out


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


# ----------------------------------------------------------------------------- SGD

def test_sgd_plain_one_step():
    (p1,) = steps(SGD(learning_rate=0.1), [G1])
    close(p1, [1.0 - 0.1 * 0.5, -2.0 + 0.1 * 1.5, 0.5 - 0.1 * 2.0])


def test_sgd_momentum_two_steps():
    lr, mu = 0.1, 0.9
    p1, p2 = steps(SGD(learning_rate=lr, momentum=mu), [G1, G2])
    m1 = mu * 0 - lr * G1
    e1 = P0 + m1
    m2 = mu * m1 - lr * G2
    e2 = e1 + m2
    close(p1, e1)
    close(p2, e2)


def test_sgd_nesterov_two_steps():
    lr, mu = 0.1, 0.9
    p1, p2 = steps(SGD(learning_rate=lr, momentum=mu, nesterov=True), [G1, G2])
    m1 = -lr * G1
    e1 = P0 + mu * m1 - lr * G1
    m2 = mu * m1 - lr * G2
    e2 = e1 + mu * m2 - lr * G2
    close(p1, e1)
    close(p2, e2)
    # and it is not plain momentum
    assert not np.allclose(p2, steps(SGD(learning_rate=lr, momentum=mu), [G1, G2])[1])


def test_sgd_momentum_literal_numbers():
    # p = 1, g = 1 twice, lr = 0.1, mu = 0.5: m1 = -0.1, p1 = 0.9; m2 = -0.15, p2 = 0.75
    p1, p2 = steps(SGD(learning_rate=0.1, momentum=0.5), [np.array([1.0])] * 2, np.array([1.0]))
    close(p1, [0.9])
    close(p2, [0.75])


# ------------------------------------------------------------------------- RMSprop

def test_rmsprop_two_steps_eps_inside_the_root():
    lr, rho, eps = 0.01, 0.9, 0.1
    p1, p2 = steps(RMSprop(learning_rate=lr, rho=rho, epsilon=eps), [G1, G2])
    v1 = (1 - rho) * G1**2
    e1 = P0 - lr * G1 / np.sqrt(v1 + eps)
    v2 = rho * v1 + (1 - rho) * G2**2
    e2 = e1 - lr * G2 / np.sqrt(v2 + eps)
    close(p1, e1)
    close(p2, e2)


def test_rmsprop_literal_numbers():
    # p = 1, g = 1, rho = 0.9, eps = 0.1, lr = 0.1: v = 0.1, p = 1 - 0.1 / sqrt(0.2).
    # With eps outside the root it would be 1 - 0.1 / (sqrt(0.1) + 0.1) = 0.7597...
    (p1,) = steps(RMSprop(learning_rate=0.1, epsilon=0.1), [np.array([1.0])], np.array([1.0]))
    close(p1, [1 - 0.1 / math.sqrt(0.2)])
    assert abs(p1[0] - 0.7763932022500210) < 1e-12


def test_rmsprop_centered_two_steps():
    lr, rho, eps = 0.01, 0.9, 0.1
    p1, p2 = steps(RMSprop(learning_rate=lr, rho=rho, epsilon=eps, centered=True), [G1, G2])
    v1, a1 = (1 - rho) * G1**2, (1 - rho) * G1
    e1 = P0 - lr * G1 / np.sqrt(v1 - a1**2 + eps)
    v2, a2 = rho * v1 + (1 - rho) * G2**2, rho * a1 + (1 - rho) * G2
    e2 = e1 - lr * G2 / np.sqrt(v2 - a2**2 + eps)
    close(p1, e1)
    close(p2, e2)


def test_rmsprop_momentum_two_steps():
    lr, rho, mu, eps = 0.01, 0.9, 0.8, 1e-7
    p1, p2 = steps(RMSprop(learning_rate=lr, rho=rho, momentum=mu, epsilon=eps), [G1, G2])
    v1 = (1 - rho) * G1**2
    m1 = lr * G1 / np.sqrt(v1 + eps)
    e1 = P0 - m1
    v2 = rho * v1 + (1 - rho) * G2**2
    m2 = mu * m1 + lr * G2 / np.sqrt(v2 + eps)
    e2 = e1 - m2
    close(p1, e1)
    close(p2, e2)


def rmsprop_eps_outside_by_hand(grads, lr, rho, eps, mu=0.0, centered=False):
    """Keras 2 / PyTorch: u = lr g / (sqrt(s) + eps), s = v (or v - a^2 if centered)."""
    p, v, a, m, out = P0.copy(), 0.0, 0.0, 0.0, []
    for g in grads:
        v = rho * v + (1 - rho) * g * g
        a = rho * a + (1 - rho) * g
        s = v - a * a if centered else v
        u = lr * g / (np.sqrt(s) + eps)
        m = mu * m + u
        p = p - (m if mu else u)
        out.append(p)
    return out


@pytest.mark.parametrize("centered", [False, True])
@pytest.mark.parametrize("momentum", [0.0, 0.8])
def test_rmsprop_eps_outside_the_root_two_steps(centered, momentum):
    kw = dict(learning_rate=0.01, rho=0.9, momentum=momentum, epsilon=0.1, centered=centered)
    p1, p2 = steps(RMSprop(epsilon_outside_sqrt=True, **kw), [G1, G2])
    e1, e2 = rmsprop_eps_outside_by_hand([G1, G2], 0.01, 0.9, 0.1, momentum, centered)
    close(p1, e1)
    close(p2, e2)
    inside = steps(RMSprop(**kw), [G1, G2])[1]
    assert np.max(np.abs(inside - e2)) > 1e-3      # the switch changes the update


def test_rmsprop_eps_outside_the_root_literal_numbers():
    # p = 1, g = 1, rho = 0.9, eps = 0.1, lr = 0.1: v = 0.1, p = 1 - 0.1 / (sqrt(0.1) + 0.1)
    (p1,) = steps(RMSprop(learning_rate=0.1, epsilon=0.1, epsilon_outside_sqrt=True),
                  [np.array([1.0])], np.array([1.0]))
    assert abs(p1[0] - 0.7597469266479578) < 1e-12


def test_rmsprop_eps_outside_the_root_is_off_by_default():
    assert RMSprop().epsilon_outside_sqrt is False


# ---------------------------------------------------------------------------- Adam

def adam_by_hand(grads, lr, b1, b2, eps, amsgrad=False):
    p, m, v, v_hat, out = P0.copy(), 0.0, 0.0, 0.0, []
    for t, g in enumerate(grads, start=1):
        alpha = lr * math.sqrt(1 - b2**t) / (1 - b1**t)
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        v_hat = np.maximum(v_hat, v)
        p = p - alpha * m / (np.sqrt(v_hat if amsgrad else v) + eps)
        out.append(p)
    return out


def test_adam_two_steps():
    p1, p2 = steps(Adam(learning_rate=0.01, epsilon=0.1), [G1, G2])
    e1, e2 = adam_by_hand([G1, G2], 0.01, 0.9, 0.999, 0.1)
    close(p1, e1)
    close(p2, e2)


def test_adam_literal_first_step():
    # Step 1: alpha = lr sqrt(1 - b2) / (1 - b1), m = (1 - b1) g, v = (1 - b2) g^2, so
    # p1 = p0 - lr g / (|g| + eps / sqrt(1 - b2)). With g = 1, eps = 0.1, lr = 0.1:
    # p1 = 1 - 0.1 / (1 + 0.1 / sqrt(0.001)); the textbook (eps added to sqrt(v_hat))
    # would give 1 - 0.1 / 1.1.
    (p1,) = steps(Adam(learning_rate=0.1, epsilon=0.1), [np.array([1.0])], np.array([1.0]))
    close(p1, [1 - 0.1 / (1 + 0.1 / math.sqrt(0.001))])


def test_adam_amsgrad_uses_the_running_max():
    g_big, g_small = np.array([4.0, -4.0, 2.0]), np.array([0.1, 0.2, -0.1])
    kw = dict(learning_rate=0.01, beta_1=0.9, beta_2=0.5, epsilon=1e-7)
    p1, p2 = steps(Adam(amsgrad=True, **kw), [g_big, g_small])
    e1, e2 = adam_by_hand([g_big, g_small], 0.01, 0.9, 0.5, 1e-7, amsgrad=True)
    close(p1, e1)
    close(p2, e2)
    _, plain2 = adam_by_hand([g_big, g_small], 0.01, 0.9, 0.5, 1e-7)
    assert np.max(np.abs(e2 - plain2)) > 1e-4     # the test can tell the two apart


# ------------------------------------------------------- weight decay, AdamW, Adagrad, Nadam

def test_adamw_decays_every_weight_before_the_adam_step():
    lr, wd = 0.01, 0.3
    p1, p2 = steps(AdamW(learning_rate=lr, weight_decay=wd, epsilon=0.1), [G1, G2])
    p, m, v, out = P0.copy(), 0.0, 0.0, []
    for t, g in enumerate([G1, G2], start=1):
        p = p - p * wd * lr                                   # decoupled decay, first
        alpha = lr * math.sqrt(1 - 0.999**t) / (1 - 0.9**t)
        m = m + (g - m) * (1 - 0.9)
        v = v + (g * g - v) * (1 - 0.999)
        p = p - alpha * m / (np.sqrt(v) + 0.1)
        out.append(p)
    close(p1, out[0])
    close(p2, out[1])
    plain = steps(Adam(learning_rate=lr, epsilon=0.1), [G1, G2])[1]
    assert np.max(np.abs(plain - p2)) > 1e-4                  # the decay shows


def test_weight_decay_works_for_every_optimizer_as_keras_base_class():
    (p1,) = steps(SGD(learning_rate=0.1, weight_decay=0.5), [G1])
    close(p1, (P0 - P0 * 0.5 * 0.1) - 0.1 * G1)


def test_adamw_needs_a_weight_decay():
    assert AdamW().weight_decay == 0.004
    with pytest.raises(ValueError, match="weight_decay"):
        AdamW(weight_decay=None)


def test_adagrad_two_steps():
    lr, acc0, eps = 0.1, 0.1, 0.01
    p1, p2 = steps(Adagrad(learning_rate=lr, initial_accumulator_value=acc0, epsilon=eps),
                   [G1, G2])
    acc1 = acc0 + G1**2
    e1 = P0 - lr * G1 / np.sqrt(acc1 + eps)
    acc2 = acc1 + G2**2
    e2 = e1 - lr * G2 / np.sqrt(acc2 + eps)
    close(p1, e1)
    close(p2, e2)


def test_adagrad_literal_first_step():
    # p = 1, g = 1, lr = 0.1, acc0 = 0.1, eps = 1e-7: acc = 1.1, p = 1 - 0.1 / sqrt(1.1 + 1e-7)
    (p1,) = steps(Adagrad(learning_rate=0.1), [np.array([1.0])], np.array([1.0]))
    assert abs(p1[0] - (1 - 0.1 / math.sqrt(1.1000001))) < 1e-12
    assert abs(p1[0] - 0.9046537454093613) < 1e-12          # eps in the root: 1.1 alone gives ...7410754


def nadam_by_hand(grads, lr, b1, b2, eps):
    p, m, v, P, out = P0.copy(), 0.0, 0.0, 1.0, []
    for t, g in enumerate(grads, start=1):
        u_t, u_next = b1 * (1 - 0.5 * 0.96**t), b1 * (1 - 0.5 * 0.96**(t + 1))
        P = P * u_t
        m = m + (g - m) * (1 - b1)
        v = v + (g * g - v) * (1 - b2)
        m_hat = u_next * m / (1 - P * u_next) + (1 - u_t) * g / (1 - P)
        v_hat = v / (1 - b2**t)
        p = p - lr * m_hat / (np.sqrt(v_hat) + eps)
        out.append(p)
    return out


def test_nadam_three_steps():
    grads = [G1, G2, G1 - G2]
    got = steps(Nadam(learning_rate=0.01, epsilon=0.1), grads)
    for a, b in zip(got, nadam_by_hand(grads, 0.01, 0.9, 0.999, 0.1)):
        close(a, b)
    adam = steps(Adam(learning_rate=0.01, epsilon=0.1), grads)[-1]
    assert np.max(np.abs(adam - got[-1])) > 1e-4


def test_nadam_keeps_its_momentum_product_in_its_state():
    opt = Nadam(learning_rate=0.01)
    p = P0.copy()
    opt.apply([p], [G1])
    state = opt.state_arrays()
    assert len(state) == 1 + 2 + 1                             # iterations, m, v, u_product
    close(state[-1], 0.9 * (1 - 0.5 * 0.96))
    twin, q = Nadam(learning_rate=0.01), p.copy()
    twin.set_state_arrays(state)
    opt.apply([p], [G2])
    twin.apply([q], [G2])
    np.testing.assert_array_equal(p, q)


# ------------------------------------------------------------------- the learning rate

def test_the_learning_rate_is_a_float_of_floatx_as_keras_reads_it():
    config.set_floatx("float32")                  # Keras' default; the module fixture restores
    opt = Adam()
    assert type(opt.learning_rate) is np.float32 and float(opt.learning_rate) == float(np.float32(1e-3))
    opt.learning_rate = 0.1
    assert float(opt.learning_rate) == 0.10000000149011612


def test_a_schedule_is_read_at_iterations_before_the_step():
    lr = optimizers.schedules.PiecewiseConstantDecay([0], [0.1, 0.01])   # step 0: 0.1, then 0.01
    opt = SGD(learning_rate=lr)
    assert opt.learning_rate == 0.1
    (p1, p2) = steps(opt, [G1, G2])
    close(p1, P0 - 0.1 * G1)
    close(p2, p1 - 0.01 * G2)
    assert opt.learning_rate == 0.01 and opt.iterations == 2


def test_a_schedule_cannot_be_set_over():
    opt = SGD(learning_rate=optimizers.schedules.ExponentialDecay(0.1, 10, 0.5))
    with pytest.raises(TypeError, match="not settable"):
        opt.learning_rate = 0.01


@pytest.mark.parametrize("opt", [
    SGD(learning_rate=0.5, momentum=0.5, nesterov=True, clipnorm=2.0),
    RMSprop(rho=0.8, centered=True, epsilon_outside_sqrt=True, weight_decay=0.1),
    Adam(amsgrad=True, global_clipnorm=1.0), AdamW(weight_decay=0.01), Adagrad(epsilon=0.5),
    Nadam(beta_2=0.9, clipvalue=0.5),
    Adam(learning_rate=optimizers.schedules.CosineDecay(0.1, 20, alpha=0.1))],
    ids=lambda o: type(o).__name__)
def test_config_round_trip(opt):
    data = optimizers.serialize(opt)
    assert data["module"] == "keras.optimizers" and data["class_name"] == type(opt).__name__
    again = optimizers.deserialize(json.loads(json.dumps(data)))
    assert type(again) is type(opt) and again.get_config() == opt.get_config()
    grads = [G1, G2]
    for a, b in zip(steps(opt, grads), steps(again, grads)):
        np.testing.assert_array_equal(a, b)


def test_from_config_drops_keras_defaults_and_refuses_what_it_lacks():
    keras_config = {"name": "adam", "learning_rate": 0.01, "weight_decay": None,
                    "clipnorm": None, "global_clipnorm": None, "clipvalue": None,
                    "use_ema": False, "ema_momentum": 0.99, "ema_overwrite_frequency": None,
                    "loss_scale_factor": None, "gradient_accumulation_steps": None,
                    "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07, "amsgrad": False}
    assert Adam.from_config(keras_config).get_config()["learning_rate"] == 0.01
    with pytest.raises(ValueError, match=r"Adam: tinylstm does not support use_ema=True"):
        Adam.from_config({**keras_config, "use_ema": True})
    with pytest.raises(ValueError, match=r"Adam: unknown config key 'nesterov'"):
        Adam.from_config({**keras_config, "nesterov": True})


# ------------------------------------------------------------------------ clipping

def sgd_step(grads, **clip):
    """One SGD step with lr = 1 from zeros: returns minus the clipped gradients."""
    params = [np.zeros_like(g) for g in grads]
    SGD(learning_rate=1.0, **clip).apply(params, grads)
    return [-p for p in params]


def test_clipnorm_is_per_tensor():
    a, b = np.array([3.0, 4.0]), np.array([0.3, 0.4])      # norms 5 and 0.5
    ca, cb = sgd_step([a, b], clipnorm=1.0)
    close(ca, [0.6, 0.8])
    close(cb, [0.3, 0.4])                                   # under the limit: unchanged


def test_global_clipnorm_scales_all_tensors_together():
    a, b = np.array([3.0, 4.0]), np.array([12.0])          # global norm 13
    ca, cb = sgd_step([a, b], global_clipnorm=1.0)
    close(ca, [3 / 13, 4 / 13])
    close(cb, [12 / 13])
    ca, cb = sgd_step([a, b], global_clipnorm=26.0)         # under the limit
    close(ca, a)
    close(cb, b)


def test_clipvalue_is_elementwise():
    (c,) = sgd_step([np.array([-3.0, 0.2, 5.0])], clipvalue=1.0)
    close(c, [-1.0, 0.2, 1.0])


def test_clipping_does_not_modify_the_callers_grads():
    g = np.array([3.0, 4.0])
    sgd_step([g], clipnorm=1.0)
    close(g, [3.0, 4.0])


def test_clipping_happens_before_the_adam_update():
    g = np.array([30.0, 40.0, 0.0])                        # norm 50, clipped to norm 1
    (p1,) = steps(Adam(learning_rate=0.01, epsilon=0.1, clipnorm=1.0), [g])
    (e1,) = adam_by_hand([np.array([0.6, 0.8, 0.0])], 0.01, 0.9, 0.999, 0.1)
    close(p1, e1)


def test_only_one_clip_option():
    with pytest.raises(ValueError, match="Only one of `clipnorm`, `clipvalue` and `global_clipnorm`"):
        Adam(clipnorm=1.0, clipvalue=1.0)
    with pytest.raises(ValueError, match="Only one of"):
        SGD(clipnorm=1.0, global_clipnorm=1.0)


# ------------------------------------------------------------------ the interface

def test_defaults_are_keras_defaults():
    sgd, rms, adam = SGD(), RMSprop(), Adam()
    assert (sgd.learning_rate, sgd.momentum, sgd.nesterov) == (0.01, 0.0, False)
    assert (rms.learning_rate, rms.rho, rms.momentum, rms.epsilon, rms.centered) == \
        (0.001, 0.9, 0.0, 1e-7, False)
    assert (adam.learning_rate, adam.beta_1, adam.beta_2, adam.epsilon, adam.amsgrad) == \
        (0.001, 0.9, 0.999, 1e-7, False)
    for opt in (sgd, rms, adam):
        assert (opt.clipnorm, opt.clipvalue, opt.global_clipnorm) == (None, None, None)
        assert opt.iterations == 0


def test_updates_in_place_in_the_params_dtype():
    p = np.ones((2, 3), dtype=np.float32)
    view = p[0]                                  # a view must see the update too
    opt = Adam(learning_rate=0.1)
    opt.apply([p], [np.ones((2, 3), dtype=np.float64)])
    assert p.dtype == np.float32
    assert view[0] < 1.0
    assert all(a.dtype == np.float32 for a in opt.state_arrays()[1:])


def test_iterations_and_a_changed_learning_rate():
    opt = SGD(learning_rate=0.1)
    p = np.array([1.0])
    opt.apply([p], [np.array([1.0])])
    opt.learning_rate = 0.01                     # what ReduceLROnPlateau does
    opt.apply([p], [np.array([1.0])])
    assert opt.iterations == 2
    close(p, [1.0 - 0.1 - 0.01])


def test_state_arrays_roll_back():
    opt = Adam(learning_rate=0.01, amsgrad=True)
    p = P0.copy()
    opt.apply([p], [G1])
    saved_p, saved = p.copy(), opt.state_arrays()
    opt.apply([p], [G2])
    after = p.copy()
    p[...] = saved_p
    opt.set_state_arrays(saved)
    assert opt.iterations == 1
    opt.apply([p], [G2])
    close(p, after)


def test_state_arrays_of_a_fresh_optimizer():
    opt = RMSprop()
    assert [int(a) for a in opt.state_arrays()] == [0]
    opt.apply([P0.copy()], [G1])
    opt.set_state_arrays([np.array(0)])          # back to unbuilt
    assert opt.iterations == 0 and [int(a) for a in opt.state_arrays()] == [0]


def test_apply_checks_its_arguments():
    opt = SGD()
    with pytest.raises(ValueError, match="2 params and 1 grads"):
        opt.apply([P0.copy(), P0.copy()], [G1])
    with pytest.raises(ValueError, match=r"\(2,\).*\(3,\)"):
        opt.apply([P0.copy()], [np.zeros(2)])
    adam = Adam()
    adam.apply([P0.copy()], [G1])
    with pytest.raises(ValueError, match="built for params of shapes"):
        adam.apply([np.zeros(4)], [np.zeros(4)])


def test_bad_hyperparameters():
    with pytest.raises(ValueError, match="momentum"):
        SGD(momentum=1.5)
    with pytest.raises(ValueError, match="learning_rate.*got -1"):
        Adam(learning_rate=-1)


def test_get():
    opt = Adam()
    assert optimizers.get(opt) is opt
    assert type(optimizers.get("adam")) is Adam
    assert type(optimizers.get("RMSprop")) is RMSprop
    assert type(optimizers.get("SGD")) is SGD
    assert optimizers.get("adam") is not optimizers.get("adam")
    assert type(optimizers.get("adamw")) is AdamW and type(optimizers.get("Nadam")) is Nadam
    with pytest.raises(ValueError, match=r"'adamax'.*\['adagrad', 'adam', 'adamw', 'nadam', "
                                         r"'rmsprop', 'sgd'\]"):
        optimizers.get("adamax")
    with pytest.raises(TypeError):
        optimizers.get(0.01)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_adam_on_the_numba_path_gives_the_bits_of_update_step(dtype, monkeypatch):
    """Plain Adam on the numba path updates in one compiled loop per param
    (``adam_numba``): after each of five steps its params and moments are the bytes
    ``update_step`` gives on the NumPy path, for entries from 1e-12 to 1e12 (and zeros)."""
    pytest.importorskip("numba", reason="numba is not installed")
    from tinylstm.optimizers import adam_numba
    calls = []
    real = adam_numba.update
    monkeypatch.setattr(adam_numba, "update", lambda *args: calls.append(1) or real(*args))
    def wide(rng, shape):
        a = rng.standard_normal(shape) * 10.0 ** rng.uniform(-12, 12, shape)
        a[rng.random(shape) < 0.1] = 0.0
        return a.astype(dtype)

    shapes = [(3, 5), (7,), (2, 2, 2)]
    start = [wide(np.random.default_rng(7), s) for s in shapes]
    runs = {}
    old = config.backend()
    try:
        for backend in ("numba", "numpy"):
            config.set_backend(backend)
            params, opt, rng = [p.copy() for p in start], Adam(learning_rate=0.01), np.random.default_rng(8)
            runs[backend] = []
            for _ in range(5):
                opt.apply(params, [wide(rng, s) for s in shapes])
                runs[backend].append([a.tobytes() for a in params + opt.state_arrays()[1:]])
    finally:
        config.set_backend(old)
    assert len(calls) == 5
    assert runs["numba"] == runs["numpy"]
