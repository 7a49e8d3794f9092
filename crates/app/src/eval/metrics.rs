//! Text-similarity metrics for the evaluation, written out here so the report needs nothing beyond Tend:
//! chrF/chrF++ as sacrebleu defines them and GLEU as the JFLEG authors' script computes it.

use std::collections::HashMap;

fn counts<T: std::hash::Hash + Eq + Clone>(items: &[T], n: usize) -> HashMap<Vec<T>, usize> {
    let mut map = HashMap::new();
    if n > 0 && items.len() >= n {
        for window in items.windows(n) {
            *map.entry(window.to_vec()).or_insert(0) += 1;
        }
    }
    map
}

fn overlap<T: std::hash::Hash + Eq>(a: &HashMap<T, usize>, b: &HashMap<T, usize>) -> usize {
    a.iter().map(|(k, &n)| n.min(b.get(k).copied().unwrap_or(0))).sum()
}

/// Words as sacrebleu's chrF++ splits them: on white space, with trailing and leading punctuation apart.
fn chrf_words(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for word in text.split_whitespace() {
        let trimmed_end = word.trim_end_matches(|c: char| c.is_ascii_punctuation());
        let trimmed = trimmed_end.trim_start_matches(|c: char| c.is_ascii_punctuation());
        let lead = &trimmed_end[..trimmed_end.len() - trimmed.len()];
        let tail = &word[trimmed_end.len()..];
        out.extend([lead, trimmed, tail].into_iter().filter(|s| !s.is_empty()).map(str::to_owned));
    }
    out
}

/// Matching, hypothesis and reference n-gram counts per order (character orders first, then word orders).
fn chrf_stats(hyp: &str, reference: &str, word_order: usize) -> Vec<[usize; 3]> {
    let chars = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<Vec<char>>();
    let (hc, rc) = (chars(hyp), chars(reference));
    let mut stats = Vec::new();
    for n in 1..=6 {
        let (h, r) = (counts(&hc, n), counts(&rc, n));
        stats.push([overlap(&h, &r), h.values().sum(), r.values().sum()]);
    }
    let (hw, rw) = (chrf_words(hyp), chrf_words(reference));
    for n in 1..=word_order {
        let (h, r) = (counts(&hw, n), counts(&rw, n));
        stats.push([overlap(&h, &r), h.values().sum(), r.values().sum()]);
    }
    stats
}

fn chrf_score(stats: &[[usize; 3]]) -> f64 {
    const BETA2: f64 = 4.0;
    let (mut p, mut r, mut orders) = (0.0, 0.0, 0.0);
    for [m, h, rf] in stats {
        if *h > 0 && *rf > 0 {
            p += *m as f64 / *h as f64;
            r += *m as f64 / *rf as f64;
            orders += 1.0;
        }
    }
    if orders == 0.0 {
        return 0.0;
    }
    let (p, r) = (p / orders, r / orders);
    if p + r == 0.0 { 0.0 } else { 100.0 * (1.0 + BETA2) * p * r / (BETA2 * p + r) }
}

/// Corpus chrF (`word_order = 0`) or chrF++ (`word_order = 2`), 0-100. With several references per sentence the
/// best-matching one counts, as in sacrebleu.
pub fn chrf(hyps: &[String], refs: &[Vec<String>], word_order: usize) -> f64 {
    let mut total = vec![[0usize; 3]; 6 + word_order];
    for (hyp, sentence_refs) in hyps.iter().zip(refs) {
        let best = sentence_refs
            .iter()
            .map(|r| chrf_stats(hyp, r, word_order))
            .max_by(|a, b| chrf_score(a).total_cmp(&chrf_score(b)))
            .unwrap_or_default();
        for (t, s) in total.iter_mut().zip(best) {
            for i in 0..3 {
                t[i] += s[i];
            }
        }
    }
    chrf_score(&total)
}

/// A sentence tokenized the way JFLEG's files are, so that a correction is scored on its words and not on how it
/// spaces them: punctuation apart from words, and the clitics of "don't" and "John's" apart ("do n't", "John 's").
pub fn jfleg_tokens(text: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for word in text.split_whitespace() {
        let core_end = word.trim_end_matches(|c: char| c.is_ascii_punctuation() && c != '\'');
        let core = core_end.trim_start_matches(|c: char| c.is_ascii_punctuation());
        let (lead, tail) = (&core_end[..core_end.len() - core.len()], &word[core_end.len()..]);
        // Leading and trailing runs are ASCII punctuation: one token per byte.
        out.extend((0..lead.len()).map(|i| &lead[i..=i]));
        let lower = core.to_lowercase();
        let clitic = if lower.ends_with("n't") && core.len() > 3 {
            Some(core.len() - 3)
        } else {
            ["'s", "'re", "'ve", "'ll", "'d", "'m"]
                .iter()
                .find(|c| lower.ends_with(*c) && core.len() > c.len())
                .map(|c| core.len() - c.len())
        };
        match clitic {
            Some(at) => out.extend([&core[..at], &core[at..]]),
            None if !core.is_empty() => out.push(core),
            None => {}
        }
        out.extend((0..tail.len()).map(|i| &tail[i..=i]));
    }
    out.join(" ")
}

/// Corpus GLEU (Napoles et al.), 0-1: n-grams (1-4) of the hypothesis that match the reference, less those kept
/// from the source that the reference changed, with a brevity penalty. With several references the script samples
/// one per sentence; here each reference index is used for all sentences in turn and the scores are averaged,
/// which is deterministic.
pub fn gleu(sources: &[String], hyps: &[String], refs: &[Vec<String>]) -> f64 {
    let n_refs = refs.iter().map(Vec::len).min().unwrap_or(0);
    if n_refs == 0 {
        return 0.0;
    }
    let mut scores = Vec::new();
    for k in 0..n_refs {
        let mut stats = [0f64; 10];
        for ((src, hyp), sentence_refs) in sources.iter().zip(hyps).zip(refs) {
            let (s, h, r): (Vec<&str>, Vec<&str>, Vec<&str>) = (
                src.split_whitespace().collect(),
                hyp.split_whitespace().collect(),
                sentence_refs[k].split_whitespace().collect(),
            );
            stats[0] += h.len() as f64;
            stats[1] += r.len() as f64;
            for n in 1..=4 {
                let (hn, sn, rn) = (counts(&h, n), counts(&s, n), counts(&r, n));
                let source_not_ref: HashMap<Vec<&str>, usize> = sn
                    .iter()
                    .filter_map(|(g, &c)| {
                        let left = c.saturating_sub(rn.get(g).copied().unwrap_or(0));
                        (left > 0).then(|| (g.clone(), left))
                    })
                    .collect();
                let matched = overlap(&hn, &rn) as f64 - overlap(&hn, &source_not_ref) as f64;
                stats[2 * n] += matched.max(0.0);
                stats[2 * n + 1] += (h.len() + 1).saturating_sub(n) as f64;
            }
        }
        if stats.contains(&0.0) {
            scores.push(0.0);
            continue;
        }
        let log_precision: f64 = (1..=4).map(|n| (stats[2 * n] / stats[2 * n + 1]).ln()).sum::<f64>() / 4.0;
        scores.push((f64::min(0.0, 1.0 - stats[1] / stats[0]) + log_precision).exp());
    }
    scores.iter().sum::<f64>() / scores.len() as f64
}
