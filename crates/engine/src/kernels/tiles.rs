//! The interleaved weight layout and its kernels: 16 weight rows per tile, so one 256-bit register holds the same
//! few columns of 8 rows (a 512-bit one of all 16) and each activation value is broadcast against all of them (an
//! outer product, as in candle's repacked k-quant kernels and llama.cpp's repacked Q4_0), instead of a dot product
//! per row that ends in a horizontal sum and a scale per 32 values per row.
//!
//! A tile is as large as the 16 rows' blocks it is made from (the same bytes, reordered), so packing at load costs
//! no memory beyond the file's size: a tile of a k-quant covers its 256-value blocks, Q4_K's with the 6-bit scales
//! and minimums unpacked to a byte each (3% larger), Q6_K's exactly. Weights are unsigned where they can be (Q4_1
//! nibbles, Q5_0 values `0..32`, Q6_K values `0..64`) with the offset applied through the activations' sums (of
//! 32 values, or of 16 for Q6_K's sub-blocks); Q8_0 moves its signs onto the activations, as the row kernel
//! does. (Q4_K's tiles first held each 32 columns' scales as f32, a third larger than the blocks: packing them
//! as stored made Qwen2.5 1.5B's decode, with Q6_K on tiles too, 1.5x as fast in 420 MB less memory.) The
//! k-quants meet activations quantised per 256 values (ggml's Q8_K), so their sub-blocks' scales and minimums
//! apply in integers and a row's 256 values become a float once: Qwen2.5 1.5B's prefill 1.26-1.31x as fast with
//! AVX-512 VNNI, level on AVX2, where the byte products are most of a tile's time.
//!
//! The byte products are summed with AVX2's `maddubs`/`madd` pairs, or with one `vpdpbusd` where the processor has
//! VNNI, on 256-bit registers that hold 8 of a tile's rows or 512-bit ones that hold all 16 ([`Simd`]): the same
//! loops are compiled once per instruction set and chosen at run time. Under AVX-512's encoding 32 vector
//! registers hold the accumulators of eight activation rows, so each unpacked weight register is used twice as
//! often. Measured here (AMD Zen 5), 896x4864 at 128 rows: Q5_0 5.1 ms (AVX2) -> 2.8 ms (VNNI, 256 bits) ->
//! 1.4 ms (512 bits), Q8_0 3.7 -> 2.5 -> 1.9 ms, Q4_1 3.0 -> 2.3 -> 1.3 ms; eight rows on AVX2's 16 registers
//! were slower.
//!
//! Safety: the instructions beyond the build's own (VNNI's and AVX-512's) run only through a value of a [`Simd`]
//! type, which exists only where the processor has them ([`Simd`]'s contract), inside functions compiled for them
//! that [`matmul`] enters with that value. Every load reads bytes inside the array it names (offsets are bounded
//! by the tile's fixed sizes).

use std::arch::x86_64::*;
use std::ops::Range;

use candle_core::{Result, bail};

use super::{Act, ActK, DotProduct, Output, Q4_1, Q4K, Q5_0, Q6K, Q8_0, QK, QK_K, Quantised, parallel_map};

/// Weight rows per tile: two 8-lane registers.
pub(super) const TILE_N: usize = 16;

/// Activation rows multiplied together against each tile (the prefill tile).
const MT: usize = 4;

/// A tile of 16 rows for one block of columns (32, or a k-quant's 256), built from those rows' blocks.
pub(super) trait Tile: Sized + Send + Sync {
    /// The GGUF block type it is made from.
    type Block: Copy + Send + Sync + 'static;
    /// The activations it is multiplied with: a block of as many values as the tile has columns.
    type A: Quantised;
    /// Interleaves the blocks of 16 consecutive rows.
    fn pack(rows: [&Self::Block; TILE_N]) -> Self;
    /// Adds the products of the tile's rows `h * S::LANES..(h + 1) * S::LANES` with `R` activation rows' blocks
    /// to `acc[r]`.
    fn multiply<S: Simd, const R: usize>(&self, s: S, h: usize, acts: [&Self::A; R], acc: &mut [S::F; R]);
}

/// The vector instructions a tile kernel runs on: 256-bit registers holding 8 of a tile's rows, with AVX2's
/// multiply-adds or VNNI's `vpdpbusd` to sum products of unsigned bytes (weights) with signed bytes (activations),
/// or AVX-512's 512-bit registers holding all 16. Every variant sums exactly, so the kernels give the same bits
/// whichever runs.
///
/// A value of a `Simd` type is the proof that the processor has its instructions: methods take it as `self`.
///
/// # Safety
/// An implementor guarantees that a value of it exists only where the processor has every instruction its
/// methods execute: made freely where the build's target guarantees them (AVX2), otherwise only by a constructor
/// that checks the processor.
pub(super) unsafe trait Simd: Copy {
    /// An integer register.
    type I: Copy;
    /// A float register.
    type F: Copy;
    /// Weight rows per register: one 32-bit lane each.
    const LANES: usize;
    /// Activation rows the kernel takes at a time: 8 where 32 vector registers hold their accumulators (AVX-512's
    /// encoding), [`MT`] otherwise.
    const ROWS: usize = MT;

    /// `acc` plus, in each 32-bit lane, the four products of that lane's bytes of `u` and `s`.
    fn dot(self, acc: Self::I, u: Self::I, s: Self::I) -> Self::I;
    /// `acc` plus the products of `u1` with `s1` and of `u2` with `s2`, in 32-bit lanes.
    fn pair(self, acc: Self::I, u1: Self::I, s1: Self::I, u2: Self::I, s2: Self::I) -> Self::I {
        self.dot(self.dot(acc, u1, s1), u2, s2)
    }
    /// As [`Simd::pair`] for nibble weights (below 16) into an accumulator that [`Simd::finish`] turns into 32-bit
    /// sums: AVX2 keeps a block's products in 16-bit sums and widens them once.
    fn partial(self, acc: Self::I, u1: Self::I, s1: Self::I, u2: Self::I, s2: Self::I) -> Self::I {
        self.pair(acc, u1, s1, u2, s2)
    }
    /// The 32-bit sums of a [`Simd::partial`] accumulator.
    fn finish(self, acc: Self::I) -> Self::I {
        acc
    }
    /// `LANES` scales below 128 from `bytes`, as [`Simd::finish_scaled`] takes them.
    fn sub_scales(self, bytes: &[u8]) -> Self::I {
        self.unsigned_ints(bytes)
    }
    /// The 32-bit sums of a [`Simd::partial`] accumulator, each times its lane's scale from [`Simd::sub_scales`].
    fn finish_scaled(self, acc: Self::I, scales: Self::I) -> Self::I {
        self.mul_i(self.finish(acc), scales)
    }
    /// From lanes holding two signed 16-bit scales (of a Q6_K part's two sub-blocks), each sub-block's scale as
    /// [`Simd::pair_scaled`] takes it.
    fn half_scales(self, pairs: Self::I) -> [Self::I; 2] {
        [self.madd16(pairs, self.splat(1)), self.madd16(pairs, self.splat(1 << 16))]
    }
    /// `acc` plus, in each 32-bit lane, the products of weights below 64 `u1` with `s1` and `u2` with `s2`, times
    /// the lane's scale from [`Simd::half_scales`].
    fn pair_scaled(self, acc: Self::I, u1: Self::I, s1: Self::I, u2: Self::I, s2: Self::I, scale: Self::I) -> Self::I {
        self.add_i(acc, self.mul_i(self.pair(self.zero(), u1, s1, u2, s2), scale))
    }

    /// All zero bits.
    fn zero(self) -> Self::I;
    /// The `4 * LANES` bytes at `at` (a group of a tile: 4 bytes of each of `LANES` rows).
    ///
    /// # Safety
    /// The bytes must be readable.
    unsafe fn load(self, at: *const u8) -> Self::I;
    /// `four` in every 32-bit lane.
    fn splat(self, four: i32) -> Self::I;
    /// The low nibble of every byte.
    fn low_nibbles(self, x: Self::I) -> Self::I;
    /// The high nibble of every byte, shifted down.
    fn high_nibbles(self, x: Self::I) -> Self::I;
    /// Bitwise or.
    fn or(self, a: Self::I, b: Self::I) -> Self::I;
    /// Signed weights `w` and activations `a` as unsigned weights and signed activations with the same products:
    /// `(|w|, a` with `w`'s sign`)`.
    fn unsigned(self, w: Self::I, a: Self::I) -> (Self::I, Self::I);
    /// 0x10 in byte `j` of each 32-bit lane where bit `shift + j` of that lane of `bits` is set (Q5_0's fifth
    /// bits of 4 columns).
    fn fifth_bits(self, bits: Self::I, shift: i32) -> Self::I;
    /// Bits 4 and 5 of every byte, the others cleared (Q6_K's high bits of 4 columns, once in place).
    fn bits_4_5(self, x: Self::I) -> Self::I;
    /// Each 16-bit lane shifted left by `N` bits.
    fn shl16<const N: i32>(self, x: Self::I) -> Self::I;
    /// Each 16-bit lane shifted right by `N` bits, filling with zeros.
    fn shr16<const N: i32>(self, x: Self::I) -> Self::I;

    /// A float register of zeros.
    fn zero_f(self) -> Self::F;
    /// The lanes as floats.
    fn float(self, x: Self::I) -> Self::F;
    /// `x` in every lane.
    fn splat_f(self, x: f32) -> Self::F;
    /// `a * b`.
    fn mul(self, a: Self::F, b: Self::F) -> Self::F;
    /// `a - b`.
    fn sub(self, a: Self::F, b: Self::F) -> Self::F;
    /// `a * b + c`.
    fn fmadd(self, a: Self::F, b: Self::F, c: Self::F) -> Self::F;
    /// `c - a * b`.
    fn fnmadd(self, a: Self::F, b: Self::F, c: Self::F) -> Self::F;
    /// `LANES` f16 values from `halves` as f32.
    fn halves(self, halves: &[u16]) -> Self::F;
    /// `LANES` unsigned bytes from `bytes`, one per 32-bit lane.
    fn unsigned_ints(self, bytes: &[u8]) -> Self::I;
    /// `2 * LANES` unsigned bytes from `bytes`, one per 16-bit lane (two per 32-bit lane, in order).
    fn unsigned_pairs(self, bytes: &[u8]) -> Self::I;
    /// `2 * LANES` signed bytes from `bytes`, one per 16-bit lane (two per 32-bit lane, in order).
    fn signed_pairs(self, bytes: &[i8]) -> Self::I;
    /// In each 32-bit lane, the sum of the products of its two signed 16-bit halves in `a` and in `b`.
    fn madd16(self, a: Self::I, b: Self::I) -> Self::I;
    /// `a + b` in 32-bit lanes.
    fn add_i(self, a: Self::I, b: Self::I) -> Self::I;
    /// `a - b` in 32-bit lanes.
    fn sub_i(self, a: Self::I, b: Self::I) -> Self::I;
    /// `a * b` in 32-bit lanes (the low 32 bits; no overflow is the caller's to ensure).
    fn mul_i(self, a: Self::I, b: Self::I) -> Self::I;
    /// The lanes, written to `out[..LANES]`.
    fn store(self, x: Self::F, out: &mut [f32]);
}

/// `unsafe { $e }` for intrinsics that read and write registers only, inside a [`Simd`] method: all they need is
/// the processor's instructions, which the method's `self` proves.
macro_rules! registers {
    ($e:expr) => {
        // SAFETY: register-only intrinsics of `self`'s instruction set, which `self` proves the processor has
        // ([`Simd`]'s contract).
        unsafe { $e }
    };
}

/// The [`Simd`] methods every 256-bit variant shares.
macro_rules! ymm {
    () => {
        type I = __m256i;
        type F = __m256;
        const LANES: usize = 8;

        #[inline(always)]
        fn zero(self) -> __m256i {
            registers!(_mm256_setzero_si256())
        }
        #[inline(always)]
        unsafe fn load(self, at: *const u8) -> __m256i {
            // SAFETY: the instructions are `self`'s ([`Simd`]); the bytes are readable by the caller's contract.
            unsafe { _mm256_loadu_si256(at.cast()) }
        }
        #[inline(always)]
        fn splat(self, four: i32) -> __m256i {
            registers!(_mm256_set1_epi32(four))
        }
        #[inline(always)]
        fn low_nibbles(self, x: __m256i) -> __m256i {
            registers!(_mm256_and_si256(x, _mm256_set1_epi8(0x0F)))
        }
        #[inline(always)]
        fn high_nibbles(self, x: __m256i) -> __m256i {
            registers!(_mm256_and_si256(_mm256_srli_epi16::<4>(x), _mm256_set1_epi8(0x0F)))
        }
        #[inline(always)]
        fn or(self, a: __m256i, b: __m256i) -> __m256i {
            registers!(_mm256_or_si256(a, b))
        }
        #[inline(always)]
        fn unsigned(self, w: __m256i, a: __m256i) -> (__m256i, __m256i) {
            registers!((_mm256_sign_epi8(w, w), _mm256_sign_epi8(a, w)))
        }
        #[inline(always)]
        fn fifth_bits(self, bits: __m256i, shift: i32) -> __m256i {
            registers!({
                // Each lane's bits shifted down, its low byte copied to its four bytes, and bit j of byte j tested.
                let shifted = _mm256_srl_epi32(bits, _mm_cvtsi32_si128(shift));
                let spread = _mm256_shuffle_epi8(shifted, _mm256_broadcastsi128_si256(SPREAD));
                let set = _mm256_or_si256(spread, _mm256_set1_epi32(!BIT_J));
                _mm256_and_si256(_mm256_cmpeq_epi8(set, _mm256_set1_epi8(-1)), _mm256_set1_epi8(0x10))
            })
        }
        #[inline(always)]
        fn bits_4_5(self, x: __m256i) -> __m256i {
            registers!(_mm256_and_si256(x, _mm256_set1_epi8(0x30)))
        }
        #[inline(always)]
        fn shl16<const N: i32>(self, x: __m256i) -> __m256i {
            registers!(_mm256_slli_epi16::<N>(x))
        }
        #[inline(always)]
        fn shr16<const N: i32>(self, x: __m256i) -> __m256i {
            registers!(_mm256_srli_epi16::<N>(x))
        }
        #[inline(always)]
        fn zero_f(self) -> __m256 {
            registers!(_mm256_setzero_ps())
        }
        #[inline(always)]
        fn float(self, x: __m256i) -> __m256 {
            registers!(_mm256_cvtepi32_ps(x))
        }
        #[inline(always)]
        fn splat_f(self, x: f32) -> __m256 {
            registers!(_mm256_set1_ps(x))
        }
        #[inline(always)]
        fn mul(self, a: __m256, b: __m256) -> __m256 {
            registers!(_mm256_mul_ps(a, b))
        }
        #[inline(always)]
        fn sub(self, a: __m256, b: __m256) -> __m256 {
            registers!(_mm256_sub_ps(a, b))
        }
        #[inline(always)]
        fn fmadd(self, a: __m256, b: __m256, c: __m256) -> __m256 {
            registers!(_mm256_fmadd_ps(a, b, c))
        }
        #[inline(always)]
        fn fnmadd(self, a: __m256, b: __m256, c: __m256) -> __m256 {
            registers!(_mm256_fnmadd_ps(a, b, c))
        }
        #[inline(always)]
        fn halves(self, halves: &[u16]) -> __m256 {
            assert!(halves.len() >= 8);
            // SAFETY: the instructions are `self`'s ([`Simd`]); the access is to the first 8 values of `halves`,
            // which has them (asserted above).
            unsafe { _mm256_cvtph_ps(_mm_loadu_si128(halves.as_ptr().cast())) }
        }
        #[inline(always)]
        fn unsigned_ints(self, bytes: &[u8]) -> __m256i {
            assert!(bytes.len() >= 8);
            // SAFETY: the instructions are `self`'s ([`Simd`]); the access is to the first 8 values of `bytes`,
            // which has them (asserted above).
            unsafe { _mm256_cvtepu8_epi32(_mm_loadl_epi64(bytes.as_ptr().cast())) }
        }
        #[inline(always)]
        fn unsigned_pairs(self, bytes: &[u8]) -> __m256i {
            assert!(bytes.len() >= 16);
            // SAFETY: the instructions are `self`'s ([`Simd`]); the access is to the first 16 values of `bytes`,
            // which has them (asserted above).
            unsafe { _mm256_cvtepu8_epi16(_mm_loadu_si128(bytes.as_ptr().cast())) }
        }
        #[inline(always)]
        fn signed_pairs(self, bytes: &[i8]) -> __m256i {
            assert!(bytes.len() >= 16);
            // SAFETY: the instructions are `self`'s ([`Simd`]); the access is to the first 16 values of `bytes`,
            // which has them (asserted above).
            unsafe { _mm256_cvtepi8_epi16(_mm_loadu_si128(bytes.as_ptr().cast())) }
        }
        #[inline(always)]
        fn madd16(self, a: __m256i, b: __m256i) -> __m256i {
            registers!(_mm256_madd_epi16(a, b))
        }
        #[inline(always)]
        fn add_i(self, a: __m256i, b: __m256i) -> __m256i {
            registers!(_mm256_add_epi32(a, b))
        }
        #[inline(always)]
        fn sub_i(self, a: __m256i, b: __m256i) -> __m256i {
            registers!(_mm256_sub_epi32(a, b))
        }
        #[inline(always)]
        fn mul_i(self, a: __m256i, b: __m256i) -> __m256i {
            registers!(_mm256_mullo_epi32(a, b))
        }
        #[inline(always)]
        fn store(self, x: __m256, out: &mut [f32]) {
            assert!(out.len() >= 8);
            // SAFETY: the instructions are `self`'s ([`Simd`]); the access is to the first 8 values of `out`,
            // which has them (asserted above).
            unsafe { _mm256_storeu_ps(out.as_mut_ptr(), x) }
        }
    };
}

/// Byte `j` of each 32-bit lane taken from the lane's byte 0 (a shuffle within each 128-bit lane).
const SPREAD: __m128i =
    // SAFETY: any 16 bytes are a valid `__m128i`.
    unsafe { std::mem::transmute::<[u8; 16], __m128i>([0, 0, 0, 0, 4, 4, 4, 4, 8, 8, 8, 8, 12, 12, 12, 12]) };
/// Each 32-bit lane's low 16 bits copied to its high 16 (a shuffle within each 128-bit lane).
const FIRST_HALF: __m128i =
    // SAFETY: any 16 bytes are a valid `__m128i`.
    unsafe { std::mem::transmute::<[u8; 16], __m128i>([0, 1, 0, 1, 4, 5, 4, 5, 8, 9, 8, 9, 12, 13, 12, 13]) };
/// Bit `j` in byte `j` of a 32-bit lane.
const BIT_J: i32 = 0x0804_0201;

/// AVX2: `maddubs` multiplies byte pairs into 16-bit sums, `madd` with ones widens them. The build targets AVX2,
/// FMA and F16C (this module exists only then), so a value may be made freely.
#[derive(Clone, Copy)]
pub(super) struct Avx2;

impl Avx2 {
    #[inline(always)]
    fn products(self, u1: __m256i, s1: __m256i, u2: __m256i, s2: __m256i) -> __m256i {
        registers!(_mm256_add_epi16(_mm256_maddubs_epi16(u1, s1), _mm256_maddubs_epi16(u2, s2)))
    }
}

// SAFETY: every processor this build runs on has AVX2, FMA and F16C (it is compiled for them).
unsafe impl Simd for Avx2 {
    ymm!();

    #[inline(always)]
    fn dot(self, acc: __m256i, u: __m256i, s: __m256i) -> __m256i {
        registers!(_mm256_add_epi32(acc, self.finish(_mm256_maddubs_epi16(u, s))))
    }

    #[inline(always)]
    fn pair(self, acc: __m256i, u1: __m256i, s1: __m256i, u2: __m256i, s2: __m256i) -> __m256i {
        registers!(_mm256_add_epi32(acc, self.finish(self.products(u1, s1, u2, s2))))
    }

    #[inline(always)]
    fn partial(self, acc: __m256i, u1: __m256i, s1: __m256i, u2: __m256i, s2: __m256i) -> __m256i {
        registers!(_mm256_add_epi16(acc, self.products(u1, s1, u2, s2)))
    }

    #[inline(always)]
    fn finish(self, acc: __m256i) -> __m256i {
        registers!(_mm256_madd_epi16(acc, _mm256_set1_epi16(1)))
    }

    /// The scale in both 16-bit halves of its lane, so that [`Simd::finish_scaled`] is one `madd` (as `finish`).
    #[inline(always)]
    fn sub_scales(self, bytes: &[u8]) -> __m256i {
        let scales = self.unsigned_ints(bytes);
        registers!(_mm256_or_si256(scales, _mm256_slli_epi32::<16>(scales)))
    }

    #[inline(always)]
    fn finish_scaled(self, acc: __m256i, scales: __m256i) -> __m256i {
        registers!(_mm256_madd_epi16(acc, scales))
    }

    /// Each scale in both 16-bit halves of its lane, so that [`Simd::pair_scaled`] scales with `madd`.
    #[inline(always)]
    fn half_scales(self, pairs: __m256i) -> [__m256i; 2] {
        registers!({
            let first = _mm256_broadcastsi128_si256(FIRST_HALF);
            let second = _mm256_add_epi8(first, _mm256_set1_epi8(2));
            [_mm256_shuffle_epi8(pairs, first), _mm256_shuffle_epi8(pairs, second)]
        })
    }

    /// Two groups' products of values below 64 with bytes of at most 127 fit 16-bit sums (4 * 63 * 127 < 32768):
    /// one `madd` scales and widens them.
    #[inline(always)]
    fn pair_scaled(self, acc: __m256i, u1: __m256i, s1: __m256i, u2: __m256i, s2: __m256i, scale: __m256i) -> __m256i {
        registers!(_mm256_add_epi32(acc, _mm256_madd_epi16(self.products(u1, s1, u2, s2), scale)))
    }
}

/// VNNI's `vpdpbusd` on 256-bit registers, in its AVX-VNNI (VEX) encoding or its AVX-512 VNNI (EVEX) one.
macro_rules! vnni {
    ($name:ident, $instruction:ident, $rows:expr, $features:literal) => {
        #[doc = concat!("`vpdpbusd` as `", stringify!($instruction), "`: a value only from `detect`.")]
        #[derive(Clone, Copy)]
        pub(super) struct $name(());

        detected!($name, $features);

        // SAFETY: a value is made only by `detect`, after checking the processor has the instructions.
        unsafe impl Simd for $name {
            ymm!();
            const ROWS: usize = $rows;

            #[inline(always)]
            fn dot(self, acc: __m256i, u: __m256i, s: __m256i) -> __m256i {
                registers!($instruction(acc, u, s))
            }
        }
    };
}

/// For a [`Simd`] type whose instructions are beyond the build's: `detect`, its only constructor, which checks the
/// processor, and `run`, [`run`] compiled for the instructions.
macro_rules! detected {
    ($name:ident, $features:literal) => {
        impl $name {
            /// The proof that this processor has the instructions, if it has them.
            pub(super) fn detect() -> Option<Self> {
                $features.split(',').all(has_feature).then_some(Self(()))
            }

            /// [`run`] compiled for the instructions, on the tiles `range` (one work item).
            fn run<T: Tile>(self, tiles: &[T], acts: &[T::A], mkb: Mkb, range: Range<usize>, out: Output) {
                #[target_feature(enable = $features)]
                fn compiled<T: Tile>(s: $name, tiles: &[T], acts: &[T::A], mkb: Mkb, range: Range<usize>, out: Output) {
                    run(s, tiles, acts, mkb, range, out)
                }
                // SAFETY: `self` proves the processor has the instructions `compiled` is compiled for.
                unsafe { compiled(self, tiles, acts, mkb, range, out) }
            }
        }
    };
}

/// Activation rows and blocks per row.
type Mkb = (usize, usize);

/// Whether this processor has the instruction-set extension `feature` (as `#[target_feature]` names it).
fn has_feature(feature: &str) -> bool {
    match feature {
        "avxvnni" => std::is_x86_feature_detected!("avxvnni"),
        "avx512vnni" => std::is_x86_feature_detected!("avx512vnni"),
        "avx512vl" => std::is_x86_feature_detected!("avx512vl"),
        "avx512f" => std::is_x86_feature_detected!("avx512f"),
        "avx512bw" => std::is_x86_feature_detected!("avx512bw"),
        _ => false,
    }
}

vnni!(AvxVnni, _mm256_dpbusd_avx_epi32, MT, "avxvnni");
vnni!(Avx512Vnni, _mm256_dpbusd_epi32, 2 * MT, "avx512vnni,avx512vl");

/// AVX-512 (F, BW and VNNI) on 512-bit registers: all 16 rows of a tile in one register, eight activation rows
/// at a time. A value only from `detect`.
#[derive(Clone, Copy)]
pub(super) struct Avx512(());

detected!(Avx512, "avx512f,avx512bw,avx512vnni");

// SAFETY: a value is made only by `detect`, after checking the processor has the instructions.
unsafe impl Simd for Avx512 {
    type I = __m512i;
    type F = __m512;
    const LANES: usize = 16;
    const ROWS: usize = 2 * MT;

    #[inline(always)]
    fn dot(self, acc: __m512i, u: __m512i, s: __m512i) -> __m512i {
        registers!(_mm512_dpbusd_epi32(acc, u, s))
    }
    #[inline(always)]
    fn zero(self) -> __m512i {
        registers!(_mm512_setzero_si512())
    }
    #[inline(always)]
    unsafe fn load(self, at: *const u8) -> __m512i {
        // SAFETY: the instructions are `self`'s ([`Simd`]); the bytes are readable by the caller's contract.
        unsafe { _mm512_loadu_si512(at.cast()) }
    }
    #[inline(always)]
    fn splat(self, four: i32) -> __m512i {
        registers!(_mm512_set1_epi32(four))
    }
    #[inline(always)]
    fn low_nibbles(self, x: __m512i) -> __m512i {
        registers!(_mm512_and_si512(x, _mm512_set1_epi8(0x0F)))
    }
    #[inline(always)]
    fn high_nibbles(self, x: __m512i) -> __m512i {
        registers!(_mm512_and_si512(_mm512_srli_epi16::<4>(x), _mm512_set1_epi8(0x0F)))
    }
    #[inline(always)]
    fn or(self, a: __m512i, b: __m512i) -> __m512i {
        registers!(_mm512_or_si512(a, b))
    }
    #[inline(always)]
    fn unsigned(self, w: __m512i, a: __m512i) -> (__m512i, __m512i) {
        // AVX-512 has no byte sign instruction: negate the activations where the weights' sign bits are set.
        registers!({
            let negative = _mm512_movepi8_mask(w);
            (_mm512_abs_epi8(w), _mm512_mask_sub_epi8(a, negative, _mm512_setzero_si512(), a))
        })
    }
    #[inline(always)]
    fn fifth_bits(self, bits: __m512i, shift: i32) -> __m512i {
        registers!({
            let shifted = _mm512_srl_epi32(bits, _mm_cvtsi32_si128(shift));
            let spread = _mm512_shuffle_epi8(shifted, _mm512_broadcast_i32x4(SPREAD));
            _mm512_maskz_mov_epi8(_mm512_test_epi8_mask(spread, _mm512_set1_epi32(BIT_J)), _mm512_set1_epi8(0x10))
        })
    }
    #[inline(always)]
    fn bits_4_5(self, x: __m512i) -> __m512i {
        registers!(_mm512_and_si512(x, _mm512_set1_epi8(0x30)))
    }
    #[inline(always)]
    fn shl16<const N: i32>(self, x: __m512i) -> __m512i {
        // The 512-bit shifts take their count as `u32`: as a register here, which the compiler folds.
        registers!(_mm512_sll_epi16(x, _mm_cvtsi32_si128(N)))
    }
    #[inline(always)]
    fn shr16<const N: i32>(self, x: __m512i) -> __m512i {
        registers!(_mm512_srl_epi16(x, _mm_cvtsi32_si128(N)))
    }
    #[inline(always)]
    fn zero_f(self) -> __m512 {
        registers!(_mm512_setzero_ps())
    }
    #[inline(always)]
    fn float(self, x: __m512i) -> __m512 {
        registers!(_mm512_cvtepi32_ps(x))
    }
    #[inline(always)]
    fn splat_f(self, x: f32) -> __m512 {
        registers!(_mm512_set1_ps(x))
    }
    #[inline(always)]
    fn mul(self, a: __m512, b: __m512) -> __m512 {
        registers!(_mm512_mul_ps(a, b))
    }
    #[inline(always)]
    fn sub(self, a: __m512, b: __m512) -> __m512 {
        registers!(_mm512_sub_ps(a, b))
    }
    #[inline(always)]
    fn fmadd(self, a: __m512, b: __m512, c: __m512) -> __m512 {
        registers!(_mm512_fmadd_ps(a, b, c))
    }
    #[inline(always)]
    fn fnmadd(self, a: __m512, b: __m512, c: __m512) -> __m512 {
        registers!(_mm512_fnmadd_ps(a, b, c))
    }
    #[inline(always)]
    fn halves(self, halves: &[u16]) -> __m512 {
        assert!(halves.len() >= 16);
        // SAFETY: the instructions are `self`'s ([`Simd`]); the access is to the first 16 values of `halves`,
        // which has them (asserted above).
        unsafe { _mm512_cvtph_ps(_mm256_loadu_si256(halves.as_ptr().cast())) }
    }
    #[inline(always)]
    fn unsigned_ints(self, bytes: &[u8]) -> __m512i {
        assert!(bytes.len() >= 16);
        // SAFETY: the instructions are `self`'s ([`Simd`]); the access is to the first 16 values of `bytes`,
        // which has them (asserted above).
        unsafe { _mm512_cvtepu8_epi32(_mm_loadu_si128(bytes.as_ptr().cast())) }
    }
    #[inline(always)]
    fn unsigned_pairs(self, bytes: &[u8]) -> __m512i {
        assert!(bytes.len() >= 32);
        // SAFETY: the instructions are `self`'s ([`Simd`]); the access is to the first 32 values of `bytes`,
        // which has them (asserted above).
        unsafe { _mm512_cvtepu8_epi16(_mm256_loadu_si256(bytes.as_ptr().cast())) }
    }
    #[inline(always)]
    fn signed_pairs(self, bytes: &[i8]) -> __m512i {
        assert!(bytes.len() >= 32);
        // SAFETY: the instructions are `self`'s ([`Simd`]); the access is to the first 32 values of `bytes`,
        // which has them (asserted above).
        unsafe { _mm512_cvtepi8_epi16(_mm256_loadu_si256(bytes.as_ptr().cast())) }
    }
    #[inline(always)]
    fn madd16(self, a: __m512i, b: __m512i) -> __m512i {
        registers!(_mm512_madd_epi16(a, b))
    }
    #[inline(always)]
    fn add_i(self, a: __m512i, b: __m512i) -> __m512i {
        registers!(_mm512_add_epi32(a, b))
    }
    #[inline(always)]
    fn sub_i(self, a: __m512i, b: __m512i) -> __m512i {
        registers!(_mm512_sub_epi32(a, b))
    }
    #[inline(always)]
    fn mul_i(self, a: __m512i, b: __m512i) -> __m512i {
        registers!(_mm512_mullo_epi32(a, b))
    }
    #[inline(always)]
    fn store(self, x: __m512, out: &mut [f32]) {
        assert!(out.len() >= 16);
        // SAFETY: the instructions are `self`'s ([`Simd`]); the access is to the first 16 values of `out`,
        // which has them (asserted above).
        unsafe { _mm512_storeu_ps(out.as_mut_ptr(), x) }
    }
}

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

/// Q4_K: each row's f16 scale and minimum of the super-block, and per 32-value sub-block each row's 6-bit scale
/// (unpacked to a byte) and the nibbles laid out as Q4_1's; the 6-bit minimums unpacked to a byte each, those of
/// sub-blocks `2p` and `2p + 1` side by side for each row (`mins[p][2 * row..]`).
#[derive(Clone, Copy)]
#[repr(C)]
pub(super) struct TileQ4K {
    d: [u16; TILE_N],
    dmin: [u16; TILE_N],
    scales: [[u8; TILE_N]; SUB_BLOCKS],
    mins: [[u8; 2 * TILE_N]; SUB_BLOCKS / 2],
    qs: [[u8; QK / 2 * TILE_N]; SUB_BLOCKS],
}

/// 32-value sub-blocks per k-quant super-block.
const SUB_BLOCKS: usize = QK_K / QK;

/// Q6_K: each row's f16 scale and, per 32 values, each row's 8-bit scales of the two 16-value sub-blocks side by
/// side (`scales[j][2 * row..]`), the low nibbles laid out as Q4_1's and the high two bits in two words per row:
/// byte `x` of word 0 holds those of columns `x`, `4 + x`, `8 + x` and `12 + x` (groups 0 to 3) at bits 4-5, 6-7,
/// 0-1 and 2-3 (group `g` at `4 + 2g` modulo 8, so that one shift or none and a mask put each in place), word 1 the
/// same for columns `16 + …`. Values are unsigned (`0..64`, the weight plus 32).
#[derive(Clone, Copy)]
#[repr(C)]
pub(super) struct TileQ6K {
    d: [u16; TILE_N],
    scales: [[i8; 2 * TILE_N]; SUB_BLOCKS],
    ql: [[u8; QK / 2 * TILE_N]; SUB_BLOCKS],
    qh: [[u8; 8 * TILE_N]; SUB_BLOCKS],
}

const _: () = assert!(
    size_of::<TileQ8_0>() == 16 * size_of::<Q8_0>()
        && size_of::<TileQ5_0>() == 16 * size_of::<Q5_0>()
        && size_of::<TileQ4_1>() == 16 * size_of::<Q4_1>()
        && size_of::<TileQ6K>() == 16 * size_of::<Q6K>()
        // 6-bit scales and minimums take a byte each: 2368 bytes against 16 blocks of 144.
        && size_of::<TileQ4K>() == 16 * size_of::<Q4K>() + 64
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
    type A = Act;

    fn pack(rows: [&Q8_0; TILE_N]) -> Self {
        let bytes = rows.map(|b| b.qs.map(|q| q as u8));
        let mut qs = [0; QK * TILE_N];
        interleave(bytes.each_ref(), &mut qs);
        Self { d: rows.map(|b| b.d), qs }
    }

    #[inline(always)]
    fn multiply<S: Simd, const R: usize>(&self, s: S, h: usize, acts: [&Act; R], acc: &mut [S::F; R]) {
        let mut sums = [s.zero(); R];
        for g in 0..8 {
            // SAFETY: group `g` of the register's rows lies inside the array (4 bytes a row for each of its groups).
            let w = unsafe { s.load(self.qs.as_ptr().add((g * TILE_N + h * S::LANES) * 4)) };
            for r in 0..R {
                // The products take unsigned weights and signed activations: move the weights' signs onto the
                // activations.
                let (x, a) = s.unsigned(w, broadcast(s, &acts[r].qs, 4 * g));
                sums[r] = s.dot(sums[r], x, a);
            }
        }
        let d = s.halves(&self.d[h * S::LANES..]);
        for r in 0..R {
            acc[r] = s.fmadd(s.float(sums[r]), s.mul(d, s.splat_f(acts[r].d)), acc[r]);
        }
    }
}

impl Tile for TileQ5_0 {
    type Block = Q5_0;
    type A = Act;

    fn pack(rows: [&Q5_0; TILE_N]) -> Self {
        let mut qs = [0; QK / 2 * TILE_N];
        interleave(rows.map(|b| &b.qs), &mut qs);
        Self { d: rows.map(|b| b.d), qh: rows.map(|b| u32::from_le_bytes(b.qh)), qs }
    }

    #[inline(always)]
    fn multiply<S: Simd, const R: usize>(&self, s: S, h: usize, acts: [&Act; R], acc: &mut [S::F; R]) {
        // Lane r: the fifth bits of row h * LANES + r, as stored.
        // SAFETY: the `LANES` words of register `h`'s rows lie inside `qh` (16 words).
        let rows = unsafe { s.load(self.qh.as_ptr().add(h * S::LANES).cast()) };
        let mut sums = [s.zero(); R];
        for g in 0..4 {
            // SAFETY: group `g` of the register's rows lies inside the array (4 bytes a row for each of its groups).
            let w = unsafe { s.load(self.qs.as_ptr().add((g * TILE_N + h * S::LANES) * 4)) };
            // Byte j of a lane holds columns 4g + j and 16 + 4g + j.
            let lo = s.or(s.low_nibbles(w), s.fifth_bits(rows, (4 * g) as i32));
            let hi = s.or(s.high_nibbles(w), s.fifth_bits(rows, (16 + 4 * g) as i32));
            for r in 0..R {
                // Four products of values below 32 with bytes of at most 127 fit AVX2's 16-bit sums.
                let (a, b) = (broadcast(s, &acts[r].qs, 4 * g), broadcast(s, &acts[r].qs, 16 + 4 * g));
                sums[r] = s.pair(sums[r], lo, a, hi, b);
            }
        }
        let d = s.halves(&self.d[h * S::LANES..]);
        for r in 0..R {
            // The stored values are the weights plus 16: take 16 times the activations' sum back off.
            let exact = s.sub(s.float(sums[r]), s.splat_f(16.0 * acts[r].sum));
            acc[r] = s.fmadd(exact, s.mul(d, s.splat_f(acts[r].d)), acc[r]);
        }
    }
}

impl Tile for TileQ4_1 {
    type Block = Q4_1;
    type A = Act;

    fn pack(rows: [&Q4_1; TILE_N]) -> Self {
        let mut qs = [0; QK / 2 * TILE_N];
        interleave(rows.map(|b| &b.qs), &mut qs);
        Self { d: rows.map(|b| b.d), m: rows.map(|b| b.m), qs }
    }

    #[inline(always)]
    fn multiply<S: Simd, const R: usize>(&self, s: S, h: usize, acts: [&Act; R], acc: &mut [S::F; R]) {
        let sums = nibble_products::<S, R>(s, &self.qs, h, acts.map(|a| &a.qs)).map(|sum| s.float(s.finish(sum)));
        let (d, m) = (s.halves(&self.d[h * S::LANES..]), s.halves(&self.m[h * S::LANES..]));
        for r in 0..R {
            let scaled = s.fmadd(sums[r], s.mul(d, s.splat_f(acts[r].d)), acc[r]);
            acc[r] = s.fmadd(m, s.splat_f(acts[r].s), scaled);
        }
    }
}

/// The products of rows `h * S::LANES..(h + 1) * S::LANES` of a Q4_1-layout nibble tile with `R` rows of 32
/// quantised activations, per row, as [`Simd::partial`] accumulators.
#[inline(always)]
fn nibble_products<S: Simd, const R: usize>(
    s: S,
    qs: &[u8; QK / 2 * TILE_N],
    h: usize,
    acts: [&[i8; QK]; R],
) -> [S::I; R] {
    // 16 products of nibbles with bytes of at most 127 fit AVX2's 16-bit sums (15 * 127 * 16 < 32768).
    let mut sums = [s.zero(); R];
    for g in 0..4 {
        // SAFETY: group `g` of the register's rows lies inside the array (4 bytes a row for each of its groups).
        let w = unsafe { s.load(qs.as_ptr().add((g * TILE_N + h * S::LANES) * 4)) };
        let (lo, hi) = (s.low_nibbles(w), s.high_nibbles(w));
        for r in 0..R {
            let (a, b) = (broadcast(s, acts[r], 4 * g), broadcast(s, acts[r], 16 + 4 * g));
            sums[r] = s.partial(sums[r], lo, a, hi, b);
        }
    }
    sums
}

/// The 32 quantised activations of sub-block `j` of a k-quant block.
#[inline(always)]
fn sub_block(act: &ActK, j: usize) -> &[i8; QK] {
    act.qs[QK * j..][..QK].try_into().expect("32 values")
}

/// Writes row `r`'s 32 values of a part (value `i` the low nibble of `value(i)`) into a tile's nibbles, laid out as
/// Q4_1's: byte `4g + x` of the row (group `g` of [`interleave`]) holds value `4g + x` in its low nibble and
/// `16 + 4g + x` in its high one.
#[inline(always)]
fn put_nibbles(out: &mut [u8; QK / 2 * TILE_N], r: usize, value: impl Fn(usize) -> u8) {
    for i in 0..QK / 2 {
        out[(i / 4 * TILE_N + r) * 4 + i % 4] = value(i) & 0x0F | (value(16 + i) & 0x0F) << 4;
    }
}

/// Q4_K's 6-bit scale and minimum of sub-block `j` (ggml's `get_scale_min_k4`).
fn scale_min(j: usize, q: &[u8; 12]) -> (u8, u8) {
    if j < 4 {
        (q[j] & 63, q[j + 4] & 63)
    } else {
        ((q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4))
    }
}

impl Q6K {
    /// The 256 6-bit values `q` in order (ggml's `dequantize_row_q6_K`: each half of 128 takes 64 bytes of low
    /// nibbles and 32 of high bits, four values per pair of positions).
    fn values(&self) -> [u8; QK_K] {
        let mut out = [0; QK_K];
        for half in 0..2 {
            let (ql, qh, out) = (&self.ql[64 * half..], &self.qh[32 * half..], &mut out[128 * half..]);
            for l in 0..32 {
                out[l] = ql[l] & 0x0F | (qh[l] & 3) << 4;
                out[l + 32] = ql[l + 32] & 0x0F | (qh[l] >> 2 & 3) << 4;
                out[l + 64] = ql[l] >> 4 | (qh[l] >> 4 & 3) << 4;
                out[l + 96] = ql[l + 32] >> 4 | (qh[l] >> 6) << 4;
            }
        }
        out
    }
}

impl Tile for TileQ4K {
    type Block = Q4K;
    type A = ActK;

    fn pack(rows: [&Q4K; TILE_N]) -> Self {
        let mut tile = Self {
            d: rows.map(|b| b.d),
            dmin: rows.map(|b| b.dmin),
            scales: [[0; TILE_N]; SUB_BLOCKS],
            mins: [[0; 2 * TILE_N]; SUB_BLOCKS / 2],
            qs: [[0; QK / 2 * TILE_N]; SUB_BLOCKS],
        };
        for j in 0..SUB_BLOCKS {
            for (r, block) in rows.iter().enumerate() {
                // Sub-blocks 2c and 2c + 1 are the low and high nibbles of bytes 32c..32c + 32.
                let (bytes, shift) = (&block.qs[32 * (j / 2)..][..32], 4 * (j % 2));
                put_nibbles(&mut tile.qs[j], r, |i| bytes[i] >> shift);
                (tile.scales[j][r], tile.mins[j / 2][2 * r + j % 2]) = scale_min(j, &block.scales);
            }
        }
        tile
    }

    #[inline(always)]
    fn multiply<S: Simd, const R: usize>(&self, s: S, h: usize, acts: [&ActK; R], acc: &mut [S::F; R]) {
        // Against activations with one scale per 256 values, the sub-blocks' scales and minimums apply in integers
        // (as ggml's Q4_K x Q8_K): per row Σ sc * Σ q * a and Σ m * Σ a, each turned into floats once.
        // |Σ sc * Σ q * a| <= 8 * 63 * 32 * 15 * 127 and |Σ m * Σ a| <= 8 * 63 * 32 * 127: far below 2^31.
        let rows = h * S::LANES;
        let mut sums = [s.zero(); R];
        for j in 0..SUB_BLOCKS {
            let products = nibble_products::<S, R>(s, &self.qs[j], h, acts.map(|a| sub_block(a, j)));
            let scales = s.sub_scales(&self.scales[j][rows..]);
            for r in 0..R {
                sums[r] = s.add_i(sums[r], s.finish_scaled(products[r], scales));
            }
        }
        let mut offsets = [s.zero(); R];
        for (p, mins) in self.mins.iter().enumerate() {
            // Each lane: the row's minimums of sub-blocks 2p and 2p + 1, against the activations' sums over them.
            let mins = s.unsigned_pairs(&mins[2 * rows..]);
            for r in 0..R {
                let pair = |i: usize| i32::from(acts[r].sums32[i] as u16);
                offsets[r] = s.add_i(offsets[r], s.madd16(mins, s.splat(pair(2 * p) | pair(2 * p + 1) << 16)));
            }
        }
        let (d, dmin) = (s.halves(&self.d[rows..]), s.halves(&self.dmin[rows..]));
        for r in 0..R {
            let scale = s.splat_f(acts[r].d);
            let scaled = s.fmadd(s.float(sums[r]), s.mul(d, scale), acc[r]);
            acc[r] = s.fnmadd(s.float(offsets[r]), s.mul(dmin, scale), scaled);
        }
    }
}

impl Tile for TileQ6K {
    type Block = Q6K;
    type A = ActK;

    fn pack(rows: [&Q6K; TILE_N]) -> Self {
        let values = rows.map(Q6K::values);
        let mut tile = Self {
            d: rows.map(|b| b.d),
            scales: std::array::from_fn(|j| std::array::from_fn(|i| rows[i / 2].scales[2 * j + i % 2])),
            ql: [[0; QK / 2 * TILE_N]; SUB_BLOCKS],
            qh: [[0; 8 * TILE_N]; SUB_BLOCKS],
        };
        for j in 0..SUB_BLOCKS {
            for (r, values) in values.iter().enumerate() {
                let part = &values[QK * j..][..QK];
                put_nibbles(&mut tile.ql[j], r, |i| part[i]);
                for half in 0..2 {
                    for x in 0..4 {
                        let high = (0..4).fold(0, |byte, g| byte | (part[16 * half + 4 * g + x] >> 4) << HIGH_AT[g]);
                        tile.qh[j][(half * TILE_N + r) * 4 + x] = high;
                    }
                }
            }
        }
        tile
    }

    #[inline(always)]
    fn multiply<S: Simd, const R: usize>(&self, s: S, h: usize, acts: [&ActK; R], acc: &mut [S::F; R]) {
        let rows = h * S::LANES;
        // Against activations with one scale per 256 values, the 16-value sub-blocks' scales apply in integers (as
        // ggml's Q6_K x Q8_K): per row Σ scale * Σ q * a, less 32 * Σ scale * Σ a (the stored values are the
        // weights plus 32), turned into floats once. |Σ scale * Σ q * a| <= 16 * 128 * 16 * 63 * 127 and
        // |32 * Σ scale * Σ a| <= 32 * 16 * 128 * 16 * 127: below 2^31.
        let mut sums = [s.zero(); R];
        for j in 0..SUB_BLOCKS {
            let part = acts.map(|a| sub_block(a, j));
            // Each lane: the row's scales of the part's two sub-blocks (columns 0..16 and 16..32).
            let pairs = s.signed_pairs(&self.scales[j][2 * rows..]);
            for (half, scale) in s.half_scales(pairs).into_iter().enumerate() {
                // SAFETY: word `half` of the register's rows lies inside the part's 8 bytes a row.
                let high = unsafe { s.load(self.qh[j].as_ptr().add((half * TILE_N + rows) * 4)) };
                for g in [0, 2] {
                    let u1 = q6_values(s, &self.ql[j], high, rows, half, g);
                    let u2 = q6_values(s, &self.ql[j], high, rows, half, g + 1);
                    let at = 16 * half + 4 * g;
                    for r in 0..R {
                        let (a1, a2) = (broadcast(s, part[r], at), broadcast(s, part[r], at + 4));
                        sums[r] = s.pair_scaled(sums[r], u1, a1, u2, a2, scale);
                    }
                }
            }
            // 32 times each scale (at most 4096 in size, a 16-bit value), against the sub-blocks' sums.
            let pairs = s.shl16::<5>(pairs);
            for r in 0..R {
                // The sums of sub-blocks 2j and 2j + 1 in the low and high 16 bits of each lane.
                let (first, second) = (acts[r].sums16[2 * j], acts[r].sums16[2 * j + 1]);
                let a_sums = i32::from(first as u16) | i32::from(second) << 16;
                sums[r] = s.sub_i(sums[r], s.madd16(pairs, s.splat(a_sums)));
            }
        }
        let d = s.halves(&self.d[rows..]);
        for r in 0..R {
            acc[r] = s.fmadd(s.float(sums[r]), s.mul(d, s.splat_f(acts[r].d)), acc[r]);
        }
    }
}

/// Where group `g`'s high two bits sit in a byte of a Q6_K tile's words ([`TileQ6K`]).
const HIGH_AT: [usize; 4] = [4, 6, 0, 2];

/// The 6-bit values of group `g` (4 columns) of one register's rows from `rows` of a Q6_K tile's part `ql`, in the
/// columns of `half`, with `high` that half's word of high bits.
#[inline(always)]
fn q6_values<S: Simd>(s: S, ql: &[u8; QK / 2 * TILE_N], high: S::I, rows: usize, half: usize, g: usize) -> S::I {
    // SAFETY: group `g` of the register's rows lies inside the array (4 bytes a row for each of its groups).
    let w = unsafe { s.load(ql.as_ptr().add((g * TILE_N + rows) * 4)) };
    let low = if half == 0 { s.low_nibbles(w) } else { s.high_nibbles(w) };
    // The group's high bits to bits 4 and 5 ([`HIGH_AT`]): a shift within 16-bit lanes moves bits across bytes,
    // which the mask clears.
    let high = match g {
        0 => high,
        1 => s.shr16::<2>(high),
        2 => s.shl16::<4>(high),
        _ => s.shl16::<2>(high),
    };
    s.or(low, s.bits_4_5(high))
}

/// Four activation bytes from `at`, repeated in every 32-bit lane.
#[inline(always)]
fn broadcast<S: Simd>(s: S, qs: &[i8; QK], at: usize) -> S::I {
    assert!(at + 4 <= QK);
    // One 4-byte load, which the compiler folds into the dot product's broadcast operand (built from four byte
    // loads it was not, in half the places).
    // SAFETY: `at + 4 <= QK` (asserted above): the four bytes lie inside `qs`.
    s.splat(unsafe { qs.as_ptr().add(at).cast::<i32>().read_unaligned() })
}

/// The tiles of an `(n, k)` weight from its row-major blocks: tile `t`'s column blocks follow one another. Packed
/// on candle's worker pool (this is most of the work of loading a model).
pub(super) fn pack<T: Tile>(blocks: &[T::Block], n: usize, k: usize) -> Result<Vec<T>> {
    let kb = k / T::A::VALUES;
    if !n.is_multiple_of(TILE_N) || !k.is_multiple_of(T::A::VALUES) || blocks.len() != n * kb {
        bail!("cannot pack {} blocks as a {n} x {k} weight", blocks.len())
    }
    Ok(parallel_map(n / TILE_N * kb, kb, |i| {
        let (t, b) = (i / kb, i % kb);
        T::pack(std::array::from_fn(|r| &blocks[(t * TILE_N + r) * kb + b]))
    }))
}

/// `dst (m × n) = acts (m × k) · weightsᵀ` for a packed weight, on candle's worker pool, summing products with
/// `dot`'s instructions; each work item is a run of tiles, which stay in cache while every activation row passes
/// over them.
pub(super) fn matmul<T: Tile>(
    tiles: &[T],
    xs: &[f32],
    (m, k, n): (usize, usize, usize),
    dst: &mut [f32],
    dot: DotProduct,
) {
    let kb = k / T::A::VALUES;
    assert!(tiles.len() * TILE_N == n * kb && xs.len() == m * k && dst.len() == m * n, "matmul sizes");
    let acts = &super::quantize_activations::<T::A>(xs)[..];
    let out = Output(dst.as_mut_ptr(), n);
    let mkb = (m, kb);
    // `Linear::from_weight_using` refused instructions the processor lacks.
    let missing = "instructions the loader found are missing";
    match dot {
        DotProduct::Avx2 => super::execute_chunked(n / TILE_N, |range| run(Avx2, tiles, acts, mkb, range, out)),
        DotProduct::AvxVnni => {
            let s = AvxVnni::detect().expect(missing);
            super::execute_chunked(n / TILE_N, |range| s.run(tiles, acts, mkb, range, out))
        }
        DotProduct::Avx512Vnni => {
            let s = Avx512Vnni::detect().expect(missing);
            super::execute_chunked(n / TILE_N, |range| s.run(tiles, acts, mkb, range, out))
        }
        DotProduct::Avx512 => match Avx512Vnni::detect() {
            // At one or two rows a k-quant tile on 512-bit registers is one chain of sums; on 256-bit ones each
            // register's 8 rows are a chain of their own, and the two interleave (Qwen2.5 1.5B decode, e2e: 24.5
            // -> 26.4 tok/s with float sums per 32 columns; with integer sums per 256, 3 alternating runs: 20.8-24.7
            // -> 23.6-25.1; the 32-value types' one step per block gains nothing). The same bits either way.
            Some(s) if m <= 2 && T::A::VALUES == QK_K => {
                super::execute_chunked(n / TILE_N, |range| s.run(tiles, acts, mkb, range, out))
            }
            _ => {
                let s = Avx512::detect().expect(missing);
                super::execute_chunked(n / TILE_N, |range| s.run(tiles, acts, mkb, range, out))
            }
        },
    }
}

/// Every one of the `m` activation rows (of `kb` blocks) against the tiles `range` (one work item), `S::ROWS` rows
/// at a time.
#[inline(always)]
fn run<T: Tile, S: Simd>(s: S, tiles: &[T], acts: &[T::A], (m, kb): Mkb, range: Range<usize>, out: Output) {
    for t in range {
        let tile = &tiles[t * kb..(t + 1) * kb];
        let mut i = 0;
        while S::ROWS == 2 * MT && i + 2 * MT <= m {
            rows::<T, S, { 2 * MT }>(s, tile, acts, i, t, out);
            i += 2 * MT;
        }
        while i + MT <= m {
            rows::<T, S, MT>(s, tile, acts, i, t, out);
            i += MT;
        }
        match m - i {
            0 => {}
            1 => rows::<T, S, 1>(s, tile, acts, i, t, out),
            2 => rows::<T, S, 2>(s, tile, acts, i, t, out),
            _ => rows::<T, S, 3>(s, tile, acts, i, t, out),
        }
    }
}

/// Activation rows `i..i + R` against tile `t`'s column blocks `tile`, written to the output's columns of tile `t`.
#[inline(always)]
fn rows<T: Tile, S: Simd, const R: usize>(s: S, tile: &[T], acts: &[T::A], i: usize, t: usize, out: Output) {
    let kb = tile.len();
    let block_acts = |b: usize| std::array::from_fn(|r| &acts[(i + r) * kb + b]);
    let halves = TILE_N / S::LANES;
    let mut acc = [[s.zero_f(); R]; TILE_N / 8];
    if R <= 2 {
        // Few rows: every register's rows of a block while its bytes arrive, so the tile is read from memory in
        // one pass (a pass per register's rows left memory idle while the second pass ran from cache).
        for (b, block) in tile.iter().enumerate() {
            let acts = block_acts(b);
            for (h, acc) in acc.iter_mut().enumerate().take(halves) {
                block.multiply::<S, R>(s, h, acts, acc);
            }
        }
    } else {
        // One register's rows of the tile at a time keeps the accumulators in registers.
        for (h, acc) in acc.iter_mut().enumerate().take(halves) {
            for (b, block) in tile.iter().enumerate() {
                block.multiply::<S, R>(s, h, block_acts(b), acc);
            }
        }
    }
    for (h, acc) in acc.iter().enumerate().take(halves) {
        for (r, sums) in acc.iter().enumerate() {
            let mut values = [0f32; TILE_N];
            s.store(*sums, &mut values);
            // SAFETY: `matmul` asserted `dst` holds `m` rows, `i + r < m` (`run` passes whole row groups), and
            // the columns of tile `t` belong to this work item alone.
            unsafe { out.write(i + r, t * TILE_N + h * S::LANES, &values[..S::LANES]) };
        }
    }
}
