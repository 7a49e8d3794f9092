//! Building a tokenizer from GGUF metadata, then encoding and decoding with it. The input is text: the tokenizer
//! model (line 1), the pre-tokenizer name (line 2), then blank-line-separated sections: tokens (one per line),
//! merges (one per line), token types (integers), and the text to encode.
#![no_main]

use candle_core::quantized::gguf_file::{self, Value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.splitn(3, '\n');
    let model = lines.next().unwrap_or_default().to_owned();
    let pre = lines.next().unwrap_or_default().to_owned();
    let mut sections = lines.next().unwrap_or_default().splitn(4, "\n\n");
    let list = |s: Option<&str>| s.unwrap_or_default().lines().map(str::to_owned).collect::<Vec<_>>();
    let tokens = list(sections.next());
    let merges = list(sections.next());
    let types: Vec<i32> = list(sections.next()).iter().filter_map(|t| t.trim().parse().ok()).collect();
    let input = sections.next().unwrap_or_default();

    let strings = |v: Vec<String>| Value::Array(v.into_iter().map(Value::String).collect());
    let mut metadata = vec![
        ("general.architecture", Value::String("llama".into())),
        ("tokenizer.ggml.model", Value::String(model)),
        ("tokenizer.ggml.pre", Value::String(pre)),
        ("tokenizer.ggml.tokens", strings(tokens.clone())),
        ("tokenizer.ggml.merges", strings(merges)),
        ("tokenizer.ggml.token_type", Value::Array(types.into_iter().map(Value::I32).collect())),
    ];
    // Special-token ids from the token list's length, some of them out of range.
    let n = tokens.len() as u32;
    metadata.push(("tokenizer.ggml.bos_token_id", Value::U32(n / 2)));
    metadata.push(("tokenizer.ggml.eos_token_id", Value::U32(n.wrapping_add(input.len() as u32 % 3))));
    let refs: Vec<(&str, &Value)> = metadata.iter().map(|(k, v)| (*k, v)).collect();

    let path = std::env::temp_dir().join(format!("tend-fuzz-tokenizer-{}.gguf", std::process::id()));
    let mut file = std::fs::File::create(&path).expect("create the input file");
    gguf_file::write(&mut file, &refs, &[]).expect("write GGUF metadata");
    drop(file);
    if let Ok(tokenizer) = tend_engine::Tokenizer::from_gguf(&path) {
        if let Ok(ids) = tokenizer.encode_text(input) {
            let _ = tokenizer.decode(&ids);
        }
        let _ = tokenizer.encode_trusted(input);
    }
});
