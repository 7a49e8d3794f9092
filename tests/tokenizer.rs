//! The tokenizer built from GGUF metadata: token for token identical to the model's official tokenizer.json on
//! real multilingual text, and round-trips on the tiny models.

use tend_engine::{GgufFile, Model};

use crate::support::{self, tiny};

#[test]
fn tiny_tokenizers_round_trip_text() {
    let samples =
        ["the tea", "J ate ½ porridge at 8:15, declined tea.", "Zoë said: «ça va» 👍", "line one\n\nline two  "];
    for &arch in tiny::ARCHITECTURES {
        let model = Model::load(&tiny::model(arch), &mut |_| {}).expect("load");
        let tok = model.tokenizer();
        for text in samples {
            let ids = tok.encode_text(text).expect("encode");
            assert!(!ids.is_empty(), "{arch}: {text:?}");
            assert_eq!(tok.decode(&ids).expect("decode"), text, "{arch}: round trip of {text:?}");
        }
    }
}

#[test]
fn byte_level_merges_are_applied() {
    let model = Model::load(&tiny::model("qwen2"), &mut |_| {}).expect("load");
    let tok = model.tokenizer();
    let vocab_index = |piece: &str| {
        let mut tokens: Vec<String> = tiny::byte_chars().into_iter().map(String::from).collect();
        tokens.extend(tiny::BPE_MERGES.iter().map(|(a, b)| format!("{a}{b}")));
        tokens.iter().position(|t| t == piece).map(|i| i as u32).expect("in vocabulary")
    };
    // " the" is one token after the merges Ġ+t, h+e, Ġt+he.
    assert_eq!(tok.encode_text("a the").expect("encode"), vec![vocab_index("a"), vocab_index("Ġthe")]);
}

#[test]
fn sentencepiece_scores_become_merges() {
    let model = Model::load(&tiny::model("gemma3"), &mut |_| {}).expect("load");
    let tok = model.tokenizer();
    let ids = tok.encode_text("the").expect("encode");
    assert_eq!(ids.len(), 2, "'t' + 'he' (no space prefix in this model): {ids:?}");
    let with_space = tok.encode_text(" the").expect("encode");
    assert_eq!(with_space.len(), 1, "'▁the' is one piece: {with_space:?}");
    let unknown = tok.encode_text("→").expect("encode");
    assert_eq!(unknown.len(), 3, "characters outside the vocabulary fall back to bytes: {unknown:?}");
}

/// Every line of the shared multilingual and learner-English data encodes to exactly the ids of the official
/// tokenizer.json, and decodes back to the same text.
#[test]
#[cfg_attr(not(tend_real_models), ignore = "needs real models: TEND_REAL_MODEL_TESTS=1 (scripts/test sets it)")]
fn qwen_tokenizer_from_gguf_matches_the_official_tokenizer_json() {
    let gguf = support::real_model("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf");
    assert!(GgufFile::open(&gguf).is_ok());
    let ours = tend_engine::Tokenizer::from_gguf(&gguf).expect("tokenizer from GGUF");
    let reference = tokenizers::Tokenizer::from_file(support::reference("qwen3/tokenizer.json")).expect("reference");
    let mut files: Vec<String> = ["eng", "ron", "pol", "fil", "hin", "urd", "por", "spa", "pan", "mal", "yor"]
        .iter()
        .map(|l| format!("ntrex-200/{l}.txt"))
        .collect();
    files.extend(["jfleg-dev/dev.src", "jfleg-dev/dev.ref0"].map(String::from));
    let (mut lines, mut renormalised) = (0, 0);
    for file in &files {
        for line in support::eval_lines(file) {
            let expected = reference.encode_fast(line.as_str(), false).expect("reference encode").get_ids().to_vec();
            let got = ours.encode_text(&line).expect("encode");
            assert_eq!(got, expected, "{file}: {line:?}");
            // Decoding gives the text back in Unicode NFC form (the tokenizer normalises to NFC first), so it must
            // match the reference's decoding and encode to the same ids again.
            let decoded = ours.decode(&got).expect("decode");
            assert_eq!(decoded, reference.decode(&expected, true).expect("reference decode"), "{file}: {line:?}");
            if decoded != line {
                assert_eq!(ours.encode_text(&decoded).expect("encode"), got, "{file}: NFC form of {line:?}");
                renormalised += 1;
            }
            lines += 1;
        }
    }
    assert!(lines > 3000, "compared {lines} lines");
    eprintln!("{lines} lines identical to the reference; {renormalised} came back in NFC form");
}

/// Merge rules whose halves or join are not tokens are refused with a message, never a panic. (Found by fuzzing,
/// CI run of 2026-12-05: a join longer than every token made the tokenizers crate index past its buffer.)
#[test]
fn merge_rules_outside_the_vocabulary_are_refused() {
    use candle_core::quantized::gguf_file::{self, Value};
    let dir = tempfile::tempdir().expect("temporary folder");
    // (model, tokens, merge rule)
    let cases = [
        ("gpt2", &["a", "b", "c"][..], "a b"),
        ("gpt2", &["a", "b", "ab"][..], "a x"),
        ("llama", &["<unk>", "▁", "t"][..], "▁ t"),
    ];
    for (model, tokens, merge) in cases {
        let strings = |v: &[&str]| Value::Array(v.iter().map(|s| Value::String(s.to_string())).collect());
        let metadata = [
            ("general.architecture", Value::String("llama".into())),
            ("tokenizer.ggml.model", Value::String(model.into())),
            ("tokenizer.ggml.tokens", strings(tokens)),
            ("tokenizer.ggml.merges", strings(&[merge])),
            ("tokenizer.ggml.token_type", Value::Array(tokens.iter().map(|_| Value::I32(1)).collect())),
        ];
        let path = dir.path().join(format!("{model}.gguf"));
        let mut file = std::fs::File::create(&path).expect("create");
        let refs: Vec<(&str, &Value)> = metadata.iter().map(|(k, v)| (*k, v)).collect();
        gguf_file::write(&mut file, &refs, &[]).expect("write");
        drop(file);
        let err = tend_engine::Tokenizer::from_gguf(&path).err().expect("refused");
        assert!(err.to_string().contains(&format!("merge rule '{merge}'")), "{model} {merge}: {err}");
    }
}
