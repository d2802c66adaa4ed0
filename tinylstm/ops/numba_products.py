"""Matrix products inside numba code, with the right factor packed into panels.

A step's h_{t-1} U is a (B, H) @ (H, 4H) product, and a BLAS gemm would repack U
at every call. Here :func:`pack` lays U out once per pass in panels of
``panel_width`` columns, and :func:`add_product` multiplies with them by a
register-blocked kernel written in LLVM IR (``_tile_kernel``): ``MR`` rows by two
64-byte vectors of C stay in registers while k runs down the panel. The products
over whole sequences (the weight gradients, dx) use the same kernel, so every
entry of C is one sum over k in order, whatever the rows and threads and whatever
BLAS NumPy has. ``docs/performance.md`` compares it with OpenBLAS's gemm.
"""
import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic

from .numba_support import JIT

MR = 8                            # rows of C per tile
VECTOR_BYTES, VECTORS = 64, 2     # a tile's columns: two 64-byte vectors
PANEL_BYTES = VECTORS * VECTOR_BYTES


@numba.njit(inline="always")
def _stride(a):
    """The distance between rows of a 2-D array whose rows are contiguous, in elements."""
    return a.strides[0] // a.itemsize


# -- the product with a packed right factor ------------------------------------------------
def panel_width(dtype):
    """Columns of one panel (and of a tile of C): two 64-byte vectors of ``dtype``."""
    return PANEL_BYTES // np.dtype(dtype).itemsize


class _Tile:
    """LLVM IR for one tile: ``rows`` x ``vectors`` 64-byte vectors of C held in registers."""

    def __init__(self, context, builder, float_type, rows, vectors):
        self.context, self.builder, self.rows, self.vectors = context, builder, rows, vectors
        self.float_t = context.get_value_type(float_type)
        self.lanes = VECTOR_BYTES // context.get_abi_sizeof(self.float_t)
        self.vec_t, self.i64, self.i32 = ir.VectorType(self.float_t, self.lanes), ir.IntType(64), ir.IntType(32)
        suffix = f"v{self.lanes}{'f32' if self.float_t == ir.FloatType() else 'f64'}"
        self.fma = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(self.vec_t, [self.vec_t] * 3), f"llvm.fma.{suffix}")

    def data(self, ty, value):
        return self.context.make_array(ty)(self.context, self.builder, value=value)

    def vector(self, base, offset):
        """The vector at element ``offset`` of ``base``, as a pointer."""
        return self.builder.bitcast(self.builder.gep(base, [offset]), self.vec_t.as_pointer())

    def const(self, n):
        return ir.Constant(self.i64, n)

    def c_vectors(self, C, ldc):
        """Pointers to the tile's vectors of C, rows ldc elements apart."""
        b = self.builder
        return [[self.vector(C, b.add(b.mul(self.const(r), ldc), self.const(v * self.lanes)))
                 for v in range(self.vectors)] for r in range(self.rows)]

    def add_products(self, sums, A, a_row, a_k, P, p_row, K):
        """Emit: for k < K: sums[r][v] += A[r a_row + k a_k] * (vector v of P[k p_row:]);
        the new sums."""
        b, vec_t = self.builder, self.vec_t
        entry, loop = b.block, b.append_basic_block("tile.loop")
        body, done = b.append_basic_block("tile.body"), b.append_basic_block("tile.done")
        b.branch(loop)
        b.position_at_end(loop)                              # k and the sums so far
        k = b.phi(self.i64)
        k.add_incoming(self.const(0), entry)
        phis = [[b.phi(vec_t) for _ in range(self.vectors)] for _ in range(self.rows)]
        for r in range(self.rows):
            for v in range(self.vectors):
                phis[r][v].add_incoming(sums[r][v], entry)
        b.cbranch(b.icmp_signed("<", k, K), body, done)
        b.position_at_end(body)                              # sums += A[:, k] P[k]
        row = b.mul(k, p_row)
        p_k = [b.load(self.vector(P, b.add(row, self.const(v * self.lanes))), align=1)
               for v in range(self.vectors)]
        zeros = ir.Constant(ir.VectorType(self.i32, self.lanes), [0] * self.lanes)
        new = []
        for r in range(self.rows):
            a_rk = b.load(b.gep(A, [b.add(b.mul(self.const(r), a_row), b.mul(k, a_k))]))
            a_rk = b.insert_element(ir.Constant(vec_t, ir.Undefined), a_rk, ir.Constant(self.i32, 0))
            a_rk = b.shuffle_vector(a_rk, ir.Constant(vec_t, ir.Undefined), zeros)
            new.append([b.call(self.fma, [a_rk, p_k[v], phis[r][v]]) for v in range(self.vectors)])
        k.add_incoming(b.add(k, self.const(1)), b.block)
        for r in range(self.rows):
            for v in range(self.vectors):
                phis[r][v].add_incoming(new[r][v], b.block)
        b.branch(loop)
        b.position_at_end(done)
        return phis


def _tile_kernel(rows, vectors):
    """An intrinsic tile(a, a_row, a_k, panel, p_row, c, ldc): c[r, :n] += sum_k a[r, k]
    panel[k, :n] for r < ``rows``, k < panel.shape[0], n the columns of ``vectors`` 64-byte
    vectors; a[r, k] is at a_row r + a_k k, panel's rows are p_row apart and c's ldc (all
    in elements; rows contiguous for n columns).

    The loop over k keeps rows x vectors vectors of c in registers, each updated by one
    fused multiply-add per k (a[r, k] broadcast, times a vector of the panel's row k):
    the sum over k runs in order for every entry."""
    @intrinsic
    def tile(typingctx, a, a_row, a_k, panel, p_row, c, ldc):
        def codegen(context, builder, signature, args):
            a_arr, a_row_v, a_k_v, panel_arr, p_row_v, c_arr, ldc_v = args
            a_ty, _, _, panel_ty, _, c_ty, _ = signature.args
            t = _Tile(context, builder, a_ty.dtype, rows, vectors)
            P = t.data(panel_ty, panel_arr)
            c = t.c_vectors(t.data(c_ty, c_arr).data, ldc_v)
            sums = [[builder.load(c[r][v], align=1) for v in range(vectors)] for r in range(rows)]
            sums = t.add_products(sums, t.data(a_ty, a_arr).data, a_row_v, a_k_v, P.data, p_row_v,
                                  builder.extract_value(P.shape, 0))
            for r in range(rows):
                for v in range(vectors):
                    builder.store(sums[r][v], c[r][v], align=1)
            return context.get_dummy_value()
        return types.void(a, a_row, a_k, panel, p_row, c, ldc), codegen
    return tile


_tile_of_rows, _tile_of_a_row = _tile_kernel(MR, VECTORS), _tile_kernel(1, VECTORS)
_tile_of_4_rows = _tile_kernel(4, VECTORS)
# for the small layers' columns of 16: 8 rows x one vector of float32, 4 x two of float64
_tile_of_8_rows_1, _tile_of_a_row_1 = _tile_kernel(8, 1), _tile_kernel(1, 1)


@numba.njit(inline="always")
def _add_tile(a, panel, c, rows):
    """c[:rows] += a[:rows] @ panel: MR rows at once, or fewer as 4 and then one by one
    (three kernels rather than one per row count: each is compiled into every caller,
    and compiling took most of the first call's time); a may have any strides (a
    transposed view, say), c's rows must be contiguous."""
    a_row, a_k = np.int64(a.strides[0] // a.itemsize), np.int64(a.strides[1] // a.itemsize)
    p_row, ldc = np.int64(_stride(panel)), np.int64(_stride(c))
    if rows == MR:
        _tile_of_rows(a, a_row, a_k, panel, p_row, c, ldc)
        return
    r = 0
    if rows >= 4:
        _tile_of_4_rows(a, a_row, a_k, panel, p_row, c, ldc)
        r = 4
    for r in range(r, rows):
        _tile_of_a_row(a[r:], a_row, a_k, panel, p_row, c[r:], ldc)


@numba.njit(**JIT)
def pack(U, panels):
    """panels[p, k, j] = U[k, p NR + j] (zero past U's last column): U (K, N) laid out as
    (ceil(N / NR), K, NR) panels of NR = panel_width columns."""
    K, N = U.shape
    NR = panels.shape[2]
    for p in range(panels.shape[0]):
        for k in range(K):
            for j in range(NR):
                col = p * NR + j
                panels[p, k, j] = U[k, col] if col < N else 0.0


@numba.njit(**JIT)
def add_product(A, panels, C, tile):
    """C += A @ U for U packed into ``panels`` (see :func:`pack`): A (M, K) with any strides,
    C (M, N) with contiguous rows; ``tile`` (MR, NR) is scratch for C's last, narrower
    panel. Each entry of C gets its K terms added one by one in order (so a product cut
    into ranges of k, done range after range, gives the same bits)."""
    M, N = C.shape
    NR = panels.shape[2]
    for p in range(panels.shape[0]):
        c0 = p * NR
        whole = c0 + NR <= N
        for m0 in range(0, M, MR):
            rows = min(MR, M - m0)
            if whole:
                _add_tile(A[m0:], panels[p], C[m0:, c0:], rows)
            else:                                    # through the scratch tile
                cols = N - c0
                tile[:rows, :cols] = C[m0:m0 + rows, c0:]
                tile[:rows, cols:] = 0.0
                _add_tile(A[m0:], panels[p], tile, rows)
                C[m0:m0 + rows, c0:] = tile[:rows, :cols]



COLUMNS = 16      # the small layers' column panels: one vector of float32, two of float64


@numba.njit(**JIT)
def add_product_columns(A, X, C, start, n):
    """C[:, b] += sum_k A[:, k] X[k, b] for the n columns b from ``start`` on (a multiple of
    COLUMNS): A (R, K), X (K, B), C (R, B) with contiguous rows. X is read in place as
    panels of 32 columns (two vectors of float32) or 16 (two of float64; one of float32
    for the last 16 of an odd count), 8 rows of C at a time: 16 sums in registers, 8 in
    the float32 panels of 16."""
    R = C.shape[0]
    a_k = np.int64(1)
    a_row, p_row, ldc = np.int64(_stride(A)), np.int64(_stride(X)), np.int64(_stride(C))
    c0, stop = start, start + n
    while c0 < stop:
        single = C.itemsize == 4 and c0 + 2 * COLUMNS > stop          # float32, 16 columns
        width = COLUMNS if single or C.itemsize == 8 else 2 * COLUMNS
        panel = X[:, c0:c0 + width]
        r = 0
        while r + 8 <= R:
            if single:
                _tile_of_8_rows_1(A[r:], a_row, a_k, panel, p_row, C[r:, c0:], ldc)
            else:
                _tile_of_rows(A[r:], a_row, a_k, panel, p_row, C[r:, c0:], ldc)
            r += 8
        if not single and r + 4 <= R:
            _tile_of_4_rows(A[r:], a_row, a_k, panel, p_row, C[r:, c0:], ldc)
            r += 4
        while r < R:
            if single:
                _tile_of_a_row_1(A[r:], a_row, a_k, panel, p_row, C[r:, c0:], ldc)
            else:
                _tile_of_a_row(A[r:], a_row, a_k, panel, p_row, C[r:, c0:], ldc)
            r += 1
        c0 += width
