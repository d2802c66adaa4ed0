"""The demos of the post's experiments run, write every figure and JSON, and report claims.

Runs ``demos/reproduce_all.py --quick`` once (a few epochs per demo): whether a claim
held means nothing in quick mode and is never asserted; what is checked is that every
demo ran and wrote what it says, and that each claim record is consistent.
"""
import json
import math
import os
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMOS = os.path.join(ROOT, "demos")
sys.path.insert(0, DEMOS)

import common  # noqa: E402
import reproduce_all  # noqa: E402

EXPERIMENTS = list(range(1, 11))
CLAIM_FIELDS = {"id": str, "claim": str, "metric": str, "measured": float, "op": str,
                "threshold": float, "held": bool}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    done = subprocess.run([sys.executable, os.path.join(DEMOS, "reproduce_all.py"), "--quick",
                           "--seeds", "0", "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    return out, done


def load(out, name):
    with open(os.path.join(out, name)) as f:
        return json.load(f)


def test_reproduce_all_quick_runs_every_demo(quick_run):
    out, done = quick_run
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(int(p[3:5]) for p in os.listdir(out) if p.endswith(".json") and p.startswith("exp")) \
        == EXPERIMENTS
    summary = load(out, "claims.json")
    assert summary["quick"] is True and summary["crashed"] == [] and summary["seeds"] == [0]
    assert [e["experiment"] for e in summary["experiments"]] == EXPERIMENTS


@pytest.mark.parametrize("number", EXPERIMENTS)
def test_demo_writes_its_figures_and_claims(quick_run, number):
    out, _ = quick_run
    record = load(out, f"exp{number:02d}.json")
    assert record["experiment"] == number and record["quick"] is True
    assert record["title"] and record["about"]
    assert record["figures"], "every experiment draws at least one figure"
    for name in record["figures"]:
        assert name.startswith(f"exp{number:02d}_") and name.endswith(".png")
        with open(os.path.join(out, name), "rb") as f:
            assert f.read(8) == PNG_MAGIC, name
    assert record["claims"]
    for claim in record["claims"]:
        assert set(claim) == set(CLAIM_FIELDS)
        for field, kind in CLAIM_FIELDS.items():
            assert isinstance(claim[field], kind), (claim["id"], field)
        assert claim["id"].startswith(str(number))
        # held is exactly "measured op threshold", whatever the quick numbers are
        assert claim["held"] == (math.isfinite(claim["measured"])
                                 and common.OPS[claim["op"]](claim["measured"], claim["threshold"]))


def test_table_lists_every_claim(quick_run):
    out, done = quick_run
    summary = load(out, "claims.json")
    ids = [c["id"] for e in summary["experiments"] for c in e["claims"]]
    assert summary["total"] == len(ids)
    assert summary["held"] == sum(c["held"] for e in summary["experiments"] for c in e["claims"])
    table_ids = [line.split()[0] for line in done.stdout.splitlines()[2:2 + len(ids)]]
    assert table_ids == ids


def test_further_seeds_add_their_claims(tmp_path):
    done = subprocess.run([sys.executable, os.path.join(DEMOS, "reproduce_all.py"), "--quick",
                           "--only", "10", "--seeds", "0", "3", "--out", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(os.listdir(tmp_path)) == ["claims.json", "exp10.json", "exp10_param_count.png"]
    summary = load(tmp_path, "claims.json")
    assert summary["seeds"] == [0, 3]
    for claim in summary["experiments"][0]["claims"]:
        assert sorted(claim["by_seed"]) == ["0", "3"]
        assert claim["by_seed"]["0"] == {"measured": claim["measured"], "held": claim["held"]}
    assert "held in 2 seeds" in done.stdout


def test_a_crashing_demo_makes_reproduce_all_fail(tmp_path, monkeypatch, capsys):
    script = tmp_path / "exp99_crash.py"
    script.write_text("raise RuntimeError('boom')\n")
    monkeypatch.setattr(reproduce_all, "demos", lambda only=None: [str(script)])
    monkeypatch.setattr(sys, "argv", ["reproduce_all.py", "--quick", "--seeds", "0", "1",
                                      "--out", str(tmp_path)])
    assert reproduce_all.main() == 1
    assert "boom" in capsys.readouterr().err
    assert load(tmp_path, "claims.json")["crashed"] == ["exp99_crash.py", "exp99_crash.py (seed 1)"]


def test_check_records_held_and_never_holds_nan(tmp_path):
    class Args:
        out, quick, seed = str(tmp_path), True, 0
    report = common.Report(99, "t", "about", Args)
    assert report.check("99a", "c", "m", 0.5, "<", 1.0) is True
    assert report.check("99b", "c", "m", 2.0, "<", 1.0) is False
    assert report.check("99c", "c", "m", float("nan"), "<", 1.0) is False
    assert report.check("99d", "c", "m", float("nan"), ">", 1.0) is False
    with pytest.raises(ValueError, match="expected op"):
        report.check("99e", "c", "m", 1.0, "=>", 1.0)
    record = load(tmp_path, os.path.basename(report.write()))
    assert [c["held"] for c in record["claims"]] == [True, False, False, False]


def test_sine_phase_and_spearman():
    x = np.linspace(0, 1, 80)
    phases = np.array([0.0, 0.3, 1.2, -2.0])
    waves = 0.7 * np.sin(2 * np.pi * x + phases[:, None])             # (4, 80)
    np.testing.assert_allclose(common.sine_phase(x, waves, 1.0), phases, atol=1e-12)
    a = np.array([0.1, 0.5, 0.2, 0.9])
    assert common.spearman(a, a ** 3) == pytest.approx(1.0)
    assert common.spearman(a, -a) == pytest.approx(-1.0)
    assert common.spearman(a, [1.0, 2.0, 3.0, 4.0]) == pytest.approx(0.8)   # 1 - 6 * 2 / (4 * 15)
