//! The Tend desktop app.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    apply_environment();
    tend_desktop::run();
}

/// Gives candle the thread count from the settings file and the instruction set of `TEND_ISA`, which it reads once.
/// A `TEND_ISA` that cannot be read is reported and the best instructions are used.
#[allow(unsafe_code)]
fn apply_environment() {
    let (set, error) = tend_app::config::environment_to_apply();
    for (name, value) in set {
        // SAFETY: called first thing in main, while this process has one thread.
        unsafe { std::env::set_var(name, value) };
    }
    if let Some(error) = error {
        eprintln!("tend: {error}; using the best instructions this processor has");
    }
}
