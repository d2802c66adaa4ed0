"""The numba kernels for small layers (the post's: H = 32 or 1, D = 1 or 32).

Layout.  Feature-major, (T, 4H, Bp) and (T+1, H, Bp): for a fixed step and unit
    the batch is contiguous, so every inner loop runs over the batch and
    vectorises, also when H = 1. The (B, T, F) arrays an LSTM returns (h_seq, dx)
    are views of these (``batch_major``), and the next LSTM takes the array
    behind such a view as it is, without a copy (``feature_major``).
Padding.  The batch is padded with columns to Bp, a multiple of 16 (one
    AVX-512 register of float32, two of AVX2): a vectorised loop leaves n % 8
    columns to scalar code, and at batch 100 those 4 columns cost as much as 16
    others; with rows a multiple of 64 bytes long, two threads' columns never
    share a cache line.
Products.  The tile kernel of ``numba_products`` on panels of 32 batch columns
    (16 where 16 are left), read in place (``add_product_columns``); for dU and dW, with h_{t-1} or x_t
    transposed into panels step by step where that pays (``_add_weight_gradient``).
Threads.  The recurrence runs one slice of the batch per thread: rows of a batch
    never meet in an LSTM, and every column's arithmetic is the same whatever
    slice it is in, so the cut cannot change a bit. The weight gradients run over
    fixed ranges of steps (``threads.pieces``), each over the whole batch, and the
    ranges' sums are added up afterwards in their order; a thread done with its slice
    of the backward recurrence takes the ranges every slice is past, while the other
    slices go on (``_backward_kernel``). What a recurrence reads and writes at every
    step (its state: c and h forward-only, dL/dh and dL/dc backward) each thread keeps
    in arrays of its own: in the shared (H, Bp) arrays, every row cut between two
    threads, two threads gained little over one (docs/performance.md has the numbers).
"""
import weakref

import numba
import numpy as np

from .. import config
from . import buffers, threads
from .numba_products import MR, PANEL_BYTES, add_product, add_product_columns, pack
from .numba_support import (JIT, dsigma, dsigma_factors, fetch_add, full_fence, load_acquire, sigma,
                            store_release, tanh)

_u64 = np.uint64      # unsigned batch indices: no wrap-around test, and the loops vectorise
LANES = 16            # the batch is padded to a multiple of this
STEP_PIECES = 8       # ranges of steps for the weight gradients


@numba.njit(fastmath={"contract", "reassoc"}, error_model="numpy", cache=True)
def _add_gram(out, X, Y, start, n):
    """out[q, r] += sum_b X[q, b] Y[r, b] over the n columns b from ``start`` on.

    out (Q, R) with R even, X (Q, B), Y (R, B). "reassoc" lets the sums over b run
    in any order, so that they vectorise (the order is fixed by n and the code, not
    by the threads); four rows of X and two of Y at a time, eight sums sharing each
    load.
    """
    Q, R = out.shape
    s0 = _u64(start)
    zero = out.dtype.type(0.0)
    q = 0
    while q + 4 <= Q:
        for r in range(0, R, 2):
            a0 = a1 = a2 = a3 = e0 = e1 = e2 = e3 = zero
            for k in range(n):
                b = s0 + _u64(k)
                x0, x1, x2, x3 = X[q, b], X[q + 1, b], X[q + 2, b], X[q + 3, b]
                y0, y1 = Y[r, b], Y[r + 1, b]
                a0 += x0 * y0
                a1 += x1 * y0
                a2 += x2 * y0
                a3 += x3 * y0
                e0 += x0 * y1
                e1 += x1 * y1
                e2 += x2 * y1
                e3 += x3 * y1
            out[q, r] += a0
            out[q + 1, r] += a1
            out[q + 2, r] += a2
            out[q + 3, r] += a3
            out[q, r + 1] += e0
            out[q + 1, r + 1] += e1
            out[q + 2, r + 1] += e2
            out[q + 3, r + 1] += e3
        q += 4
    while q < Q:
        for r in range(0, R, 2):
            a0 = e0 = zero
            for k in range(n):
                b = s0 + _u64(k)
                a0 += X[q, b] * Y[r, b]
                e0 += X[q, b] * Y[r + 1, b]
            out[q, r] += a0
            out[q, r + 1] += e0
        q += 1


@numba.njit(inline="always", **JIT)
def _gates(x_t, WT, bias, UT, h_prev, z, start, n, kind):
    """(1)-(5) for the n batch columns of z (4H, .) from ``start`` on: z = b + x_t W +
    h_{t-1} U, then the activated gates [i, f, g, o] in place. x_t (D, .) and h_prev
    (H, .) are read at the same columns as z."""
    H4 = z.shape[0]
    H = H4 // 4
    s0 = _u64(start)
    for r in range(H4):
        for k in range(n):
            z[r, s0 + _u64(k)] = bias[r]
    add_product_columns(WT, x_t, z, start, n)                        # (1) b + x_t W
    add_product_columns(UT, h_prev, z, start, n)                     #     + h_{t-1} U
    for r in range(H4):                                              # (2)-(5), row by row:
        if 2 * H <= r < 3 * H:                                       # short loop bodies let
            for k in range(n):                                       # the CPU overlap the
                b = s0 + _u64(k)                                     # tanh of many b
                z[r, b] = tanh(z[r, b])                              # (4) g
        else:
            for k in range(n):
                b = s0 + _u64(k)
                z[r, b] = sigma(z[r, b], kind)                       # (2) i, (3) f, (5) o


@numba.njit(nogil=True, **JIT)
def _forward_kernel(x, WT, bias, UT, gates, h, c, phi_c, kind, work):
    """Steps (1)-(7) for t = 1..T, for the batch columns of each [start, stop) in ``work``.

    x (T, D, Bp); WT (4H, D), UT (4H, H) are W and U transposed; bias (4H,); gates
    (T, 4H, Bp) receives [i, f, g, o]; h, c (T+1, H, Bp) hold h_0, c_0 on entry; phi_c
    (T, H, Bp) receives tanh(c_t). ``kind``: the recurrent activation.
    """
    T, H4, _ = gates.shape
    H = H4 // 4
    for p in range(work.shape[0]):
        start, stop = work[p, 0], work[p, 1]
        n, s0 = stop - start, _u64(start)
        for t in range(T):
            z = gates[t]                                             # (4H, Bp)
            _gates(x[t], WT, bias, UT, h[t], z, start, n, kind)      # (1)-(5)
            for j in range(H):
                for k in range(n):
                    b = s0 + _u64(k)
                    i, f, g, o = z[j, b], z[H + j, b], z[2 * H + j, b], z[3 * H + j, b]
                    c_t = f * c[t, j, b] + i * g                     # (6)
                    phi = tanh(c_t)
                    c[t + 1, j, b] = c_t
                    phi_c[t, j, b] = phi
                    h[t + 1, j, b] = o * phi                         # (7)


@numba.njit(nogil=True, **JIT)
def _predict_kernel(x, WT, bias, UT, h, c, kind, work):
    """Steps (1)-(7) as ``_forward_kernel`` computes them, keeping only what the caller
    returns (no backward pass follows), for the batch columns of each [start, stop) in
    ``work``: h as in ``_forward_kernel``; c (H, Bp) holds c_0 on entry and c_T on exit.
    A thread keeps a step's gates, h and c in arrays of its own, n columns wide.
    """
    T, H = h.shape[0] - 1, h.shape[1]
    for p in range(work.shape[0]):
        start, stop = work[p, 0], work[p, 1]
        n, s0 = stop - start, _u64(start)
        z = np.empty((4 * H, n), h.dtype)                            # the gates of a step
        h_t, c_t = h[0][:, start:stop].copy(), c[:, start:stop].copy()
        for t in range(T):
            _gates(x[t][:, start:stop], WT, bias, UT, h_t, z, 0, n, kind)   # (1)-(5)
            h_out = h[t + 1]
            for j in range(H):
                for k in range(n):
                    i, f, g, o = z[j, k], z[H + j, k], z[2 * H + j, k], z[3 * H + j, k]
                    c_new = f * c_t[j, k] + i * g                    # (6)
                    c_t[j, k] = c_new
                    h_t[j, k] = o * tanh(c_new)                      # (7)
                    h_out[j, s0 + _u64(k)] = h_t[j, k]
        c[:, start:stop] = c_t


@numba.njit(inline="always", **JIT)
def _recurrence_backward(dh_seq, gates, c, phi_c, U, dh_next, dc_next, kind, start, stop,
                         progress, slot):
    """The forward steps in reverse for the batch columns [start, stop): what the
    recurrence needs, dL/dz_t and dL/dh_{t-1}, dL/dc_{t-1}; the weight gradients are
    ``_weight_gradient_steps``. After each step t, progress[slot] = t (these columns'
    dL/dz_s is written for every s >= t).

    dh_seq (T, H, Bp); gates, c, phi_c as the forward pass left them; U (H, 4H).
    dh_next, dc_next (H, Bp) hold dL/dh_T, dL/dc_T on entry and dL/dh_0, dL/dc_0
    on exit. dL/dz_t is written over the gates (T, 4H, Bp): a unit's four gates are
    read just before their four entries of dL/dz are written, and the pass touches
    half the memory it would with an array of its own. dL/dh and dL/dc of these
    columns are kept in arrays of their own until the last step.
    """
    T, H4, _ = gates.shape
    H = H4 // 4
    one = gates.dtype.type(1.0)
    smooth, slope = dsigma_factors(kind, one)                        # see numba_support.dsigma
    n, s0 = stop - start, _u64(start)
    dh_p, dc_p = dh_next[:, start:stop].copy(), dc_next[:, start:stop].copy()   # (H, n) each
    for t in range(T - 1, -1, -1):
        z = gates[t]          # (4H, Bp): gates in, dL/dz_t out; through one name the loop
        #                       vectorises (two names for one array took 1.3 times as long)
        for j in range(H):
            for k in range(n):
                q = _u64(k)                                          # the column in dh_p, dc_p
                b = s0 + q                                           # and in the batch
                i, f, g, o = z[j, b], z[H + j, b], z[2 * H + j, b], z[3 * H + j, b]
                phi = phi_c[t, j, b]
                dh = dh_seq[t, j, b] + dh_p[j, q]                    # h_t: output and step t+1
                do = dh * phi                                        # (7) wrt o
                dc = dc_p[j, q] + dh * o * (one - phi * phi)         # (7) wrt c, plus step t+1
                z[j, b] = dc * g * dsigma(i, smooth, slope)                   # (6) wrt i, (2)
                z[H + j, b] = dc * c[t, j, b] * dsigma(f, smooth, slope)      # (6) wrt f, (3)
                z[2 * H + j, b] = dc * i * (one - g * g)             # (6) wrt g, (4)
                z[3 * H + j, b] = do * dsigma(o, smooth, slope)               # (5)
                dc_p[j, q] = dc * f                                  # (6) wrt c_{t-1}
        for j in range(H):                                           # (1) wrt h_{t-1}: dz_t U^T
            for k in range(n):
                dh_p[j, _u64(k)] = 0.0
        add_product_columns(U, z[:, start:stop], dh_p, 0, n)
        store_release(progress, slot, t)
    dh_next[:, start:stop] = dh_p
    dc_next[:, start:stop] = dc_p


@numba.njit(inline="always", **JIT)
def _add_weight_gradient(out, outT, a, d, panels, tile):
    """out += a d^T (a (F, Bp) the inputs x_t or h_{t-1}, d (4H, Bp) dL/dz_t), summed over
    the batch. For F >= NR / 2 and 4H >= 32 into outT (4H, F), out's transpose, as a tile
    product with a^T packed into ``panels`` (``_add_gram``, whose sums end in a reduction
    across the vector, took twice as long there); else into out (F, 4H) by ``_add_gram``
    (a panel would be mostly padding, or packing would cost more than the product)."""
    if 2 * a.shape[0] >= panels.shape[2] and d.shape[0] >= 32:
        pack(a.T, panels)
        add_product(d, panels, outT, tile)
    else:
        _add_gram(out, a, d, 0, a.shape[1])


@numba.njit(inline="always", **JIT)
def _weight_gradient_steps(dz, x, h, W, dx, dkernel, dkernelT, drecurrent_kernel, drecurrent_kernelT,
                           dbias, input_gradient, t0, t1, p, xT, hT, tile):
    """(1) z_t = x_t W + h_{t-1} U + b differentiated wrt x_t, W, U and b, for the steps
    [t0, t1) and the whole (padded) batch: nothing here feeds the recurrence.

    dz (T, 4H, Bp), x (T, D, Bp), h (T+1, H, Bp), W (D, 4H). dx (T, D, Bp) receives
    dL/dx_t if ``input_gradient``; the sums of range p go to dkernel[p] (D, 4H) or its
    transpose dkernelT[p] (4H, D), drecurrent_kernel[p] (H, 4H) or its transpose
    drecurrent_kernelT[p] (see ``_add_weight_gradient``) and, column by column,
    dbias[p] (4H, Bp); all zero on entry. xT, hT, tile: scratch for the products.
    """
    H4, Bp = dz.shape[1], dz.shape[2]
    for t in range(t0, t1):
        d = dz[t]                                                    # (4H, Bp)
        for r in range(H4):                                          # wrt b
            for k in range(Bp):
                dbias[p, r, k] += d[r, k]
        _add_weight_gradient(dkernel[p], dkernelT[p], x[t], d, xT, tile)                    # wrt W
        _add_weight_gradient(drecurrent_kernel[p], drecurrent_kernelT[p], h[t], d, hT, tile)  # wrt U
        if not input_gradient:
            continue
        dx_t = dx[t]                                                 # (D, Bp)
        for q in range(dx_t.shape[0]):
            for k in range(Bp):
                dx_t[q, k] = 0.0
        add_product_columns(W, d, dx_t, 0, Bp)                       # wrt x_t: dz_t W^T


NOT_STARTED = -1      # a slot of ``sync`` before its columns' recurrence begins
SLOT = 16             # int64 slots apart in ``sync``: 128 bytes, two cache lines


def _sync_slots(columns):
    """The ``sync`` array of ``_backward_kernel``: a counter of the step ranges taken (at
    0) and, one per piece of ``columns`` (at SLOT (1 + q)), the step its recurrence is
    at (NOT_STARTED)."""
    sync = np.full(SLOT * (1 + len(columns)), NOT_STARTED, np.int64)
    sync[0] = 0
    return sync


@numba.njit(nogil=True, **JIT)
def _backward_kernel(dh_seq, gates, c, phi_c, U, dh_next, dc_next, kind,
                     x, h, W, dx, dkernel, dkernelT, drecurrent_kernel, drecurrent_kernelT, dbias,
                     input_gradient, steps, sync, work):
    """The backward pass for the rows (start, stop, q) of ``work``, pieces of the batch
    (``sync`` has a slot for each piece): their recurrence (``_recurrence_backward``,
    which leaves dL/dz_t in ``gates``), then the weight gradients of whatever ranges of
    steps (t0, t1, p), rows of ``steps``, no other thread has taken yet
    (``_weight_gradient_steps``), the latest steps first.

    The two overlap: a thread done with its columns (at batch 100 one thread has 48
    columns, the other 64) starts on the steps every column is done with. ``sync``
    (``_sync_slots``) says where each piece's recurrence is: a range of steps starts once
    every piece is past it. A thread takes no range while a piece has not started (which
    it would wait for in vain if the same thread runs that piece later, as
    ``threads.run`` does when the threads are busy): the last thread to finish its
    columns takes the rest. Each range's sums are those a thread of its own would give,
    so the bits do not depend on which thread takes it.
    """
    T, pieces = gates.shape[0], sync.shape[0] // SLOT - 1
    for w in range(work.shape[0]):                                   # these columns: begun
        store_release(sync, SLOT * (1 + work[w, 2]), T)
    for w in range(work.shape[0]):
        start, stop, q = work[w, 0], work[w, 1], work[w, 2]
        _recurrence_backward(dh_seq, gates, c, phi_c, U, dh_next, dc_next, kind, start, stop,
                             sync, SLOT * (1 + q))
    full_fence()             # two threads cannot both read the other as not started and leave
    for q in range(pieces):
        if load_acquire(sync, SLOT * (1 + q)) == NOT_STARTED:
            return                                                   # its thread takes the rest
    dz = gates                                                       # now dL/dz_t
    D, H, Bp = x.shape[1], h.shape[1], dz.shape[2]
    NR = PANEL_BYTES // dz.itemsize                                  # numba_products.panel_width
    xT = np.empty((-(-D // NR), Bp, NR), dz.dtype)                  # x_t^T in panels
    hT = np.empty((-(-H // NR), Bp, NR), dz.dtype)                  # h_{t-1}^T in panels
    tile = np.empty((MR, NR), dz.dtype)                              # scratch for add_product
    P = steps.shape[0]
    while True:
        taken = fetch_add(sync, 0, 1)
        if taken >= P:
            return
        t0, t1, p = steps[P - 1 - taken, 0], steps[P - 1 - taken, 1], steps[P - 1 - taken, 2]
        for q in range(pieces):                                      # every column past t0
            while load_acquire(sync, SLOT * (1 + q)) > t0:
                pass
        _weight_gradient_steps(dz, x, h, W, dx, dkernel, dkernelT, drecurrent_kernel, drecurrent_kernelT,
                               dbias, input_gradient, t0, t1, p, xT, hT, tile)


# -- the passes -----------------------------------------------------------------------
def padded(B):
    """The batch size inside the kernels: B rounded up to a multiple of LANES.

    The padding columns hold zeros (inputs, initial states, upstream gradients), or,
    in inputs handed over from the previous LSTM (``feature_major``), the finite
    numbers its forward pass left there; what the forward pass computes there is
    never returned, and backward they stay zero and add nothing to the weight
    gradients."""
    return -(-B // LANES) * LANES


def _batch_slices(Bp):
    """One slice of the padded batch per thread, cut at multiples of LANES columns."""
    return threads.pieces(Bp, config.num_threads(), LANES)


_shown = {}    # id(view) -> (weak reference to a view from batch_major, the array it shows)


def batch_major(fm, B):
    """fm (T, F, Bp)'s first B columns as a (B, T, F) view (an LSTM's h_seq or dx), which
    :func:`feature_major` turns back into fm itself, without a copy."""
    view = fm[:, :, :B].transpose(2, 0, 1)
    key = id(view)
    _shown[key] = (weakref.ref(view, lambda _, key=key: _shown.pop(key, None)), fm)
    return view


def shown_array(a):
    """The array (T, F, Bp) a view from :func:`batch_major` shows, or None for any other array."""
    shown = _shown.get(id(a))
    return shown[1] if shown is not None and shown[0]() is a else None


def feature_major(a, Bp, dtype):
    """(B, T, F) -> (T, F, Bp), contiguous, zeros in the padding columns; for a view from
    :func:`batch_major`, the array it shows, with what the kernels left in its padding
    columns: finite numbers of no consequence forward (no column meets another), and
    zeros backward (in dL/dx, as dL/dz is zero there)."""
    B, T, F = a.shape
    shown = shown_array(a)
    if shown is not None and shown.shape[2] == Bp and shown.dtype == dtype:
        return shown
    out = buffers.empty((T, F, Bp), dtype)
    out[:, :, :B] = a.transpose(1, 2, 0)
    out[:, :, B:] = 0.0
    return out


def fill_state(out, s):
    """out (H, Bp) <- an initial state or upstream gradient s (B, H) transposed, or
    zeros for None; zeros in the padding columns."""
    out[...] = 0.0
    if s is not None:
        out[:, :s.shape[0]] = s.T
    return out


def forward(x_fm, W, U, b, h, c, kind):
    """The forward pass on feature-major arrays: x_fm (T, D, Bp); h, c (T+1, H, Bp)
    holding the initial state at 0. Returns gates (T, 4H, Bp) and phi_c (T, H, Bp)."""
    T, _, Bp = x_fm.shape
    H = U.shape[0]
    gates = buffers.empty((T, 4 * H, Bp), x_fm.dtype)              # (T, 4H, Bp)
    phi_c = buffers.empty((T, H, Bp), x_fm.dtype)                  # (T, H, Bp)
    WT, UT = np.ascontiguousarray(W.T), np.ascontiguousarray(U.T)
    threads.run(_forward_kernel, (x_fm, WT, b, UT, gates, h, c, phi_c, kind), _batch_slices(Bp))
    return gates, phi_c


def predict(x_fm, W, U, b, h, c, kind):
    """The forward pass alone, on feature-major arrays: x_fm (T, D, Bp); h (T+1, H, Bp)
    holding h_0 at 0; c (H, Bp) holding c_0, and c_T on return."""
    T, _, Bp = x_fm.shape
    H = U.shape[0]
    WT, UT = np.ascontiguousarray(W.T), np.ascontiguousarray(U.T)
    threads.run(_predict_kernel, (x_fm, WT, b, UT, h, c, kind), _batch_slices(Bp))


def backward(dh_fm, dh_next, dc_next, x_fm, W, U, gates, h, c, phi_c, kind, input_gradient=True):
    """The backward pass on feature-major arrays; dh_next, dc_next (H, Bp) hold dL/dh_T,
    dL/dc_T and receive dL/dh_0, dL/dc_0. Returns dx_fm (T, D, Bp) (None without
    ``input_gradient``), dW, dU, db. dL/dz_t is written over ``gates``: the arrays of
    one forward pass serve one backward pass."""
    T, H4, Bp = gates.shape
    H, D, dtype = H4 // 4, x_fm.shape[1], gates.dtype
    steps = threads.pieces(T, STEP_PIECES)
    P = len(steps)
    dx = buffers.empty(x_fm.shape if input_gradient else (0, 0, 0), dtype)   # (T, D, Bp)
    # per range of steps: (P, D, 4H) and (P, 4H, D) for dW, (P, H, 4H) and (P, 4H, H) for dU
    dkernel, dkernelT = np.zeros((P, D, H4), dtype), np.zeros((P, H4, D), dtype)
    drecurrent_kernel, drecurrent_kernelT = np.zeros((P, H, H4), dtype), np.zeros((P, H4, H), dtype)
    dbias = buffers.zeros((P, H4, Bp), dtype)                      # (P, 4H, Bp) per range, column
    columns = _batch_slices(Bp)
    threads.run(_backward_kernel, (dh_fm, gates, c, phi_c, np.ascontiguousarray(U), dh_next, dc_next,
                                   kind, x_fm, h, np.ascontiguousarray(W), dx, dkernel, dkernelT,
                                   drecurrent_kernel, drecurrent_kernelT, dbias, input_gradient,
                                   steps, _sync_slots(columns)), columns)
    # the ranges' sums added in their order (NumPy adds along the first axis one by one);
    # of each pair one is all zeros
    dW = dkernel.sum(axis=0) + dkernelT.sum(axis=0).T
    dU = drecurrent_kernel.sum(axis=0) + drecurrent_kernelT.sum(axis=0).T
    return dx if input_gradient else None, dW, dU, dbias.sum(axis=(0, 2))
