//! Quantised matrix products and embedding lookups that run on the GGUF blocks as stored.
//!
//! candle 0.11 multiplies Q5_0 and Q4_1 weights with scalar code; most of Qwen2.5 0.5B (Q5_0 wherever a row of
//! 896 values cannot hold 256-value k-quant blocks) and all of SmolLM2's layers (Q4_1) are such weights. Here
//! they and Q8_0 are multiplied against activations quantised per 32 values exactly as ggml's Q8_0/Q8_1 are, and
//! the k-quants Q4_K and Q6_K against activations quantised per 256 as ggml's Q8_K (so the integer sums equal
//! candle's and llama.cpp's), on candle's own worker pool. A decoder's layers are packed at load into tiles of 16
//! interleaved rows for the tile kernel (`kernels/tiles.rs`: an outer product, four activation rows at a time, or
//! eight with AVX-512, summing byte products with VNNI's `vpdpbusd` where the processor has it, on 512-bit
//! registers where it has AVX-512: [`DotProduct`]). A 32-value type's weight that only ever meets one row (an output head, often the embedding
//! table itself) stays as stored, for a dot product per row; k-quant heads are packed too (at one row the Q6_K
//! tiles are 2.2x candle's speed, criterion, 4864x896). Shapes the tiles do not fit, and other types, go through
//! candle's `QMatMul`.
//!
//! The embedding table stays quantised too: each token's row is dequantised when it is looked up, instead of the
//! whole table at load (for Qwen2.5 0.5B that table is 545 MB as f32).
//!
//! Weights these kernels read can be memory-mapped from the model file ([`Weight::mapped`]) instead of copied:
//! rows stay mapped (read as used, shared with the operating system's file cache); tiles are packed from the
//! mapped bytes, which are then released, so the process holds each weight once.
//!
//! Every `unsafe` block says why it is sound (the workspace's `clippy::undocumented_unsafe_blocks`); the build
//! condition the AVX2 code needs is named once, `tend_avx2` (the engine's build script).

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use candle_core::quantized::k_quants::{self, GgmlType};
use candle_core::quantized::{GgmlDType, QMatMul, QTensor};
use candle_core::{CpuStorage, CustomOp1, Device, Layout, Module, Result, Shape, Tensor, bail};
use half::f16;
use memmap2::Mmap;

/// Values per block for the types this module multiplies itself.
const QK: usize = 32;

/// 32 activations quantised to 8 bits: `x ≈ d * q`. The scale is rounded through f16 as ggml stores it, `s` is
/// ggml's Q8_1 sum `d * Σq` (used by weights with an offset) and `sum` is `Σq` exactly.
#[derive(Clone, Copy)]
#[repr(C)]
struct Act {
    qs: [i8; QK],
    d: f32,
    s: f32,
    sum: f32,
}

/// 256 activations quantised to 8 bits with one f32 scale, as ggml's Q8_K (what ggml and candle multiply the
/// k-quants against): `x ≈ d * q`, with the sums of `q` per 16 values (Q6_K's sub-blocks) and per 32 (Q4_K's).
#[cfg_attr(not(tend_avx2), allow(dead_code))]
#[derive(Clone, Copy)]
#[repr(C)]
struct ActK {
    qs: [i8; QK_K],
    d: f32,
    sums16: [i16; QK_K / 16],
    sums32: [i16; QK_K / QK],
}

/// A block of quantised activations: the values it covers, and how it is made from them.
trait Quantised: Copy + Send + Sync {
    /// Values per block.
    const VALUES: usize;
    /// The block of `VALUES` values.
    fn quantize(x: &[f32]) -> Self;
}

/// A GGUF weight block of 32 values, viewed in place.
trait Block: Copy + Send + Sync + 'static {
    /// Whether a value is `d * q + m` (so a dot product needs the activations' sums), rather than `d * q`.
    const OFFSET: bool;
    /// The scale `d`.
    fn scale(&self) -> f32;
    /// The offset `m` (zero for symmetric types).
    fn offset(&self) -> f32 {
        0.0
    }
    /// The 32 quantised values in order, signed for symmetric types and `0..16` for offset types (the portable
    /// dot products'; AVX2's unpack them in registers).
    fn values(&self) -> [i8; QK];
}

/// ggml's `block_q8_0`: f16 scale, 32 signed bytes.
#[derive(Clone, Copy)]
#[repr(C)]
struct Q8_0 {
    d: u16,
    qs: [i8; QK],
}

/// ggml's `block_q5_0`: f16 scale, the fifth bits, and 32 nibbles (values `0..32` minus 16).
#[derive(Clone, Copy)]
#[repr(C)]
struct Q5_0 {
    d: u16,
    qh: [u8; 4],
    qs: [u8; QK / 2],
}

/// ggml's `block_q4_1`: f16 scale and minimum, and 32 nibbles.
#[derive(Clone, Copy)]
#[repr(C)]
struct Q4_1 {
    d: u16,
    m: u16,
    qs: [u8; QK / 2],
}

/// Values per k-quant super-block.
const QK_K: usize = 256;

/// ggml's `block_q4_K`: f16 scale and minimum of the scales, 6-bit scales and minimums for 8 sub-blocks of 32,
/// and 256 nibbles (value `d * sc * q - dmin * m`).
#[cfg_attr(not(tend_avx2), allow(dead_code))]
#[derive(Clone, Copy)]
#[repr(C)]
struct Q4K {
    d: u16,
    dmin: u16,
    scales: [u8; 12],
    qs: [u8; QK_K / 2],
}

/// ggml's `block_q6_K`: the low nibbles and high two bits of 256 6-bit values `q`, 8-bit scales of 16-value
/// sub-blocks, and the f16 scale (value `d * scale * (q - 32)`).
#[cfg_attr(not(tend_avx2), allow(dead_code))]
#[derive(Clone, Copy)]
#[repr(C)]
struct Q6K {
    ql: [u8; QK_K / 2],
    qh: [u8; QK_K / 4],
    scales: [i8; QK_K / 16],
    d: u16,
}

const _: () = assert!(
    size_of::<Q8_0>() == 34
        && size_of::<Q5_0>() == 22
        && size_of::<Q4_1>() == 20
        && size_of::<Q4K>() == 144
        && size_of::<Q6K>() == 210
);

fn half(bits: u16) -> f32 {
    f16::from_bits(bits).to_f32()
}

impl Block for Q8_0 {
    const OFFSET: bool = false;
    fn scale(&self) -> f32 {
        half(self.d)
    }
    fn values(&self) -> [i8; QK] {
        self.qs
    }
}

impl Block for Q5_0 {
    const OFFSET: bool = false;
    fn scale(&self) -> f32 {
        half(self.d)
    }
    fn values(&self) -> [i8; QK] {
        let qh = u32::from_le_bytes(self.qh);
        std::array::from_fn(|j| {
            let nibble = if j < QK / 2 { self.qs[j] & 0x0F } else { self.qs[j - QK / 2] >> 4 };
            let high = ((qh >> j) & 1) as u8;
            (nibble | (high << 4)) as i8 - 16
        })
    }
}

impl Block for Q4_1 {
    const OFFSET: bool = true;
    fn scale(&self) -> f32 {
        half(self.d)
    }
    fn offset(&self) -> f32 {
        half(self.m)
    }
    fn values(&self) -> [i8; QK] {
        std::array::from_fn(|j| if j < QK / 2 { self.qs[j] & 0x0F } else { self.qs[j - QK / 2] >> 4 } as i8)
    }
}

/// Quantises each block of `xs` (as ggml's `quantize_row_q8_0`/`q8_1`/`q8_K` do); a prefill chunk's on
/// candle's worker pool (on one thread, it had taken a seventh of a 128-row, 4864-wide product's time).
fn quantize_activations<A: Quantised>(xs: &[f32]) -> Vec<A> {
    let blocks = xs.len() / A::VALUES;
    let block = |i: usize| A::quantize(&xs[i * A::VALUES..][..A::VALUES]);
    // Waking the pool costs more than quantising a decode step's row.
    match blocks * A::VALUES {
        0..65536 => (0..blocks).map(block).collect(),
        _ => parallel_map(blocks, 8192 / A::VALUES, block),
    }
}

/// The largest magnitude in `x`: eight independent maxima (one vector register) rather than one chain; the
/// magnitude is exact in any order.
fn largest(x: &[f32]) -> f32 {
    let mut lanes = [0f32; 8];
    for chunk in x.chunks_exact(8) {
        for (m, v) in lanes.iter_mut().zip(chunk) {
            *m = m.max(v.abs());
        }
    }
    lanes.iter().fold(0f32, |m, &v| m.max(v))
}

impl Quantised for Act {
    const VALUES: usize = QK;

    fn quantize(x: &[f32]) -> Act {
        let d = largest(x) / 127.0;
        let id = if d != 0.0 { 1.0 / d } else { 0.0 };
        let qs: [i8; QK] = std::array::from_fn(|j| round_half_away(x[j] * id) as i8);
        let sum = qs.iter().map(|&q| i32::from(q)).sum::<i32>();
        let d16 = f16::from_f32(d);
        Act { qs, d: d16.to_f32(), s: (f16::from_f32(sum as f32) * d16).to_f32(), sum: sum as f32 }
    }
}

impl Quantised for ActK {
    const VALUES: usize = QK_K;

    /// ggml's `quantize_row_q8_K` (as candle writes it): the scale maps the value of largest magnitude to -127.
    fn quantize(x: &[f32]) -> ActK {
        let amax = largest(x);
        let mut block = ActK { qs: [0; QK_K], d: 0.0, sums16: [0; QK_K / 16], sums32: [0; QK_K / QK] };
        if amax == 0.0 {
            return block;
        }
        let max = x.iter().copied().find(|v| v.abs() == amax).expect("the largest magnitude is one of the values");
        let iscale = -127.0 / max;
        block.qs = std::array::from_fn(|j| round_half_away(iscale * x[j]).clamp(-128.0, 127.0) as i8);
        let sum = |part: &[i8]| part.iter().map(|&q| i16::from(q)).sum::<i16>();
        block.sums16 = std::array::from_fn(|j| sum(&block.qs[16 * j..][..16]));
        block.sums32 = std::array::from_fn(|j| block.sums16[2 * j] + block.sums16[2 * j + 1]);
        block.d = 1.0 / iscale;
        block
    }
}

/// `v.round()` (halves away from zero, as C's `roundf` in ggml's reference), written so that it vectorises:
/// `f32::round` is a library call per value on x86, `trunc` one instruction, and `v - trunc(v)` is exact.
fn round_half_away(v: f32) -> f32 {
    let t = v.trunc();
    if (v - t).abs() >= 0.5 { t + 1f32.copysign(v) } else { t }
}

/// Whether the engine's kernels run on the calling thread alone ([`set_one_thread`]).
static ONE_THREAD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Makes the engine's kernels run on the calling thread alone (`true`) or on candle's worker pool (`false`, the
/// default). Beside a busy program, a pool waits at every operation for a worker the operating system has set
/// aside; one thread does not wait. The results are the same bits either way: each work item computes its own
/// outputs. Process-wide, like the pool.
pub fn set_one_thread(on: bool) {
    ONE_THREAD.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Whether the kernels run on one thread now ([`set_one_thread`]).
pub fn one_thread() -> bool {
    ONE_THREAD.load(std::sync::atomic::Ordering::Relaxed)
}

/// Runs `f` over `0..n` in chunks on candle's worker pool, or in one call on this thread under [`set_one_thread`].
fn execute_chunked(n: usize, f: impl Fn(Range<usize>) + Sync) {
    if one_thread() {
        if n > 0 {
            f(0..n);
        }
    } else {
        candle_core::utils::barrier_pool().execute_chunked(n, f);
    }
}

/// `(0..len).map(f)` collected, computed on candle's worker pool in runs of `run` consecutive indices (a run per
/// work item).
fn parallel_map<T: Send>(len: usize, run: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let mut out = Vec::<T>::with_capacity(len);
    let dst = Filling(out.as_mut_ptr());
    execute_chunked(len.div_ceil(run), |runs| {
        for i in runs.start * run..(runs.end * run).min(len) {
            let value = f(i);
            // SAFETY: `i < len`, the capacity, and each index belongs to the one work item given its run.
            #[allow(unsafe_code)]
            unsafe {
                dst.write(i, value)
            };
        }
    });
    // SAFETY: `execute_chunked` returns after every work item, so all `len` elements are written.
    #[allow(unsafe_code)]
    unsafe {
        out.set_len(len)
    };
    out
}

/// The buffer [`parallel_map`]'s workers fill, each at its own indices.
struct Filling<T>(*mut T);
// SAFETY: workers write disjoint elements, and `parallel_map` does not return before they finish.
#[allow(unsafe_code)]
unsafe impl<T: Send> Sync for Filling<T> {}

impl<T> Filling<T> {
    /// Writes element `i` (a method, so that closures capture the whole `Sync` wrapper).
    ///
    /// # Safety
    /// `i` is below the buffer's capacity, and no other thread writes or reads element `i` meanwhile.
    #[allow(unsafe_code)]
    unsafe fn write(&self, i: usize, value: T) {
        // SAFETY: in bounds and unshared, by the caller's contract.
        unsafe { self.0.add(i).write(value) }
    }
}

#[cfg(tend_avx2)]
mod simd {
    //! AVX2 versions of the dot products, after ggml's `ggml_vec_dot_q5_0_q8_0` and friends. This module is
    //! compiled only when the whole build targets AVX2, FMA and F16C (`tend_avx2`), so every processor it runs on
    //! has the instructions its intrinsics need.
    use std::arch::x86_64::*;

    use super::{Act, Block, Q4_1, Q5_0, Q8_0, QK};

    /// The block's values in one register, as [`Block::values`] gives them.
    pub(super) trait Unpack: Block {
        fn unpack(&self) -> __m256i;
    }

    /// Nibbles to bytes: low nibbles in bytes 0..16, high nibbles in 16..32.
    #[inline(always)]
    fn nibbles(qs: &[u8; QK / 2]) -> __m256i {
        // SAFETY: the build's instructions (module doc); the load reads the 16 bytes of `qs`.
        unsafe {
            let low = _mm_loadu_si128(qs.as_ptr().cast());
            let both = _mm256_insertf128_si256::<1>(_mm256_castsi128_si256(low), _mm_srli_epi16::<4>(low));
            _mm256_and_si256(both, _mm256_set1_epi8(0x0F))
        }
    }

    impl Unpack for Q8_0 {
        #[inline(always)]
        fn unpack(&self) -> __m256i {
            // SAFETY: the build's instructions (module doc); the load reads the 32 bytes of `qs`.
            unsafe { _mm256_loadu_si256(self.qs.as_ptr().cast()) }
        }
    }

    impl Unpack for Q4_1 {
        #[inline(always)]
        fn unpack(&self) -> __m256i {
            nibbles(&self.qs)
        }
    }

    impl Unpack for Q5_0 {
        #[inline(always)]
        fn unpack(&self) -> __m256i {
            let bits = byte_masks(u32::from_le_bytes(self.qh));
            // Where the fifth bit is clear the value is nibble - 16, i.e. the nibble with 0xF0 set.
            // SAFETY: register-only intrinsics of the build's instructions (module doc).
            unsafe { _mm256_or_si256(nibbles(&self.qs), _mm256_andnot_si256(bits, _mm256_set1_epi8(0xF0u8 as i8))) }
        }
    }

    /// 0xFF in byte lane `l` where bit `l` of `bits` is set (ggml's `bytes_from_bits_32`).
    #[inline(always)]
    fn byte_masks(bits: u32) -> __m256i {
        // SAFETY: register-only intrinsics of the build's instructions (module doc).
        unsafe {
            let spread = _mm256_shuffle_epi8(
                _mm256_set1_epi32(bits as i32),
                _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0),
            );
            _mm256_cmpeq_epi8(_mm256_or_si256(spread, _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe)), _mm256_set1_epi64x(-1))
        }
    }

    #[inline(always)]
    fn hsum(x: __m256) -> f32 {
        // SAFETY: register-only intrinsics of the build's instructions (module doc).
        unsafe {
            let sum = _mm_add_ps(_mm256_extractf128_ps::<1>(x), _mm256_castps256_ps128(x));
            let sum = _mm_add_ps(sum, _mm_movehl_ps(sum, sum));
            let sum = _mm_add_ss(sum, _mm_movehdup_ps(sum));
            _mm_cvtss_f32(sum)
        }
    }

    /// The dot products of one weight row with `R` activation rows: each weight block is unpacked once.
    #[inline(always)]
    pub(super) fn dot<B: Unpack, const R: usize>(weights: &[B], acts: [&[Act]; R]) -> [f32; R] {
        // SAFETY: the build's instructions (module doc); each load reads the 32 bytes of an activation block's
        // `qs`.
        unsafe {
            let ones = _mm256_set1_epi16(1);
            let mut acc = [_mm256_setzero_ps(); R];
            let mut offsets = [0f32; R];
            for (i, block) in weights.iter().enumerate() {
                let q = block.unpack();
                // maddubs multiplies unsigned by signed bytes: move the weights' signs onto the activations.
                let x = if B::OFFSET { q } else { _mm256_sign_epi8(q, q) };
                let d = block.scale();
                for r in 0..R {
                    let a = &acts[r][i];
                    let y = _mm256_loadu_si256(a.qs.as_ptr().cast());
                    let y = if B::OFFSET { y } else { _mm256_sign_epi8(y, q) };
                    let sums = _mm256_madd_epi16(_mm256_maddubs_epi16(x, y), ones);
                    acc[r] = _mm256_fmadd_ps(_mm256_set1_ps(d * a.d), _mm256_cvtepi32_ps(sums), acc[r]);
                    if B::OFFSET {
                        offsets[r] += block.offset() * a.s;
                    }
                }
            }
            std::array::from_fn(|r| hsum(acc[r]) + offsets[r])
        }
    }
}

/// The portable dot products: every build has them, for builds without AVX2 and for [`Isa::Baseline`].
mod portable {
    use super::{Act, Block};

    /// The dot products of one weight row with `R` activation rows.
    pub(super) fn dot<B: Block, const R: usize>(weights: &[B], acts: [&[Act]; R]) -> [f32; R] {
        std::array::from_fn(|r| {
            weights
                .iter()
                .zip(acts[r])
                .map(|(w, a)| {
                    let sum: i32 = w.values().iter().zip(&a.qs).map(|(&x, &y)| i32::from(x) * i32::from(y)).sum();
                    let offset = if B::OFFSET { w.offset() * a.s } else { 0.0 };
                    sum as f32 * w.scale() * a.d + offset
                })
                .sum()
        })
    }
}

#[cfg(not(tend_avx2))]
mod simd {
    //! Builds without AVX2 have only the portable dot products.
    use super::Block;

    /// Every block type has the portable path.
    pub(super) trait Unpack: Block {}
    impl<B: Block> Unpack for B {}

    pub(super) use super::portable::dot;
}

use simd::Unpack;

#[cfg(tend_avx2)]
mod tiles;

/// Weight rows per work item: a tile of rows stays in L1 while every activation row passes over it.
const TILE_ROWS: usize = 16;

/// `dst (m × n) = acts (m × k) · weightsᵀ (n × k)` for rows of blocks as stored, on candle's worker pool: AVX2's
/// dot products, or the portable ones where the build has no AVX2 or [`Isa::Baseline`] asks for them.
fn matmul<B: Unpack>(weights: &[B], acts: &[Act], mkn: (usize, usize, usize), dst: &mut [f32]) {
    if tiles_enabled(Isa::current()) {
        matmul_with::<B, BuildDot>(weights, acts, mkn, dst)
    } else {
        matmul_with::<B, PortableDot>(weights, acts, mkn, dst)
    }
}

/// The dot products of one weight row with `R` activation rows, by some instructions.
trait RowDot {
    /// One weight row's dot products with `R` activation rows.
    fn dot<B: Unpack, const R: usize>(weights: &[B], acts: [&[Act]; R]) -> [f32; R];
}

/// The build's dot products (AVX2's where it has them).
struct BuildDot;
impl RowDot for BuildDot {
    #[inline(always)]
    fn dot<B: Unpack, const R: usize>(weights: &[B], acts: [&[Act]; R]) -> [f32; R] {
        simd::dot(weights, acts)
    }
}

/// The portable dot products.
struct PortableDot;
impl RowDot for PortableDot {
    #[inline(always)]
    fn dot<B: Unpack, const R: usize>(weights: &[B], acts: [&[Act]; R]) -> [f32; R] {
        portable::dot(weights, acts)
    }
}

/// `dst (m × n) = acts (m × k) · weightsᵀ (n × k)` with `D`'s dot products, on candle's worker pool.
fn matmul_with<B: Unpack, D: RowDot>(weights: &[B], acts: &[Act], (m, k, n): (usize, usize, usize), dst: &mut [f32]) {
    let kb = k / QK;
    assert!(weights.len() == n * kb && acts.len() == m * kb && dst.len() == m * n, "matmul sizes");
    let row = |j: usize| &weights[j * kb..(j + 1) * kb];
    let act = |i: usize| &acts[i * kb..(i + 1) * kb];
    let out = Output(dst.as_mut_ptr(), n);
    execute_chunked(n.div_ceil(TILE_ROWS), |tiles| {
        let cols = tiles.start * TILE_ROWS..(tiles.end * TILE_ROWS).min(n);
        let mut i = 0;
        while i + 4 <= m {
            for j in cols.clone() {
                let dots = D::dot::<B, 4>(row(j), [act(i), act(i + 1), act(i + 2), act(i + 3)]);
                for (r, dot) in dots.into_iter().enumerate() {
                    // SAFETY: `dst` holds `m` rows of `n` (asserted above), `i + r < m` and `j < n`, and column
                    // `j` belongs to this work item's tile of columns alone.
                    #[allow(unsafe_code)]
                    unsafe {
                        out.set(i + r, j, dot)
                    };
                }
            }
            i += 4;
        }
        for i in i..m {
            for j in cols.clone() {
                let dot = D::dot::<B, 1>(row(j), [act(i)])[0];
                // SAFETY: as above, with `i < m`.
                #[allow(unsafe_code)]
                unsafe {
                    out.set(i, j, dot)
                };
            }
        }
    });
}

/// An output matrix shared by the workers; each element is written by exactly one of them.
#[derive(Clone, Copy)]
struct Output(*mut f32, usize);
// SAFETY: workers write disjoint elements (each column tile belongs to one work item), and `matmul` does not
// return before they finish, so the pointer outlives every use.
#[allow(unsafe_code)]
unsafe impl Sync for Output {}
impl Output {
    /// Row `i` of the output, rows being `self.1` long.
    ///
    /// # Safety
    /// The buffer holds more than `i` rows, and no other reference to row `i` is live while this one is (each
    /// work item owns its rows).
    #[allow(unsafe_code, clippy::mut_from_ref)] // Disjoint rows for concurrent workers: the point of this type.
    unsafe fn row(&self, i: usize) -> &mut [f32] {
        // SAFETY: in bounds and unshared, by the caller's contract.
        unsafe { std::slice::from_raw_parts_mut(self.0.add(i * self.1), self.1) }
    }

    /// Writes `value` at row `i`, column `j`.
    ///
    /// # Safety
    /// The buffer holds more than `i` rows, `j` is below the row length, and no other thread writes or reads
    /// that element meanwhile.
    #[allow(unsafe_code)]
    unsafe fn set(&self, i: usize, j: usize, value: f32) {
        // SAFETY: in bounds and unshared, by the caller's contract.
        unsafe { *self.0.add(i * self.1 + j) = value }
    }

    /// Writes `values` to row `i` from column `j` (checked to fit the row).
    ///
    /// # Safety
    /// The buffer holds more than `i` rows, and no other thread writes or reads those elements meanwhile.
    #[cfg(tend_avx2)]
    #[allow(unsafe_code)]
    unsafe fn write(&self, i: usize, j: usize, values: &[f32]) {
        assert!(j + values.len() <= self.1, "output row overrun");
        // SAFETY: the columns are within the row (checked above); the row and the sharing by the caller's contract.
        unsafe { std::ptr::copy_nonoverlapping(values.as_ptr(), self.0.add(i * self.1 + j), values.len()) }
    }
}

/// Causal attention weights in one pass: for each row of `(…, rows, positions)` scores, `softmax(x · scale)`
/// over the positions that row may attend to, zero after them. Row `r` is query `r % chunk` of a chunk of
/// `chunk` tokens placed at `first`, so it sees positions `0..=first + r % chunk` (rows of several heads of the
/// same chunk follow one another). This replaces candle's scaling, masked fill with a broadcast mask, and softmax:
/// three passes over the scores and a mask tensor.
pub fn causal_softmax(scores: &Tensor, scale: f32, chunk: usize, first: usize) -> Result<Tensor> {
    scores.contiguous()?.apply_op1_no_bwd(&CausalSoftmax { scale, chunk: chunk.max(1), first })
}

/// Scores from which [`causal_softmax`] splits its rows across the worker pool.
const PARALLEL_FROM: usize = 1 << 14;

struct CausalSoftmax {
    scale: f32,
    chunk: usize,
    first: usize,
}

impl CustomOp1 for CausalSoftmax {
    fn name(&self) -> &'static str {
        "tend-causal-softmax"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let src = f32_input(self.name(), storage, layout)?;
        let positions = layout.shape().dims().last().copied().unwrap_or(0).max(1);
        let rows = src.len() / positions;
        let mut dst = vec![0f32; src.len()];
        let out = Output(dst.as_mut_ptr(), positions);
        let softmax_rows = |range: Range<usize>| {
            for r in range {
                let seen = (self.first + r % self.chunk + 1).min(positions);
                let x = &src[r * positions..r * positions + seen];
                let max = x.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v * self.scale));
                // SAFETY: `dst` holds `rows` rows of `positions`, `r < rows`, and each row belongs to one work
                // item, which takes this one reference to it.
                #[allow(unsafe_code)]
                let y = &mut unsafe { out.row(r) }[..seen];
                let mut sum = 0f32;
                for (y, &x) in y.iter_mut().zip(x) {
                    *y = (x * self.scale - max).exp();
                    sum += *y;
                }
                y.iter_mut().for_each(|y| *y /= sum);
            }
        };
        // Waking the worker pool costs more than a decode step's few short rows.
        match src.len() {
            0..PARALLEL_FROM => softmax_rows(0..rows),
            _ => execute_chunked(rows, softmax_rows),
        }
        Ok((CpuStorage::F32(dst), layout.shape().clone()))
    }
}

/// The values of a custom op's input, which must be contiguous f32.
fn f32_input<'a>(op: &str, storage: &'a CpuStorage, layout: &Layout) -> Result<&'a [f32]> {
    match (storage, layout.contiguous_offsets()) {
        (CpuStorage::F32(xs), Some((start, end))) => Ok(&xs[start..end]),
        _ => bail!("{op} takes a contiguous f32 tensor"),
    }
}

/// Views the bytes of a quantised tensor as its blocks.
fn blocks<T>(bytes: &[u8]) -> Result<&[T]> {
    if !bytes.len().is_multiple_of(size_of::<T>()) || bytes.as_ptr().align_offset(align_of::<T>()) != 0 {
        bail!("quantised weights of {} bytes are not whole, aligned blocks", bytes.len())
    }
    // SAFETY: the length and alignment are checked above, and every block type here is plain old data for which
    // any bit pattern is valid.
    #[allow(unsafe_code)]
    Ok(unsafe { std::slice::from_raw_parts(bytes.as_ptr().cast(), bytes.len() / size_of::<T>()) })
}

/// A GGUF tensor's blocks as stored in the file: read into memory by candle, or mapped from the file.
#[derive(Debug, Clone)]
pub enum Weight {
    /// Read into memory by candle.
    Read(Arc<QTensor>),
    /// `range` of the mapped file holds blocks of `dtype` for a tensor of shape `dims`.
    Mapped {
        /// The model file, mapped read-only.
        map: Arc<Mmap>,
        /// Where the tensor's bytes are.
        range: Range<usize>,
        /// The block type.
        dtype: GgmlDType,
        /// The shape, outermost first.
        dims: Vec<usize>,
    },
}

impl Weight {
    /// The tensor of `dtype` and shape `dims` whose bytes start at `offset` in the mapped file; refused when the
    /// shape is not whole blocks or the bytes run past the end of the file.
    pub fn mapped(map: Arc<Mmap>, offset: usize, dtype: GgmlDType, dims: Vec<usize>) -> Result<Self> {
        let values: usize = dims.iter().product();
        let (block, size) = (dtype.block_size(), dtype.type_size());
        let range = values
            .is_multiple_of(block)
            .then(|| values / block * size)
            .and_then(|len| Some(offset..offset.checked_add(len)?))
            .filter(|r| r.end <= map.len());
        match range {
            Some(range) => Ok(Self::Mapped { map, range, dtype, dims }),
            None => {
                bail!("a {dtype:?} tensor of shape {dims:?} at byte {offset} does not fit the {}-byte file", map.len())
            }
        }
    }

    fn dtype(&self) -> GgmlDType {
        match self {
            Self::Read(t) => t.dtype(),
            Self::Mapped { dtype, .. } => *dtype,
        }
    }

    fn dims(&self) -> &[usize] {
        match self {
            Self::Read(t) => t.shape().dims(),
            Self::Mapped { dims, .. } => dims,
        }
    }

    fn bytes(&self) -> Result<Cow<'_, [u8]>> {
        match self {
            Self::Read(t) => t.data(),
            Self::Mapped { map, range, .. } => Ok(Cow::Borrowed(&map[range.clone()])),
        }
    }

    /// Lets the operating system drop this tensor's mapped pages from the process (they are read again from the
    /// file if touched): for a weight whose bytes have been copied elsewhere.
    #[cfg_attr(not(tend_avx2), allow(dead_code))]
    fn release(&self) {
        #[cfg(unix)]
        if let Self::Mapped { map, range, .. } = self {
            // SAFETY: the mapping is a read-only view of a file Tend never writes in place, so pages dropped here
            // come back with the same bytes if anything reads them again. Failure only leaves them resident.
            #[allow(unsafe_code)]
            let _ = unsafe { map.unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, range.start, range.len()) };
        }
    }
}

/// Whether the engine's own kernel can multiply a `dtype` weight of shape `dims`: Q8_0, Q5_0 and Q4_1 always; the
/// k-quants Q4_K and Q6_K packed into tiles (AVX2 builds, whole 16-row tiles), for an output head's one row too.
pub fn has_own_kernel(dtype: GgmlDType, dims: &[usize]) -> bool {
    match (dtype, dims) {
        (GgmlDType::Q8_0 | GgmlDType::Q5_0 | GgmlDType::Q4_1, &[_, k]) => k.is_multiple_of(QK),
        #[cfg(tend_avx2)]
        (GgmlDType::Q4K | GgmlDType::Q6K, &[n, k]) => {
            tiles_enabled(Isa::current()) && n.is_multiple_of(tiles::TILE_N) && k.is_multiple_of(QK_K)
        }
        _ => false,
    }
}

/// Whether this build has the tile kernel and the row kernels' AVX2 dot products: it targets AVX2, FMA and F16C
/// (`tend_avx2`, as `.cargo/config.toml` sets). A build for the baseline x86-64 (built from outside the workspace,
/// or packaged so) runs the row kernels' portable code and candle's kernels.
pub const TILE_BUILD: bool = cfg!(tend_avx2);

/// Whether the tile kernel and AVX2's row dot products run under `isa`: in a [`TILE_BUILD`], unless
/// [`Isa::Baseline`] asks for the portable code.
pub fn tiles_enabled(isa: Isa) -> bool {
    TILE_BUILD && isa != Isa::Baseline
}

/// The instruction sets the engine's kernels may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Isa {
    /// The best this processor has (AVX-512 and VNNI where present).
    Native,
    /// AVX2, FMA and F16C alone, as on most care laptops (Intel's laptop chips since 2021 have no AVX-512), so
    /// that a machine with AVX-512 measures the laptops' path faithfully.
    Avx2,
    /// The engine's portable code (no tiles; row kernels without AVX2 intrinsics), as a build for baseline x86-64
    /// runs it, with candle's kernels limited to AVX2: to test that path in the usual build.
    Baseline,
}

impl Isa {
    /// The switch's environment variable: `TEND_ISA=avx2`, `TEND_ISA=baseline` or `TEND_ISA=native` (the
    /// default).
    pub const VARIABLE: &'static str = "TEND_ISA";

    /// Reads `value` as a [`Isa::VARIABLE`] setting; `None` for anything but `avx2`, `baseline` or `native`.
    pub fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "avx2" => Some(Self::Avx2),
            "baseline" => Some(Self::Baseline),
            "native" | "" => Some(Self::Native),
            _ => None,
        }
    }

    /// The setting in force: `TEND_ISA`, or AVX2 where that asks for native and candle's own switch
    /// `MISTRALRS_FORCE_AVX2=1` is set. An unreadable `TEND_ISA` counts as native here;
    /// [`Isa::environment_to_apply`] reports it. Read once.
    pub fn current() -> Self {
        static CURRENT: std::sync::OnceLock<Isa> = std::sync::OnceLock::new();
        *CURRENT.get_or_init(|| {
            let forced = std::env::var(CANDLE_FORCE_AVX2).as_deref() == Ok("1");
            match std::env::var(Self::VARIABLE).ok().and_then(|v| Self::parse(&v)).unwrap_or(Self::Native) {
                Self::Native if forced => Self::Avx2,
                chosen => chosen,
            }
        })
    }

    /// What a program must put in its environment at start-up, before it starts any thread, for the setting in
    /// `TEND_ISA` to reach candle's kernels too (they read their own switch once): `MISTRALRS_FORCE_AVX2=1` for
    /// AVX2. An error names a value that is neither `avx2` nor `native`.
    pub fn environment_to_apply() -> std::result::Result<Option<(&'static str, &'static str)>, String> {
        let Ok(value) = std::env::var(Self::VARIABLE) else { return Ok(None) };
        match Self::parse(&value) {
            Some(Self::Avx2 | Self::Baseline) => Ok(Some((CANDLE_FORCE_AVX2, "1"))),
            Some(Self::Native) => Ok(None),
            None => Err(format!(
                "{}={value:?} is not a setting: use avx2 (as most laptops), baseline (the portable code) or native",
                Self::VARIABLE
            )),
        }
    }

    /// What each kind of kernel runs with under this setting on this processor, for a report: the engine's
    /// quantised tiles, candle's repacked k-quant products, and the f32 work (matrix products by `gemm`,
    /// softmax, rotary embedding, norms), which this build compiles for AVX2 at most.
    pub fn describe(self) -> String {
        #[cfg(target_arch = "x86_64")]
        let candle = if self != Self::Native {
            "AVX2"
        } else if std::is_x86_feature_detected!("avx512f") && std::is_x86_feature_detected!("avx512vnni") {
            "AVX-512 VNNI"
        } else if std::is_x86_feature_detected!("avxvnni") {
            "AVX-VNNI"
        } else {
            "AVX2"
        };
        #[cfg(not(target_arch = "x86_64"))]
        let candle = "not x86";
        if tiles_enabled(self) {
            format!("{self:?}: tiles {:?}, candle k-quants {candle}, f32 AVX2", DotProduct::detected())
        } else if TILE_BUILD {
            format!("{self:?}: no tiles (row kernels, portable code), candle k-quants {candle}, f32 AVX2")
        } else {
            format!("{self:?}: no tiles (a build without AVX2: row kernels), candle k-quants {candle}, f32 baseline")
        }
    }
}

/// candle's switch that makes its k-quant kernels use AVX2 alone.
const CANDLE_FORCE_AVX2: &str = "MISTRALRS_FORCE_AVX2";

/// Whether the kernels are limited to AVX2 or less ([`Isa::current`]).
pub fn forced_avx2() -> bool {
    Isa::current() != Isa::Native
}

/// The instructions the tile kernel sums 8-bit products with. All give the same results (the sums are exact).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DotProduct {
    /// AVX2's multiply-adds, on every processor the build targets.
    Avx2,
    /// AVX-VNNI's `vpdpbusd` (Intel from Alder Lake, AMD from Zen 5).
    AvxVnni,
    /// AVX-512 VNNI's `vpdpbusd` on 256-bit registers (Intel from Ice Lake, AMD Zen 4). [`DotProduct::detected`]
    /// prefers [`DotProduct::Avx512`] on every such processor; this one stays to be measured beside it (Zen 4
    /// splits 512-bit operations in two, and that has not been measured).
    Avx512Vnni,
    /// AVX-512 (F, BW and VNNI) on 512-bit registers: a tile's 16 rows in one register (the same processors; 2x
    /// the 256-bit variant's speed on Zen 5). A k-quant at one or two activation rows runs the 256-bit variant.
    Avx512,
}

impl DotProduct {
    /// Every variant, slowest first.
    pub const ALL: [Self; 4] = [Self::Avx2, Self::AvxVnni, Self::Avx512Vnni, Self::Avx512];

    /// The fastest this processor has.
    pub fn detected() -> Self {
        Self::available().last().copied().unwrap_or(Self::Avx2)
    }

    /// Every one this processor has, AVX2's first (none where the tile kernel does not run: [`tiles_enabled`]).
    pub fn available() -> Vec<Self> {
        Self::ALL.into_iter().filter(|d| d.is_available()).collect()
    }

    /// Whether this processor (and build) has these instructions, and may use them ([`forced_avx2`]).
    pub fn is_available(self) -> bool {
        #[cfg(tend_avx2)]
        match self {
            _ if !tiles_enabled(Isa::current()) => false,
            Self::Avx2 => true,
            _ if forced_avx2() => false,
            // The tile kernel's own checks: the features its code for each is compiled with.
            Self::AvxVnni => tiles::AvxVnni::detect().is_some(),
            Self::Avx512Vnni => tiles::Avx512Vnni::detect().is_some(),
            Self::Avx512 => tiles::Avx512::detect().is_some(),
        }
        #[cfg(not(tend_avx2))]
        false
    }
}

/// A quantised weight matrix `(n, k)` that this module multiplies itself.
#[derive(Debug)]
struct OwnMatMul {
    weights: Weights,
    n: usize,
    k: usize,
    /// The tile kernel's instructions.
    #[cfg_attr(not(tend_avx2), allow(dead_code))]
    dot: DotProduct,
}

/// How an [`OwnMatMul`]'s blocks are held.
enum Weights {
    /// Rows of blocks as stored in the file (read or mapped), for the row kernel.
    Rows(Weight),
    /// Interleaved into tiles of 16 rows for the AVX2 tile kernel (AVX2 builds, row counts a multiple of 16).
    #[cfg(tend_avx2)]
    Tiles(Tiles),
}

/// A packed weight, by block type.
#[cfg(tend_avx2)]
enum Tiles {
    Q8_0(Vec<tiles::TileQ8_0>),
    Q5_0(Vec<tiles::TileQ5_0>),
    Q4_1(Vec<tiles::TileQ4_1>),
    Q4K(Vec<tiles::TileQ4K>),
    Q6K(Vec<tiles::TileQ6K>),
}

impl std::fmt::Debug for Weights {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Rows(weight) => f.debug_tuple("Rows").field(weight).finish(),
            #[cfg(tend_avx2)]
            Self::Tiles(_) => f.write_str("Tiles"),
        }
    }
}

impl Weights {
    /// Packs `weight` into tiles where the tile kernel applies (k-quants always, other types for layers that
    /// take many rows), releasing the mapped pages it was packed from (the tiles hold the same bytes); keeps its
    /// rows otherwise.
    fn new(weight: Weight, n: usize, k: usize, rows: Rows) -> Result<Self> {
        #[cfg(tend_avx2)]
        if tiles_enabled(Isa::current())
            && n.is_multiple_of(tiles::TILE_N)
            && (rows == Rows::Many || matches!(weight.dtype(), GgmlDType::Q4K | GgmlDType::Q6K))
        {
            let packed = {
                let bytes = weight.bytes()?;
                match weight.dtype() {
                    GgmlDType::Q8_0 => Tiles::Q8_0(tiles::pack(blocks(&bytes)?, n, k)?),
                    GgmlDType::Q5_0 => Tiles::Q5_0(tiles::pack(blocks(&bytes)?, n, k)?),
                    GgmlDType::Q4_1 => Tiles::Q4_1(tiles::pack(blocks(&bytes)?, n, k)?),
                    GgmlDType::Q4K => Tiles::Q4K(tiles::pack(blocks(&bytes)?, n, k)?),
                    GgmlDType::Q6K => Tiles::Q6K(tiles::pack(blocks(&bytes)?, n, k)?),
                    other => bail!("tend-qmatmul has no kernel for {other:?}"),
                }
            };
            weight.release();
            return Ok(Self::Tiles(packed));
        }
        let _ = (n, k, rows);
        Ok(Self::Rows(weight))
    }
}

impl CustomOp1 for OwnMatMul {
    fn name(&self) -> &'static str {
        "tend-qmatmul"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        let xs = f32_input(self.name(), storage, layout)?;
        let mut dims = layout.shape().dims().to_vec();
        if dims.last() != Some(&self.k) {
            bail!("tend-qmatmul: activations {dims:?} do not end in the weight's {} columns", self.k)
        }
        let m = xs.len() / self.k;
        let mut dst = vec![0f32; m * self.n];
        let mkn = (m, self.k, self.n);
        match &self.weights {
            Weights::Rows(weight) => {
                let acts = quantize_activations(xs);
                let bytes = weight.bytes()?;
                match weight.dtype() {
                    GgmlDType::Q8_0 => matmul(blocks::<Q8_0>(&bytes)?, &acts, mkn, &mut dst),
                    GgmlDType::Q5_0 => matmul(blocks::<Q5_0>(&bytes)?, &acts, mkn, &mut dst),
                    GgmlDType::Q4_1 => matmul(blocks::<Q4_1>(&bytes)?, &acts, mkn, &mut dst),
                    other => bail!("tend-qmatmul has no kernel for {other:?}"),
                }
            }
            #[cfg(tend_avx2)]
            Weights::Tiles(packed) => match packed {
                Tiles::Q8_0(t) => tiles::matmul(t, xs, mkn, &mut dst, self.dot),
                Tiles::Q5_0(t) => tiles::matmul(t, xs, mkn, &mut dst, self.dot),
                Tiles::Q4_1(t) => tiles::matmul(t, xs, mkn, &mut dst, self.dot),
                Tiles::Q4K(t) => tiles::matmul(t, xs, mkn, &mut dst, self.dot),
                Tiles::Q6K(t) => tiles::matmul(t, xs, mkn, &mut dst, self.dot),
            },
        }
        *dims.last_mut().expect("checked above") = self.n;
        Ok((CpuStorage::F32(dst), Shape::from(dims)))
    }
}

/// A linear layer without bias over a GGUF weight `(out, in)`: the engine's kernels where it has them
/// ([`has_own_kernel`]), candle's `QMatMul` otherwise. Clones share the weight.
#[derive(Debug, Clone)]
pub struct Linear(Kernel);

#[derive(Debug, Clone)]
enum Kernel {
    Own(Arc<OwnMatMul>),
    Candle(QMatMul),
}

/// How many activation rows a layer multiplies at a time, which decides how its weight is held.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    /// A whole prompt chunk at once (every layer of a decoder): the weight is interleaved into tiles where the
    /// tile kernel applies.
    Many,
    /// Only ever one (an output head that sees the last position): a 32-value type's weight stays as stored,
    /// mapped pages are read as they are used, and loading does no work for it; k-quants, which have no row
    /// kernel, are packed all the same.
    One,
}

impl Linear {
    /// Wraps a weight read from a GGUF file, for a layer that multiplies many rows at a time.
    pub fn new(weight: QTensor) -> Result<Self> {
        if weight.device().is_cpu() && has_own_kernel(weight.dtype(), weight.shape().dims()) {
            return Self::from_weight(Weight::Read(Arc::new(weight)), Rows::Many);
        }
        Ok(Self(Kernel::Candle(QMatMul::from_qtensor(weight)?)))
    }

    /// Wraps a weight the engine's kernel multiplies ([`has_own_kernel`]), read or mapped.
    pub fn from_weight(weight: Weight, rows: Rows) -> Result<Self> {
        Self::from_weight_using(weight, rows, DotProduct::detected())
    }

    /// As [`Linear::from_weight`], with the tile kernel summing products with `dot`'s instructions (to compare
    /// them); refused when the processor lacks them.
    pub fn from_weight_using(weight: Weight, rows: Rows, dot: DotProduct) -> Result<Self> {
        // Only the tile kernel uses `dot`; without it the row kernels run whatever it is.
        if tiles_enabled(Isa::current()) && !dot.is_available() {
            bail!("this processor (or build) has no {dot:?} instructions")
        }
        match *weight.dims() {
            [n, k] if has_own_kernel(weight.dtype(), &[n, k]) => {
                let weights = Weights::new(weight, n, k, rows)?;
                Ok(Self(Kernel::Own(Arc::new(OwnMatMul { weights, n, k, dot }))))
            }
            _ => {
                bail!("no kernel of the engine's multiplies a {:?} weight of shape {:?}", weight.dtype(), weight.dims())
            }
        }
    }

    /// Whether the engine's own kernel runs this layer (rather than candle's).
    pub fn uses_own_kernel(&self) -> bool {
        matches!(self.0, Kernel::Own(_))
    }

    /// Whether the weight is packed into tiles for the tile kernel (rather than kept in rows as stored).
    pub fn is_tiled(&self) -> bool {
        matches!(&self.0, Kernel::Own(op) if !matches!(op.weights, Weights::Rows(_)))
    }
}

impl Module for Linear {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        match &self.0 {
            Kernel::Own(op) => xs.contiguous()?.apply_op1_no_bwd(op.as_ref()),
            Kernel::Candle(q) => q.forward(xs),
        }
    }
}

/// A token embedding table kept as stored in the file; rows are dequantised as tokens are looked up. Clones share
/// the table.
#[derive(Debug, Clone)]
pub struct Embedding {
    table: Weight,
    rows: usize,
    dim: usize,
}

impl Embedding {
    /// Wraps a `(vocabulary, dim)` table read or mapped from a GGUF file.
    pub fn new(table: Weight) -> Result<Self> {
        let &[rows, dim] = table.dims() else {
            bail!("an embedding table of shape {:?} is not (vocabulary, width)", table.dims())
        };
        if !dim.is_multiple_of(table.dtype().block_size()) {
            bail!("embedding rows of {dim} values do not hold whole {:?} blocks", table.dtype())
        }
        Ok(Self { table, rows, dim })
    }

    /// Looks up token ids of any shape; the result has the ids' shape plus one dimension of `dim` values.
    pub fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        let bytes = self.table.bytes()?;
        let row_bytes = bytes.len() / self.rows;
        let mut dims = ids.dims().to_vec();
        dims.push(self.dim);
        let ids = ids.flatten_all()?.to_vec1::<u32>()?;
        let mut out = vec![0f32; ids.len() * self.dim];
        for (&id, dst) in ids.iter().zip(out.chunks_exact_mut(self.dim)) {
            let id = id as usize;
            if id >= self.rows {
                bail!("token id {id} is outside the embedding table of {} rows", self.rows)
            }
            dequantize_row(self.table.dtype(), &bytes[id * row_bytes..(id + 1) * row_bytes], dst)?;
        }
        Tensor::from_vec(out, dims, &Device::Cpu)
    }
}

/// Dequantises one row of a table in the type `dtype` into `dst`.
fn dequantize_row(dtype: GgmlDType, bytes: &[u8], dst: &mut [f32]) -> Result<()> {
    fn row<T: GgmlType>(bytes: &[u8], dst: &mut [f32]) -> Result<()> {
        T::to_float(blocks::<T>(bytes)?, dst);
        Ok(())
    }
    use k_quants as q;
    match dtype {
        GgmlDType::F32 => dst.copy_from_slice(blocks::<f32>(bytes)?),
        GgmlDType::F16 => row::<f16>(bytes, dst)?,
        GgmlDType::Q4_0 => row::<q::BlockQ4_0>(bytes, dst)?,
        GgmlDType::Q4_1 => row::<q::BlockQ4_1>(bytes, dst)?,
        GgmlDType::Q5_0 => row::<q::BlockQ5_0>(bytes, dst)?,
        GgmlDType::Q5_1 => row::<q::BlockQ5_1>(bytes, dst)?,
        GgmlDType::Q8_0 => row::<q::BlockQ8_0>(bytes, dst)?,
        GgmlDType::Q2K => row::<q::BlockQ2K>(bytes, dst)?,
        GgmlDType::Q3K => row::<q::BlockQ3K>(bytes, dst)?,
        GgmlDType::Q4K => row::<q::BlockQ4K>(bytes, dst)?,
        GgmlDType::Q5K => row::<q::BlockQ5K>(bytes, dst)?,
        GgmlDType::Q6K => row::<q::BlockQ6K>(bytes, dst)?,
        other => bail!("token embeddings stored as {other:?} are not supported"),
    }
    Ok(())
}
