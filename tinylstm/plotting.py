"""Plots of what ``tinylstm.inspect`` records, of training histories, and of latent sweeps.

Every function draws on a ``matplotlib.figure.Figure`` it makes itself (no
pyplot, so no global state and no display needed) and returns it; save it with
``fig.savefig("name.png")``. Those that draw one panel also take ``ax=`` to draw
into an Axes of your own, and then return that Axes' figure.

    from tinylstm import inspect, plotting
    trace = inspect.record(model, x, y)[0]
    plotting.gate_heatmaps(trace).savefig("gates.png")
    plotting.gradient_norms({"LSTM": trace}).savefig("grads.png")
"""
import matplotlib
import numpy as np
from matplotlib.cm import ScalarMappable
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from .callbacks import History

GATE_TITLES = {"i": "input gate i", "f": "forget gate f", "g": "candidate g",
               "o": "output gate o", "z": "update gate z", "r": "reset gate r"}


def _axes(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def gate_heatmaps(trace, sample=0, units=None, figsize=None):
    """Each gate, then c (LSTM) and h, as units x time heatmaps for one sample.

    Sigmoid gates are drawn on [0, 1]; g, c and h on [-m, m] around zero.
    ``units``: the indices of the units to show (default all).
    """
    units = np.arange(trace.h.shape[2]) if units is None else np.asarray(units)
    panels = [(GATE_TITLES[k], v) for k, v in trace.gates.items()]
    if trace.c is not None:
        panels.append(("cell state c", trace.c))
    panels.append(("hidden state h", trace.h))
    T = trace.h.shape[1]
    panel_height = min(0.6 + 0.08 * len(units), 2.0)
    fig = Figure(figsize=figsize or (7, 0.5 + panel_height * len(panels)), layout="constrained")
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (title, values) in zip(axes, panels):
        v = values[sample][:, units].T                    # (units, T)
        if "gate" in title and v.min() >= 0 and v.max() <= 1:   # sigmoid gates
            kw = dict(cmap="viridis", vmin=0.0, vmax=1.0)
        else:
            m = max(float(np.abs(v).max()), 1e-12)
            kw = dict(cmap="RdBu_r", vmin=-m, vmax=m)
        im = ax.imshow(v, aspect="auto", interpolation="nearest",
                       extent=(0.5, T + 0.5, len(units) - 0.5, -0.5), **kw)
        ax.set_ylabel("unit")
        ax.set_yticks(range(len(units)))
        ax.set_yticklabels([str(u) for u in units], fontsize=6)
        ax.set_title(title, fontsize=9, loc="left")
        fig.colorbar(im, ax=ax, pad=0.01, aspect=8)
    axes[-1].set_xlabel("timestep t")
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    fig.suptitle(f"{trace.kind} '{trace.name}', sample {sample}", fontsize=10)
    return fig


def cell_state_traces(trace, sample=0, units=None, ax=None, figsize=(6, 3)):
    """c_t (LSTM; h_t for GRU and SimpleRNN) of each unit against t, for one sample."""
    fig, ax = _axes(ax, figsize)
    values, what = (trace.c, "c") if trace.c is not None else (trace.h, "h")
    units = range(values.shape[2]) if units is None else units
    t = np.arange(1, values.shape[1] + 1)
    for u in units:
        ax.plot(t, values[sample, :, u], lw=1.2, label=f"unit {u}")
    ax.axhline(0.0, color="0.7", lw=0.6, zorder=0)
    ax.set_xlabel("timestep t")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(f"{what}_t")
    ax.set_title(f"{trace.kind} '{trace.name}': {what}_t, sample {sample}", fontsize=10)
    if len(units) <= 10:
        ax.legend(fontsize=7, ncol=2)
    return fig


def gradient_norms(traces, ax=None, figsize=(6, 3.5), cell=True):
    """|dL/dh_t| (solid) and, for LSTMs, |dL/dc_t| (dashed) against t, on a log scale.

    ``traces``: ``{label: Trace}`` (or one Trace), each recorded with a loss.
    Read it from the right: the loss sits at the end, and each step back to
    the left multiplies the gradient by one more step's Jacobian.
    """
    fig, ax = _axes(ax, figsize)
    if not isinstance(traces, dict):
        traces = {traces.name: traces}
    for k, (label, tr) in enumerate(traces.items()):
        if tr.dh is None:
            raise ValueError(f"gradient_norms: trace '{label}' has no gradients; "
                             "record it with a target y (inspect.record(model, x, y))")
        t = np.arange(1, tr.dh.shape[1] + 1)
        color = f"C{k}"
        ax.semilogy(t, tr.dh_norm, color=color, lw=1.5, label=f"{label}  |dL/dh_t|")
        if cell and tr.dc is not None:
            ax.semilogy(t, tr.dc_norm, color=color, lw=1.5, ls="--", label=f"{label}  |dL/dc_t|")
    ax.set_xlabel("timestep t")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("gradient norm")
    ax.legend(fontsize=7)
    ax.grid(True, which="major", alpha=0.3)
    return fig


def training_curves(histories, keys=("loss", "val_loss"), ax=None, figsize=(6, 3.5), log=True):
    """Loss against epoch for one History (or its dict) or ``{label: History}``.

    The first key is drawn solid, the others dashed, one colour per history.
    """
    fig, ax = _axes(ax, figsize)
    if isinstance(histories, History) or (isinstance(histories, dict) and
                                          all(isinstance(v, list) for v in histories.values())):
        histories = {"": histories}
    for k, (label, hist) in enumerate(histories.items()):
        logs = hist.history if isinstance(hist, History) else hist
        for j, key in enumerate(keys):
            if key not in logs:
                continue
            epochs = np.arange(1, len(logs[key]) + 1)
            name = f"{label} {key}".strip()
            ax.plot(epochs, logs[key], color=f"C{k}", ls="-" if j == 0 else "--", lw=1.4, label=name)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("loss")
    ax.legend(fontsize=7)
    ax.grid(True, alpha=0.3)
    return fig


def latent_sweep(decoder, values, x=None, dim=0, base=None, reference=None, ax=None,
                 figsize=(6, 3.5), cmap="viridis"):
    """The decoder's output for a sweep of one latent coordinate, coloured by its value.

    ``decoder``: a model from (N, L) latents to (N, T) or (N, T, 1) sequences.
    ``values``: the values of coordinate ``dim`` to sweep; the other coordinates
    stay at ``base`` (an (L,) vector, zeros by default). ``x``: the abscissa of
    the T steps (default 0 .. T-1). ``reference``: a (T,) curve drawn in black.
    """
    fig, ax = _axes(ax, figsize)
    values = np.asarray(values, dtype=float)
    L = decoder.inputs[0].shape[-1]
    if values.ndim != 1 or not 0 <= dim < L:
        raise ValueError(f"latent_sweep: expected a 1-D array of values for a coordinate "
                         f"0 <= dim < {L}, got values of shape {values.shape} and dim={dim}")
    z = np.tile(np.zeros(L) if base is None else np.asarray(base, float), (len(values), 1))
    z[:, dim] = values                                     # (N, L)
    out = np.asarray(decoder.predict(z, verbose=0))
    out = out.reshape(len(values), -1)                     # (N, T)
    x = np.arange(out.shape[1]) if x is None else np.asarray(x)
    norm = Normalize(values.min(), values.max())
    colors = matplotlib.colormaps[cmap](norm(values))
    for n in np.argsort(values):
        ax.plot(x, out[n], color=colors[n], lw=1.0)
    if reference is not None:
        ax.plot(x, reference, color="k", lw=1.2, ls=":", label="reference")
        ax.legend(fontsize=7)
    fig.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, label=f"latent[{dim}]")
    ax.set_xlabel("x")
    ax.set_ylabel("decoder output")
    return fig

