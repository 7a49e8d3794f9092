//! The checks on a realistic 2 KB care note: they run on every draft, so they must stay well under 5 ms. And the
//! decoding constraint's cost per generated token (asked once for every sampled token), beside a decode step's
//! time (tens of milliseconds on a laptop).

use criterion::{Criterion, criterion_group, criterion_main};

const SHORTHAND: &str = "AM call. J up & dressed w/ support, ate 1/2 porridge, declined tea, meds given 8:15 \
(paracetamol 500mg x2, amlodipine 5mg), mood low - misses daughter Sarah who visits Sundays. ";
const DRAFT: &str = "J got up and dressed with support this morning. She ate half of her porridge and declined tea. \
Her medication was given at 8:15: two paracetamol 500mg tablets and amlodipine 5mg. Her mood was low; she said \
she misses her daughter Sarah, who visits on Sundays. ";

fn note(unit: &str) -> String {
    sized(unit, 2048)
}

/// `unit` repeated to `bytes` (ASCII, so any byte is a character boundary).
fn sized(unit: &str, bytes: usize) -> String {
    unit.repeat(bytes / unit.len() + 1)[..bytes].to_owned()
}

fn checks(c: &mut Criterion) {
    let (source, draft) = (note(SHORTHAND), note(DRAFT));
    // Build the word lists once, as the app does at its first check.
    tend_checks::check_draft(&source, &draft);
    c.bench_function("check_draft 2KB note", |b| b.iter(|| tend_checks::check_draft(&source, &draft)));
    c.bench_function("extract_facts 2KB note", |b| b.iter(|| tend_checks::extract_facts(&draft)));
    // `tend check` on long inputs must grow linearly: 250 KB (the most the command line reads) against 25 KB
    // should be about 10x.
    let mut long = c.benchmark_group("check_draft long input");
    long.sample_size(10);
    for kb in [25, 250] {
        let (source, draft) = (sized(SHORTHAND, kb * 1024), sized(DRAFT, kb * 1024));
        long.bench_function(format!("{kb}KB"), |b| b.iter(|| tend_checks::check_draft(&source, &draft)));
    }
    long.finish();
    constraint(c);
}

/// A sentence written from one line of a note, piece by piece as a model's tokens arrive: the rewrite rule is built
/// once per line, then asked once per token (the sentence of the test suite's token-by-token rewrite test).
fn constraint(c: &mut Criterion) {
    use tend_checks::rewrite::Rewrite;
    let line = tend_checks::items::expand("Meds as per MAR 07:55 - amlodipine 5mg, Adcal-D3 x1 chewed");
    // Pieces as a model writes them, split at "|".
    let sentence: Vec<&str> =
        "Medicines| were| as| per| the| MAR| chart| 07|:|55|.| Aml|od|ipine| 5|mg|,| one| Ad|cal|-D|3| chewed|."
            .split('|')
            .collect();
    let build = || Rewrite::new(&line, Some("Margaret"));
    c.bench_function("rewrite rule: build for one line", |b| b.iter(build));
    let allowed = build();
    c.bench_function("rewrite rule: per token (24-token sentence, mean)", |b| {
        b.iter_custom(|iterations| {
            let started = std::time::Instant::now();
            for _ in 0..iterations {
                let mut reply = String::new();
                for piece in &sentence {
                    assert!(allowed.permits(&reply, piece), "{reply:?} + {piece:?}");
                    reply.push_str(piece);
                }
            }
            started.elapsed() / sentence.len() as u32
        })
    });
}

criterion_group!(benches, checks);
criterion_main!(benches);
