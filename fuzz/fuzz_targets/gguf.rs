//! The GGUF reader and loader on arbitrary bytes: huge counts, offsets past the end, wrong value types, truncated
//! strings. Every input must end in a model or an error, never a crash, a hang or an exhausted memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The engine opens models by path, as the app does: each input is written to this process's own file.
    let path = std::env::temp_dir().join(format!("tend-fuzz-gguf-{}.gguf", std::process::id()));
    std::fs::write(&path, data).expect("write the input");
    if tend_engine::Model::check(&path).is_ok() {
        let _ = tend_engine::Model::load(&path, &mut |_| {});
    }
});
