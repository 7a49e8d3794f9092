//! Tend's single integration-test binary (one `mod` per area, as in ripgrep). Tests on tiny generated models run
//! always; tests on real models and reference data, and the app window's, are built as ignored unless
//! `TEND_REAL_MODEL_TESTS=1` / `TEND_UI_TESTS=1` were set when the tests were built (build.rs; see README).

#![allow(clippy::unwrap_used)]

mod support;

mod bad_input;
mod checks;
mod docs;
mod download;
mod engine;
mod eval;
mod faithful;
mod fuzz_seeds;
mod handover;
mod hostile;
mod insider;
mod kernels;
mod offline;
mod real_model;
mod store;
mod template;
mod tokenizer;
mod ui;
mod writing;
