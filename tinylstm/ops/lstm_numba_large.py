"""The numba kernels for large layers: the products on the BLAS, the gate math fused around them.

Layout.  As the specification: time-major, batch-major rows, (T, B, 4H) and
    (T+1, B, H), Keras' gate order i, f, g, o as column blocks; one step of the
    batch is one (B, 4H) matrix, and every product a BLAS gemm on such blocks.
Products.  The BLAS's gemm (``numba_support.gemm``), called from inside the
    kernels: the input projection x_t W + b for all t at once before the
    recurrence; in the recurrence h_{t-1} U (forward) and dL/dz_t U^T (backward)
    step by step, each followed by the gate math of that step while its numbers
    are in cache; the weight gradients and dx after it, over all t at once.
Threads.  The BLAS runs on one thread (``blas.one_thread``); the kernels run on
    tinylstm's threads over pieces whose bounds depend on the shapes only:
    slices of the batch for the recurrence (``batch_pieces``), ranges of steps for
    the input projection and dx, blocks of the 4H columns for dW, dU and db (each
    entry summed over all T B rows by one gemm or one loop, in one order).
"""
import numba
import numpy as np

from . import buffers, threads
from .numba_support import JIT, NO_TRANS, TRANS, dsigma, gemm, sigma, tanh

STEP_PIECES = 8       # ranges of steps for the input projection and dx
COLUMN_PIECES = 8     # blocks of the 4H columns for the weight gradients


@numba.njit(nogil=True, **JIT)
def _input_projection_kernel(X, W, bias, Z, address, int64, work):
    """Z = X W + b for the rows of each [r0, r1) in ``work``: the part of (1) that does
    not depend on h. X (T*B, D), W (D, 4H), bias (4H,), Z (T*B, 4H)."""
    one = Z.dtype.type(1.0)
    for p in range(work.shape[0]):
        r0, r1 = work[p, 0], work[p, 1]
        for r in range(r0, r1):
            Z[r, :] = bias
        gemm(address, int64, NO_TRANS, NO_TRANS, one, X[r0:r1], W, one, Z[r0:r1])   # (1)


@numba.njit(nogil=True, **JIT)
def _forward_kernel(U, gates, h, c, phi_c, kind, address, int64, work):
    """Steps (1)-(7) for t = 1..T, for the batch rows of each [b0, b1) in ``work``.

    U (H, 4H); gates (T, B, 4H) holds x_t W + b on entry and receives [i, f, g, o];
    h, c (T+1, B, H) hold h_0, c_0 on entry; phi_c (T, B, H) receives tanh(c_t).
    """
    T, _, H4 = gates.shape
    H = H4 // 4
    one = gates.dtype.type(1.0)
    for p in range(work.shape[0]):
        b0, b1 = work[p, 0], work[p, 1]
        for t in range(T):
            z = gates[t]                                             # (B, 4H)
            gemm(address, int64, NO_TRANS, NO_TRANS, one, h[t, b0:b1], U, one, z[b0:b1])  # (1)
            for b in range(b0, b1):
                zb = z[b]                                            # (4H,)
                for j in range(H):
                    zb[j] = sigma(zb[j], kind)                       # (2) i
                    zb[H + j] = sigma(zb[H + j], kind)               # (3) f
                    zb[2 * H + j] = tanh(zb[2 * H + j])              # (4) g
                    zb[3 * H + j] = sigma(zb[3 * H + j], kind)       # (5) o
                c_prev, c_t, phi, h_t = c[t, b], c[t + 1, b], phi_c[t, b], h[t + 1, b]
                for j in range(H):
                    c_t[j] = zb[H + j] * c_prev[j] + zb[j] * zb[2 * H + j]   # (6)
                    phi[j] = tanh(c_t[j])
                    h_t[j] = zb[3 * H + j] * phi[j]                  # (7)


@numba.njit(nogil=True, **JIT)
def _backward_kernel(dh_seq, gates, c, phi_c, U, dh_next, dc_next, dz, kind, address, int64, work):
    """The forward steps in reverse, for the batch rows of each [b0, b1) in ``work``:
    dL/dz_t and dL/dh_{t-1}, dL/dc_{t-1}; the sums over t come after.

    dh_seq (T, B, H); gates, c, phi_c as the forward pass left them; U (H, 4H).
    dh_next, dc_next (B, H) hold dL/dh_T, dL/dc_T on entry and dL/dh_0, dL/dc_0 on
    exit; dz (T, B, 4H) receives dL/dz_t.
    """
    T, _, H4 = gates.shape
    H = H4 // 4
    one, zero = gates.dtype.type(1.0), gates.dtype.type(0.0)
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
                    d[j] = dc * g * dsigma(i, kind)                  # (6) wrt i, (2)
                    d[H + j] = dc * c_prev[j] * dsigma(f, kind)      # (6) wrt f, (3)
                    d[2 * H + j] = dc * i * (one - g * g)            # (6) wrt g, (4)
                    d[3 * H + j] = do * dsigma(o, kind)              # (5)
                    dc_up[j] = dc * f                                # (6) wrt c_{t-1}
            # (1) wrt h_{t-1}: dz_t U^T
            gemm(address, int64, NO_TRANS, TRANS, one, dz[t, b0:b1], U, zero, dh_next[b0:b1])


@numba.njit(nogil=True, **JIT)
def _weight_gradient_kernel(dZ, X, H_prev, dW, dU, db, address, int64, work):
    """(1) differentiated wrt W, U and b, summed over all T*B rows, for the columns of
    each [k0, k1) in ``work``. dZ (T*B, 4H), X (T*B, D), H_prev (T*B, H) h_0 .. h_{T-1};
    dW (D, 4H), dU (H, 4H), db (4H,) receive the sums."""
    one, zero = dZ.dtype.type(1.0), dZ.dtype.type(0.0)
    for p in range(work.shape[0]):
        k0, k1 = work[p, 0], work[p, 1]
        gemm(address, int64, TRANS, NO_TRANS, one, X, dZ[:, k0:k1], zero, dW[:, k0:k1])       # X^T dZ
        gemm(address, int64, TRANS, NO_TRANS, one, H_prev, dZ[:, k0:k1], zero, dU[:, k0:k1])  # H^T dZ
        db[k0:k1] = zero
        for r in range(dZ.shape[0]):                                 # the rows in order
            for k in range(k0, k1):
                db[k] += dZ[r, k]


@numba.njit(nogil=True, **JIT)
def _input_gradient_kernel(dZ, W, dX, address, int64, work):
    """dX = dZ W^T, (1) wrt x_t, for the rows of each [r0, r1) in ``work``."""
    one, zero = dZ.dtype.type(1.0), dZ.dtype.type(0.0)
    for p in range(work.shape[0]):
        r0, r1 = work[p, 0], work[p, 1]
        gemm(address, int64, NO_TRANS, TRANS, one, dZ[r0:r1], W, zero, dX[r0:r1])


# -- the passes -----------------------------------------------------------------------
def batch_pieces(B):
    """Slices of the batch for the recurrence: two, four for B >= 512, eight for B >= 1024
    (never narrower than 16 rows): enough for two to eight threads, and wide enough
    that one thread doing several loses little."""
    count = 8 if B >= 1024 else 4 if B >= 512 else 2
    return threads.pieces(B, count, 8 if B >= 16 * count else 1) if B >= 32 else threads.pieces(B, 1)


def _step_rows(T, B):
    """Ranges of whole steps, as rows of the (T*B, ...) matrices."""
    return threads.pieces(T, STEP_PIECES) * np.array([B, B, 1])


def forward(X, W, U, b, h, c, kind, address, int64):
    """X (T, B, D) time-major; h, c (T+1, B, H) holding the initial state at 0.
    Returns gates (T, B, 4H) and phi_c (T, B, H)."""
    T, B, D = X.shape
    H = U.shape[0]
    gates = buffers.empty((T, B, 4 * H), X.dtype)                  # (T, B, 4H)
    phi_c = buffers.empty((T, B, H), X.dtype)                      # (T, B, H)
    threads.run(_input_projection_kernel, (X.reshape(T * B, D), W, b, gates.reshape(T * B, 4 * H),
                                           address, int64), _step_rows(T, B))
    threads.run(_forward_kernel, (U, gates, h, c, phi_c, kind, address, int64), batch_pieces(B))
    return gates, phi_c


def backward(dh_seq, dh_next, dc_next, X, W, U, gates, h, c, phi_c, kind, address, int64):
    """dh_seq (T, B, H) time-major; dh_next, dc_next (B, H) hold dL/dh_T, dL/dc_T and
    receive dL/dh_0, dL/dc_0. Returns dX (T, B, D), dW, dU, db."""
    T, B, H4 = gates.shape
    H, D, dtype = H4 // 4, X.shape[2], gates.dtype
    dz = buffers.empty(gates.shape, dtype)                         # (T, B, 4H) dL/dz_t
    threads.run(_backward_kernel, (dh_seq, gates, c, phi_c, U, dh_next, dc_next, dz, kind,
                                   address, int64), batch_pieces(B))
    dZ = dz.reshape(T * B, H4)                                     # (T*B, 4H)
    dW, dU, db = np.empty((D, H4), dtype), np.empty((H, H4), dtype), np.empty(H4, dtype)
    threads.run(_weight_gradient_kernel, (dZ, X.reshape(T * B, D), h[:T].reshape(T * B, H), dW, dU, db,
                                          address, int64), threads.pieces(H4, COLUMN_PIECES, 8))
    dX = buffers.empty((T, B, D), dtype)                           # (T, B, D)
    threads.run(_input_gradient_kernel, (dZ, W, dX.reshape(T * B, D), address, int64), _step_rows(T, B))
    return dX, dW, dU, db
