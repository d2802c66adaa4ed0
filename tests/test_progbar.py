"""The progress bar: clean rewrites on a terminal, one line per epoch elsewhere, throttling, the ETA.

The acceptance test drives ``fit`` in a child process whose stdout is a
pseudo-terminal, replays what it wrote as a terminal would (``\\r`` back to the
start of the line, characters overwrite), and reads every epoch's final line:
it must show the loss that History recorded, formatted as Keras formats it,
and nothing after it. The data make the running loss shrink by orders of
magnitude within an epoch, so a rewrite that does not erase would leave digits
of the longer earlier lines behind.
"""
import io
import json
import os
import pty
import re
import subprocess
import sys
import types

import pytest

from helpers import ROOT
from tinylstm import progbar
from tinylstm.layers import Dense
from tinylstm.models import Sequential
from tinylstm.progbar import Progbar, format_duration, format_value

CHILD = r"""
import json, sys, time
import numpy as np
from tinylstm import callbacks, utils
from tinylstm.layers import Dense
from tinylstm.models import Sequential
from tinylstm.optimizers import SGD

utils.set_random_seed(0)
rng = np.random.default_rng(0)
x = rng.standard_normal((100, 3))
y = x @ np.array([[1.0], [-2.0], [0.5]]) + 1.0
y[0] = 1e4                          # the first step's loss is huge: the running mean then falls
model = Sequential([Dense(1, input_shape=(3,))])
model.compile(optimizer=SGD(learning_rate=1e-6), loss="mse", metrics=["mae"])
slow = callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: time.sleep(0.01))
history = model.fit(x, y, epochs=2, batch_size=1, shuffle=False, verbose=1, callbacks=[slow])
sys.stderr.write("HISTORY" + json.dumps(history.history))
"""


def run_in_pty(code):
    """Run ``code`` with stdout on a pseudo-terminal; returns (bytes written to it, stderr)."""
    master, slave = pty.openpty()
    env = dict(os.environ, PYTHONPATH=ROOT)
    with subprocess.Popen([sys.executable, "-c", code], stdout=slave, stderr=subprocess.PIPE,
                          env=env, cwd=ROOT) as child:
        os.close(slave)
        out = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:             # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        os.close(master)
        err = child.stderr.read().decode()
        assert child.wait(timeout=120) == 0, err
    return out.decode(), err


def screen(text):
    """The lines a terminal shows after ``text``: \\r returns to column 0, characters overwrite,
    \\n (which the pty turns into \\r\\n) starts a new line."""
    lines, line, col = [], [], 0
    for ch in text:
        if ch == "\r":
            col = 0
        elif ch == "\n":
            lines.append("".join(line))
            line, col = [], 0
        else:
            if col < len(line):
                line[col] = ch
            else:
                line.append(ch)
            col += 1
    if line:
        lines.append("".join(line))
    return lines


def test_every_epoch_ends_on_the_history_loss_with_nothing_left_over():
    raw, err = run_in_pty(CHILD)
    history = json.loads(err.split("HISTORY")[1])
    lines = screen(raw)
    assert [l for l in lines if l.startswith("Epoch ")] == ["Epoch 1/2", "Epoch 2/2"]
    shown = [l for l in lines if l.strip() and not l.startswith("Epoch ")]
    assert len(shown) == 2, shown                         # one finished line per epoch
    for line, loss, mae in zip(shown, history["loss"], history["mae"]):
        ending = f" - loss: {format_value(loss)} - mae: {format_value(mae)}"
        assert line.rstrip(" ").endswith(ending), (line, ending)
        assert re.match(r"100/100 \u2501{20} \d+s \d+(\.\d)?(ms|s)/step - loss: ", line), line
    # the bar moved, and its early lines were longer than the last: erasing was needed
    first_draw = raw.split("Epoch 1/2")[1].split("\r")[2]
    assert raw.count("\r") > 2 * 4
    assert len(first_draw.split(" - loss: ")[1]) > len(shown[0].rstrip(" ").split(" - loss: ")[1])


def test_off_a_terminal_one_line_per_epoch_and_no_carriage_returns(rng):
    out = io.StringIO()
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse")
    from tinylstm.callbacks import ProgbarLogger
    history = model.fit(rng.standard_normal((10, 2)), rng.standard_normal((10, 1)), epochs=2,
                        batch_size=2, callbacks=[ProgbarLogger(1, stream=out)])
    lines = out.getvalue().split("\n")
    assert "\r" not in out.getvalue()
    assert lines[0] == "Epoch 1/2" and lines[2] == "Epoch 2/2" and lines[4] == ""
    for line, loss in zip((lines[1], lines[3]), history.history["loss"]):
        assert line.startswith("5/5 \u2501") and line.endswith(f"loss: {format_value(loss)}")


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(progbar, "time", types.SimpleNamespace(perf_counter=fake.perf_counter))
    return fake


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_updates_are_throttled_but_the_last_always_shows(clock):
    out = Terminal()
    bar = Progbar(100, stream=out, interval=0.1, stateful_metrics=["loss"])
    for step in range(1, 101):
        clock.now += 0.01                                  # 100 steps in one second
        bar.update(step, [("loss", 1.0 / step)])
    draws = out.getvalue().count("\r")
    assert 9 <= draws <= 12, draws                          # about one per 0.1 s, not 100
    assert out.getvalue().endswith(f"loss: {format_value(1 / 100)}\n")


def test_the_eta_counts_from_the_end_of_the_first_step(clock):
    out = Terminal()
    bar = Progbar(10, stream=out, interval=0)
    clock.now = 10.0                                       # the first step compiles: 10 s
    bar.update(1)
    assert " 0s " not in out.getvalue() and "ETA" not in out.getvalue()
    assert out.getvalue().rstrip().endswith("10s/step")    # no ETA yet, the step's time
    clock.now = 11.0                                       # then 1 s a step
    bar.update(2)
    clock.now = 12.0
    bar.update(3)
    last = screen(out.getvalue())[-1]
    assert " 7s 1.0s/step" in last, last                   # 7 steps left at 1 s, not at 12/3 s


def test_a_shorter_line_erases_the_longer_one_before_it(clock):
    out = Terminal()
    bar = Progbar(3, stream=out, interval=0, stateful_metrics=["loss"])
    bar.update(1, [("loss", 123456.789)])
    clock.now = 1.0
    bar.update(2, [("loss", 0.5)])
    assert screen(out.getvalue())[-1].rstrip(" ").endswith("loss: 0.5000")
    assert len(screen(out.getvalue())[-1]) >= len(screen(out.getvalue().split("\r")[1])[0])


def test_jupyter_gets_the_live_bar(monkeypatch):
    monkeypatch.setitem(sys.modules, "ipykernel", types.ModuleType("ipykernel"))
    OutStream = type("OutStream", (io.StringIO,), {"__module__": "ipykernel.iostream"})
    out = OutStream()
    assert progbar.is_dynamic(out) and not progbar.is_dynamic(io.StringIO())
    bar = Progbar(3, stream=out, interval=0)
    for step in (1, 2, 3):
        bar.update(step)
    assert out.getvalue().count("\r") == 3


def test_values_are_averaged_unless_stateful():
    out = io.StringIO()
    bar = Progbar(2, stream=out, stateful_metrics=["acc"])
    bar.update(1, [("loss", 1.0), ("acc", 0.25)])
    bar.update(2, [("loss", 3.0), ("acc", 0.75)])
    assert out.getvalue().endswith("loss: 2.0000 - acc: 0.7500\n")   # mean of 1 and 3; acc as given


@pytest.mark.parametrize("value,text", [(1.23456, "1.2346"), (-0.5, "-0.5000"),
                                        (0.001, "1.0000e-03"), (2e-7, "2.0000e-07")])
def test_values_print_as_keras_prints_them(value, text):
    assert format_value(value) == text


@pytest.mark.parametrize("seconds,text", [(12.3, "12s"), (1.53, "1.5s"), (0.025, "25ms"),
                                          (0.0032, "3.2ms"), (0.00048, "480us")])
def test_durations(seconds, text):
    assert format_duration(seconds) == text


def test_predict_and_evaluate_honour_verbose(capsys, rng):
    model = Sequential([Dense(1, input_shape=(2,))])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x, y = rng.standard_normal((70, 2)), rng.standard_normal((70, 1))
    model.predict(x, verbose=0)
    model.evaluate(x, y, verbose=0)
    assert capsys.readouterr().out == ""
    model.predict(x)                                       # "auto": a bar, as Keras
    assert capsys.readouterr().out.startswith("3/3 \u2501")
    loss, mae = model.evaluate(x, y, verbose=2)
    line = capsys.readouterr().out
    assert line.startswith("3/3 - ") and line.endswith(
        f"loss: {format_value(loss)} - mae: {format_value(mae)}\n")
    with pytest.raises(ValueError, match="verbose.*'auto', 0, 1 or 2, got 3"):
        model.predict(x, verbose=3)


def test_a_long_demo_draws_one_live_bar_on_a_terminal_only(tmp_path):
    """exp09 --quick (one fit): one bar over its 2 epochs on a terminal; captured, its output
    has no bar (tests/test_demos.py reads that output)."""
    code = ("import runpy, sys; sys.path.insert(0, 'demos'); "
            f"sys.argv = ['exp09', '--quick', '--out', {str(tmp_path)!r}]; "
            "runpy.run_path('demos/exp09_deep_autoencoder.py', run_name='__main__')")
    raw, _ = run_in_pty(code)
    lines = screen(raw)
    assert re.match(r"2/2 \u2501{20} \d+s \d+(\.\d)?(ms|s)/epoch - loss: \d\.\d{4} *$", lines[0]), lines
    assert lines[2].startswith("Experiment 9:")
    captured = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT), check=True).stdout
    assert "\u2501" not in captured and "\r" not in captured
    assert captured.startswith("\nExperiment 9:")
