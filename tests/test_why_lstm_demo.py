"""The "why LSTM" demo runs end to end (--quick) and writes its figures and numbers."""
from helpers import run_demo

FIGURES = ["why_lstm_curves.png", "why_lstm_gradients.png", "why_lstm_gates.png",
           "why_lstm_memory.png"]


def test_why_lstm_quick(tmp_path):
    record = run_demo("why_lstm.py", tmp_path, 3, FIGURES, "why_lstm.json")
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
