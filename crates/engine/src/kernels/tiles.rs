//! The interleaved weight layout and its AVX2 kernels: 16 weight rows per tile, so one 256-bit register holds the
//! same few columns of 8 rows and each activation value is broadcast against all of them (an outer product, as in
//! candle's repacked k-quant kernels and llama.cpp's repacked Q4_0), instead of a dot product per row that ends in
//! a horizontal sum and a scale per 32 values per row.
//!
//! A tile is exactly as large as the 16 rows' blocks it is made from (the same bytes, reordered), so packing at
//! load costs no memory beyond the file's size; Q4_K's 256-value blocks become 8 tiles of 32 columns with the
//! sub-block scales multiplied out (a third larger). Weights are unsigned where they can be (Q4_1 nibbles, Q5_0 values
//! `0..32`) with the offset applied through the activations' block sums; Q8_0 moves its signs onto the
//! activations, as the row kernel does.
//!
//! The byte products are summed with AVX2's `maddubs`/`madd` pairs, or with one `vpdpbusd` where the processor has
//! VNNI ([`Dot`]): the same loops are compiled once per instruction set and chosen at run time. Under AVX-512's
//! encoding 32 vector registers hold the accumulators of eight activation rows, so each unpacked weight register is
//! used twice as often (measured here, 896x4864 at 128 rows: Q5_0 5.1 -> 2.8 ms, Q8_0 3.7 -> 2.5 ms, Q4_1 3.0 ->
//! 2.3 ms against AVX2; eight rows on AVX2's 16 registers were slower).
//!
//! SAFETY, for every `unsafe` block here: this module is compiled only when the whole build targets AVX2, FMA and
//! F16C (see its `mod` line), so those intrinsics are available, and VNNI's run only in functions [`matmul`] enters
//! after checking the processor has them; every load reads bytes inside the array it names
//! (offsets are bounded by the tile's fixed sizes).

use std::arch::x86_64::*;
use std::ops::Range;

use candle_core::{Result, bail};

use super::{Act, DotProduct, Output, Q4_1, Q4K, Q5_0, Q8_0, QK, QK_K, half};

/// Weight rows per tile: two 8-lane registers.
pub(super) const TILE_N: usize = 16;

/// Activation rows multiplied together against each tile (the prefill tile).
const MT: usize = 4;

/// A tile of 16 rows for one 32-column block, built from those rows' blocks.
pub(super) trait Tile: Sized + Send + Sync {
    /// The GGUF block type it is made from.
    type Block: Copy + Send + Sync + 'static;
    /// Tiles per block: 1, or 8 for the 256-value k-quant blocks.
    const PER_BLOCK: usize = 1;
    /// Interleaves 32-column part `part` of the blocks of 16 consecutive rows.
    fn pack(rows: [&Self::Block; TILE_N], part: usize) -> Self;
    /// Adds the products of the tile's rows `8h..8h + 8` in this block with `R` activation blocks to `acc[r]`.
    fn multiply<D: Dot, const R: usize>(&self, h: usize, acts: [&Act; R], acc: &mut [__m256; R]);
}

/// How products of unsigned bytes (weights) with signed bytes (activations) are summed into 32-bit lanes: AVX2's
/// two multiply-adds, or VNNI's one instruction. Both sum exactly, so the kernels give the same bits either way.
pub(super) trait Dot {
    /// `acc` plus, in each 32-bit lane, the four products of that lane's bytes of `u` and `s`.
    fn dot(acc: __m256i, u: __m256i, s: __m256i) -> __m256i;
    /// `acc` plus the products of `u1` with `s1` and of `u2` with `s2`, in 32-bit lanes.
    fn pair(acc: __m256i, u1: __m256i, s1: __m256i, u2: __m256i, s2: __m256i) -> __m256i;
    /// As [`Dot::pair`] for nibble weights (below 16) into an accumulator that [`Dot::finish`] turns into 32-bit
    /// sums: AVX2 keeps a block's products in 16-bit sums and widens them once.
    fn partial(acc: __m256i, u1: __m256i, s1: __m256i, u2: __m256i, s2: __m256i) -> __m256i;
    /// The 32-bit sums of a [`Dot::partial`] accumulator.
    fn finish(acc: __m256i) -> __m256i;
    /// Activation rows the kernel takes at a time: 8 where 32 vector registers hold their accumulators (AVX-512's
    /// encoding), [`MT`] otherwise.
    const ROWS: usize = MT;
}

/// AVX2: `maddubs` multiplies byte pairs into 16-bit sums, `madd` with ones widens them.
pub(super) struct Avx2;

impl Avx2 {
    #[inline(always)]
    fn products(u1: __m256i, s1: __m256i, u2: __m256i, s2: __m256i) -> __m256i {
        unsafe { _mm256_add_epi16(_mm256_maddubs_epi16(u1, s1), _mm256_maddubs_epi16(u2, s2)) }
    }
}

impl Dot for Avx2 {
    #[inline(always)]
    fn dot(acc: __m256i, u: __m256i, s: __m256i) -> __m256i {
        unsafe { _mm256_add_epi32(acc, Self::finish(_mm256_maddubs_epi16(u, s))) }
    }

    #[inline(always)]
    fn pair(acc: __m256i, u1: __m256i, s1: __m256i, u2: __m256i, s2: __m256i) -> __m256i {
        unsafe { _mm256_add_epi32(acc, Self::finish(Self::products(u1, s1, u2, s2))) }
    }

    #[inline(always)]
    fn partial(acc: __m256i, u1: __m256i, s1: __m256i, u2: __m256i, s2: __m256i) -> __m256i {
        unsafe { _mm256_add_epi16(acc, Self::products(u1, s1, u2, s2)) }
    }

    #[inline(always)]
    fn finish(acc: __m256i) -> __m256i {
        unsafe { _mm256_madd_epi16(acc, _mm256_set1_epi16(1)) }
    }
}

/// VNNI's `vpdpbusd`, in its AVX-VNNI (VEX) or AVX-512 VNNI (EVEX, 256-bit) encoding. Used only inside
/// [`matmul`]'s functions compiled for that instruction set, which run only where the processor has it.
macro_rules! vnni {
    ($name:ident, $instruction:ident, $rows:expr) => {
        pub(super) struct $name;

        impl Dot for $name {
            const ROWS: usize = $rows;

            #[inline(always)]
            fn dot(acc: __m256i, u: __m256i, s: __m256i) -> __m256i {
                // SAFETY: see the type's doc: only reached from code compiled and dispatched for the instruction.
                unsafe { $instruction(acc, u, s) }
            }

            #[inline(always)]
            fn pair(acc: __m256i, u1: __m256i, s1: __m256i, u2: __m256i, s2: __m256i) -> __m256i {
                Self::dot(Self::dot(acc, u1, s1), u2, s2)
            }

            #[inline(always)]
            fn partial(acc: __m256i, u1: __m256i, s1: __m256i, u2: __m256i, s2: __m256i) -> __m256i {
                Self::pair(acc, u1, s1, u2, s2)
            }

            #[inline(always)]
            fn finish(acc: __m256i) -> __m256i {
                acc
            }
        }
    };
}

vnni!(AvxVnni, _mm256_dpbusd_avx_epi32, MT);
vnni!(Avx512Vnni, _mm256_dpbusd_epi32, 2 * MT);

/// Q8_0: 8 groups of 4 columns; each group holds 4 bytes of each of the 16 rows.
#[derive(Clone, Copy)]
#[repr(C)]
pub(super) struct TileQ8_0 {
    d: [u16; TILE_N],
    /// Signed bytes, stored as `u8`.
    qs: [u8; QK * TILE_N],
}

/// Q5_0: 4 groups of 8 columns, 4 bytes per row, byte `j` holding column `4g + j` in its low nibble and
/// `16 + 4g + j` in its high one; each row's 32 fifth bits as stored (the kernel spreads them over byte lanes, so
/// packing only copies them).
#[derive(Clone, Copy)]
#[repr(C)]
pub(super) struct TileQ5_0 {
    d: [u16; TILE_N],
    qh: [u32; TILE_N],
    qs: [u8; QK / 2 * TILE_N],
}

/// Q4_1: the nibbles laid out as Q5_0's, with each row's scale and minimum.
#[derive(Clone, Copy)]
#[repr(C)]
pub(super) struct TileQ4_1 {
    d: [u16; TILE_N],
    m: [u16; TILE_N],
    qs: [u8; QK / 2 * TILE_N],
}

/// Q4_K, one 32-value sub-block: the nibbles laid out as Q4_1's, with each row's scale `d * sc` and minimum
/// `dmin * m` as f32 (exact: an f16 times a 6-bit integer), 33% larger than the blocks.
#[derive(Clone, Copy)]
#[repr(C)]
pub(super) struct TileQ4K {
    d: [f32; TILE_N],
    m: [f32; TILE_N],
    qs: [u8; QK / 2 * TILE_N],
}

const _: () = assert!(
    size_of::<TileQ8_0>() == 16 * size_of::<Q8_0>()
        && size_of::<TileQ5_0>() == 16 * size_of::<Q5_0>()
        && size_of::<TileQ4_1>() == 16 * size_of::<Q4_1>()
        // Per 8 tiles, against 16 blocks of 144 bytes.
        && size_of::<TileQ4K>() * 8 == 3072
);

/// Interleaves 16 rows' quant bytes 4 at a time: group `g` of `out` holds bytes `4g..4g + 4` of each row in turn,
/// so one 32-byte load is one group of 8 rows. For nibble types group `g` thus holds columns `4g..4g + 4` in its
/// low nibbles and `16 + 4g..16 + 4g + 4` in its high ones, as the blocks store them.
fn interleave<const N: usize>(rows: [&[u8; N]; TILE_N], out: &mut [u8]) {
    assert_eq!(out.len(), N * TILE_N, "interleave sizes");
    for g in 0..N / 4 {
        for (r, row) in rows.iter().enumerate() {
            out[(g * TILE_N + r) * 4..][..4].copy_from_slice(&row[4 * g..4 * g + 4]);
        }
    }
}

impl Tile for TileQ8_0 {
    type Block = Q8_0;

    fn pack(rows: [&Q8_0; TILE_N], _: usize) -> Self {
        let bytes = rows.map(|b| b.qs.map(|q| q as u8));
        let mut qs = [0; QK * TILE_N];
        interleave(bytes.each_ref(), &mut qs);
        Self { d: rows.map(|b| b.d), qs }
    }

    #[inline(always)]
    fn multiply<D: Dot, const R: usize>(&self, h: usize, acts: [&Act; R], acc: &mut [__m256; R]) {
        unsafe {
            let mut sums = [_mm256_setzero_si256(); R];
            for g in 0..8 {
                let w = _mm256_loadu_si256(self.qs.as_ptr().add((g * TILE_N + h * 8) * 4).cast());
                // The products take unsigned weights and signed activations: move the weights' signs onto the
                // activations.
                let x = _mm256_sign_epi8(w, w);
                for r in 0..R {
                    sums[r] = D::dot(sums[r], x, _mm256_sign_epi8(broadcast(&acts[r].qs, 4 * g), w));
                }
            }
            let d = scales(&self.d, h);
            for r in 0..R {
                let scale = _mm256_mul_ps(d, _mm256_set1_ps(acts[r].d));
                acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(sums[r]), scale, acc[r]);
            }
        }
    }
}

impl Tile for TileQ5_0 {
    type Block = Q5_0;

    fn pack(rows: [&Q5_0; TILE_N], _: usize) -> Self {
        let mut qs = [0; QK / 2 * TILE_N];
        interleave(rows.map(|b| &b.qs), &mut qs);
        Self { d: rows.map(|b| b.d), qh: rows.map(|b| u32::from_le_bytes(b.qh)), qs }
    }

    #[inline(always)]
    fn multiply<D: Dot, const R: usize>(&self, h: usize, acts: [&Act; R], acc: &mut [__m256; R]) {
        unsafe {
            let (low, fifth) = (_mm256_set1_epi8(0x0F), _mm256_set1_epi8(0x10));
            // Lane r: the fifth bits of row 8h + r. Byte j of lane r (the row's column 4g + j, or 16 + 4g + j)
            // gets 0x10 where bit 16 part + 4g + j is set: the lane's bits shifted down, its low byte copied to
            // its four bytes, and bit j of byte j tested.
            let rows = _mm256_loadu_si256(self.qh.as_ptr().add(h * 8).cast());
            let lanes = _mm256_setr_epi8(
                0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8, 12, 12, 12, 12, 0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8, 12, 12, 12, 12,
            );
            let others = _mm256_set1_epi32(0xF7FBFDFE_u32 as i32);
            let mut sums = [_mm256_setzero_si256(); R];
            for g in 0..4 {
                let w = _mm256_loadu_si256(self.qs.as_ptr().add((g * TILE_N + h * 8) * 4).cast());
                let bits = |part: usize| {
                    let shifted = _mm256_srl_epi32(rows, _mm_cvtsi32_si128((16 * part + 4 * g) as i32));
                    let set = _mm256_or_si256(_mm256_shuffle_epi8(shifted, lanes), others);
                    _mm256_and_si256(_mm256_cmpeq_epi8(set, _mm256_set1_epi8(-1)), fifth)
                };
                let lo = _mm256_or_si256(_mm256_and_si256(w, low), bits(0));
                let hi = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16::<4>(w), low), bits(1));
                for r in 0..R {
                    // Four products of values below 32 with bytes of at most 127 fit AVX2's 16-bit sums.
                    let (a, b) = (broadcast(&acts[r].qs, 4 * g), broadcast(&acts[r].qs, 16 + 4 * g));
                    sums[r] = D::pair(sums[r], lo, a, hi, b);
                }
            }
            let d = scales(&self.d, h);
            for r in 0..R {
                // The stored values are the weights plus 16: take 16 times the activations' sum back off.
                let exact = _mm256_sub_ps(_mm256_cvtepi32_ps(sums[r]), _mm256_set1_ps(16.0 * acts[r].sum));
                acc[r] = _mm256_fmadd_ps(exact, _mm256_mul_ps(d, _mm256_set1_ps(acts[r].d)), acc[r]);
            }
        }
    }
}

impl Tile for TileQ4_1 {
    type Block = Q4_1;

    fn pack(rows: [&Q4_1; TILE_N], _: usize) -> Self {
        let mut qs = [0; QK / 2 * TILE_N];
        interleave(rows.map(|b| &b.qs), &mut qs);
        Self { d: rows.map(|b| b.d), m: rows.map(|b| b.m), qs }
    }

    #[inline(always)]
    fn multiply<D: Dot, const R: usize>(&self, h: usize, acts: [&Act; R], acc: &mut [__m256; R]) {
        let sums = nibble_sums::<D, R>(&self.qs, h, acts);
        unsafe {
            let (d, m) = (scales(&self.d, h), scales(&self.m, h));
            for r in 0..R {
                let scaled = _mm256_fmadd_ps(sums[r], _mm256_mul_ps(d, _mm256_set1_ps(acts[r].d)), acc[r]);
                acc[r] = _mm256_fmadd_ps(m, _mm256_set1_ps(acts[r].s), scaled);
            }
        }
    }
}

/// The products of rows `8h..8h + 8` of a Q4_1-layout nibble tile with `R` activation blocks, per row.
#[inline(always)]
fn nibble_sums<D: Dot, const R: usize>(qs: &[u8; QK / 2 * TILE_N], h: usize, acts: [&Act; R]) -> [__m256; R] {
    unsafe {
        let low = _mm256_set1_epi8(0x0F);
        // 16 products of nibbles with bytes of at most 127 fit AVX2's 16-bit sums (15 * 127 * 16 < 32768).
        let mut sums = [_mm256_setzero_si256(); R];
        for g in 0..4 {
            let w = _mm256_loadu_si256(qs.as_ptr().add((g * TILE_N + h * 8) * 4).cast());
            let lo = _mm256_and_si256(w, low);
            let hi = _mm256_and_si256(_mm256_srli_epi16::<4>(w), low);
            for r in 0..R {
                let (a, b) = (broadcast(&acts[r].qs, 4 * g), broadcast(&acts[r].qs, 16 + 4 * g));
                sums[r] = D::partial(sums[r], lo, a, hi, b);
            }
        }
        sums.map(|s| _mm256_cvtepi32_ps(D::finish(s)))
    }
}

/// 32 values as a nibble block lays them out: value `i` in the low nibble of byte `i`, value `16 + i` in the high.
fn nibble_block(values: impl Fn(usize) -> u8) -> [u8; QK / 2] {
    std::array::from_fn(|i| values(i) | (values(16 + i) << 4))
}

/// Q4_K's 6-bit scale and minimum of sub-block `j` (ggml's `get_scale_min_k4`).
fn scale_min(j: usize, q: &[u8; 12]) -> (u8, u8) {
    if j < 4 {
        (q[j] & 63, q[j + 4] & 63)
    } else {
        ((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4))
    }
}

impl Tile for TileQ4K {
    type Block = Q4K;
    const PER_BLOCK: usize = QK_K / QK;

    fn pack(rows: [&Q4K; TILE_N], part: usize) -> Self {
        // Sub-blocks 2c and 2c + 1 are the low and high nibbles of bytes 32c..32c + 32.
        let nibbles = rows.map(|b| {
            let bytes = &b.qs[32 * (part / 2)..][..32];
            nibble_block(|i| if part.is_multiple_of(2) { bytes[i] & 0x0F } else { bytes[i] >> 4 })
        });
        let mut qs = [0; QK / 2 * TILE_N];
        interleave(nibbles.each_ref(), &mut qs);
        let scale_mins = rows.map(|b| scale_min(part, &b.scales));
        Self {
            d: std::array::from_fn(|r| half(rows[r].d) * f32::from(scale_mins[r].0)),
            m: std::array::from_fn(|r| half(rows[r].dmin) * f32::from(scale_mins[r].1)),
            qs,
        }
    }

    #[inline(always)]
    fn multiply<D: Dot, const R: usize>(&self, h: usize, acts: [&Act; R], acc: &mut [__m256; R]) {
        let sums = nibble_sums::<D, R>(&self.qs, h, acts);
        unsafe {
            let d = _mm256_loadu_ps(self.d[h * 8..].as_ptr());
            let m = _mm256_loadu_ps(self.m[h * 8..].as_ptr());
            for r in 0..R {
                let scaled = _mm256_fmadd_ps(sums[r], _mm256_mul_ps(d, _mm256_set1_ps(acts[r].d)), acc[r]);
                acc[r] = _mm256_fnmadd_ps(m, _mm256_set1_ps(acts[r].d * acts[r].sum), scaled);
            }
        }
    }
}

/// Four activation bytes from `at`, repeated in every 32-bit lane.
#[inline(always)]
fn broadcast(qs: &[i8; QK], at: usize) -> __m256i {
    let four = [qs[at], qs[at + 1], qs[at + 2], qs[at + 3]];
    unsafe { _mm256_set1_epi32(i32::from_le_bytes(four.map(|b| b as u8))) }
}

/// Rows `8h..8h+8` of 16 f16 values as f32.
#[inline(always)]
fn scales(halves: &[u16; TILE_N], h: usize) -> __m256 {
    unsafe { _mm256_cvtph_ps(_mm_loadu_si128(halves[h * 8..].as_ptr().cast())) }
}

/// The tiles of an `(n, k)` weight from its row-major blocks: tile `t`'s column blocks follow one another. Packed
/// on candle's worker pool (this is most of the work of loading a model).
pub(super) fn pack<T: Tile>(blocks: &[T::Block], n: usize, k: usize) -> Result<Vec<T>> {
    let kb = k / QK;
    let row_blocks = kb / T::PER_BLOCK;
    let len = n / TILE_N * kb;
    if !n.is_multiple_of(TILE_N) || !k.is_multiple_of(QK * T::PER_BLOCK) || blocks.len() != n * row_blocks {
        bail!("cannot pack {} blocks as a {n} x {k} weight", blocks.len())
    }
    let mut tiles = Vec::<T>::with_capacity(len);
    let dst = Filling(tiles.as_mut_ptr());
    candle_core::utils::barrier_pool().execute_chunked(n / TILE_N, |range| {
        for t in range {
            for b in 0..kb {
                let rows = std::array::from_fn(|r| &blocks[(t * TILE_N + r) * row_blocks + b / T::PER_BLOCK]);
                let tile = T::pack(rows, b % T::PER_BLOCK);
                // SAFETY: `t * kb + b < len`, the capacity; each index is written by the one worker given `t`.
                unsafe { dst.at(t * kb + b).write(tile) };
            }
        }
    });
    // SAFETY: `execute_chunked` returns after every work item, so all `len` tiles are written.
    unsafe { tiles.set_len(len) };
    Ok(tiles)
}

/// The buffer [`pack`]'s workers fill, each at its own indices.
struct Filling<T>(*mut T);
// SAFETY: workers write disjoint elements, and `pack` does not return before they finish.
unsafe impl<T: Send> Sync for Filling<T> {}

impl<T> Filling<T> {
    /// Where element `i` goes.
    fn at(&self, i: usize) -> *mut T {
        // SAFETY (of the pointer arithmetic): callers pass `i` within the buffer.
        unsafe { self.0.add(i) }
    }
}

/// `dst (m × n) = acts (m × k) · weightsᵀ` for a packed weight, on candle's worker pool, summing products with
/// `dot`'s instructions; each work item is a run of tiles, which stay in cache while every activation row passes
/// over them.
pub(super) fn matmul<T: Tile>(
    tiles: &[T],
    acts: &[Act],
    (m, k, n): (usize, usize, usize),
    dst: &mut [f32],
    dot: DotProduct,
) {
    let kb = k / QK;
    assert!(tiles.len() * TILE_N == n * kb && acts.len() == m * kb && dst.len() == m * n, "matmul sizes");
    assert!(dot.is_available(), "{dot:?} is not available on this processor");
    let out = Output(dst.as_mut_ptr(), n);
    candle_core::utils::barrier_pool().execute_chunked(n / TILE_N, |range| match dot {
        DotProduct::Avx2 => run::<T, Avx2>(tiles, acts, (m, kb), range, out),
        // SAFETY: the processor has the instructions (asserted above).
        DotProduct::AvxVnni => unsafe { run_avx_vnni(tiles, acts, (m, kb), range, out) },
        DotProduct::Avx512Vnni => unsafe { run_avx512_vnni(tiles, acts, (m, kb), range, out) },
    });
}

/// [`run`] compiled for AVX-VNNI.
#[target_feature(enable = "avxvnni")]
unsafe fn run_avx_vnni<T: Tile>(tiles: &[T], acts: &[Act], mkb: (usize, usize), range: Range<usize>, out: Output) {
    run::<T, AvxVnni>(tiles, acts, mkb, range, out)
}

/// [`run`] compiled for AVX-512 VNNI on 256-bit registers.
#[target_feature(enable = "avx512vnni,avx512vl")]
unsafe fn run_avx512_vnni<T: Tile>(tiles: &[T], acts: &[Act], mkb: (usize, usize), range: Range<usize>, out: Output) {
    run::<T, Avx512Vnni>(tiles, acts, mkb, range, out)
}

/// Every one of the `m` activation rows (of `kb` blocks) against the tiles `range` (one work item), `MT` rows at a
/// time.
#[inline(always)]
fn run<T: Tile, D: Dot>(tiles: &[T], acts: &[Act], (m, kb): (usize, usize), range: Range<usize>, out: Output) {
    for t in range {
        let tile = &tiles[t * kb..(t + 1) * kb];
        let mut i = 0;
        while D::ROWS == 2 * MT && i + 2 * MT <= m {
            rows::<T, D, { 2 * MT }>(tile, acts, i, t, out);
            i += 2 * MT;
        }
        while i + MT <= m {
            rows::<T, D, MT>(tile, acts, i, t, out);
            i += MT;
        }
        match m - i {
            0 => {}
            1 => rows::<T, D, 1>(tile, acts, i, t, out),
            2 => rows::<T, D, 2>(tile, acts, i, t, out),
            _ => rows::<T, D, 3>(tile, acts, i, t, out),
        }
    }
}

/// Activation rows `i..i + R` against tile `t`'s column blocks `tile`, written to the output's columns of tile `t`.
#[inline(always)]
fn rows<T: Tile, D: Dot, const R: usize>(tile: &[T], acts: &[Act], i: usize, t: usize, out: Output) {
    let kb = tile.len();
    // One half of the tile at a time keeps the accumulators in registers.
    for h in 0..2 {
        let mut acc = [unsafe { _mm256_setzero_ps() }; R];
        for (b, block) in tile.iter().enumerate() {
            block.multiply::<D, R>(h, std::array::from_fn(|r| &acts[(i + r) * kb + b]), &mut acc);
        }
        for (r, sums) in acc.iter().enumerate() {
            let mut values = [0f32; 8];
            unsafe { _mm256_storeu_ps(values.as_mut_ptr(), *sums) };
            out.write(i + r, t * TILE_N + h * 8, &values);
        }
    }
}
