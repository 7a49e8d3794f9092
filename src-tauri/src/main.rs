//! The Tend desktop app.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    apply_thread_setting();
    tend_desktop::run();
}

/// Gives candle's thread pool, which reads `RAYON_NUM_THREADS` once, the thread count from the settings file.
#[allow(unsafe_code)]
fn apply_thread_setting() {
    if let Some(threads) = tend_app::config::thread_setting_to_apply() {
        // SAFETY: called first thing in main, while this process has one thread.
        unsafe { std::env::set_var("RAYON_NUM_THREADS", threads) };
    }
}
