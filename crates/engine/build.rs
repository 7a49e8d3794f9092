//! Names the one build condition the engine's kernels depend on, so that the code says `cfg(tend_avx2)` instead
//! of repeating the list of target features.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(tend_avx2)");
    println!("cargo::rerun-if-changed=build.rs");
    // `tend_avx2`: the whole build targets AVX2, FMA and F16C (x86-64-v3, as `.cargo/config.toml` sets), so the
    // row kernels' AVX2 dot products and the tile kernel are compiled. Cargo passes the target's cfg, RUSTFLAGS
    // included, to build scripts.
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    let features = std::env::var("CARGO_CFG_TARGET_FEATURE").unwrap_or_default();
    let has = |feature: &str| features.split(',').any(|f| f == feature);
    if arch == "x86_64" && has("avx2") && has("fma") && has("f16c") {
        println!("cargo::rustc-cfg=tend_avx2");
    }
}
