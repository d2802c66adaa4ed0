"""The gallery page, experiments.md, written from the records of one ``reproduce_all.py`` run.

Per claim it states the post's words, our reading of them (metric and threshold), the
measured value under Keras 3's defaults and under the post's Keras 2 defaults, the control,
and the seeds in which the claim held.
"""
import os

INTRO = """\
Every section of the blog post this package grew out of, run again with tinylstm: the post's
data, its models in its own Keras style, its training, its figures, and each of its claims
turned into a number with a threshold. Each demo's docstring (quoted under each heading) lists
every departure from the post with its reason; the reading of the post's words sits next to
each threshold in the demo and in the claim below.

**Controls.** Each claim also measures its number on a control that must *not* pass: the
untrained model, the decoder fed another wave's latent, a stretch of the wave where the
claimed effect should not be, ... A claim holds only if the trained model passes and the
control does not. A claim that passes together with its control is *not demonstrated*: the
number does not tell the trained model from the control.

**Two Kerases.** The post ran Keras 2, older than 2.3, whose defaults differ from Keras 3's
(tinylstm's) in two places: the LSTM's gates were `hard_sigmoid`, clip(0.2 x + 0.5, 0, 1)
(tinylstm: `recurrent_activation="hard_sigmoid_keras2"`), and RMSprop divided by
sqrt(v) + eps (Keras 3: sqrt(v + eps); tinylstm: `RMSprop(epsilon_outside_sqrt=True)`).
Every demo of the post runs under both (`--keras 3`, `--keras 2`); the figures are Keras 3's,
and for the autoencoders (experiments 6 to 9) Keras 2's too.

**Beyond the post.** Experiments 12 to 14 do what the post does not: classify sequences with
padding and a mask, forecast 100 steps ahead with a stateful model, and model text one
character at a time ([text and classification](text-and-classification.md)). Their claims
are ours, with controls like the rest, and they run under Keras 3's defaults only."""


def gallery(records, keras2_records, summary, figures, demos, command):
    """The page: ``records`` (first seed, Keras 3, claims merged), ``figures`` the figures' prefix.

    ``command`` is the command line that made the records, quoted on the page.
    """
    seeds = summary["seeds"]
    k3, k2 = summary["keras3"], summary["keras2"]
    post = summary["post_claims"]
    variants = summary["variants"]
    lines = ["# The post's experiments, reproduced", "", INTRO, "",
             f"This page is written by `{command}`: seeds "
             f"{', '.join(map(str, seeds))}, Keras {' and '.join(map(str, summary['keras']))} defaults; "
             f"the figures and the first number of each claim are seed {seeds[0]}'s. "
             f"Of the post's {post} claims, with seed {seeds[0]} and Keras 3 defaults, {k3['held']} held "
             f"and {k3['not_demonstrated']} passed together with their control"
             + (f"; {k3['held_in_all_seeds']} held in all {len(seeds)} seeds and "
                f"{k3['held_in_no_seed']} in none" if len(seeds) > 1 else "")
             + (f". With the post's Keras 2 defaults, {k2['held']} held with seed {seeds[0]}"
                + (f", {k2['held_in_all_seeds']} in all seeds" if len(seeds) > 1 else "") if k2 else "")
             + (f". Claims of ours, not the post's, are marked *(ours)* and not counted: "
                f"{', '.join(variants)}" if variants else "")
             + f". The run took {duration(summary['wall_seconds'])} of wall time with "
             f"{summary['jobs']} jobs ({duration(summary['cpu_seconds'])} of CPU in all). "
             f"Each demo also runs alone, e.g. `python demos/exp09_deep_autoencoder.py --verbose` "
             f"(into `out/`; `--keras 2` for the post's Keras, `--seed N`, `--quick` for a smoke run). "
             f"The numbers behind each figure are in `{figures}expNN.json`, every claim of every run "
             f"in `{figures}claims.json`.",
             "", "## The claims at a glance", "",
             "| claim | the post | our reading | Keras 3 defaults | Keras 2 defaults | control (Keras 3) |",
             "|---|---|---|---|---|---|"]
    for r in records:
        for c in r["claims"]:
            k2c = c.get("keras2")
            lines.append(f"| [{c['id']}](#{anchor(r)}) | {cell(label(c))} | "
                         f"{cell(c['metric'])} {cell(c['op'])} {c['threshold']:g} | "
                         f"{short(c['measured'], c['by_seed'])} | "
                         f"{short(k2c['measured'], k2c['by_seed']) if k2c else '-'} | "
                         f"{cell(control_short(c))} |")
    keras2_by_experiment = {r["experiment"]: r for r in keras2_records}
    for r in records:
        script = next(os.path.basename(p) for p in demos([r["experiment"]]))
        lines += ["", f"## {r['experiment']}. {r['title']}", "", r["about"], "", "### The claims", ""]
        for c in r["claims"]:
            lines += claim_lines(c)
        if r.get("notes"):
            lines += ["What this run showed (seed {}, Keras 3 defaults):".format(r["seed"]), ""]
            lines += [f"- {n}" for n in r["notes"]] + [""]
        lines += figure_lines(r, figures)
        k2r = keras2_by_experiment.get(r["experiment"])
        if k2r:
            lines += ["<details><summary>The same run with the post's Keras 2 defaults</summary>", ""]
            lines += [f"- {n}" for n in k2r.get("notes", [])] + [""]
            lines += figure_lines(k2r, figures) + ["</details>", ""]
        keras2 = "; `--keras 2` for the post's Keras" if script.startswith("exp") else ""
        lines += [f"Command: `python demos/{script}` ({r['wall_seconds']:.0f} s wall, "
                  f"{r['cpu_seconds']:.0f} s CPU in this run{keras2}); "
                  f"numbers: [{figures}exp{r['experiment']:02d}.json]"
                  f"({figures}exp{r['experiment']:02d}.json)."]
    return "\n".join(lines) + "\n"


def duration(seconds):
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} minutes"


def label(c):
    return ("*(ours)* " if c["variant"] else "") + c["claim"]


def claim_lines(c):
    """A claim as a short list: the words, the reading, Keras 3, Keras 2, the control."""
    k2c = c.get("keras2")
    control = c["control"]
    lines = [f"**{c['id']}** {label(c)}", "",
             f"- Our reading: {c['reading']} Measured: {c['metric']}; the claim: "
             f"{c['op']} {c['threshold']:g}.",
             f"- Keras 3 defaults: {long(c['by_seed'])}"]
    if k2c:
        lines.append(f"- Keras 2 defaults: {long(k2c['by_seed'])}")
    if control["measured"] is None:
        lines.append(f"- Control: {control['what']}.")
    else:
        lines.append(f"- Control, {control['what']}: {controls(c['by_seed'])} under Keras 3"
                     + (f"; {controls(k2c['by_seed'])} under Keras 2" if k2c else "") + ".")
    return lines + [""]


def long(runs):
    """``0.43, 0.51, 0.38 (seeds 0, 1, 2); held in seeds 0, 2`` (and where the control passed too)."""
    order = sorted(runs, key=int)
    text = (", ".join(f"{runs[s]['measured']:.4g}" for s in order)
            + f" (seed{'s' if len(order) > 1 else ''} {', '.join(order)}); ")
    held = [s for s in order if runs[s]["held"]]
    text += f"held in seed{'s' if len(held) > 1 else ''} {', '.join(held)}" if held else "held in no seed"
    both = [s for s in order if runs[s]["passed"] and not runs[s]["held"]]
    if both:
        text += f"; passed together with its control in {', '.join(both)} (not demonstrated)"
    return text + "."


def controls(runs):
    order = sorted(runs, key=int)
    values = ", ".join(f"{runs[s]['control']['measured']:.4g}" for s in order)
    passing = [s for s in order if runs[s]["control"]["held"]]
    return values + (f", passes in {', '.join(passing)}" if passing else ", passes in none")


def short(measured, runs):
    held = sum(e["held"] for e in runs.values())
    return f"{measured:.4g}, held {held}/{len(runs)}"


def control_short(c):
    control = c["control"]
    if control["measured"] is None:
        return "arithmetic"
    passing = sum(e["control"]["held"] for e in c["by_seed"].values())
    return f"{control['what']}: {control['measured']:.4g}, passes {passing}/{len(c['by_seed'])}"


def figure_lines(record, prefix):
    """Each figure of a record with its caption below it."""
    lines = []
    for name in record["figures"]:
        lines += [f"![{name}]({prefix}{name})", "", f"*{record['captions'][name]}*", ""]
    return lines


def cell(text):
    """Text for a markdown table cell: a | would end the cell."""
    return str(text).replace("|", "\\|")


def anchor(record):
    """The GitHub anchor of an experiment's heading."""
    text = f"{record['experiment']}. {record['title']}".lower()
    kept = "".join(ch for ch in text if ch.isalnum() or ch in " -_")
    return kept.replace(" ", "-")
