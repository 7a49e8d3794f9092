//! Real models fetched by scripts/fetch-model: the CI smoke test with SmolLM2-135M, through the `tend` command
//! line and through the engine.

use std::process::Command;

use tend_engine::{ChatMessage, Flow, GenerationParams, Model, StopReason};

use crate::support;

const SMOLLM2: &str = "SmolLM2-135M-Instruct.Q4_1.gguf";

fn draft_json(model: &std::path::Path) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_tend"))
        .args(["draft", "--json", "--max-tokens", "120", "--input"])
        .arg(support::repo_root().join("examples/am-call.txt"))
        .arg("--model")
        .arg(model)
        .output()
        .expect("run tend");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "tend draft failed: {stderr}");
    assert!(stderr.contains("tok/s"), "a tokens/s line on stderr: {stderr}");
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

#[test]
fn smollm2_drafts_a_note_from_the_example_shorthand_repeatably() {
    require_real_models!();
    let model = support::real_model(SMOLLM2);
    let first = draft_json(&model);
    let text = first["draft"].as_str().expect("draft text");
    assert!(text.split_whitespace().count() >= 5, "a real draft: {text:?}");
    assert_eq!(first["review_required"], true);
    let stop = first["stop_reason"]["kind"].as_str().expect("stop reason");
    assert!(stop == "end" || stop == "length", "the draft ended by the model or the token limit: {first}");
    assert_eq!(first["provenance"]["template"]["id"], "care-note");
    let second = draft_json(&model);
    assert_eq!(first["draft"], second["draft"], "greedy drafts are identical across runs");
}

#[test]
fn smollm2_reuses_the_instruction_prefix_without_changing_the_reply() {
    require_real_models!();
    let path = support::real_model(SMOLLM2);
    let system = ChatMessage::system("You turn shorthand into a short, factual care note in UK English.");
    let a = [system.clone(), ChatMessage::user("PM call. M had soup, watched TV.")];
    let b = [system, ChatMessage::user("Night call. M asleep at 22:00, no concerns.")];
    let params = GenerationParams { max_tokens: 40, ..GenerationParams::default() };
    let mut warm = Model::load(&path, &mut |_| {}).expect("load");
    warm.generate(&a, &params, &mut |_| Flow::Continue).expect("first");
    let reused = warm.generate(&b, &params, &mut |_| Flow::Continue).expect("second");
    assert!(reused.cached_prompt_tokens > 10, "{reused:?}");
    let mut cold = Model::load(&path, &mut |_| {}).expect("load");
    let fresh = cold.generate(&b, &params, &mut |_| Flow::Continue).expect("fresh");
    assert_eq!(reused.text, fresh.text);
    assert_ne!(fresh.stop_reason, StopReason::Cancelled);
}

const QWEN_05B: &str = "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf";

/// The engine's own Qwen2 decoder (a clonable copy of candle-transformers' `quantized_qwen2`) gives the same
/// greedy tokens as candle-transformers' own, and reuses a cached instruction prefix without changing the reply.
#[test]
fn qwen2_matches_candles_decoder_and_reuses_the_instruction_prefix() {
    require_real_models!();
    let path = support::real_model(QWEN_05B);
    let system = ChatMessage::system("You turn shorthand into a short, factual care note in UK English.");
    let a = [system.clone(), ChatMessage::user("PM call. M had soup, watched TV.")];
    let b = [system, ChatMessage::user("Night call. M asleep at 22:00, no concerns.")];
    let params = GenerationParams { max_tokens: 24, repeat_penalty: 1.0, ..GenerationParams::default() };

    let mut cold = Model::load(&path, &mut |_| {}).expect("load");
    let prompt = cold.prompt(&b).expect("prompt");
    let fresh = cold.generate(&b, &params, &mut |_| Flow::Continue).expect("fresh");

    // The same prompt through candle-transformers' decoder, greedy.
    let device = candle_core::Device::Cpu;
    let mut file = std::fs::File::open(&path).expect("open");
    let content = candle_core::quantized::gguf_file::Content::read(&mut file).expect("header");
    let mut reference =
        candle_transformers::models::quantized_qwen2::ModelWeights::from_gguf(content, &mut file, &device)
            .expect("reference decoder");
    let input = candle_core::Tensor::new(prompt.tokens.as_slice(), &device).unwrap().unsqueeze(0).unwrap();
    let mut logits = reference.forward(&input, 0).unwrap().squeeze(0).unwrap();
    let mut tokens = Vec::new();
    for step in 0..fresh.generated_tokens {
        let next = logits.argmax(0).unwrap().to_scalar::<u32>().unwrap();
        tokens.push(next);
        let input = candle_core::Tensor::new(&[next], &device).unwrap().unsqueeze(0).unwrap();
        logits = reference.forward(&input, prompt.tokens.len() + step).unwrap().squeeze(0).unwrap();
    }
    let reference_text = cold.tokenizer().decode(&tokens).expect("decode");
    assert!(
        reference_text.trim_end().starts_with(fresh.text.trim_end()),
        "engine: {:?}\ncandle-transformers: {reference_text:?}",
        fresh.text
    );

    let mut warm = Model::load(&path, &mut |_| {}).expect("load");
    warm.generate(&a, &params, &mut |_| Flow::Continue).expect("first");
    let reused = warm.generate(&b, &params, &mut |_| Flow::Continue).expect("second");
    assert!(reused.cached_prompt_tokens > 10, "the instruction prefix is reused: {reused:?}");
    assert_eq!(reused.text, fresh.text, "reusing the prefix changes nothing");
}
