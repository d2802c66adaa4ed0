"""Run every experiment of the post and print what held: the post's claim, what was measured.

    python demos/reproduce_all.py                  # all of them, seeds 0 1 2, Keras 3 and Keras 2 defaults
    python demos/reproduce_all.py --quick          # a smoke run: a few epochs each
    python demos/reproduce_all.py --only 4 9       # some of them
    python demos/reproduce_all.py --seeds 0 --keras 3
    python demos/reproduce_all.py --publish        # regenerate docs/figures and docs/experiments.md

Each demo runs in its own process, once per seed and per Keras (3: tinylstm's defaults, which
are Keras 3's; 2: the defaults of the Keras the post ran), and writes ``expNN.json``. A line
is printed as each run finishes. This script gathers the claim records into ``claims.json``,
prints them as a table and writes the gallery ``experiments.md`` beside them. Everything goes
to ``out/`` (untracked) unless ``--publish`` is given, which writes ``docs/figures/`` and
``docs/experiments.md``. The first seed writes the figures (Keras 2's only for the
autoencoders, experiments 6 to 9); further seeds run in a temporary folder and only their
claims are kept. A claim that did not hold is a finding and is reported as such: the exit
status is 0. It is 1 only if a demo crashed or wrote no record.

After the post's ten come three demos beyond it (``BEYOND``: classification with masks,
forecasting with a stateful model, a character language model; docs/text-and-classification.md),
whose claims are ours. They build Keras 3 models and run under Keras 3's defaults only.
"""
import argparse
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import DEFAULT_OUT, PUBLISH_OUT, ROOT  # noqa: E402
from gallery import gallery  # noqa: E402

PUBLISHED_GALLERY = os.path.join(ROOT, "docs", "experiments.md")
DEFAULT_SEEDS = [0, 1, 2]
KERAS = [3, 2]
KERAS2_FIGURES = {6, 7, 8, 9}        # the autoencoders: their Keras 2 figures are kept too
BEYOND = {12: "classify.py", 13: "forecast.py", 14: "char_lm.py"}   # beyond the post: Keras 3 only


def demos(only=None):
    """The demo scripts in order: exp01_*.py ... exp10_*.py, then the ones beyond the post."""
    paths = sorted(glob.glob(os.path.join(HERE, "exp[0-9][0-9]_*.py")))
    paths += [os.path.join(HERE, BEYOND[n]) for n in sorted(BEYOND)]
    if only:
        paths = [p for p in paths if number(p) in only]
    return paths


def number(path):
    """A demo's experiment number: expNN_*.py, or its entry in ``BEYOND``."""
    name = os.path.basename(path)
    beyond = {script: n for n, script in BEYOND.items()}
    return beyond[name] if name in beyond else int(name[3:5])


def kerases(path, wanted):
    """The Keras defaults a demo runs under: all ``wanted`` for the post's, 3 beyond it."""
    return [k for k in wanted if k == 3 or number(path) not in BEYOND]


def record_name(path, keras):
    return f"exp{number(path):02d}" + ("_keras2" if keras == 2 else "") + ".json"


def run(task, quick, jobs):
    """Run one demo; its record (``expNN.json``) or None, and what it printed."""
    path, seed, keras, out = task
    command = [sys.executable, path, "--out", out, "--seed", str(seed)]
    command += [] if number(path) in BEYOND else ["--keras", str(keras)]
    command += ["--quick"] if quick else []
    env = dict(os.environ)
    if jobs > 1:
        # the demos share the cores: one thread each, for numba and for BLAS
        env.setdefault("NUMBA_NUM_THREADS", "1")
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    record_path = os.path.join(out, record_name(path, keras))
    record = None
    if done.returncode == 0 and os.path.exists(record_path):
        with open(record_path) as f:
            record = json.load(f)
        record["wall_seconds"] = round(time.perf_counter() - start, 1)
    return {"path": path, "seed": seed, "keras": keras, "code": done.returncode, "record": record,
            "seconds": time.perf_counter() - start, "output": done.stdout + done.stderr}


def last_seconds(path, keras, folders, quick):
    """How long a demo took last time in the same mode (its JSON in one of ``folders``), for the
    ETA and the order; None if no record says."""
    for folder in folders:
        for name in (record_name(path, keras), record_name(path, 3)):
            try:
                with open(os.path.join(folder, name)) as f:
                    record = json.load(f)
            except (OSError, ValueError):
                continue
            if record.get("quick") == quick and "seconds" in record:
                return record["seconds"]
    return None


def progress_line(k, n, result, elapsed, eta):
    """``[ 7/60] exp07 seed 1 Keras 2: 98 s, 3 of 4 claims held | 130 s so far, ETA 540 s``."""
    name = f"exp{number(result['path']):02d}"
    head = f"[{k:>{len(str(n))}}/{n}] {name} seed {result['seed']} Keras {result['keras']}: "
    record = result["record"]
    if record is None:
        text = f"FAILED (exit {result['code']}) after {result['seconds']:.0f} s"
    else:
        claims = record["claims"]
        text = (f"{result['seconds']:.0f} s, {sum(c['held'] for c in claims)} of {len(claims)} claims held")
        shown = [c["id"] for c in claims if c["passed"] and not c["held"]]
        if shown:
            text += f" ({', '.join(shown)}: the control passes too)"
    return head + text + f" | {elapsed:.0f} s so far, ETA {eta:.0f} s"


def run_all(tasks, quick, jobs, estimate):
    """Run the tasks ``jobs`` at a time, printing a line as each finishes; the results."""
    guess = dict(estimate)
    start = time.perf_counter()
    results, pending = [], set(range(len(tasks)))
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = {pool.submit(run, task, quick, jobs): k for k, task in enumerate(tasks)}
        for future in as_completed(futures):
            k = futures[future]
            result = future.result()
            pending.discard(k)
            results.append(result)
            path, _, keras, _ = tasks[k]
            guess[path, keras] = result["seconds"]           # the next seeds will take about as long
            known = [s for s in guess.values() if s is not None] or [result["seconds"]]
            left = sum(guess.get((tasks[j][0], tasks[j][2])) or sum(known) / len(known) for j in pending)
            elapsed = time.perf_counter() - start
            print(progress_line(len(results), len(tasks), result, elapsed, left / max(1, jobs)),
                  flush=True)
    return results, time.perf_counter() - start


def entry(claim):
    return {k: claim[k] for k in ("measured", "passed", "control", "held")}


def merge(records, others):
    """Give every claim of the main records (first seed, Keras 3) its other runs.

    ``by_seed``: seed -> measured, passed, control, held under Keras 3; ``keras2``: the same
    under the post's Keras 2 defaults, first seed at the top level and ``by_seed`` below.
    """
    by_experiment = {r["experiment"]: r for r in records}
    first = records[0]["seed"] if records else 0
    for r in records:
        for c in r["claims"]:
            c["by_seed"] = {str(r["seed"]): entry(c)}
    for other in sorted(others, key=lambda o: (o["keras"], o["seed"] != first, o["seed"])):
        main = by_experiment.get(other["experiment"])
        if main is None:
            continue
        claims = {c["id"]: c for c in other["claims"]}
        for c in main["claims"]:
            if c["id"] not in claims:
                continue
            if other["keras"] == 3:
                c["by_seed"][str(other["seed"])] = entry(claims[c["id"]])
            else:
                k2 = c.setdefault("keras2", {**entry(claims[c["id"]]), "by_seed": {}})
                k2["by_seed"][str(other["seed"])] = entry(claims[c["id"]])


def seeds_held(runs):
    """The seeds (as strings) in which the claim held, of a ``by_seed`` dict."""
    return [s for s, e in runs.items() if e["held"]]


def table(records):
    """The claims as a text table: id, claim, measured, control, held, seeds held per Keras."""
    header = ("id", "the post's claim", "measured", "claim", "control", "held", "Keras 3 seeds",
              "Keras 2 seeds")
    rows = [header]
    for r in records:
        for c in r["claims"]:
            claim = ("(ours) " if c["variant"] else "") + c["claim"]
            claim = claim if len(claim) <= 50 else claim[:47] + "..."
            control = c["control"]["measured"]
            k2 = c.get("keras2")
            rows.append((c["id"], claim, f"{c['measured']:.4g}", f"{c['op']} {c['threshold']:g}",
                         "-" if control is None else f"{control:.4g}" + (" passes" if c["control"]["held"] else ""),
                         "yes" if c["held"] else ("control too" if c["passed"] else "NO"),
                         held_text(c["by_seed"]), held_text(k2["by_seed"]) if k2 else "-"))
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def held_text(runs):
    held = seeds_held(runs)
    return f"{len(held)}/{len(runs)}"


def summarize(records, args, wall, runs, crashed):
    """The counts the table and the gallery quote."""
    post = [c for r in records for c in r["claims"] if not c["variant"]]
    k2 = [c for c in post if "keras2" in c]

    def counts(claims, get):
        return {"held": sum(get(c)["held"] for c in claims),
                "not_demonstrated": sum(get(c)["passed"] and not get(c)["held"] for c in claims),
                "held_in_all_seeds": sum(len(seeds_held(get(c)["by_seed"])) == len(get(c)["by_seed"])
                                         for c in claims),
                "held_in_no_seed": sum(not seeds_held(get(c)["by_seed"]) for c in claims)}

    return {"quick": args.quick, "seeds": args.seeds, "keras": args.keras, "jobs": args.jobs,
            "wall_seconds": round(wall, 1),
            "cpu_seconds": round(sum(r["record"]["cpu_seconds"] for r in runs if r["record"]), 1),
            "post_claims": len(post),
            "variants": [c["id"] for r in records for c in r["claims"] if c["variant"]],
            "keras3": counts(post, lambda c: c),
            "keras2": counts(k2, lambda c: c["keras2"]) if k2 else None,
            "crashed": crashed,
            "experiments": [{"experiment": r["experiment"], "title": r["title"],
                             "seconds": r["wall_seconds"], "cpu_seconds": r["cpu_seconds"],
                             "claims": r["claims"]} for r in records]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    parser.add_argument("--publish", action="store_true",
                        help=f"write into {PUBLISH_OUT} and {PUBLISHED_GALLERY}")
    parser.add_argument("--quick", action="store_true", help="a few epochs per demo (smoke test)")
    parser.add_argument("--seeds", type=int, nargs="+", default=DEFAULT_SEEDS,
                        help=f"seeds; the first writes the figures (default {DEFAULT_SEEDS})")
    parser.add_argument("--keras", type=int, nargs="+", choices=KERAS, default=KERAS,
                        help="the Keras defaults to run: 3 (tinylstm's), 2 (the post's); default both")
    parser.add_argument("--jobs", type=int, default=2, help="demos run at once (default 2)")
    parser.add_argument("--only", type=int, nargs="*", help="experiment numbers to run")
    args = parser.parse_args()
    if args.publish:
        if args.quick or args.only:
            parser.error("--publish regenerates the whole gallery: not with --quick or --only")
        if args.out != DEFAULT_OUT:
            parser.error(f"--publish writes into {PUBLISH_OUT}: not with --out")
        args.out = PUBLISH_OUT
    if 3 not in args.keras:
        parser.error("--keras must include 3: the figures and the table are Keras 3's")
    os.makedirs(args.out, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="tinylstm_seeds_")

    paths = demos(args.only)
    tasks = []                                   # (path, seed, keras, out)
    for seed in args.seeds:
        for keras in args.keras:
            for p in (p for p in paths if keras in kerases(p, args.keras)):
                keep = seed == args.seeds[0] and (keras == 3 or number(p) in KERAS2_FIGURES)
                out = args.out if keep else os.path.join(scratch, f"{seed}_{keras}")
                os.makedirs(out, exist_ok=True)
                tasks.append((p, seed, keras, out))
    folders = [args.out, PUBLISH_OUT]
    estimate = {(p, k): last_seconds(p, k, folders, args.quick) for p in paths for k in args.keras}
    tasks.sort(key=lambda t: estimate[t[0], t[2]] or 0, reverse=True)   # the longest first
    print(f"{len(tasks)} runs ({len(paths)} demos, seeds {args.seeds}, Keras {args.keras}), "
          f"{args.jobs} at a time, into {args.out}", flush=True)
    try:
        runs, wall = run_all(tasks, args.quick, args.jobs, estimate)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    runs.sort(key=lambda r: (r["seed"] != args.seeds[0], r["keras"] != 3, number(r["path"])))
    crashed = []
    for r in runs:
        if r["record"] is None:
            name = os.path.basename(r["path"])
            first = r["seed"] == args.seeds[0] and r["keras"] == 3
            crashed.append(name if first else f"{name} (seed {r['seed']}, Keras {r['keras']})")
            print(f"--- {name}, seed {r['seed']}, Keras {r['keras']}: FAILED (exit {r['code']}) ---\n"
                  f"{r['output']}", file=sys.stderr)
    is_main = [r["record"] is not None and r["seed"] == args.seeds[0] and r["keras"] == 3 for r in runs]
    records = [r["record"] for r, m in zip(runs, is_main) if m]
    keras2_records = [r["record"] for r in runs if r["record"] and r["seed"] == args.seeds[0]
                      and r["keras"] == 2 and r["record"]["experiment"] in KERAS2_FIGURES]
    merge(records, [r["record"] for r, m in zip(runs, is_main) if r["record"] and not m])

    print()
    print(table(records))
    summary = summarize(records, args, wall, runs, crashed)
    k3, k2 = summary["keras3"], summary["keras2"]
    print(f"\nthe post's {summary['post_claims']} claims, seed {args.seeds[0]}, Keras 3 defaults: "
          f"{k3['held']} held, {k3['not_demonstrated']} passed with their control (not demonstrated)"
          + (f"; held in all {len(args.seeds)} seeds: {k3['held_in_all_seeds']}, in none: "
             f"{k3['held_in_no_seed']}" if len(args.seeds) > 1 else "")
          + (f"; Keras 2 defaults: {k2['held']} held" if k2 else "")
          + (f"; variants of ours: {', '.join(summary['variants'])}" if summary["variants"] else "")
          + f"\n{len(records)} of {len(paths)} demos ran"
          + (" (quick: the claims mean nothing)" if args.quick else "")
          + f"; wall time {wall:.0f} s with {args.jobs} job(s), CPU {summary['cpu_seconds']:.0f} s")
    with open(os.path.join(args.out, "claims.json"), "w") as f:
        json.dump(summary, f, indent=1)
    if args.publish:
        page, figures = PUBLISHED_GALLERY, "figures/"
    else:
        page, figures = os.path.join(args.out, "experiments.md"), ""
    if records:
        with open(page, "w") as f:
            command = " ".join(["python demos/reproduce_all.py"] + sys.argv[1:])
            f.write(gallery(records, keras2_records, summary, figures, demos, command))
        print(f"wrote {page}")
    if crashed:
        print(f"crashed: {', '.join(crashed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
