//! Shared test support: tiny GGUF models with random weights in the real format, a stand-in model hub on
//! loopback, and paths to real data.

pub mod hub;
pub mod tiny;

use std::path::{Path, PathBuf};

/// The repository's root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A real model file under models/, which must exist when real-model tests are enabled.
pub fn real_model(file: &str) -> PathBuf {
    let path = repo_root().join("models").join(file);
    assert!(path.is_file(), "{} is missing: run scripts/fetch-model all", path.display());
    path
}

/// A reference file fetched by scripts/fetch-test-data.
pub fn reference(rel: &str) -> PathBuf {
    let path = repo_root().join("tests/data/reference").join(rel);
    assert!(path.is_file(), "{} is missing: run scripts/fetch-test-data", path.display());
    path
}

/// Lines of a file in the shared evaluation data (../shared/eval).
pub fn eval_lines(rel: &str) -> Vec<String> {
    let path = repo_root().join("../shared/eval").join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines().map(str::to_owned).collect()
}

/// Runs the ignored test `child` of this test binary in a private mount namespace (`unshare --mount`, as an
/// unprivileged root, so it can mount a small tmpfs) with `env` set, and asserts it succeeded and printed `marker`.
pub fn run_child_in_mount_namespace(child: &str, env: (&str, &Path), marker: &str) {
    let out = std::process::Command::new("unshare")
        .args(["--mount", "--propagation", "private", "--map-root-user"])
        .arg(std::env::current_exe().expect("test binary"))
        .args([child, "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(env.0, env.1)
        .output()
        .expect("run unshare");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && stdout.contains(marker), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
}
