"""The numba kernels for large layers: packed products, the gate math fused after them.

Layout.  As the specification: time-major, batch-major rows, (T, B, 4H) and
    (T+1, B, H), Keras' gate order i, f, g, o as column blocks; one step of the
    batch is one (B, 4H) matrix.
Products.  ``numba_products.add_product`` with the right factor packed once per
    pass: in the recurrence, b + x_t W + h_{t-1} U (forward) and dL/dz_t U^T
    (backward) step by step, each followed by the gate math of that step while
    its numbers are in cache; after the backward recurrence, the weight
    gradients and dx over all t at once.
Threads.  The kernels run on tinylstm's threads over pieces whose bounds depend
    on the shapes only: slices of the batch for the recurrence
    (``batch_pieces``), ranges of steps for dx, panels of the 4H columns for dW,
    dU and db. Every entry is summed in one order (``add_product``), so the
    results do not depend on the thread count.
"""
import numba
import numpy as np

from . import buffers, threads
from .numba_products import MR, add_product, pack, panel_width
from .numba_support import JIT, dsigma, dsigma_factors, sigma, tanh

STEP_PIECES = 8       # ranges of steps for packing dL/dz and for dx
STEP_ROWS = 256       # rows of the (T*B, ...) matrices summed at a time for the weight gradients


@numba.njit(inline="always", **JIT)
def _copy(source, target):
    """target[:] = source[:] for 1-D arrays, as a plain loop: numba's slice assignment
    took several times as long."""
    for j in range(target.shape[0]):
        target[j] = source[j]


@numba.njit(inline="always", **JIT)
def _fill(target, value):
    """target[:] = value for a 1-D array, as a plain loop (see _copy)."""
    for j in range(target.shape[0]):
        target[j] = value


@numba.njit(inline="always", **JIT)
def _activate_gates(zb, kind):
    """(2)-(5) in place on one row z_t (4H,) of the batch: [i, f, g, o] = [sigma, sigma,
    tanh, sigma] of it, a loop per gate over a view of it (loops over ranges of zb
    itself left the last one scalar, three times slower)."""
    H = zb.shape[0] // 4
    i_f, g, o = zb[0:2 * H], zb[2 * H:3 * H], zb[3 * H:4 * H]
    for j in range(2 * H):
        i_f[j] = sigma(i_f[j], kind)                                 # (2) i, (3) f
    for j in range(H):
        g[j] = tanh(g[j])                                            # (4) g
    for j in range(H):
        o[j] = sigma(o[j], kind)                                     # (5) o


@numba.njit(nogil=True, **JIT)
def _forward_kernel(X, W_panels, bias, U_panels, gates, h, c, phi_c, kind, work):
    """Steps (1)-(7) for t = 1..T, for the batch rows of each [b0, b1) in ``work``.

    X (T, B, D); W_panels, U_panels: W (D, 4H) and U (H, 4H) packed
    (``numba_products.pack``); bias (4H,); gates (T, B, 4H) receives [i, f, g, o];
    h, c (T+1, B, H) hold h_0, c_0 on entry; phi_c (T, B, H) receives tanh(c_t).
    ``kind``: the recurrent activation.
    """
    T, _, H4 = gates.shape
    H = H4 // 4
    tile = np.empty((MR, U_panels.shape[2]), gates.dtype)           # scratch for add_product
    for p in range(work.shape[0]):
        b0, b1 = work[p, 0], work[p, 1]
        for t in range(T):
            z = gates[t]                                             # (B, 4H)
            for b in range(b0, b1):
                _copy(bias, z[b])
            add_product(X[t, b0:b1], W_panels, z[b0:b1], tile)       # (1) b + x_t W
            add_product(h[t, b0:b1], U_panels, z[b0:b1], tile)       #     + h_{t-1} U
            for b in range(b0, b1):
                zb = z[b]                                            # (4H,)
                _activate_gates(zb, kind)                            # (2)-(5)
                i, f, g, o = zb[0:H], zb[H:2 * H], zb[2 * H:3 * H], zb[3 * H:H4]
                c_prev, c_t, phi, h_t = c[t, b], c[t + 1, b], phi_c[t, b], h[t + 1, b]
                for j in range(H):
                    c_t[j] = f[j] * c_prev[j] + i[j] * g[j]          # (6)
                    phi[j] = tanh(c_t[j])
                    h_t[j] = o[j] * phi[j]                           # (7)


@numba.njit(nogil=True, **JIT)
def _predict_kernel(x, W_panels, bias, U_panels, h0, out, c, kind, work):
    """Steps (1)-(7) as ``_forward_kernel`` computes them, keeping only what the caller
    returns (no backward pass follows), for the batch rows of each [b0, b1) in ``work``.

    x (B, T, D) and out (B, T, H) in the caller's layout: x_t and h_{t-1} are read in
    place, h_t is written in place; the gates of a step live in a scratch (rows, 4H).
    h0 (B, H) is h_0; c (B, H) holds c_0 on entry and c_T on exit.
    """
    B, T, H = out.shape
    tile = np.empty((MR, U_panels.shape[2]), out.dtype)             # scratch for add_product
    for p in range(work.shape[0]):
        b0, b1 = work[p, 0], work[p, 1]
        z = np.empty((b1 - b0, 4 * H), out.dtype)                   # z_t of the piece's rows
        for t in range(T):
            for r in range(b1 - b0):
                _copy(bias, z[r])
            add_product(x[b0:b1, t], W_panels, z, tile)              # (1) b + x_t W
            if t == 0:
                add_product(h0[b0:b1], U_panels, z, tile)            #     + h_0 U
            else:
                add_product(out[b0:b1, t - 1], U_panels, z, tile)    #     + h_{t-1} U
            for r in range(b1 - b0):
                zb = z[r]                                            # (4H,)
                _activate_gates(zb, kind)                            # (2)-(5)
                i, f, g, o = zb[0:H], zb[H:2 * H], zb[2 * H:3 * H], zb[3 * H:4 * H]
                c_t, h_t = c[b0 + r], out[b0 + r, t]
                for j in range(H):
                    c_t[j] = f[j] * c_t[j] + i[j] * g[j]             # (6)
                    h_t[j] = o[j] * tanh(c_t[j])                     # (7)


@numba.njit(nogil=True, **JIT)
def _backward_kernel(dh_seq, gates, c, phi_c, UT_panels, dh_next, dc_next, dz, kind, work):
    """The forward steps in reverse, for the batch rows of each [b0, b1) in ``work``:
    dL/dz_t and dL/dh_{t-1}, dL/dc_{t-1}; the sums over t come after.

    dh_seq (T, B, H); gates, c, phi_c as the forward pass left them; UT_panels: U^T
    (4H, H) packed (``numba_products.pack``).
    dh_next, dc_next (B, H) hold dL/dh_T, dL/dc_T on entry and dL/dh_0, dL/dc_0 on
    exit; dz (T, B, 4H) receives dL/dz_t.
    """
    T, _, H4 = gates.shape
    H = H4 // 4
    one = gates.dtype.type(1.0)
    smooth, slope = dsigma_factors(kind, one)                        # see numba_support.dsigma
    tile = np.empty((MR, UT_panels.shape[2]), gates.dtype)          # scratch for add_product
    for p in range(work.shape[0]):
        b0, b1 = work[p, 0], work[p, 1]
        for t in range(T - 1, -1, -1):
            for b in range(b0, b1):
                a, d = gates[t, b], dz[t, b]                         # (4H,) each
                dh_in, dh_up, dc_up, c_prev, phi = dh_next[b], dh_seq[t, b], dc_next[b], c[t, b], phi_c[t, b]
                for j in range(H):
                    i, f, g, o = a[j], a[H + j], a[2 * H + j], a[3 * H + j]
                    dh = dh_up[j] + dh_in[j]                         # h_t: output and step t+1
                    do = dh * phi[j]                                 # (7) wrt o
                    dc = dc_up[j] + dh * o * (one - phi[j] * phi[j])  # (7) wrt c, plus step t+1
                    d[j] = dc * g * dsigma(i, smooth, slope)                  # (6) wrt i, (2)
                    d[H + j] = dc * c_prev[j] * dsigma(f, smooth, slope)      # (6) wrt f, (3)
                    d[2 * H + j] = dc * i * (one - g * g)            # (6) wrt g, (4)
                    d[3 * H + j] = do * dsigma(o, smooth, slope)              # (5)
                    dc_up[j] = dc * f                                # (6) wrt c_{t-1}
            for b in range(b0, b1):
                _fill(dh_next[b], 0.0)
            add_product(dz[t, b0:b1], UT_panels, dh_next[b0:b1], tile)  # (1) wrt h_{t-1}: dz_t U^T


@numba.njit(nogil=True, **JIT)
def _pack_kernel(dZ, dZ_panels, work):
    """dZ (T*B, 4H) into dZ_panels (P, T*B, NR) (``numba_products.pack``), for the rows of
    each [r0, r1) in ``work``: row by row, reading dZ in order (panel by panel, reading
    128 of every 1024 bytes, it took five times longer)."""
    H4 = dZ.shape[1]
    P, _, NR = dZ_panels.shape
    for w in range(work.shape[0]):
        for r in range(work[w, 0], work[w, 1]):
            for p in range(P):
                c0 = p * NR
                cols = min(NR, H4 - c0)
                _copy(dZ[r, c0:c0 + cols], dZ_panels[p, r, :cols])
                _fill(dZ_panels[p, r, cols:], 0.0)


@numba.njit(nogil=True, **JIT)
def _weight_gradient_kernel(X, H_prev, dZ_panels, dW, dU, db, work):
    """(1) differentiated wrt W, U and b, summed over all T*B rows in their order, for the
    panels p of NR columns in each [p0, p1) of ``work``.

    X (T*B, D), H_prev (T*B, H) h_0 .. h_{T-1}; dZ_panels (P, T*B, NR) dL/dz packed.
    dW += X^T dZ and dU += H_prev^T dZ for the panel's columns, STEP_ROWS rows at a time
    (they stay in cache while every row of dW and dU takes them); dW (D, 4H), dU (H, 4H)
    are zero on entry; db (4H,) receives the column sums.
    """
    R, NR = dZ_panels.shape[1], dZ_panels.shape[2]
    H4 = dW.shape[1]
    tile = np.empty((MR, NR), dW.dtype)                              # scratch for add_product
    column_sums = np.zeros(NR, dW.dtype)
    for w in range(work.shape[0]):
        for p in range(work[w, 0], work[w, 1]):
            c0 = p * NR
            panel = dZ_panels[p]                                     # (T*B, NR)
            column_sums[:] = 0.0
            for r in range(R):                                       # wrt b, the rows in order
                for j in range(NR):
                    column_sums[j] += panel[r, j]
            db[c0:c0 + NR] = column_sums[:min(NR, H4 - c0)]
            for r0 in range(0, R, STEP_ROWS):
                r1 = min(R, r0 + STEP_ROWS)
                add_product(X[r0:r1].T, dZ_panels[p:p + 1, r0:r1], dW[:, c0:], tile)       # X^T dZ
                add_product(H_prev[r0:r1].T, dZ_panels[p:p + 1, r0:r1], dU[:, c0:], tile)  # H^T dZ


@numba.njit(nogil=True, fastmath={"contract", "reassoc"}, error_model="numpy", cache=True)
def _input_gradient_kernel(dZ, W, WT_panels, dX, work):
    """dX = dZ W^T, (1) wrt x_t, for the rows of each [r0, r1) in ``work``; WT_panels is W^T
    (4H, D) packed. For D below NR / 2, dot products over the 4H columns instead (a panel
    would be mostly padding), in an order "reassoc" lets LLVM vectorise, the same for
    every row whatever the threads."""
    D = dX.shape[1]
    NR = WT_panels.shape[2]
    tile = np.empty((MR, NR), dZ.dtype)                              # scratch for add_product
    zero = dZ.dtype.type(0.0)
    for w in range(work.shape[0]):
        r0, r1 = work[w, 0], work[w, 1]
        if 2 * D >= NR:
            dX[r0:r1] = 0.0
            add_product(dZ[r0:r1], WT_panels, dX[r0:r1], tile)
            continue
        for r in range(r0, r1):
            for d in range(D):
                total = zero
                for k in range(dZ.shape[1]):
                    total += dZ[r, k] * W[d, k]
                dX[r, d] = total


# -- the passes -----------------------------------------------------------------------
def batch_pieces(B):
    """Slices of the batch for the recurrence: two, four for B >= 512, eight for B >= 1024
    (never narrower than 16 rows): enough for two to eight threads, and wide enough
    that one thread doing several loses little."""
    count = 8 if B >= 1024 else 4 if B >= 512 else 2
    return threads.pieces(B, count, 8 if B >= 16 * count else 1) if B >= 32 else threads.pieces(B, 1)


def _packed(U):
    """U (K, N) in panels for ``numba_products.add_product``."""
    NR = panel_width(U.dtype)
    panels = buffers.empty((-(-U.shape[1] // NR), U.shape[0], NR), U.dtype)   # (P, K, NR)
    pack(U, panels)
    return panels


def _step_rows(T, B):
    """Ranges of whole steps, as rows of the (T*B, ...) matrices."""
    return threads.pieces(T, STEP_PIECES) * np.array([B, B, 1])


def forward(X, W, U, b, h, c, kind):
    """X (T, B, D) time-major; h, c (T+1, B, H) holding the initial state at 0.
    Returns gates (T, B, 4H) and phi_c (T, B, H)."""
    T, B, D = X.shape
    H = U.shape[0]
    gates = buffers.empty((T, B, 4 * H), X.dtype)                  # (T, B, 4H)
    phi_c = buffers.empty((T, B, H), X.dtype)                      # (T, B, H)
    threads.run(_forward_kernel, (X, _packed(W), b, _packed(U), gates, h, c, phi_c, kind), batch_pieces(B))
    return gates, phi_c


def predict(x, W, U, b, h0, c, kind):
    """The forward pass alone: x (B, T, D) C-contiguous; h0 (B, H) h_0; c (B, H) holds c_0
    and receives c_T. Returns h_1 .. h_T as (B, T, H)."""
    B, T, _ = x.shape
    H = U.shape[0]
    out = np.empty((B, T, H), x.dtype)                             # returned: not a pool buffer
    threads.run(_predict_kernel, (x, _packed(W), b, _packed(U), h0, out, c, kind), batch_pieces(B))
    return out


def backward(dh_seq, dh_next, dc_next, X, W, U, gates, h, c, phi_c, kind, input_gradient=True):
    """dh_seq (T, B, H) time-major; dh_next, dc_next (B, H) hold dL/dh_T, dL/dc_T and
    receive dL/dh_0, dL/dc_0. Returns dX (T, B, D) (None without ``input_gradient``), dW,
    dU, db."""
    T, B, H4 = gates.shape
    H, D, dtype = H4 // 4, X.shape[2], gates.dtype
    dz = buffers.empty(gates.shape, dtype)                         # (T, B, 4H) dL/dz_t
    threads.run(_backward_kernel, (dh_seq, gates, c, phi_c, _packed(U.T), dh_next, dc_next, dz, kind),
                batch_pieces(B))
    dZ = dz.reshape(T * B, H4)                                     # (T*B, 4H)
    NR = panel_width(dtype)
    dZ_panels = buffers.empty((-(-H4 // NR), T * B, NR), dtype)    # (P, T*B, NR)
    threads.run(_pack_kernel, (dZ, dZ_panels), _step_rows(T, B))
    dW, dU, db = np.zeros((D, H4), dtype), np.zeros((H, H4), dtype), np.empty(H4, dtype)
    threads.run(_weight_gradient_kernel, (X.reshape(T * B, D), h[:T].reshape(T * B, H), dZ_panels,
                                          dW, dU, db), threads.pieces(len(dZ_panels), len(dZ_panels)))
    if not input_gradient:
        return None, dW, dU, db
    dX = buffers.empty((T, B, D), dtype)                           # (T, B, D)
    threads.run(_input_gradient_kernel, (dZ, W, _packed(W.T), dX.reshape(T * B, D)), _step_rows(T, B))
    return dX, dW, dU, db
