//! The evaluation's metrics against known values: chrF of identical texts, and GLEU of the uncorrected JFLEG
//! sentences, which the data's README gives as about 0.40.

use tend_app::eval::{chrf, gleu, jfleg_tokens};

use crate::support;

#[test]
fn chrf_is_100_for_identical_text_and_lower_for_changes() {
    let refs = vec![vec!["She declined her tea at 8:15.".to_owned()]];
    assert!((chrf(&["She declined her tea at 8:15.".to_owned()], &refs, 0) - 100.0).abs() < 1e-9);
    let changed = chrf(&["She drank her tea at 9:15.".to_owned()], &refs, 2);
    assert!(changed > 30.0 && changed < 90.0, "{changed}");
    // The best of several references counts.
    let two = vec![vec!["Something else entirely.".to_owned(), "She declined her tea at 8:15.".to_owned()]];
    assert!((chrf(&["She declined her tea at 8:15.".to_owned()], &two, 2) - 100.0).abs() < 1e-9);
}

#[test]
fn a_correction_is_tokenized_as_jfleg_is_before_scoring() {
    for (text, tokens) in [
        ("She didn't go, it's John's (new) car.", "She did n't go , it 's John 's ( new ) car ."),
        ("\"Yes!\" he said...", "\" Yes ! \" he said . . ."),
        ("So I think we can not live .", "So I think we can not live ."),
    ] {
        assert_eq!(jfleg_tokens(text), tokens);
    }
}

#[test]
fn gleu_of_the_jfleg_source_is_about_0_40() {
    let src = support::eval_lines("jfleg-dev/dev.src");
    let refs: Vec<Vec<String>> = {
        let all: Vec<Vec<String>> = (0..4).map(|k| support::eval_lines(&format!("jfleg-dev/dev.ref{k}"))).collect();
        (0..src.len()).map(|i| all.iter().map(|r| r[i].clone()).collect()).collect()
    };
    let source_score = gleu(&src, &src, &refs);
    assert!((0.37..0.43).contains(&source_score), "GLEU of the source: {source_score}");
    let reference_score = gleu(&src, &refs.iter().map(|r| r[0].clone()).collect::<Vec<_>>(), &refs);
    assert!(reference_score > source_score + 0.1, "a human correction scores well above: {reference_score}");
}

#[test]
fn the_grounding_check_on_summedits_stays_quiet_on_consistent_summaries() {
    use tend_app::eval::{EvalOptions, EvalSet, run};
    let options = EvalOptions {
        data_dir: support::repo_root().join("../shared/eval"),
        sets: vec![EvalSet::Grounding],
        limit: 0,
        drafts: None,
    };
    let g = run(&options, None).expect("the grounding evaluation runs without a model").grounding.expect("its figures");
    assert_eq!(g.items, 951);
    assert_eq!(g.by_domain.iter().map(|d| d.1).sum::<usize>(), g.items);
    // A floor under the figures in benches/results/eval-checks.md, so that a change to the checks that makes them
    // noisier or blinder fails here rather than in a care worker's review.
    assert!(g.false_positive_rate <= 0.1, "consistent summaries flagged: {}", g.false_positive_rate);
    assert!(g.precision >= 0.85 && g.balanced_accuracy >= 0.67, "{g:?}");
}
