"""What several test files share: random weights, the gradient-check verdict, running a demo."""
import json
import os
import subprocess
import sys

TOL = 1e-6          # the largest relative error a float64 gradient check may show
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def randomize(layer_or_model, rng, scale=0.5):
    """Replace every weight, biases included, with N(0, scale^2) noise: never constant, never zero."""
    layer_or_model.set_weights([scale * rng.standard_normal(w.shape) for w in layer_or_model.weights])


def assert_small(errors):
    """Every {name: relative error} of a gradient check is below TOL."""
    assert errors, "no gradient was checked"
    worst = max(errors, key=errors.get)
    assert errors[worst] < TOL, f"{worst}: relative error {errors[worst]:.2e}\n{errors}"


def run_demo(script, out, seed, figures, record_name):
    """Run demos/<script> --quick into ``out``; check its PNGs; return its JSON record."""
    env = dict(os.environ, PYTHONPATH=ROOT, MPLBACKEND="Agg")
    run = subprocess.run([sys.executable, os.path.join(ROOT, "demos", script), "--quick",
                          "--seed", str(seed), "--out", str(out)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    for name in figures:
        path = os.path.join(out, name)
        assert os.path.exists(path) and os.path.getsize(path) > 5000, name
        with open(path, "rb") as f:
            assert f.read(8) == PNG_MAGIC, name
    with open(os.path.join(out, record_name)) as f:
        record = json.load(f)
    assert record["quick"] is True and record["seed"] == seed
    assert record["figures"] == figures
    return record


def state_of(model):
    """Everything a refused call must leave as it was: weights (bytes, dtypes), what is built,
    the optimizer and its state, the compiled loss and metrics, the history, the global random
    generator (building draws from it) and floatx."""
    from tinylstm import config, utils
    opt = model.optimizer
    return {
        "built": (model.built, [(layer.name, layer.built) for layer in model.layers]),
        "weights": [(w.dtype.str, w.shape, w.tobytes()) for w in model.weights],
        "optimizer": None if opt is None else (
            id(opt), opt.learning_rate, [a.tobytes() for a in opt.state_arrays()]),
        "compiled": (model.loss, list(model._loss_fns), list(model._metric_specs)),
        "history": id(model.history),
        "rng": utils.rng().bit_generator.state,
        "floatx": config.floatx(),
    }
