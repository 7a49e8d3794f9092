//! Chat templates rendered from the model's own `tokenizer.chat_template`: exact prompt strings for ChatML
//! (Qwen, SmolLM2), Llama 3 and Gemma 3, and clear errors for broken or hostile templates.

use expect_test::{Expect, expect};
use tend_engine::{ChatMessage, ChatTemplate, GgufFile};

use crate::support::{self, tiny};

fn conversation() -> Vec<ChatMessage> {
    vec![
        ChatMessage::system("You write care notes."),
        ChatMessage::user("AM call. J ate 1/2 porridge."),
        ChatMessage::assistant("J ate half of her porridge."),
        ChatMessage::user("Add: declined tea."),
    ]
}

fn check(source: &str, bos: &str, eos: &str, expected: Expect) {
    let template = ChatTemplate::new(source, bos, eos).expect("template compiles").with_date("22 Nov 2026");
    let rendered = template.render(&conversation(), true).expect("renders");
    expected.assert_eq(&rendered);
}

fn template_of(config: &str) -> String {
    let text = std::fs::read_to_string(support::reference(config)).expect("config");
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    json["chat_template"].as_str().expect("chat_template").to_owned()
}

#[test]
fn chatml_as_in_the_tiny_models() {
    check(
        tiny::CHATML,
        "",
        "<|im_end|>",
        expect![[r#"
            <|im_start|>system
            You write care notes.<|im_end|>
            <|im_start|>user
            AM call. J ate 1/2 porridge.<|im_end|>
            <|im_start|>assistant
            J ate half of her porridge.<|im_end|>
            <|im_start|>user
            Add: declined tea.<|im_end|>
            <|im_start|>assistant
        "#]],
    );
}

#[test]
fn template_errors_are_reported_not_panicked() {
    let cases = [
        ("{% for m in messages %}", "unexpected end"),
        ("{{ raise_exception('Conversation roles must alternate') }}", "Conversation roles must alternate"),
        ("{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}", "runs too long"),
        // Found by fuzzing: one list printed two hundred million times took longer than the fuzzer's 10 s.
        ("{{ ['nt'] | d*2E8 }}", "repeats text or lists"),
        ("{% set x = 'ab' %}{{ x * 3 }}", "repeats text or lists"),
    ];
    for (source, expected) in cases {
        let result = ChatTemplate::new(source, "", "").and_then(|t| t.render(&conversation(), true));
        let err = result.expect_err(source).to_string();
        assert!(err.contains(expected), "{source}: {err}");
    }
}

#[test]
fn a_star_in_text_strings_comments_or_a_power_is_not_repetition() {
    let source = "* {# a * b #}{{ '*' ~ \"**bold**\" ~ 'it\\'s *' }}{% if 2**3 == 8 %} ok{% endif %}";
    let t = ChatTemplate::new(source, "", "").expect("compiles");
    assert_eq!(t.render(&conversation(), false).expect("renders"), "* ***bold**it's * ok");
}

#[test]
fn python_string_methods_work_as_in_transformers() {
    let source = "{% for m in messages %}{{ m.content.strip().upper() }}|{% endfor %}{{ messages[0].content.startswith('You') }}";
    let t = ChatTemplate::new(source, "", "").expect("compiles");
    assert_eq!(
        t.render(&conversation(), false).expect("renders"),
        "YOU WRITE CARE NOTES.|AM CALL. J ATE 1/2 PORRIDGE.|J ATE HALF OF HER PORRIDGE.|ADD: DECLINED TEA.|True"
    );
}

#[test]
#[cfg_attr(not(tend_real_models), ignore = "needs real models: TEND_REAL_MODEL_TESTS=1 (scripts/test sets it)")]
fn qwen_template_from_the_real_gguf() {
    let path = support::real_model("qwen2.5-coder-0.5b-instruct-q4_k_m.gguf");
    let gguf = GgufFile::open(&path).expect("open");
    let source = gguf.chat_template().expect("the file has a template").to_owned();
    check(
        &source,
        "<|endoftext|>",
        "<|im_end|>",
        expect![[r#"
            <|im_start|>system
            You write care notes.<|im_end|>
            <|im_start|>user
            AM call. J ate 1/2 porridge.<|im_end|>
            <|im_start|>assistant
            J ate half of her porridge.<|im_end|>
            <|im_start|>user
            Add: declined tea.<|im_end|>
            <|im_start|>assistant
        "#]],
    );
    // Without a system message Qwen's template supplies its own.
    let t = ChatTemplate::new(&source, "", "").expect("compiles");
    let rendered = t.render(&[ChatMessage::user("hi")], true).expect("renders");
    assert!(rendered.starts_with("<|im_start|>system\nYou are Qwen"), "{rendered}");
}

#[test]
#[cfg_attr(not(tend_real_models), ignore = "needs real models: TEND_REAL_MODEL_TESTS=1 (scripts/test sets it)")]
fn smollm2_template_from_the_real_gguf() {
    let path = support::real_model("SmolLM2-135M-Instruct.Q4_1.gguf");
    let source = GgufFile::open(&path).expect("open").chat_template().expect("template").to_owned();
    let t = ChatTemplate::new(&source, "<|im_start|>", "<|im_end|>").expect("compiles");
    expect![[r#"
        <|im_start|>system
        You are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>
        <|im_start|>user
        hi<|im_end|>
        <|im_start|>assistant
    "#]]
    .assert_eq(&t.render(&[ChatMessage::user("hi")], true).expect("renders"));
}

#[test]
#[cfg_attr(not(tend_real_models), ignore = "needs real models: TEND_REAL_MODEL_TESTS=1 (scripts/test sets it)")]
fn llama3_template_from_the_official_tokenizer_config() {
    check(
        &template_of("llama3_1/tokenizer_config.json"),
        "<|begin_of_text|>",
        "<|eot_id|>",
        expect![[r#"
            <|begin_of_text|><|start_header_id|>system<|end_header_id|>

            You write care notes.<|eot_id|><|start_header_id|>user<|end_header_id|>

            AM call. J ate 1/2 porridge.<|eot_id|><|start_header_id|>assistant<|end_header_id|>

            J ate half of her porridge.<|eot_id|><|start_header_id|>user<|end_header_id|>

            Add: declined tea.<|eot_id|><|start_header_id|>assistant<|end_header_id|>

        "#]],
    );
}

#[test]
#[cfg_attr(not(tend_real_models), ignore = "needs real models: TEND_REAL_MODEL_TESTS=1 (scripts/test sets it)")]
fn gemma3_template_from_the_official_tokenizer_config() {
    check(
        &template_of("gemma3/tokenizer_config.json"),
        "<bos>",
        "<eos>",
        expect![[r#"
            <bos><start_of_turn>user
            You write care notes.

            AM call. J ate 1/2 porridge.<end_of_turn>
            <start_of_turn>model
            J ate half of her porridge.<end_of_turn>
            <start_of_turn>user
            Add: declined tea.<end_of_turn>
            <start_of_turn>model
        "#]],
    );
}
