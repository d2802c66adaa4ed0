"""The beyond-the-post demo (the start of the sequence) runs with --quick and writes its record.

Whether a claim held means nothing after two epochs and is never asserted; what is checked
is that the demo ran, wrote its figures and JSON, and that the numbers are consistent.
"""
import math
import os
import sys

from helpers import ROOT, run_demo

sys.path.insert(0, os.path.join(ROOT, "demos"))
import common  # noqa: E402

FIGURES = ["exp11_error_vs_x.png", "exp11_start.png", "exp11_decoder_state.png"]
VARIANTS = {"post", "time index", "initial state"}
CLAIM_FIELDS = {"id": str, "claim": str, "reading": str, "metric": str, "measured": float, "op": str,
                "threshold": float, "passed": bool, "control": dict, "held": bool, "variant": bool}


def test_beyond_start_quick(tmp_path):
    record = run_demo("beyond_start.py", tmp_path, 2, FIGURES, "exp11.json")
    assert record["experiment"] == 11

    numbers = record["numbers"]
    assert set(numbers["variants"]) == VARIANTS
    T = numbers["timesteps"]
    assert numbers["steps_in_x_lt_0.2"] == sum(k / (T - 1) < 0.2 for k in range(T))
    params = {v: r["params"] for v, r in numbers["variants"].items()}
    # the time index adds one input to the first decoder LSTM: 4 * 32 weights
    assert params["time index"] - params["post"] == 4 * 32
    # the initial state adds Dense(1 -> H) twice per decoder LSTM (H = 32, 32, 1)
    assert params["initial state"] - params["post"] == 2 * 2 * (32 + 32 + 1)
    for v, r in numbers["variants"].items():
        assert 0 < r["mse_x_lt_0.2"] < 4 and 0 < r["mse_x_ge_0.2"] < 4, v   # |y|, |target| <= 1
        assert r["curve"]["epoch"] == [numbers["epochs"]], v                 # measured at the end
        assert math.isclose(r["curve"]["start"][-1], r["mse_x_lt_0.2"], rel_tol=1e-4), v
        assert math.isclose(r["curve"]["rest"][-1], r["mse_x_ge_0.2"], rel_tol=1e-4), v
    # decoders that start from h_0 = c_0 = 0: |c_1| < 1, so |y_1| < tanh(1)
    for v in ("post", "time index"):
        assert numbers["variants"][v]["max_abs_c1_output_lstm"] <= 1, v   # float32 may round to 1
        assert numbers["variants"][v]["max_abs_y1"] <= numbers["tanh_1"] + 1e-6, v
        assert numbers["first_lstm_h_norm_t0_to_t4"][v][0] == 0, v
        assert numbers["first_lstm_h_spread_t0_to_t4"][v][0] == 0, v
    assert numbers["first_lstm_h_norm_t0_to_t4"]["initial state"][0] > 0

    assert [c["id"] for c in record["claims"]] == ["11a", "11b", "11c", "11d", "11e", "11f"]
    for claim in record["claims"]:
        assert set(claim) == set(CLAIM_FIELDS), claim["id"]
        for field, kind in CLAIM_FIELDS.items():
            assert isinstance(claim[field], kind), (claim["id"], field)
        assert claim["passed"] == common.passes(claim["measured"], claim["op"], claim["threshold"])
        control = claim["control"]
        assert control["what"] and isinstance(control["measured"], float), claim["id"]
        assert control["held"] == common.passes(control["measured"], claim["op"], claim["threshold"])
        assert claim["held"] == (claim["passed"] and not control["held"]), claim["id"]
    by_id = {c["id"]: c["measured"] for c in record["claims"]}
    variants = numbers["variants"]
    assert math.isclose(by_id["11a"], variants["post"]["mse_x_lt_0.2"]
                        / variants["initial state"]["mse_x_lt_0.2"], rel_tol=1e-3)
    assert math.isclose(by_id["11f"], variants["post"]["max_abs_y1"], rel_tol=1e-4)
    controls = {c["id"]: c["control"]["measured"] for c in record["claims"]}
    assert math.isclose(controls["11a"], variants["post"]["mse_middle"]
                        / variants["initial state"]["mse_middle"], rel_tol=1e-3)
    assert math.isclose(controls["11f"], variants["post"]["max_abs_y_x_ge_0.2"], rel_tol=1e-4)
