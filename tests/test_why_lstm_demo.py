"""The "why LSTM" demo runs end to end (--quick) and writes its figures and numbers."""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIGURES = ["why_lstm_curves.png", "why_lstm_gradients.png", "why_lstm_gates.png",
           "why_lstm_memory.png"]


def test_why_lstm_quick(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT, MPLBACKEND="Agg")
    run = subprocess.run([sys.executable, os.path.join(ROOT, "demos", "why_lstm.py"), "--quick",
                          "--seed", "3", "--out", str(tmp_path)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 0, run.stderr[-3000:]
    for name in FIGURES:
        path = tmp_path / name
        assert path.exists() and path.stat().st_size > 5000, name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    with open(tmp_path / "why_lstm.json") as f:
        record = json.load(f)
    assert record["quick"] is True and record["seed"] == 3
    assert record["figures"] == FIGURES
    assert set(record["models"]) == {"SimpleRNN", "GRU", "LSTM"}
    baseline = record["task"]["baseline_mse"]
    assert 0.2 < baseline < 0.5                          # the variance of U(-1, 1) is 1/3
    for name, numbers in record["models"].items():
        assert 0 < numbers["final_val_mse"] < 10 * baseline, name
        assert numbers["best_val_mse"] <= numbers["final_val_mse"], name
        for when in ("init", "trained"):
            assert isinstance(numbers[f"log10_dh1_over_dhT_{when}"], float), name
    assert "log10_dc1_over_dcT_trained" in record["models"]["LSTM"]
    assert "log10_dc1_over_dcT_trained" not in record["models"]["GRU"]
    for name, gate in (("GRU", "z"), ("LSTM", "f")):
        numbers = record["models"][name]
        assert 0 <= numbers["memory_unit"] < record["task"]["units"]
        for key in (f"memory_unit_mean_{gate}_after_marks_init",
                    f"memory_unit_mean_{gate}_after_marks_trained",
                    f"all_units_mean_{gate}_after_marks_trained"):
            assert 0 < numbers[key] < 1, key               # a sigmoid gate's mean
    assert "memory_unit" not in record["models"]["SimpleRNN"]
