"""The progress bar of ``fit``, ``evaluate`` and ``predict``: ``keras.utils.Progbar``.

    5/11 ━━━━━━━━━───────────── 1s 104ms/step - loss: 0.0912
   11/11 ━━━━━━━━━━━━━━━━━━━━━━ 1s 98ms/step - loss: 0.0871

What it promises, and why:

- On a terminal or in Jupyter (``verbose=1``) the line is rewritten in place:
  ``\\r``, the new text, then spaces over whatever the previous text had beyond
  it, so no character of a longer earlier line is left behind.
- Written to a file or a pipe, only the finished line is written: one line per
  epoch, no carriage returns in logs.
- Updates are throttled to one per ``interval`` seconds (0.1 by default; the
  final one always shows): a step of a small model takes far less time than
  writing a line to a terminal.
- The ETA counts from the end of the first step: the first step also pays for
  compiling the numba kernels, and would make every early ETA too long.
- Times per step show in s, ms or us, with a decimal below 10 of the unit.
- Values show as Keras shows them: ``.4f``, or ``.4e`` when |value| <= 1e-3.
  Names in ``stateful_metrics`` show as given (``fit`` logs running means
  already); other values are averaged over the steps, as Keras' Progbar does.
"""
import math
import sys
import time


def is_dynamic(stream):
    """True where ``\\r`` moves back to the start of the line: a terminal, or Jupyter's output."""
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return True
    return "ipykernel" in sys.modules and type(stream).__module__.startswith("ipykernel")


def format_value(value):
    """A logged value as Keras prints it: 4 decimals, or 4 significant digits in e-notation
    when it is that small."""
    return f"{value:.4f}" if abs(value) > 1e-3 else f"{value:.4e}"


def format_duration(seconds):
    """A time in s, ms or us: 12s, 1.5s, 25ms, 3.2ms, 480us."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale or unit == "us":
            value = seconds / scale
            return f"{value:.1f}{unit}" if value < 10 and seconds > 0 else f"{value:.0f}{unit}"


def format_eta(seconds):
    """Keras' ETA: 1:02:03 above an hour, 2:03 above a minute, else 42s."""
    if seconds > 3600:
        return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02d}:{int(seconds % 60):02d}"
    if seconds > 60:
        return f"{int(seconds // 60)}:{int(seconds % 60):02d}"
    return f"{int(seconds)}s"


class Progbar:
    """A progress bar over ``target`` steps.

    Args:
        target: the number of steps, or None if unknown.
        width: the bar's width in characters.
        verbose: 1 the bar (a finished line only, off a terminal), 2 a finished line only,
            0 nothing.
        interval: the least time in seconds between two drawings.
        stateful_metrics: names whose values show as given, not averaged.
        unit_name: what a step is called (``"step"``).
        stream: where to write (``sys.stdout`` by default).

    Example::

        bar = Progbar(100)
        for step in range(100):
            ...
            bar.update(step + 1, [("loss", loss)])
    """

    def __init__(self, target, width=20, verbose=1, interval=0.1, stateful_metrics=None,
                 unit_name="step", stream=None):
        self.target, self.width, self.verbose = target, width, verbose
        self.interval, self.unit_name = interval, unit_name
        self.stateful_metrics = set(stateful_metrics or ())
        self.stream = stream or sys.stdout
        self.dynamic = is_dynamic(self.stream)
        self._values = {}                   # name -> [sum of value * steps, steps] or [value, 1]
        self._seen = 0
        self._start = time.perf_counter()
        self._after_first_step = None       # when step 1 ended: the ETA counts from there
        self._last_draw = None
        self._drawn_width = 0               # length of the text now on the line

    def update(self, current, values=None, finalize=None):
        """Record step ``current`` (1-based) with ``values``, a list of (name, value), and draw
        the bar if it is time to; ``finalize`` (default: current >= target) ends the line."""
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        self._record(current, values or [])
        now = time.perf_counter()
        if current >= 1 and self._after_first_step is None:
            self._after_first_step = now
        if not self.verbose:
            return
        if not finalize and (self.verbose == 2 or not self.dynamic or (
                self._last_draw is not None and now - self._last_draw < self.interval)):
            return
        text = self._text(current, now, finalize)
        if self.verbose == 1 and self.dynamic:
            pad = " " * max(self._drawn_width - len(text), 0)      # erase a longer earlier line
            self.stream.write("\r" + text + pad + ("\n" if finalize else ""))
            self._drawn_width = 0 if finalize else len(text)
        else:
            self.stream.write(text + "\n")
        self.stream.flush()
        self._last_draw = now

    def add(self, n, values=None):
        """``update`` ``n`` steps further on."""
        self.update(self._seen + n, values)

    def _record(self, current, values):
        steps = max(current - self._seen, 1)
        for name, value in values:
            value = float(value)
            if name in self.stateful_metrics or name not in self._values:
                self._values[name] = [value * (1 if name in self.stateful_metrics else steps),
                                      1 if name in self.stateful_metrics else steps]
            else:
                self._values[name][0] += value * steps
                self._values[name][1] += steps
        self._seen = current

    def _per_step(self, current, now):
        """Seconds per step, from the steps after the first when there are any."""
        if current > 1 and self._after_first_step is not None:
            return (now - self._after_first_step) / (current - 1)
        return (now - self._start) / max(current, 1)

    def _text(self, current, now, finalize):
        per_step = self._per_step(current, now)
        target = self.target
        if target:
            digits = int(math.log10(target)) + 1
            text = f"{current:>{digits}}/{target}"
        else:
            text = f"{current:>7}/Unknown"
        if self.verbose == 1:
            if target:
                done = min(int(self.width * current / target), self.width)
                text += " " + "\u2501" * done + "\u2500" * (self.width - done)
            if finalize or not target:
                text += f" {now - self._start:.0f}s"
            elif current > 1:
                text += f" {format_eta(per_step * (target - current))}"
            text += f" {format_duration(per_step)}/{self.unit_name}"
        else:
            text += f" - {now - self._start:.0f}s - {format_duration(per_step)}/{self.unit_name}"
        for name, (total, count) in self._values.items():
            text += f" - {name}: {format_value(total / count)}"
        return text
