//! The checks on a realistic 2 KB care note: they run on every draft, so they must stay well under 5 ms.

use criterion::{Criterion, criterion_group, criterion_main};

const SHORTHAND: &str = "AM call. J up & dressed w/ support, ate 1/2 porridge, declined tea, meds given 8:15 \
(paracetamol 500mg x2, amlodipine 5mg), mood low - misses daughter Sarah who visits Sundays. ";
const DRAFT: &str = "J got up and dressed with support this morning. She ate half of her porridge and declined tea. \
Her medication was given at 8:15: two paracetamol 500mg tablets and amlodipine 5mg. Her mood was low; she said \
she misses her daughter Sarah, who visits on Sundays. ";

fn note(unit: &str) -> String {
    unit.repeat(2048 / unit.len() + 1)[..2048].to_owned()
}

fn checks(c: &mut Criterion) {
    let (source, draft) = (note(SHORTHAND), note(DRAFT));
    // Build the word lists once, as the app does at its first check.
    tend_checks::check_draft(&source, &draft);
    c.bench_function("check_draft 2KB note", |b| b.iter(|| tend_checks::check_draft(&source, &draft)));
    c.bench_function("extract_facts 2KB note", |b| b.iter(|| tend_checks::extract_facts(&draft)));
}

criterion_group!(benches, checks);
criterion_main!(benches);
