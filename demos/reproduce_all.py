"""Run every experiment of the post and print what held: the post's claim, what was measured.

    python demos/reproduce_all.py                  # all ten, figures and JSON to docs/figures/
    python demos/reproduce_all.py --quick          # a smoke run: a few epochs each
    python demos/reproduce_all.py --only 4 9       # some of them
    python demos/reproduce_all.py --seeds 0 1 2    # each claim checked with three seeds

Each demo runs in its own process and writes ``expNN.json``; this script gathers the
claim records into ``claims.json`` and prints them as a table. The first seed writes
the figures; further seeds run in a temporary folder and only their claims are kept, so
the table can say in how many seeds each claim held. A claim that did not hold is a
finding and is reported as such: the exit status is 0. It is 1 only if a demo crashed
or wrote no record. A full run of all ten into the default folder also rewrites the
gallery, ``docs/experiments.md``, from the records, so that its numbers are always the
ones of the figures next to it.
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
from common import DEFAULT_OUT, ROOT  # noqa: E402

from tinylstm.progbar import Progbar  # noqa: E402

GALLERY = os.path.join(ROOT, "docs", "experiments.md")
DEFAULT_SEEDS = [0, 1, 2]


def demos(only=None):
    """The demo scripts, exp01_*.py ... exp10_*.py, in order."""
    paths = sorted(glob.glob(os.path.join(HERE, "exp[0-9][0-9]_*.py")))
    if only:
        paths = [p for p in paths if int(os.path.basename(p)[3:5]) in only]
    return paths


def run(path, seed, out, quick, jobs):
    """Run one demo; its record (``expNN.json``) or None, and what it printed."""
    command = [sys.executable, path, "--out", out, "--seed", str(seed)] + (["--quick"] if quick else [])
    env = dict(os.environ)
    if jobs > 1:
        # the demos share the cores: one thread each, for numba and for BLAS
        env.setdefault("NUMBA_NUM_THREADS", "1")
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    record_path = os.path.join(out, f"{os.path.basename(path)[:5]}.json")
    record = None
    if done.returncode == 0 and os.path.exists(record_path):
        with open(record_path) as f:
            record = json.load(f)
        record["wall_seconds"] = round(time.perf_counter() - start, 1)
    return {"path": path, "seed": seed, "code": done.returncode, "record": record,
            "output": done.stdout + done.stderr}


def last_seconds(path, out):
    """How long a demo took last time (its JSON in ``out``), to start the longest first."""
    try:
        with open(os.path.join(out, f"{os.path.basename(path)[:5]}.json")) as f:
            return json.load(f)["seconds"]
    except (OSError, ValueError, KeyError):
        return 0.0


def add_seeds(records, extra_runs):
    """Give every claim of the first seed's records ``by_seed``: seed -> measured, held."""
    for r in records:
        for c in r["claims"]:
            c["by_seed"] = {str(r["seed"]): {"measured": c["measured"], "held": c["held"]}}
    by_experiment = {r["experiment"]: r for r in records}
    for extra in extra_runs:
        main = by_experiment.get(extra["experiment"])
        if main is None:
            continue
        for c, other in zip(main["claims"], extra["claims"]):
            c["by_seed"][str(extra["seed"])] = {"measured": other["measured"], "held": other["held"]}


def seeds_held(claim):
    return sum(s["held"] for s in claim["by_seed"].values()), len(claim["by_seed"])


def table(records):
    """The claims as a text table: experiment, claim, measured, threshold, held."""
    n_seeds = max((len(c["by_seed"]) for r in records for c in r["claims"]), default=1)
    seed = records[0]["seed"] if records else 0
    header = ("exp", "the post's claim", f"measured (seed {seed})", "claim", "held")
    rows = [header + ((f"held in {n_seeds} seeds",) if n_seeds > 1 else ())]
    for r in records:
        for c in r["claims"]:
            claim = c["claim"] if len(c["claim"]) <= 60 else c["claim"][:57] + "..."
            row = (c["id"], claim, f"{c['measured']:.4g}", f"{c['op']} {c['threshold']:g}",
                   "yes" if c["held"] else "NO")
            if n_seeds > 1:
                row += ("{}/{}".format(*seeds_held(c)),)
            rows.append(row)
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def gallery(records, summary):
    """docs/experiments.md: per experiment the post's claims, the figures, the numbers."""
    seeds = summary["seeds"]
    many = len(seeds) > 1
    cpu = summary["cpu_seconds"]
    lines = [
        "# The post's experiments, reproduced",
        "",
        "Every section of the blog post this package grew out of, run again with tinylstm:",
        "the post's data, its models in its own Keras style, its training, its figures, and",
        "each of its claims turned into a number with a threshold written at the top of the",
        "demo. A claim that did not reproduce is listed as such.",
        "",
        f"This page is written by `python demos/reproduce_all.py`: seeds {', '.join(map(str, seeds))}; "
        f"the figures and the measured numbers are seed {seeds[0]}'s. With seed {seeds[0]}, "
        f"{summary['held']} of {summary['total']} claims held"
        + (f"; {summary['held_in_all_seeds']} held in all {len(seeds)} seeds, "
           f"{summary['held_in_no_seed']} in none" if many else "")
        + f". The run took {summary['wall_seconds']:.0f} s of wall time with {summary['jobs']} "
        f"jobs ({cpu:.0f} s of CPU in all). Each demo also runs alone, e.g.",
        "`python demos/exp09_deep_autoencoder.py --out /tmp/figures`; `--quick` is a smoke run",
        "of a few epochs, `--seed N` another seed. The numbers behind each figure are in",
        "`figures/expNN.json`, all claims (every seed) in `figures/claims.json`.",
        "",
        "| claim | the post | measured | held" + (" | seeds held |" if many else " |"),
        "|---|---|---|---" + ("|---|" if many else "|"),
    ]
    for r in records:
        for c in r["claims"]:
            lines.append(f"| [{c['id']}](#{anchor(r)}) | {cell(c['claim'])} | {cell(c['metric'])}: "
                         f"{c['measured']:.4g} (claim {c['op']} {c['threshold']:g}) | "
                         f"{'yes' if c['held'] else '**no**'} |"
                         + (" {}/{} |".format(*seeds_held(c)) if many else ""))
    for r in records:
        script = next(os.path.basename(p) for p in demos([r["experiment"]]))
        lines += ["", f"## {r['experiment']}. {r['title']}", "", r["about"], ""]
        lines += ["| claim | the post | measured | threshold | held" + (" | seeds held |" if many else " |"),
                  "|---|---|---|---|---" + ("|---|" if many else "|")]
        for c in r["claims"]:
            others = ", ".join(f"{s['measured']:.3g}" for k, s in c["by_seed"].items()
                               if k != str(r["seed"]))
            lines.append(f"| {c['id']} | {cell(c['claim'])} | {cell(c['metric'])}: {c['measured']:.4g} | "
                         f"{c['op']} {c['threshold']:g} | {'yes' if c['held'] else '**no**'} |"
                         + (" {}/{} (others: {}) |".format(*seeds_held(c), others) if many else ""))
        if r.get("notes"):
            lines += ["", "What this run showed:", ""] + [f"- {n}" for n in r["notes"]]
        lines += [""] + [f"![{name}](figures/{name})" for name in r["figures"]]
        lines += ["", f"Command: `python demos/{script}` ({r['wall_seconds']:.0f} s wall, "
                      f"{r['cpu_seconds']:.0f} s CPU in this run); numbers: "
                      f"[figures/exp{r['experiment']:02d}.json](figures/exp{r['experiment']:02d}.json)."]
    return "\n".join(lines) + "\n"


def cell(text):
    """Text for a markdown table cell: a | would end the cell."""
    return str(text).replace("|", "\\|")


def anchor(record):
    """The GitHub anchor of an experiment's heading."""
    text = f"{record['experiment']}. {record['title']}".lower()
    kept = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    parser.add_argument("--quick", action="store_true", help="a few epochs per demo (smoke test)")
    parser.add_argument("--seeds", type=int, nargs="+", default=DEFAULT_SEEDS,
                        help=f"seeds; the first writes the figures (default {DEFAULT_SEEDS})")
    parser.add_argument("--jobs", type=int, default=2, help="demos run at once (default 2)")
    parser.add_argument("--only", type=int, nargs="*", help="experiment numbers to run")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="tinylstm_seeds_")

    paths = demos(args.only)
    tasks = []                                   # (path, seed, out): the longest demos first
    for seed in args.seeds:
        out = args.out if seed == args.seeds[0] else os.path.join(scratch, str(seed))
        os.makedirs(out, exist_ok=True)
        tasks += [(p, seed, out) for p in paths]
    tasks.sort(key=lambda t: last_seconds(t[0], args.out), reverse=True)
    start = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(run, *t, args.quick, args.jobs) for t in tasks]
            # a live bar over the demos on a terminal; a log or a pipe gets the same text as before
            bar = Progbar(len(tasks), unit_name="demo") if sys.stdout.isatty() else None
            for done, _ in enumerate(as_completed(futures), start=1):
                if bar is not None:
                    bar.update(done)
            runs = [f.result() for f in futures]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    wall = time.perf_counter() - start

    runs.sort(key=lambda r: (r["seed"] != args.seeds[0], r["path"]))
    crashed = []
    for r in runs:
        if r["record"] is None:
            name = os.path.basename(r["path"])
            crashed.append(name if r["seed"] == args.seeds[0] else f"{name} (seed {r['seed']})")
            print(f"--- {name}, seed {r['seed']}: FAILED (exit {r['code']}) ---\n{r['output']}",
                  file=sys.stderr)
    records = [r["record"] for r in runs if r["record"] and r["seed"] == args.seeds[0]]
    add_seeds(records, [r["record"] for r in runs if r["record"] and r["seed"] != args.seeds[0]])

    print(table(records))
    claims = [c for r in records for c in r["claims"]]
    held = sum(c["held"] for c in claims)
    summary = {"quick": args.quick, "seeds": args.seeds, "jobs": args.jobs,
               "wall_seconds": round(wall, 1),
               "cpu_seconds": round(sum(r["record"]["cpu_seconds"] for r in runs if r["record"]), 1),
               "held": held, "total": len(claims),
               "held_in_all_seeds": sum(seeds_held(c)[0] == seeds_held(c)[1] for c in claims),
               "held_in_no_seed": sum(seeds_held(c)[0] == 0 for c in claims),
               "crashed": crashed,
               "experiments": [{"experiment": r["experiment"], "title": r["title"],
                                "seconds": r["wall_seconds"], "cpu_seconds": r["cpu_seconds"],
                                "claims": r["claims"]} for r in records]}
    print(f"\nseed {args.seeds[0]}: {held} of {len(claims)} claims held"
          + (f"; in all {len(args.seeds)} seeds: {summary['held_in_all_seeds']}, "
             f"in none: {summary['held_in_no_seed']}" if len(args.seeds) > 1 else "")
          + f"; {len(records)} of {len(paths)} demos ran"
          + (" (quick: the claims mean nothing)" if args.quick else "")
          + f"; wall time {wall:.0f} s with {args.jobs} job(s), CPU {summary['cpu_seconds']:.0f} s")
    for r in records:
        print(f"  exp{r['experiment']:02d}: {r['wall_seconds']:.0f} s (CPU {r['cpu_seconds']:.0f} s)")
    with open(os.path.join(args.out, "claims.json"), "w") as f:
        json.dump(summary, f, indent=1)
    full_default_run = (not args.quick and not args.only and not crashed
                        and os.path.abspath(args.out) == os.path.abspath(DEFAULT_OUT))
    if full_default_run:
        with open(GALLERY, "w") as f:
            f.write(gallery(records, summary))
        print(f"wrote {GALLERY}")
    if crashed:
        print(f"crashed: {', '.join(crashed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
