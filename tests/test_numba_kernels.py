"""The numba LSTM kernels against the NumPy specification, and the backend switch.

Symbols: B batch, T timesteps, D features, H units. The relative error of a tensor
is max |a - b| / max |b|. In float64 the fast path must equal the specification to
1e-12. In float32 both paths round, and where a tensor is a sum that cancels (a
one-entry dx with B = T = D = 1, the sum of four products of about 0.04 coming to
0.0002) no float32 computation can be within 1e-5 of the exact value: moving the
float32 inputs by one unit in the last place moves the exact dx by up to 1.6e-4.
So float32 is judged against the float64 specification on the same inputs: the
fast path must be within 1e-5 of it, or within what such one-ulp moves of the
inputs do to it (``float32_sensitivity``, computed in float64, so that it does not
depend on how either path happens to round).
"""
import sys
import threading
import time

import numpy as np
import pytest

numba = pytest.importorskip("numba", reason="numba is not installed")

from tinylstm import config, gradcheck, ops  # noqa: E402
from tinylstm.layers import LSTM  # noqa: E402
from tinylstm.ops import lstm as spec  # noqa: E402
from tinylstm.ops import lstm_numba as fast  # noqa: E402
from tinylstm.ops import numba_support  # noqa: E402

RTOL = {np.float64: 1e-12, np.float32: 1e-5}

# B, T, D, H: batch 1, one step, one unit, more features than units, a batch that
# is cut into several thread slices (B >= 32), odd sizes for the unrolled loops
SHAPES = [(1, 1, 1, 1), (1, 6, 3, 1), (3, 1, 4, 2), (2, 5, 1, 7), (37, 4, 5, 6),
          (64, 3, 2, 9), (5, 7, 6, 4)]
NAMES = ["h_seq", "h_T", "c_T", "dx", "dkernel", "drecurrent_kernel", "dbias", "dh0", "dc0"]


def relative(fast_value, spec_value):
    scale = max(float(np.abs(spec_value).max()), 1e-300)     # (T = 1: dU is all zeros)
    return float(np.abs(fast_value - spec_value).max()) / scale


def random_problem(rng, B, T, D, H, dtype, with_state):
    """Weights, inputs, states and upstream gradients, all random and non-zero."""
    def normal(*shape, scale=1.0):
        return (scale * rng.standard_normal(shape)).astype(dtype)
    args = [normal(B, T, D), normal(D, 4 * H, scale=0.5), normal(H, 4 * H, scale=0.5),
            normal(4 * H)]
    args += [normal(B, H), normal(B, H)] if with_state else [None, None]
    grads = [normal(B, T, H), normal(B, H), normal(B, H)]
    return args, grads


def run(impl, args, grads, recurrent_activation="sigmoid"):
    h_seq, (h_T, c_T), cache = impl.lstm_forward(*args, recurrent_activation=recurrent_activation)
    return [h_seq, h_T, c_T, *impl.lstm_backward(*grads, cache)]


@pytest.fixture(params=["small", "large"])
def kernels(request, monkeypatch):
    """Each test runs on both sets of kernels, whatever the shape would choose: the
    loops (``lstm_numba_small``) and the BLAS kernels (``lstm_numba_large``)."""
    monkeypatch.setattr(fast, "uses_large", lambda B, T, D, H: request.param == "large")
    monkeypatch.setattr(fast, "forward_only_uses_large", lambda B, T, D, H: request.param == "large")
    return request.param


def as64(arrays):
    return [None if a is None else a.astype(np.float64) for a in arrays]


def float32_sensitivity(args, grads, exact, recurrent_activation, tries=4):
    """Per output, the largest relative change of the exact (float64) result when every
    float32 input entry moves one ulp up or down at random: what float32 can resolve."""
    rng = np.random.default_rng(0)

    def nudge(a):
        if a is None:
            return None
        away = np.where(rng.random(a.shape) < 0.5, -np.inf, np.inf).astype(a.dtype)
        return np.nextafter(a, away).astype(np.float64)
    worst = dict.fromkeys(NAMES, 0.0)
    for _ in range(tries):
        moved = run(spec, [nudge(a) for a in args], [nudge(g) for g in grads], recurrent_activation)
        for name, m, e in zip(NAMES, moved, exact):
            worst[name] = max(worst[name], relative(m, e))
    return worst


def assert_fast_equals_spec(args, grads, recurrent_activation="sigmoid"):
    dtype = args[0].dtype.type
    exact = run(spec, as64(args), as64(grads), recurrent_activation)
    if dtype == np.float32:
        sensitivity = float32_sensitivity(args, grads, exact, recurrent_activation)
    pairs = zip(NAMES, run(fast, args, grads, recurrent_activation),
                run(spec, args, grads, recurrent_activation), exact)
    for name, f, s, e in pairs:
        assert f.shape == s.shape, f"{name}: shape {f.shape}, spec {s.shape}"
        assert f.dtype == s.dtype == dtype, f"{name}: dtype {f.dtype}, spec {s.dtype}"
        if dtype == np.float64:
            assert relative(f, s) < RTOL[dtype], f"{name}: relative error {relative(f, s):.1e}"
        else:
            bound = max(RTOL[dtype], sensitivity[name])
            assert relative(f, e) <= bound, (
                f"{name}: float32 fast path off the float64 result by {relative(f, e):.1e}; "
                f"one-ulp moves of the inputs move it by up to {sensitivity[name]:.1e}")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("B,T,D,H", SHAPES)
def test_fast_path_equals_the_specification(B, T, D, H, with_state, dtype, kernels):
    rng = np.random.default_rng([B, T, D, H, with_state])
    assert_fast_equals_spec(*random_problem(rng, B, T, D, H, dtype, with_state))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("recurrent_activation", ["hard_sigmoid", "hard_sigmoid_keras2"])
@pytest.mark.parametrize("B,T,D,H", [(37, 4, 5, 6), (5, 7, 6, 4)])
def test_hard_sigmoid_gates_equal_the_specification(B, T, D, H, recurrent_activation, dtype, kernels):
    """Keras 3's and Keras 2's hard sigmoid as the recurrent activation: weights large
    enough that the gates' inputs fall on both sides of both kinks (clipped to 0 or 1,
    slope 0 there) and between them."""
    rng = np.random.default_rng([B, T, D, H, 5])
    args, grads = random_problem(rng, B, T, D, H, dtype, with_state=True)
    args[1:4] = [a * dtype(4.0) for a in args[1:4]]
    x, W, U, b, h0, c0 = args
    _, _, cache = spec.lstm_forward(*args, recurrent_activation=recurrent_activation)
    for gate in (cache.i, cache.f, cache.o):
        assert (gate == 0).mean() > 0.05 and (gate == 1).mean() > 0.05
        assert ((gate > 0) & (gate < 1)).mean() > 0.2
    assert_fast_equals_spec(args, grads, recurrent_activation)


def test_no_upstream_state_gradient_and_no_bias(kernels):
    """dh_T = dc_T = None (zeros) and bias=None, as the layer passes them."""
    rng = np.random.default_rng(7)
    args, grads = random_problem(rng, 4, 5, 3, 6, np.float64, with_state=False)
    args[3] = None
    grads[1:] = [None, None]
    assert_fast_equals_spec(args, grads)


def test_large_gate_inputs_saturate_like_numpy(kernels):
    """|z| far beyond the clipping points of the vectorised tanh (10 in float32, 20 in
    float64): the gates saturate to exactly 0 or 1, as np.tanh does."""
    rng = np.random.default_rng(8)
    for dtype in (np.float64, np.float32):
        args, grads = random_problem(rng, 3, 4, 2, 3, dtype, with_state=True)
        args[1] = args[1] * dtype(100.0)
        assert_fast_equals_spec(args, grads)


def test_vectorised_tanh_is_within_two_ulp_of_exact():
    """Measured against np.tanh of float64, itself within 1 ulp: so 3 ulp apart at most."""
    @numba.njit
    def tanh_all(x, out):
        for k in range(x.shape[0]):
            out[k] = numba_support.tanh(x[k])

    rng = np.random.default_rng(9)
    for dtype in (np.float64, np.float32):
        x = np.concatenate([rng.standard_normal(20000) * 4, rng.uniform(-0.7, 0.7, 5000),
                            rng.uniform(-1e-4, 1e-4, 1000), rng.uniform(-30, 30, 1000),
                            [0.0, 0.625, -0.625, 9.99, 10.01, 19.99, 20.01, 1e-30, 700.0]])
        x = x.astype(dtype)
        got = np.empty_like(x)
        tanh_all(x, got)
        exact = np.tanh(x.astype(np.float64))
        ulp = np.spacing(np.abs(exact).astype(dtype)).astype(np.float64)
        assert np.max(np.abs(got - exact) / ulp) <= 3.0, dtype
        specials = np.array([np.inf, -np.inf, np.nan, -0.0], dtype)
        out = np.empty_like(specials)
        tanh_all(specials, out)
        np.testing.assert_array_equal(out[:2], [1.0, -1.0])
        assert np.isnan(out[2]) and out[3] == 0.0 and np.signbit(out[3])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_thread_count_does_not_change_a_bit(dtype, kernels):
    """The work is cut into pieces that do not depend on the thread count (or, for the
    small kernels' recurrence, into batch slices whose columns compute alike in any
    slice), and sums across pieces are added in a fixed order: 1, 2 and 3 threads give
    the same bits. (Threads here run in one process; tests/test_thread_determinism.py
    trains in fresh processes.)"""
    rng = np.random.default_rng(10)
    args, grads = random_problem(rng, 70, 9, 3, 8, dtype, with_state=True)
    old = config.num_threads()
    runs = []
    try:
        for threads in (1, 2, 3):
            config.set_num_threads(threads)
            runs.append(run(fast, args, grads))
    finally:
        config.set_num_threads(old)
    for name, *values in zip(NAMES, *runs):
        for other in values[1:]:
            np.testing.assert_array_equal(values[0], other, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("B,T,D,H", SHAPES + [(40, 6, 33, 20), (0, 3, 2, 3), (2, 0, 2, 3)])
def test_forward_only_pass_gives_the_forward_pass_bits(B, T, D, H, with_state, dtype, kernels):
    """``lstm_predict`` (what ``predict`` runs: no gates kept, x and h read and written in
    the caller's layout) gives the bits of ``lstm_forward``, with 1, 2 and 3 threads."""
    rng = np.random.default_rng([B, T, D, H, with_state, 1])
    args, _ = random_problem(rng, B, T, D, H, dtype, with_state)
    h_seq, (h_T, c_T), _ = fast.lstm_forward(*args)
    old = config.num_threads()
    try:
        for threads in (1, 2, 3):
            config.set_num_threads(threads)
            p_seq, (p_h, p_c), cache = fast.lstm_predict(*args)
            assert cache is None
            for name, got, want in (("h_seq", p_seq, h_seq), ("h_T", p_h, h_T), ("c_T", p_c, c_T)):
                assert got.shape == want.shape and got.dtype == want.dtype, name
                np.testing.assert_array_equal(got, want, err_msg=f"{name}, {threads} threads")
    finally:
        config.set_num_threads(old)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_forward_only_pass_takes_the_large_kernels_from_64_units(dtype, monkeypatch):
    """At batch 200 and H = 64 training takes the small kernels and ``predict`` the large
    ones; each equals the specification (float64 to 1e-12)."""
    rng = np.random.default_rng(19)
    args, _ = random_problem(rng, 200, 4, 3, 64, dtype, with_state=True)
    assert not fast.uses_large(200, 4, 3, 64) and fast.forward_only_uses_large(200, 4, 3, 64)
    assert fast.forward_only_uses_large(200, 4, 3, 32) == fast.uses_large(200, 4, 3, 32)
    ran = []
    real = fast.large.predict
    monkeypatch.setattr(fast.large, "predict", lambda *a: ran.append(1) or real(*a))
    h_seq, (h_T, c_T), _ = fast.lstm_predict(*args)
    assert ran
    exact = spec.lstm_forward(*as64(args))
    for name, got, want in (("h_seq", h_seq, exact[0]), ("h_T", h_T, exact[1][0]),
                            ("c_T", c_T, exact[1][1])):
        assert got.dtype == dtype
        assert relative(got, want) < (1e-12 if dtype == np.float64 else 1e-5), name


def test_only_predict_and_evaluate_skip_the_backward_cache(numba_backend, float64):
    """Model.predict and evaluate run the forward-only kernels (no cache) and give what the
    training forward pass gives, bit for bit; a forward pass for training keeps its cache."""
    from tinylstm.layers import Dense, Input
    from tinylstm.models import Sequential
    rng = np.random.default_rng(16)
    model = Sequential([Input((7, 3)), LSTM(5, return_sequences=True), LSTM(4), Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    x, y = rng.standard_normal((20, 7, 3)), rng.standard_normal((20, 2))
    calls = []
    real = fast.lstm_predict
    fast.lstm_predict = lambda *a, **k: calls.append(1) or real(*a, **k)
    try:
        predicted = model.predict(x, batch_size=20, verbose=0)
        assert len(calls) == 2
        loss = model.evaluate(x, y, batch_size=20, verbose=0)
        assert len(calls) == 4
        (trained,), trace = model._forward([x], training=True)
        assert len(calls) == 4
    finally:
        fast.lstm_predict = real
    kept = [c[0] for c in trace.caches if isinstance(c, tuple) and isinstance(c[0], fast.NumbaLSTMCache)]
    assert len(kept) == 2
    np.testing.assert_array_equal(predicted, trained)
    assert loss == np.mean((trained - y) ** 2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_backward_without_input_gradient_gives_the_other_gradients_bits(dtype, kernels):
    """``input_gradient=False`` (a training step, for a layer reading the model's input)
    returns None for dx and the same bits for every other gradient."""
    rng = np.random.default_rng(17)
    args, grads = random_problem(rng, 40, 6, 5, 7, dtype, with_state=True)
    full = fast.lstm_backward(*grads, fast.lstm_forward(*args)[2])
    skipped = fast.lstm_backward(*grads, fast.lstm_forward(*args)[2], input_gradient=False)
    assert full[0] is not None and skipped[0] is None
    for name, a, b in zip(NAMES[4:], full[1:], skipped[1:]):
        np.testing.assert_array_equal(a, b, err_msg=name)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_cache_serves_one_backward_pass(dtype, kernels):
    """The small kernels' backward pass writes dL/dz over the cache's gates, so a second
    backward pass from the same cache is refused with a clear error (on both sets of
    kernels: one rule), and a fresh forward pass gives the first one's bits again."""
    rng = np.random.default_rng(19)
    args, grads = random_problem(rng, 40, 6, 5, 7, dtype, with_state=True)
    cache = fast.lstm_forward(*args)[2]
    first = [g.copy() for g in fast.lstm_backward(*grads, cache)]
    with pytest.raises(ValueError, match="served a backward pass already"):
        fast.lstm_backward(*grads, cache)
    again = fast.lstm_backward(*grads, fast.lstm_forward(*args)[2])
    for name, a, b in zip(NAMES[3:], first, again):
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_training_skips_only_the_input_gradient_nobody_reads(numba_backend, float64):
    """fit asks the LSTM reading the model's input for no dx and the next one for dx, and
    trains to the same bits as with every dx computed; the gradient check's backward pass
    asks for every dx."""
    import contextlib
    from tinylstm.layers import Dense, Input
    from tinylstm.models import Sequential
    from tinylstm import utils
    rng = np.random.default_rng(18)
    x, y = rng.standard_normal((24, 7, 3)), rng.standard_normal((24, 2))
    asked = []
    real_backward, real_skip = fast.lstm_backward, ops.without_input_gradient

    def recording(*a, **k):
        asked.append(a[4] if len(a) > 4 else k.get("input_gradient", True))
        return real_backward(*a, **k)

    def train(skip):
        utils.set_random_seed(3)
        model = Sequential([Input((7, 3)), LSTM(5, return_sequences=True), LSTM(4), Dense(2)])
        model.compile(optimizer="adam", loss="mse")
        ops.without_input_gradient = real_skip if skip else contextlib.nullcontext
        try:
            model.fit(x, y, batch_size=12, epochs=2, verbose=0, shuffle=False)
        finally:
            ops.without_input_gradient = real_skip
        return model
    fast.lstm_backward = recording
    try:
        model = train(skip=True)
        assert asked[:2] == [True, False] and len(asked) == 8      # the second LSTM first
        del asked[:]
        model.predict(x[:2], verbose=0)
        gradcheck.check_model(model, x[:2], y[:2])
        assert asked and all(asked)
    finally:
        fast.lstm_backward = real_backward
    for a, b in zip(model.get_weights(), train(skip=False).get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_stacked_layers_share_arrays_and_bits_with_copies(dtype, monkeypatch):
    """One LSTM's h_seq fed to the next, and the next one's dx handed back, reach the
    small kernels without a copy (the arrays they show, padding columns and all), and
    give the same bits as copies of them would (zeros in the padding columns)."""
    monkeypatch.setattr(fast, "uses_large", lambda B, T, D, H: False)
    rng = np.random.default_rng(19)
    (x, W1, U1, b1, _, _), _ = random_problem(rng, 37, 6, 3, 5, dtype, with_state=False)
    (_, W2, U2, b2, _, _), (dh_seq, dh_T, dc_T) = random_problem(rng, 37, 6, 5, 4, dtype, with_state=False)
    h1, _, cache1 = fast.lstm_forward(x, W1, U1, b1)

    def upper(h):
        h2, (h_T, c_T), cache2 = fast.lstm_forward(h, W2, U2, b2)
        return cache2, [h2, h_T, c_T, *fast.lstm_backward(dh_seq, dh_T, dc_T, cache2)]
    shared_cache, shared = upper(h1)
    copied_cache, copied = upper(h1.copy())
    assert np.shares_memory(shared_cache.x, cache1.h) and not np.shares_memory(copied_cache.x, cache1.h)
    for name, a, b in zip(NAMES, shared, copied):
        np.testing.assert_array_equal(a, b, err_msg=name)
    dx = shared[3]
    Bp = fast.small.padded(len(dx))
    assert np.shares_memory(fast.small.feature_major(dx, Bp, dtype), dx)
    lower = fast.lstm_backward(dx, None, None, cache1)
    again = fast.lstm_forward(x, W1, U1, b1)[2]                 # a cache serves one backward pass
    for name, a, b in zip(NAMES[3:], lower, fast.lstm_backward(dx.copy(), None, None, again)):
        np.testing.assert_array_equal(a, b, err_msg=name)


@pytest.mark.parametrize("schedule", ["one piece late", "one piece after the other"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_small_backward_takes_steps_only_once_every_column_is_past_them(dtype, schedule, monkeypatch):
    """The small kernels' backward pass starts on the weight gradients of the latest steps
    while other batch columns are still in their recurrence. A piece of the batch that
    starts 50 ms after the other is waited for; pieces run one after the other in one
    thread (as ``threads.run`` does when its threads are busy), the first leaves the
    weight gradients to the second. Either way the bits are one thread's. dL/dz is
    written over the gates, so a weight gradient summed before its columns' recurrence
    got there would sum gates instead, and show."""
    monkeypatch.setattr(fast, "uses_large", lambda B, T, D, H: False)
    rng = np.random.default_rng(23)
    args, grads = random_problem(rng, 40, 11, 3, 6, dtype, with_state=True)
    old = config.num_threads()
    try:
        config.set_num_threads(1)
        alone = run(fast, args, grads)
        config.set_num_threads(2)
        real_run = fast.small.threads.run

        def scheduled(kernel, kernel_args, work):
            if kernel is not fast.small._backward_kernel:
                return real_run(kernel, kernel_args, work)
            assert len(work) == 2
            if schedule == "one piece after the other":
                kernel(*kernel_args, work[1:])
                kernel(*kernel_args, work[:1])
                return
            kernel_args[-1][fast.small.SLOT] = len(kernel_args[1])   # piece 0 begun, at step T
            later = threading.Thread(target=kernel, args=(*kernel_args, work[1:]))
            later.start()
            time.sleep(0.05)
            kernel(*kernel_args, work[:1])
            later.join()
        monkeypatch.setattr(fast.small.threads, "run", scheduled)
        staggered = run(fast, args, grads)
    finally:
        config.set_num_threads(old)
    for name, a, b in zip(NAMES, alone, staggered):
        np.testing.assert_array_equal(a, b, err_msg=name)


def test_two_halves_equal_one_pass(kernels):
    """Running the sequence in two halves, passing (h, c) forward and (dh, dc) back,
    equals one pass (the sequential-matches-batch check, on the fast path)."""
    rng = np.random.default_rng(11)
    args, (dh_seq, _, _) = random_problem(rng, 3, 8, 2, 5, np.float64, with_state=True)
    x, W, U, b, h0, c0 = args
    full, _, cache = fast.lstm_forward(*args)
    dx, dW, dU, db, dh0, dc0 = fast.lstm_backward(dh_seq, None, None, cache)
    first, (h_k, c_k), cache1 = fast.lstm_forward(x[:, :3], W, U, b, h0, c0)
    second, _, cache2 = fast.lstm_forward(x[:, 3:], W, U, b, h_k, c_k)
    dx2, dW2, dU2, db2, dh_k, dc_k = fast.lstm_backward(dh_seq[:, 3:], None, None, cache2)
    dx1, dW1, dU1, db1, dh0_1, dc0_1 = fast.lstm_backward(dh_seq[:, :3], dh_k, dc_k, cache1)
    pairs = [(np.concatenate([first, second], axis=1), full), (np.concatenate([dx1, dx2], axis=1), dx),
             (dW1 + dW2, dW), (dU1 + dU2, dU), (db1 + db2, db), (dh0_1, dh0), (dc0_1, dc0)]
    for split, whole in pairs:
        assert relative(split, whole) < 1e-12


@pytest.mark.parametrize("return_sequences", [True, False])
@pytest.mark.parametrize("with_state", [False, True])
def test_lstm_layer_on_the_numba_backend_passes_the_gradient_check(
        float64, numba_backend, return_sequences, with_state):
    rng = np.random.default_rng(12)
    B, T, D, H = 2, 4, 3, 3
    layer = LSTM(H, return_sequences=return_sequences, return_state=with_state)
    shapes = [(None, T, D), (None, H), (None, H)] if with_state else (None, T, D)
    layer.build(shapes)
    layer.set_weights([0.5 * rng.standard_normal(w.shape) for w in layer.weights])
    inputs = [rng.standard_normal((B, T, D))]
    if with_state:
        inputs += [rng.standard_normal((B, H)), rng.standard_normal((B, H))]
        layer.forward(inputs)
    _, cache = layer.forward(inputs if with_state else inputs[0])
    assert isinstance(cache[0], fast.NumbaLSTMCache)
    errors = gradcheck.check_layer(layer, inputs if with_state else inputs[0])
    assert max(errors.values()) < 1e-6, errors


def test_dispatch_follows_the_backend_and_the_activations(numba_backend):
    rng = np.random.default_rng(13)
    args, _ = random_problem(rng, 2, 3, 2, 2, np.float64, with_state=False)
    assert isinstance(ops.lstm_forward(*args)[2], fast.NumbaLSTMCache)
    assert isinstance(ops.lstm_forward(*args, recurrent_activation="hard_sigmoid")[2],
                      fast.NumbaLSTMCache)
    # the kernels compute tanh with sigmoid or a hard sigmoid: others take the NumPy path
    assert isinstance(ops.lstm_forward(*args, activation="relu")[2], spec.LSTMCache)
    assert isinstance(ops.lstm_forward(*args, recurrent_activation="tanh")[2], spec.LSTMCache)
    config.set_backend("numpy")
    assert config.backend() == "numpy"
    assert isinstance(ops.lstm_forward(*args)[2], spec.LSTMCache)


def test_numba_kernels_refuse_other_activations():
    rng = np.random.default_rng(14)
    args, _ = random_problem(rng, 2, 3, 2, 2, np.float64, with_state=False)
    with pytest.raises(ValueError, match="activation='tanh'.*got 'relu'"):
        fast.lstm_forward(*args, activation="relu")


def test_set_backend_rejects_unknown_names():
    with pytest.raises(ValueError, match=r"expected one of \('numpy', 'numba'\), got 'cuda'"):
        config.set_backend("cuda")


def test_asking_for_numba_without_numba_is_an_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)     # `import numba` now fails
    old = config.backend()
    with pytest.raises(ImportError, match="set_backend\\('numba'\\): numba does not import"):
        config.set_backend("numba")
    assert config.backend() == old


@pytest.mark.parametrize("B,T", [(0, 3), (2, 0)])
def test_empty_batch_or_sequence(B, T, kernels):
    """An empty batch or a sequence of no steps gives empty results of the right
    shapes, as the specification does (and h_T = h_0)."""
    rng = np.random.default_rng(15)
    args, grads = random_problem(rng, B, T, 2, 3, np.float64, with_state=True)
    for name, f, s in zip(NAMES, run(fast, args, grads), run(spec, args, grads)):
        assert f.shape == s.shape, name
        np.testing.assert_allclose(f, s, rtol=1e-12, atol=0, err_msg=name)
