//! Tend's single integration-test binary (one `mod` per area, as in ripgrep). Tests on tiny generated models run
//! always; tests on real models and reference data run with `TEND_REAL_MODEL_TESTS=1` (see README).

#![allow(clippy::unwrap_used)]

#[macro_use]
mod support;

mod bad_input;
mod checks;
mod docs;
mod download;
mod engine;
mod eval;
mod fuzz_seeds;
mod hostile;
mod kernels;
mod offline;
mod real_model;
mod store;
mod template;
mod tokenizer;
mod ui;
mod writing;
