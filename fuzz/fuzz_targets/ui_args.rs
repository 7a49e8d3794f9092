//! The arguments the page sends to the draft command, as JSON, through what the app does with them before the
//! model runs: deserialisation (as Tauri does it), the task's input checks and prompt, the clinical-advice guard,
//! and rendering the prompt with a chat template. Also the review decision and a language name.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tend_app::workspace::DraftRequest;
use tend_engine::ChatTemplate;

const CHATML: &str = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<tend_app::records::Decision>(data);
    if let Ok(name) = std::str::from_utf8(data) {
        let _ = tend_writing::Language::parse(name);
    }
    let Ok(request) = serde_json::from_slice::<DraftRequest>(data) else { return };
    let _ = tend_checks::clinical::asks_for_advice(&request.input);
    if let Ok(prompt) = request.task.prompt(&request.input, request.language, None) {
        let template = ChatTemplate::new(CHATML, "", "<|im_end|>").expect("ChatML parses");
        template.render(&prompt.messages, true).expect("a task prompt renders");
    }
});
