"""tinylstm against Keras 3 on the same weights and data, in float32.

forward:   random stacks of LSTM (both return_sequences), RepeatVector and Dense
           on 2-D and 3-D inputs, a seq2seq whose decoder starts from the
           encoder's state, and an LSTM whose initial state is a model input:
           ``predict`` agrees to 1e-5.
training:  the same models, compiled with "sgd", "rmsprop" and "adam" at Keras'
           defaults and fit for two epochs with shuffle=False, end with the same
           loss history and the same weights, to 1e-4. This checks tinylstm's
           hand-written backpropagation and its optimizers against Keras' autodiff.

Errors are relative to the largest entry (``tinylstm.gradcheck.relative_error``):
max |ours - keras| / max(max |ours|, max |keras|).
"""
import numpy as np
import pytest

pytest.importorskip("torch", reason="torch (Keras' backend here) is not installed: "
                    "pip install -e .[crosscheck]")
keras = pytest.importorskip("keras", reason="keras 3 is not installed: pip install -e .[crosscheck]")

from tinylstm.gradcheck import relative_error  # noqa: E402

from peer_models import (assert_weights_trained_alike, build_stack, encoder_decoder,  # noqa: E402
                         given_state, model_inputs, random_inputs, random_stack,
                         twin_models)

# Keras' torch backend calls np.array(copy=False) on tensors under NumPy 2: not ours to fix
pytestmark = [
    pytest.mark.filterwarnings(
        "ignore:__array__ implementation doesn't accept a copy keyword:DeprecationWarning"),
    pytest.mark.usefixtures("keras_float32"),
]

STACK_SEEDS = range(8)
BUILDERS = {f"random_stack_{s}": (lambda lib, d=random_stack(s): build_stack(lib, *d))
            for s in STACK_SEEDS}
BUILDERS.update(encoder_decoder=encoder_decoder, given_state=given_state)
FORWARD_RTOL = 1e-5
TRAINING_RTOL = 1e-4


def test_the_random_stacks_cover_every_case():
    """The seeds above must keep exercising what the cross-check promises."""
    cases = set()
    for seed in STACK_SEEDS:
        shape, specs, sequential = random_stack(seed)
        cases.add("sequential" if sequential else "functional")
        cases.add(f"{len(shape) + 1}-D input")
        ndim = len(shape) + 1
        for kind, *args in specs:
            if kind == "lstm":
                cases.add(f"return_sequences={args[1]}")
                ndim = 3 if args[1] else 2
            elif kind == "repeat":
                cases.add("repeat")
                ndim = 3
            else:
                cases.add(f"dense on {ndim}-D")
    assert cases >= {"sequential", "functional", "2-D input", "3-D input", "repeat",
                     "return_sequences=True", "return_sequences=False",
                     "dense on 2-D", "dense on 3-D"}, cases


@pytest.mark.parametrize("B", [1, 5, 8])
@pytest.mark.parametrize("name", list(BUILDERS))
def test_predict_matches_keras(name, B, float32):
    rng = np.random.default_rng([list(BUILDERS).index(name), B])
    keras_model, tiny_model = twin_models(BUILDERS[name], rng)
    x = model_inputs(tiny_model, B, rng)

    expected = keras_model.predict(x, verbose=0)
    got = tiny_model.predict(x, verbose=0)

    assert got.dtype == np.float32 and got.shape == expected.shape
    assert np.ptp(expected) > 1e-2, "outputs nearly constant: the comparison would prove little"
    err = relative_error(got, expected)
    assert err < FORWARD_RTOL, f"{name}, B={B}: predict differs from Keras by {err:.2e}"


@pytest.mark.parametrize("optimizer", ["sgd", "rmsprop", "adam"])
@pytest.mark.parametrize("name", list(BUILDERS))
def test_fit_matches_keras(name, optimizer, float32):
    """Two epochs on 11 samples in batches of 4 (4, 4, 3) or 5 (5, 5, 1): the last
    batch is partial, and the epoch loss is Keras' batch-size-weighted mean."""
    k = list(BUILDERS).index(name)
    rng = np.random.default_rng([k, 100])
    N, batch_size = 11, (4, 5)[k % 2]
    keras_model, tiny_model = twin_models(BUILDERS[name], rng)
    x = model_inputs(tiny_model, N, rng)
    # The first input feature on a scale of 1e-3 gives its kernel rows gradients
    # small enough that epsilon shapes Adam's and RMSprop's steps: a wrong epsilon shows.
    (x[0] if isinstance(x, list) else x)[..., 0] *= 1e-3
    y = random_inputs([tiny_model.output_shape[1:]], N, rng)[0]
    w0 = tiny_model.get_weights()

    keras_model.compile(optimizer=optimizer, loss="mse")
    tiny_model.compile(optimizer=optimizer, loss="mse")
    expected = keras_model.fit(x, y, batch_size=batch_size, epochs=2, shuffle=False,
                               verbose=0).history["loss"]
    got = tiny_model.fit(x, y, batch_size=batch_size, epochs=2, shuffle=False,
                         verbose=0).history["loss"]

    assert len(got) == len(expected) == 2
    loss_err = max(abs(a - b) / abs(b) for a, b in zip(got, expected))
    assert loss_err < TRAINING_RTOL, (
        f"{name}, {optimizer}: loss history {got} differs from Keras' {expected} by {loss_err:.2e}")
    assert_weights_trained_alike(keras_model, tiny_model, w0, TRAINING_RTOL, f"{name}, {optimizer}")
