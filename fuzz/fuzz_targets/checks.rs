//! The checks on arbitrary text: the fact extractors, grounding, person-centred wording, the clinical-advice
//! guard and the translation check. The input is the source and the draft separated by a line of `---`. Besides
//! not crashing, every finding must point at a real span of the text it names.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tend_checks::{Finding, Location};

fn assert_spans(findings: &[Finding], source: &str, draft: &str) {
    for f in findings {
        let text = if f.location == Location::Source { source } else { draft };
        assert!(f.start <= f.end && f.end <= text.len(), "span {}..{} outside the text: {f:?}", f.start, f.end);
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end), "span splits a character: {f:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (source, draft) = text.split_once("\n---\n").unwrap_or((&text, &text));
    let _ = tend_checks::extract_facts(source);
    assert_spans(&tend_checks::check_draft(source, draft), source, draft);
    assert_spans(&tend_checks::translation::check(source, draft), source, draft);
    let _ = tend_checks::clinical::asks_for_advice(source);
});
