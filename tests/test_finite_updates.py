"""Every update is finite and whole: the weights are always those of the last finite step.

By construction, not by a check of the loss alone: an optimizer computes the whole
update aside, refuses it if any new value is NaN or infinite, and writes it as one step
that Ctrl-C cannot cut. Hyperparameters whose math breaks (beta = 1, eps = 0, a NaN
learning rate) are refused where they are given.
"""
import signal
import warnings

import numpy as np
import pytest

from tinylstm import callbacks, optimizers, utils
from tinylstm.layers import LSTM, Dense
from tinylstm.models import Sequential
from tinylstm.optimizers import SGD, Adam, RMSprop

T, D = 5, 2
RNG = np.random.default_rng(7)
X, Y = RNG.standard_normal((8, T, D)), RNG.standard_normal((8, T, 1))


# -- hyperparameters ------------------------------------------------------------------

@pytest.mark.parametrize("make,pattern", [
    (lambda: Adam(beta_1=1.0), r"beta_1.*in \[0.0, 1.0\), got 1.0"),
    (lambda: Adam(beta_2=1.0), r"beta_2.*in \[0.0, 1.0\)"),
    (lambda: Adam(epsilon=0.0), r"epsilon.*> 0.0, got 0.0"),
    (lambda: RMSprop(rho=1.0), r"rho.*in \[0.0, 1.0\), got 1.0"),
    (lambda: RMSprop(epsilon=0.0), r"epsilon.*> 0.0"),
    (lambda: SGD(momentum=1.5), r"momentum.*in \[0.0, 1.0\]"),
    (lambda: SGD(learning_rate=float("nan")), "learning_rate.*finite"),
    (lambda: Adam(learning_rate=float("inf")), "learning_rate.*finite"),
    (lambda: Adam(learning_rate=-1), "learning_rate.*got -1"),
    (lambda: Adam(clipnorm=-1.0), "clipnorm"),
], ids=["beta_1=1", "beta_2=1", "Adam eps=0", "rho=1", "RMSprop eps=0", "momentum=1.5",
        "lr nan", "lr inf", "lr -1", "clipnorm -1"])
def test_hyperparameters_that_break_the_math_are_refused(make, pattern):
    with pytest.raises(ValueError, match=pattern):
        make()


def test_a_nan_learning_rate_cannot_be_assigned():
    opt = Adam()
    with pytest.raises(ValueError, match="learning_rate"):
        opt.learning_rate = float("nan")
    assert opt.learning_rate == 0.001


@pytest.mark.parametrize("make", [lambda: RMSprop(centered="False"), lambda: Adam(amsgrad="yes"),
                                  lambda: SGD(nesterov=1)], ids=["centered", "amsgrad", "nesterov"])
def test_flags_must_be_booleans(make):
    with pytest.raises(TypeError, match="expected True or False"):
        make()


# -- the update is checked whole before it is written -------------------------------------

def params_and_grads(dtype=np.float64):
    rng = np.random.default_rng(0)
    return ([rng.standard_normal((3, 2)).astype(dtype) for _ in range(3)],
            [rng.standard_normal((3, 2)).astype(dtype) for _ in range(3)])


def assert_refused_whole(opt, params, grads):
    before = [p.copy() for p in params]
    state = opt.state_arrays()
    with pytest.raises(FloatingPointError, match="nothing was changed"):
        opt.apply(params, grads)
    for p, b in zip(params, before):
        np.testing.assert_array_equal(p, b)
    for a, b in zip(opt.state_arrays(), state):
        np.testing.assert_array_equal(a, b)


def test_a_non_finite_update_is_not_applied():
    """eps = 0 (set past the constructor's check) where m = v = 0: m / sqrt(v) = 0 / 0 in the
    last param only; the first two would move, and do not."""
    params, grads = params_and_grads()
    grads[2][...] = 0.0
    opt = Adam()
    opt.apply(params, grads)                     # a finite step: m = v = 0 for params[2] only
    opt.epsilon = 0.0
    assert_refused_whole(opt, params, grads)


def test_an_overflowing_update_is_not_applied():
    params, grads = params_and_grads(np.float32)
    opt = SGD(learning_rate=1e30)
    assert_refused_whole(opt, params, [g * np.float32(1e10) for g in grads])   # 1e40 > float32 max


@pytest.mark.parametrize("make", [lambda: RMSprop(), lambda: Adam()], ids=["RMSprop", "Adam"])
def test_an_overflowing_moment_is_not_kept_even_when_the_step_is_finite(make):
    """g^2 overflows float32 at g = 1e20: v = inf, and g / sqrt(v) = 0 moves nothing, but an
    infinite velocity would freeze every later step."""
    params, grads = params_and_grads(np.float32)
    grads[1][0, 0] = 1e20
    assert_refused_whole(make(), params, grads)


def test_non_finite_gradients_are_refused_even_where_clipping_would_hide_them():
    params, grads = params_and_grads()
    grads[1][0, 0] = np.inf                      # np.clip(inf, -1, 1) = 1: clipvalue would hide it
    assert_refused_whole(SGD(clipvalue=1.0), params, grads)


def test_fit_keeps_the_last_finite_weights_when_the_update_overflows():
    """The loss and the gradients are finite; only the update (lr * g in float32) is not."""
    utils.set_random_seed(1)
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer=SGD(learning_rate=0.01), loss="mse")
    x, y = 1e3 * RNG.standard_normal((16, 2)), RNG.standard_normal((16, 1))
    after_each_batch = []

    def spy_then_raise_lr(batch, logs):
        after_each_batch.append((logs["loss"], model.get_weights()))
        model.optimizer.learning_rate = 1e36    # finite, but lr * g overflows float32 next step

    spy = callbacks.LambdaCallback(on_train_batch_end=spy_then_raise_lr)
    with pytest.warns(RuntimeWarning, match="last finite step"):
        history = model.fit(x, y, epochs=5, batch_size=4, callbacks=[spy], verbose=0)
    losses = [loss for loss, _ in after_each_batch]
    assert history.nonfinite is not None and not np.isfinite(losses[-1])
    assert len(losses) >= 2 and np.isfinite(losses[-2])         # one finite step, then the refused one
    weights = model.get_weights()
    assert all(np.isfinite(w).all() for w in weights)
    for a, b in zip(weights, after_each_batch[-2][1]):
        np.testing.assert_array_equal(a, b)


# -- Ctrl-C: an update is applied whole or not at all --------------------------------------

@pytest.fixture
def ctrl_c_raises():
    """Python's own SIGINT handler for the test, as in a terminal: a process that a
    non-interactive shell starts in the background begins with SIGINT ignored, and then
    no KeyboardInterrupt would come."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def interrupt_at(monkeypatch, name, call):
    """Send a real SIGINT from inside the ``call``-th call of ``np.<name>`` in the optimizer's
    code (the shared step in optimizers/optimizer.py, RMSprop's rule in optimizers/rmsprop.py)."""
    real, count = getattr(np, name), [0]

    def wrapper(*args, **kwargs):
        count[0] += 1
        if count[0] == call:
            signal.raise_signal(signal.SIGINT)
        return real(*args, **kwargs)

    class NumpyWithAnInterrupt:             # numpy, as the optimizers see it, but for one function
        def __getattr__(self, attr):
            return wrapper if attr == name else getattr(np, attr)

    for module in (optimizers.optimizer, optimizers.rmsprop):
        monkeypatch.setattr(module, "np", NumpyWithAnInterrupt())


def one_step_apart(params, grads):
    """(the params before, the params after one RMSprop step from a fresh optimizer)."""
    before = [p.copy() for p in params]
    after = [p.copy() for p in params]
    RMSprop(learning_rate=0.1).apply(after, grads)
    return before, after


@pytest.mark.parametrize("name,call,whole", [("sqrt", 2, "before"), ("copyto", 2, "after")],
                         ids=["while the update is computed", "while it is written"])
def test_ctrl_c_in_an_update_leaves_it_whole_or_not_at_all(monkeypatch, ctrl_c_raises, name, call,
                                                          whole):
    params, grads = params_and_grads()
    before, after = one_step_apart(params, grads)
    opt = RMSprop(learning_rate=0.1)
    interrupt_at(monkeypatch, name, call)
    with pytest.raises(KeyboardInterrupt):
        opt.apply(params, grads)
    monkeypatch.undo()
    expected, iterations = (before, 0) if whole == "before" else (after, 1)
    assert opt.iterations == iterations
    for p, e in zip(params, expected):
        np.testing.assert_array_equal(p, e)


def small_model():
    utils.set_random_seed(3)
    model = Sequential([LSTM(3, input_shape=(T, D), return_sequences=True), Dense(1)])
    model.compile(optimizer=RMSprop(learning_rate=0.01), loss="mse")
    return model


@pytest.mark.parametrize("call", [3, 7, 12])
def test_ctrl_c_during_fit_leaves_the_weights_of_whole_steps(monkeypatch, ctrl_c_raises, call):
    """After Ctrl-C the weights are those of a twin trained exactly ``iterations`` steps."""
    model, twin = small_model(), small_model()
    interrupt_at(monkeypatch, "sqrt", call)      # RMSprop calls sqrt once per weight array (5)
    with pytest.raises(KeyboardInterrupt):
        model.fit(X, Y, batch_size=4, epochs=5, shuffle=False, verbose=0)
    monkeypatch.undo()
    steps = model.optimizer.iterations
    assert steps == (call - 1) // 5
    for step in range(steps):
        rows = slice(4 * (step % 2), 4 * (step % 2) + 4)
        twin.train_on_batch(X[rows], Y[rows])
    for a, b in zip(model.get_weights(), twin.get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(model.optimizer.state_arrays(), twin.optimizer.state_arrays()):
        np.testing.assert_array_equal(a, b)


# -- TerminateOnNaN: reachable, and what stops fit ------------------------------------------

def diverging_fit(callback_list):
    utils.set_random_seed(0)
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer=SGD(learning_rate=1e6), loss="mse")
    x, y = 100 * RNG.standard_normal((16, 2)), RNG.standard_normal((16, 1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(x, y, epochs=50, batch_size=4, callbacks=callback_list, verbose=0)
    return model, history, [str(w.message) for w in caught if w.category is RuntimeWarning]


@pytest.mark.parametrize("given", [[], [callbacks.TerminateOnNaN()]], ids=["always there", "given"])
def test_terminate_on_nan_sees_the_non_finite_loss_and_stops_fit(given):
    seen = []
    spy = callbacks.LambdaCallback(on_train_batch_end=lambda b, logs: seen.append(logs["loss"]))
    model, history, messages = diverging_fit([spy] + given)
    assert not np.isfinite(seen[-1]) and all(np.isfinite(seen[:-1]))     # the last batch it saw
    assert len(history.epoch) == 1 and len(seen) < 4                    # ... stopped fit at once
    assert [m for m in messages if "TerminateOnNaN stopped training" in m]
    assert all(np.isfinite(w).all() for w in model.get_weights())


def test_terminate_on_nan_stops_on_a_non_finite_loss_alone():
    model = Sequential([Dense(1, input_shape=(2,))])
    cb = callbacks.TerminateOnNaN()
    cb.set_model(model)
    model.stop_training = False
    with pytest.warns(RuntimeWarning, match="became nan"):
        cb.on_train_batch_end(0, {"loss": float("nan")})
    assert model.stop_training
    model.stop_training = False
    cb.on_train_batch_end(1, {"loss": 1.0})
    assert not model.stop_training
