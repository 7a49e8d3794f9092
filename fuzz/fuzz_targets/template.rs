//! Chat-template rendering with hostile templates (the template comes from a model file someone downloaded). The
//! input is the template, then the messages, separated by lines of `---`. Loops, recursion and output size are
//! bounded by the engine's minijinja limits and the `*` operator is refused, so rendering must end quickly with
//! text or an error. minijinja is not a memory sandbox: a template can still build a large string in a few steps
//! (a width of a billion in `format`, a string doubled in a loop); Tend's catalogue pins every model file by
//! SHA-256, so such a template can come only from a file the user picked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tend_engine::{ChatMessage, ChatTemplate};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut parts = text.split("\n---\n");
    let source = parts.next().unwrap_or_default();
    let messages: Vec<ChatMessage> = parts
        .enumerate()
        .map(|(i, content)| match i {
            0 => ChatMessage::system(content),
            i if i % 2 == 1 => ChatMessage::user(content),
            _ => ChatMessage::assistant(content),
        })
        .collect();
    if let Ok(template) = ChatTemplate::new(source, "<s>", "</s>") {
        let _ = template.render(&messages, true);
        let _ = template.render(&messages, false);
    }
});
