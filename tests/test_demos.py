"""The demos of the post's experiments run, write every figure and JSON, and report claims.

Runs ``demos/reproduce_all.py --quick`` once (a few epochs per demo, seed 0, Keras 3 and
Keras 2 defaults): whether a claim held means nothing in quick mode and is never asserted;
what is checked is that every demo ran and wrote what it says, that each claim record is
consistent and has its control, that progress is printed, and that nothing is written
outside the output folder. The published records (docs/figures/claims.json) are checked for
the same invariants. The three demos beyond the post (12 to 14) run under Keras 3 only; for
them the quick records are also checked for numbers that agree with each other, and for what
holds however short the training (a mask keeps padding out of a classifier's answers).
"""
import ast
import glob
import json
import math
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEMOS = os.path.join(ROOT, "demos")
sys.path.insert(0, DEMOS)

import common  # noqa: E402
import reproduce_all  # noqa: E402

POST = list(range(1, 11))
BEYOND = [12, 13, 14]                    # Keras 3 only: reproduce_all.BEYOND
EXPERIMENTS = POST + BEYOND
AUTOENCODERS = [6, 7, 8, 9]
CLAIM_FIELDS = {"id": str, "claim": str, "reading": str, "metric": str, "measured": float, "op": str,
                "threshold": float, "passed": bool, "control": dict, "held": bool, "variant": bool}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PUBLISHED = os.path.join(ROOT, "docs", "figures", "claims.json")


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("figures")
    done = subprocess.run([sys.executable, os.path.join(DEMOS, "reproduce_all.py"), "--quick",
                           "--seeds", "0", "--out", str(out)], capture_output=True, text=True, cwd=ROOT)
    return out, done


def load(out, name):
    with open(os.path.join(out, name)) as f:
        return json.load(f)


def png_dpi(path):
    """The resolution a PNG records in its pHYs chunk, in dots per inch (None if it records none)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == PNG_MAGIC, path
    at = 8
    while at < len(data):
        length, kind = int.from_bytes(data[at:at + 4], "big"), data[at + 4:at + 8]
        if kind == b"pHYs":
            per_metre, unit = int.from_bytes(data[at + 8:at + 12], "big"), data[at + 16]
            return per_metre * 0.0254 if unit == 1 else None
        at += 12 + length
    return None


def check_control(claim, where):
    """The control has what, measured, held; held is its value against the claim's threshold."""
    control = claim["control"]
    assert set(control) == {"what", "measured", "held"}, where
    assert isinstance(control["what"], str) and control["what"], where
    if control["measured"] is None:                             # arithmetic: nothing to control
        assert control["held"] is False and control["what"].startswith(common.ARITHMETIC), where
    else:
        assert control["held"] == common.passes(control["measured"], claim["op"], claim["threshold"]), where


def check_verdict(claim, run, where):
    """``run`` (a claim or a by_seed entry) held exactly if it passed and its control did not."""
    assert run["passed"] == common.passes(run["measured"], claim["op"], claim["threshold"]), where
    check_control({**claim, "control": run["control"]}, where)
    assert run["held"] == (run["passed"] and not run["control"]["held"]), where
    assert not (run["held"] and run["control"]["held"]), f"{where}: held, and so did its control"


def every_run(claim):
    """(where, run) for the claim itself and each of its runs, both Kerases, every seed."""
    yield claim["id"], claim
    for seed, run in claim.get("by_seed", {}).items():
        yield f"{claim['id']} seed {seed}", run
    if "keras2" in claim:
        yield f"{claim['id']} Keras 2", claim["keras2"]
        for seed, run in claim["keras2"]["by_seed"].items():
            yield f"{claim['id']} Keras 2 seed {seed}", run


def test_reproduce_all_quick_runs_every_demo(quick_run):
    out, done = quick_run
    assert done.returncode == 0, done.stdout + done.stderr
    records = sorted(p for p in os.listdir(out) if p.startswith("exp") and p.endswith(".json"))
    assert records == sorted([f"exp{n:02d}.json" for n in EXPERIMENTS]
                             + [f"exp{n:02d}_keras2.json" for n in AUTOENCODERS])
    summary = load(out, "claims.json")
    assert summary["quick"] is True and summary["crashed"] == [] and summary["seeds"] == [0]
    assert summary["keras"] == [3, 2]
    assert [e["experiment"] for e in summary["experiments"]] == EXPERIMENTS
    assert os.path.exists(os.path.join(out, "experiments.md"))


def test_reproduce_all_prints_a_line_per_run_with_an_eta(quick_run):
    _, done = quick_run
    line = re.compile(r"^\[ *(\d+)/(\d+)\] (exp\d\d) seed 0 Keras ([23]): \d+ s, \d+ of \d+ claims held"
                      r".* \| \d+ s so far, ETA \d+ s$")
    found = [line.match(text) for text in done.stdout.splitlines() if text.startswith("[")]
    n = 2 * len(POST) + len(BEYOND)
    assert len(found) == n and all(found), done.stdout
    assert [(int(m[1]), int(m[2])) for m in found] == [(k, n) for k in range(1, n + 1)]
    assert {(m[3], m[4]) for m in found} == ({(f"exp{e:02d}", k) for e in POST for k in "32"}
                                             | {(f"exp{e:02d}", "3") for e in BEYOND})


@pytest.mark.parametrize("number", EXPERIMENTS)
def test_demo_writes_its_figures_and_claims(quick_run, number):
    out, _ = quick_run
    for name, keras in [(f"exp{number:02d}", 3)] + ([(f"exp{number:02d}_keras2", 2)]
                                                    if number in AUTOENCODERS else []):
        record = load(out, f"{name}.json")
        assert record["experiment"] == number and record["quick"] is True and record["keras"] == keras
        assert record["title"] and record["about"]
        assert record["figures"], "every experiment draws at least one figure"
        assert set(record["captions"]) == set(record["figures"])
        for figure in record["figures"]:
            assert figure.startswith(f"{name}_") and figure.endswith(".png")
            assert record["captions"][figure], figure
            assert png_dpi(os.path.join(out, figure)) >= 120, figure
        assert record["claims"]
        for claim in record["claims"]:
            assert set(claim) == set(CLAIM_FIELDS), claim["id"]
            for field, kind in CLAIM_FIELDS.items():
                assert isinstance(claim[field], kind), (claim["id"], field)
            assert claim["id"].startswith(str(number))
            check_verdict(claim, claim, claim["id"])
            arithmetic = claim["control"]["measured"] is None
            assert arithmetic == (number == 10), f"{claim['id']}: only experiment 10 is arithmetic"


def test_every_claim_has_its_control_and_both_kerases(quick_run):
    out, done = quick_run
    summary = load(out, "claims.json")
    claims = [c for e in summary["experiments"] for c in e["claims"]]
    for claim in claims:
        runs = list(every_run(claim))
        for where, run in runs:
            check_verdict(claim, run, where)
        assert sorted(claim["by_seed"]) == ["0"]
        if int(claim["id"][:-1]) in POST:
            assert sorted(claim["keras2"]["by_seed"]) == ["0"], claim["id"]
        else:
            assert "keras2" not in claim and claim["variant"], claim["id"]
    assert summary["variants"] == ["4c", "7d", "12a", "12b", "13a", "13b", "14a", "14b", "14c"]
    post = [c for c in claims if not c["variant"]]
    assert summary["post_claims"] == len(post)
    assert summary["keras3"]["held"] == sum(c["held"] for c in post)
    assert summary["keras2"]["held"] == sum(c["keras2"]["held"] for c in post)
    table_ids = [line.split()[0] for line in done.stdout.splitlines()
                 if line.split() and line.split()[0] in {c["id"] for c in claims}]
    assert table_ids == [c["id"] for c in claims]


def test_the_gallery_states_every_claim(quick_run):
    out, _ = quick_run
    summary = load(out, "claims.json")
    with open(os.path.join(out, "experiments.md")) as f:
        page = f.read()
    for claim in (c for e in summary["experiments"] for c in e["claims"]):
        assert f"**{claim['id']}** " in page, claim["id"]
        assert claim["reading"] in page, claim["id"]
        assert claim["control"]["what"] in page, claim["id"]
    assert page.count("- Keras 2 defaults: ") == sum(len(e["claims"]) for e in summary["experiments"]
                                                     if e["experiment"] in POST)
    for name in os.listdir(out):
        if name.endswith(".png"):
            assert f"]({name})" in page, name                    # figures sit beside the page


def test_published_claims_have_controls_in_every_run():
    summary = load(*os.path.split(PUBLISHED))
    assert summary["quick"] is False and summary["crashed"] == []
    claims = [c for e in summary["experiments"] for c in e["claims"]]
    assert [e["experiment"] for e in summary["experiments"]] == EXPERIMENTS
    for claim in claims:
        assert set(CLAIM_FIELDS) <= set(claim), claim["id"]
        for where, run in every_run(claim):
            check_verdict(claim, run, where)
        assert sorted(claim["by_seed"]) == sorted(map(str, summary["seeds"])), claim["id"]
        if int(claim["id"][:-1]) in POST:
            assert sorted(claim["keras2"]["by_seed"]) == sorted(map(str, summary["seeds"])), claim["id"]


def copy_of_the_demos(tmp_path):
    """demos/ in a scratch checkout whose tinylstm is the real one: its ROOT is tmp_path."""
    shutil.copytree(DEMOS, tmp_path / "demos", ignore=shutil.ignore_patterns("__pycache__"))
    os.symlink(os.path.join(ROOT, "tinylstm"), tmp_path / "tinylstm")
    return tmp_path / "demos"


def test_default_output_is_out_and_never_docs(tmp_path):
    demos = copy_of_the_demos(tmp_path)
    done = subprocess.run([sys.executable, str(demos / "reproduce_all.py"), "--quick", "--only", "10",
                           "--seeds", "0", "--keras", "3"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(os.listdir(tmp_path / "out")) == ["claims.json", "exp10.json", "exp10_param_count.png",
                                                    "experiments.md"]
    assert not (tmp_path / "docs").exists()
    done = subprocess.run([sys.executable, str(demos / "exp10_param_count.py")],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert not (tmp_path / "docs").exists()
    # and out/ is what .gitignore keeps out of git
    assert common.DEFAULT_OUT == os.path.join(ROOT, "out")
    with open(os.path.join(ROOT, ".gitignore")) as f:
        assert "/out/" in f.read().split()


def test_publish_writes_docs_and_refuses_partial_runs(tmp_path):
    demos = copy_of_the_demos(tmp_path)
    for script, flags in [("reproduce_all.py", ["--quick"]), ("reproduce_all.py", ["--only", "10"]),
                          ("reproduce_all.py", ["--out", str(tmp_path / "x")]),
                          ("exp10_param_count.py", ["--out", str(tmp_path / "x")])]:
        done = subprocess.run([sys.executable, str(demos / script), "--publish"] + flags,
                              capture_output=True, text=True, cwd=tmp_path)
        assert done.returncode == 2 and "--publish" in done.stderr, (script, flags)
        assert not (tmp_path / "docs").exists() and not (tmp_path / "x").exists()
    done = subprocess.run([sys.executable, str(demos / "exp10_param_count.py"), "--publish"],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(os.listdir(tmp_path / "docs" / "figures")) == ["exp10.json", "exp10_param_count.png"]


def test_further_seeds_add_their_claims(tmp_path):
    done = subprocess.run([sys.executable, os.path.join(DEMOS, "reproduce_all.py"), "--quick",
                           "--only", "10", "--seeds", "0", "3", "--out", str(tmp_path)],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sorted(os.listdir(tmp_path)) == ["claims.json", "exp10.json", "exp10_param_count.png",
                                            "experiments.md"]
    summary = load(tmp_path, "claims.json")
    assert summary["seeds"] == [0, 3]
    for claim in summary["experiments"][0]["claims"]:
        assert sorted(claim["by_seed"]) == ["0", "3"]
        assert claim["by_seed"]["0"] == {k: claim[k] for k in ("measured", "passed", "control", "held")}
        assert sorted(claim["keras2"]["by_seed"]) == ["0", "3"]
    assert "Keras 2 seeds" in done.stdout


def test_a_crashing_demo_makes_reproduce_all_fail(tmp_path, monkeypatch, capsys):
    script = tmp_path / "exp99_crash.py"
    script.write_text("raise RuntimeError('boom')\n")
    monkeypatch.setattr(reproduce_all, "demos", lambda only=None: [str(script)])
    monkeypatch.setattr(sys, "argv", ["reproduce_all.py", "--quick", "--seeds", "0", "1",
                                      "--keras", "3", "--out", str(tmp_path)])
    assert reproduce_all.main() == 1
    captured = capsys.readouterr()
    assert "boom" in captured.err and "FAILED" in captured.out
    assert load(tmp_path, "claims.json")["crashed"] == ["exp99_crash.py", "exp99_crash.py (seed 1, Keras 3)"]


def test_check_holds_only_if_the_control_does_not(tmp_path):
    class Args:
        out, quick, seed, keras, verbose = str(tmp_path), True, 0, 3, False
    report = common.Report(99, "t", "about", Args)
    assert report.check("99a", "c", "r", "m", 0.5, "<", 1.0, ("ctl", 2.0)) is True
    assert report.check("99b", "c", "r", "m", 0.5, "<", 1.0, ("ctl", 0.9)) is False    # control passes
    assert report.check("99c", "c", "r", "m", 2.0, "<", 1.0, ("ctl", 2.0)) is False
    assert report.check("99d", "c", "r", "m", float("nan"), "<", 1.0, ("ctl", 2.0)) is False
    assert report.check("99e", "c", "r", "m", 0.5, "<", 1.0, ("ctl", float("nan"))) is True
    assert report.check("99f", "c", "r", "m", 5, "==", 5, (common.ARITHMETIC, None)) is True
    with pytest.raises(ValueError, match="expected op"):
        report.check("99g", "c", "r", "m", 1.0, "=>", 1.0, ("ctl", 0.0))
    record = load(tmp_path, os.path.basename(report.write()))
    assert [c["held"] for c in record["claims"]] == [True, False, False, False, True, True]
    assert [c["passed"] for c in record["claims"]] == [True, True, False, False, True, True]
    assert [c["control"]["held"] for c in record["claims"]] == [False, True, False, False, False, False]


def test_progress_prints_a_line_per_epoch_only_when_verbose(capsys):
    for verbose in (True, False):
        progress = common.Progress("exp99 seed 0 demo", 4, verbose)
        progress.on_train_begin()
        for epoch in range(2):                       # two fit calls of two epochs: counted across
            progress.on_epoch_end(epoch, {"loss": 0.5})
        progress.on_train_begin()
        for epoch in range(2):
            progress.on_epoch_end(epoch, {"loss": 0.25})
        lines = capsys.readouterr().out.splitlines()
        if verbose:
            assert [line.split(": epoch ")[1].split(" ")[0] for line in lines] == ["1/4", "2/4", "3/4", "4/4"]
            assert all(line.startswith("exp99 seed 0 demo") and "ETA" in line for line in lines)
            assert "loss 0.25" in lines[-1]
        else:
            assert lines == []


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(DEMOS, "*.py"))),
                         ids=os.path.basename)
def test_every_fit_in_the_demos_reports_progress(path):
    """Each demo's ``fit`` calls pass a progress callback, so ``--verbose`` shows every epoch."""
    with open(path) as f:
        tree = ast.parse(f.read())
    fits = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute) and node.func.attr == "fit"]
    for call in fits:
        callbacks = [k.value for k in call.keywords if k.arg == "callbacks"]
        names = [n.attr if isinstance(n, ast.Attribute) else getattr(n, "id", None)
                 for c in callbacks for n in ast.walk(c)]
        assert "progress" in names or "Progress" in names, f"{os.path.basename(path)}:{call.lineno}"


def test_keras2_defaults_are_the_post_keras():
    class Args:
        keras = 2
    LSTM, rmsprop = common.keras_defaults(Args)
    assert LSTM(4).recurrent_activation == "hard_sigmoid_keras2"
    assert LSTM(4, recurrent_activation="sigmoid").recurrent_activation == "sigmoid"
    assert rmsprop().epsilon_outside_sqrt is True
    Args.keras = 3
    LSTM, rmsprop = common.keras_defaults(Args)
    assert LSTM(4).recurrent_activation == "sigmoid" and rmsprop() == "rmsprop"


def test_sine_fit_spearman_and_another():
    x = np.linspace(0, 1, 80)
    phases = np.array([0.0, 0.3, 1.2, -2.0])
    waves = 0.7 * np.sin(2 * np.pi * x + phases[:, None])             # (4, 80)
    amplitude, phase, residual = common.sine_fit(x, waves, 1.0)
    np.testing.assert_allclose(phase, phases, atol=1e-12)
    np.testing.assert_allclose(amplitude, 0.7, atol=1e-12)
    np.testing.assert_allclose(residual, 0, atol=1e-12)
    assert common.sine_fit(x, waves + 0.1 * x, 1.0)[2].min() > 0.01   # not a sine: a residual
    a = np.array([0.1, 0.5, 0.2, 0.9])
    assert common.spearman(a, a ** 3) == pytest.approx(1.0)
    assert common.spearman(a, -a) == pytest.approx(-1.0)
    assert common.spearman(a, [1.0, 2.0, 3.0, 4.0]) == pytest.approx(0.8)   # 1 - 6 * 2 / (4 * 15)
    assert common.spearman([0.3] * 4, [1.0, 2.0, 3.0, 4.0]) == 0.0          # a dead latent: no order
    assert common.spearman([1.0, 1.0, 2.0, 3.0], [1.0, 2.0, 3.0, 4.0]) == pytest.approx(np.sqrt(0.9))
    z = np.arange(6.0)[:, None]                                        # (6, 1)
    assert (common.another(z) != z).all() and sorted(common.another(z)[:, 0]) == list(z[:, 0])
    assert math.isclose(common.mse([1.0, 3.0], [0.0, 0.0]), 5.0)


# -- the demos beyond the post: their quick records agree with themselves --------------------
def claims_of(out, number):
    return {c["id"]: c for c in load(out, f"exp{number:02d}.json")["claims"]}


def test_classify_record(quick_run):
    out, _ = quick_run
    numbers, claims = load(out, "exp12.json")["numbers"], claims_of(out, 12)
    counts = np.array(numbers["confusion"])
    assert counts.shape == (3, 3) and counts.sum() == 600
    assert math.isclose(claims["12a"]["measured"], np.trace(counts) / counts.sum(), abs_tol=1e-6)
    assert math.isclose(claims["12a"]["measured"], numbers["accuracy"], abs_tol=1e-6)  # JSON rounds
    assert len(numbers["history"]["val_accuracy"]) == numbers["epochs"] == 2
    # trained or not, the mask keeps padding out: the claim and its control hold in any run
    assert claims["12b"]["measured"] < 1e-6 and claims["12b"]["control"]["measured"] > 1e-3


def test_forecast_record(quick_run):
    out, _ = quick_run
    numbers, claims = load(out, "exp13.json")["numbers"], claims_of(out, 13)
    by_step, naive = np.array(numbers["rmse_by_step"]), np.array(numbers["naive_rmse_by_step"])
    assert by_step.shape == naive.shape == (100,)
    assert math.isclose(claims["13a"]["measured"], np.sqrt((by_step ** 2).mean()), rel_tol=1e-4)
    assert math.isclose(claims["13a"]["control"]["measured"], np.sqrt((naive ** 2).mean()),
                        rel_tol=1e-4)
    assert math.isclose(claims["13b"]["measured"], np.sqrt((by_step[:25] ** 2).mean()), rel_tol=1e-4)
    assert numbers["rmse_at"]["1"] == by_step[0] and len(numbers["training_loss"]) == 2


def test_char_lm_record(quick_run):
    out, _ = quick_run
    numbers, claims = load(out, "exp14.json")["numbers"], claims_of(out, 14)
    assert numbers["train_characters"] == 30000                  # --quick trains on a slice
    assert math.isclose(claims["14a"]["measured"], numbers["unigram_bpc"] - numbers["bpc"],
                        rel_tol=1e-5)
    assert numbers["bpc"] == numbers["bpc_by_epoch"][-1]
    assert math.isclose(numbers["bpc"], claims["14b"]["measured"], abs_tol=1e-6)      # JSON rounds
    assert math.isclose(numbers["small_bpc"], claims["14b"]["control"]["measured"], abs_tol=1e-6)
    assert 0 < numbers["bpc"] < 8 and 0 < numbers["unigram_bpc"] < math.log2(numbers["vocabulary"])
    for t, sample in numbers["samples"].items():
        assert sample.startswith("The ") and len(sample) == 4 + 600, t
        assert 0 <= numbers["known_word_fraction"][t] <= 1
    assert math.isclose(claims["14c"]["measured"], numbers["known_word_fraction"]["0.5"],
                        abs_tol=1e-6)
