"""Run every experiment of the post and print what held: the post's claim, what was measured.

    python demos/reproduce_all.py                  # all ten, figures and JSON to docs/figures/
    python demos/reproduce_all.py --quick          # a smoke run: a few epochs each
    python demos/reproduce_all.py --only 4 9       # some of them

Each demo runs in its own process and writes ``expNN.json``; this script gathers the
claim records into ``claims.json`` and prints them as a table. A claim that did not
hold is a finding and is reported as such: the exit status is 0. It is 1 only if a
demo crashed or wrote no record. A full run of all ten into the default folder also
rewrites the gallery, ``docs/experiments.md``, from the records, so that its numbers
are always the ones of the figures next to it.
"""
import argparse
import glob
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from common import DEFAULT_OUT, ROOT  # noqa: E402

GALLERY = os.path.join(ROOT, "docs", "experiments.md")


def demos(only=None):
    """The demo scripts, exp01_*.py ... exp10_*.py, in order."""
    paths = sorted(glob.glob(os.path.join(HERE, "exp[0-9][0-9]_*.py")))
    if only:
        paths = [p for p in paths if int(os.path.basename(p)[3:5]) in only]
    return paths


def run(path, args):
    """Run one demo; returns (path, return code, seconds, output)."""
    command = [sys.executable, path, "--out", args.out, "--seed", str(args.seed)]
    if args.quick:
        command.append("--quick")
    env = dict(os.environ)
    if args.jobs > 1:
        # the demos share the cores: one thread each, for numba and for BLAS
        env.setdefault("NUMBA_NUM_THREADS", "1")
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    return path, done.returncode, time.perf_counter() - start, done.stdout + done.stderr


def longest_first(paths, out):
    """The demos that took longest last time (their JSON in ``out``) first: jobs end together."""
    def last_seconds(path):
        try:
            with open(os.path.join(out, f"{os.path.basename(path)[:5]}.json")) as f:
                return json.load(f)["seconds"]
        except (OSError, ValueError, KeyError):
            return 0.0
    return sorted(paths, key=last_seconds, reverse=True)


def table(records):
    """The claims as a text table: experiment, claim, measured, threshold, held."""
    rows = [("exp", "the post's claim", "measured", "claim", "held")]
    for r in records:
        for c in r["claims"]:
            claim = c["claim"] if len(c["claim"]) <= 60 else c["claim"][:57] + "..."
            rows.append((c["id"], claim, f"{c['measured']:.4g}", f"{c['op']} {c['threshold']:g}",
                         "yes" if c["held"] else "NO"))
    widths = [max(len(row[k]) for row in rows) for k in range(5)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def gallery(records, summary):
    """docs/experiments.md: per experiment the post's claims, the figures, the numbers."""
    held, total = summary["held"], summary["total"]
    cpu = sum(r["cpu_seconds"] for r in records)
    lines = [
        "# The post's experiments, reproduced",
        "",
        "Every section of the blog post this package grew out of, run again with tinylstm:",
        "the post's data, its models in its own Keras style, its training, its figures, and",
        "each of its claims turned into a number with a threshold written at the top of the",
        "demo. A claim that did not reproduce is listed as such.",
        "",
        "This page is written by `python demos/reproduce_all.py` (seed "
        f"{summary['seed']}): {held} of {total} claims held; the ten demos took "
        f"{summary['wall_seconds']:.0f} s of wall time with {summary['jobs']} jobs "
        f"({cpu:.0f} s of CPU in all). Each demo also runs alone, e.g.",
        "`python demos/exp09_deep_autoencoder.py --out /tmp/figures`; `--quick` is a smoke run",
        "of a few epochs, `--seed N` another seed. The numbers behind each figure are in",
        "`figures/expNN.json`, all claims in `figures/claims.json`.",
        "",
        "| claim | the post | measured | held |",
        "|---|---|---|---|",
    ]
    for r in records:
        for c in r["claims"]:
            lines.append(f"| [{c['id']}](#{anchor(r)}) | {c['claim']} | {c['metric']}: "
                         f"{c['measured']:.4g} (claim {c['op']} {c['threshold']:g}) | "
                         f"{'yes' if c['held'] else '**no**'} |")
    for r in records:
        script = next(os.path.basename(p) for p in demos([r["experiment"]]))
        lines += ["", f"## {r['experiment']}. {r['title']}", "", r["about"], ""]
        lines += ["| claim | the post | measured | threshold | held |", "|---|---|---|---|---|"]
        for c in r["claims"]:
            lines.append(f"| {c['id']} | {c['claim']} | {c['metric']}: {c['measured']:.4g} | "
                         f"{c['op']} {c['threshold']:g} | {'yes' if c['held'] else '**no**'} |")
        if r.get("notes"):
            lines += ["", "What this run showed:", ""] + [f"- {n}" for n in r["notes"]]
        lines += [""] + [f"![{name}](figures/{name})" for name in r["figures"]]
        lines += ["", f"Command: `python demos/{script}` ({r['wall_seconds']:.0f} s wall, "
                      f"{r['cpu_seconds']:.0f} s CPU in this run); numbers: "
                      f"[figures/exp{r['experiment']:02d}.json](figures/exp{r['experiment']:02d}.json)."]
    return "\n".join(lines) + "\n"


def anchor(record):
    """The GitHub anchor of an experiment's heading."""
    text = f"{record['experiment']}. {record['title']}".lower()
    kept = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default {DEFAULT_OUT})")
    parser.add_argument("--quick", action="store_true", help="a few epochs per demo (smoke test)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--jobs", type=int, default=2, help="demos run at once (default 2)")
    parser.add_argument("--only", type=int, nargs="*", help="experiment numbers to run")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    paths = demos(args.only)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda p: run(p, args), longest_first(paths, args.out)))
    results.sort()
    wall = time.perf_counter() - start

    records, crashed = [], []
    for path, code, seconds, output in results:
        name = os.path.basename(path)
        record_path = os.path.join(args.out, f"{name[:5]}.json")
        if code != 0 or not os.path.exists(record_path):
            crashed.append(name)
            print(f"--- {name} FAILED (exit {code}) ---\n{output}", file=sys.stderr)
            continue
        with open(record_path) as f:
            record = json.load(f)
        record["wall_seconds"] = round(seconds, 1)
        records.append(record)

    print(table(records))
    held = sum(c["held"] for r in records for c in r["claims"])
    total = sum(len(r["claims"]) for r in records)
    print(f"\n{held} of {total} claims held; {len(records)} of {len(paths)} demos ran"
          f"{' (quick: the claims mean nothing)' if args.quick else ''}; "
          f"wall time {wall:.0f} s with {args.jobs} job(s)")
    for r in records:
        print(f"  exp{r['experiment']:02d}: {r['wall_seconds']:.0f} s (CPU {r['cpu_seconds']:.0f} s)")
    summary = {"quick": args.quick, "seed": args.seed, "jobs": args.jobs,
               "wall_seconds": round(wall, 1), "held": held, "total": total,
               "crashed": crashed,
               "experiments": [{"experiment": r["experiment"], "title": r["title"],
                                "seconds": r["wall_seconds"], "cpu_seconds": r["cpu_seconds"],
                                "claims": r["claims"]}
                               for r in records]}
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
