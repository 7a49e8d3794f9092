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

#[test]
fn translation_figures_measured_on_this_computer_label_and_gate_that_model() {
    use tend_app::eval::{EvalOptions, EvalSet, run};
    use tend_app::models::{Reliability, reliability, translation_figures};
    use tend_app::{Assistant, Language, Task};
    let dir = tempfile::tempdir().expect("temporary folder");
    let model = dir.path().join("imported.gguf");
    std::fs::copy(support::tiny::task_sized_model(), &model).expect("an imported model, beside nothing");
    let mut assistant = Assistant::open(&model, &mut |_| {}).expect("load");
    let sha = assistant.model_sha256().to_owned();
    assert!(translation_figures(&model, &sha).is_none(), "an imported model starts with no figures");
    let options = EvalOptions {
        data_dir: support::repo_root().join("../shared/eval"),
        sets: vec![EvalSet::Translation],
        limit: 1,
        drafts: None,
    };
    let report = run(&options, Some(&mut assistant)).expect("the translation part runs");
    let saved = report.translation_saved.expect("saved");
    assert!(saved.starts_with(dir.path()), "beside the model: {}", saved.display());
    let figures = translation_figures(&model, &sha).expect("the measured figures are this model's now");
    assert_eq!(figures.lines, 1);
    for t in &report.translation {
        let saved = figures.chrf.get(&t.direction.replace("->", "-")).expect("every direction saved");
        assert!((saved - t.chrf_pp).abs() < 1e-9, "{}: {saved} for {}", t.direction, t.chrf_pp);
    }
    // The picker's labels and the task's gate follow them: a direction this tiny model scored below the floor is
    // declined, with the figure and its date.
    let (worst, chrf) = Language::all()
        .filter(|&l| l != Language::English)
        .map(|l| (l, reliability(Some(&figures), l)))
        .min_by(|a, b| a.1.1.unwrap_or(100.0).total_cmp(&b.1.1.unwrap_or(100.0)))
        .map(|(l, (_, chrf))| (l, chrf.expect("measured")))
        .expect("languages");
    assert_eq!(reliability(Some(&figures), worst).0, Reliability::NotAvailable, "random weights translate nothing");
    let params = tend_engine::GenerationParams { max_tokens: 8, ..Default::default() };
    let declined = assistant
        .draft(Task::Translate, "Margaret had tea at 3pm.", Some(worst), None, &params, &mut |_| {
            tend_engine::Flow::Continue
        })
        .expect("answered");
    assert!(declined.declined, "{}", declined.draft);
    assert!(
        declined.draft.contains(&format!("{chrf:.1} chrF++")) && declined.draft.contains(&figures.measured),
        "{}",
        declined.draft
    );
    // Figures kept for another file under the same name are not used.
    let text = std::fs::read_to_string(&saved).expect("read").replace(&sha, &"0".repeat(64));
    std::fs::write(&saved, text).expect("write");
    assert!(translation_figures(&model, &sha).is_none());
}

#[test]
fn translation_is_measured_on_the_built_in_sentences_and_saved_beside_the_model() {
    use tend_app::{Assistant, Flow};
    let dir = tempfile::tempdir().expect("temporary folder");
    let model = dir.path().join("tiny.gguf");
    std::fs::copy(support::tiny::task_sized_model(), &model).expect("copy the tiny model");
    let mut assistant = Assistant::open(&model, &mut |_| {}).expect("load");
    // Stopped, it saves nothing.
    let stopped = tend_app::eval::measure_translation(&mut assistant, 1, &mut |done, _| {
        if done == 3 { Flow::Stop } else { Flow::Continue }
    })
    .expect("measure");
    assert!(stopped.is_none());
    assert!(tend_app::models::translation_figures(&model, assistant.model_sha256()).is_none());
    // Run through, every language both ways, with progress, saved beside the model file.
    let mut seen = Vec::new();
    let (measured, saved) = tend_app::eval::measure_translation(&mut assistant, 1, &mut |done, total| {
        seen.push((done, total));
        Flow::Continue
    })
    .expect("measure")
    .expect("not stopped");
    assert_eq!(measured.len(), 20, "ten languages, both ways");
    assert_eq!(seen.first(), Some(&(0, 20)));
    assert_eq!(seen.last(), Some(&(19, 20)));
    assert!(saved.starts_with(dir.path()), "{}", saved.display());
    let figures = tend_app::models::translation_figures(&model, assistant.model_sha256()).expect("figures");
    assert_eq!((figures.lines, figures.chrf.len()), (1, 20));
    assert!(figures.data.contains("built into Tend"), "{}", figures.data);
}
