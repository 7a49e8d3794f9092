//! The handover summary: sentences sorted into care categories (a table), spans read from the command line, and
//! a summary of real final notes in a real database written by a tiny model, in which every point links to the
//! sentence of the note it came from, an amended note gives way to its amendment, and a point that says what no
//! note says (planted) is never shown.

use tend_app::handover::{MAX_POINTS_PER_CATEGORY, Within, Written, notes_for, point_holds, summarise};
use tend_app::records::Session;
use tend_engine::GenerationParams;
use tend_store::{Decision, Role, Store};

/// (sentence of a final note, category).
const CATEGORIES: &[(&str, &str)] = &[
    ("Amlodipine 5mg was given at 8:30.", "medication"),
    ("Medicines were given as per the MAR chart.", "medication"),
    ("Harold was found sitting on the floor by his bed.", "concerns"),
    ("She said her knee aches.", "concerns"),
    ("Small red area on left heel, non-blanching.", "concerns"),
    ("Skin on heels intact, barrier cream applied.", "skin"),
    ("Harold was up and dressed with support.", "personal-care"),
    ("Ate half of her porridge and drank one cup of tea.", "eating-drinking"),
    ("Walked to the lounge with her frame.", "mobility-falls"),
    ("Hoisted with two carers to the chair.", "mobility-falls"),
    ("Mood was good, chatty all afternoon.", "mood-wellbeing"),
    ("Her daughter Jean rang.", "family-contacts"),
    ("Morning call at 8:15.", "other"),
];

#[test]
fn each_sentence_goes_under_one_care_category() {
    for (sentence, expected) in CATEGORIES {
        assert_eq!(tend_checks::categories::categorise(sentence).id, *expected, "\nsentence: {sentence}");
    }
    let all = tend_checks::categories::categories();
    assert!(all.iter().all(|c| !c.source.is_empty() && !c.label.is_empty()), "every category names its source");
    assert_eq!(all.last().map(|c| c.id.as_str()), Some("other"), "a sentence with no category's words is kept");
}

#[test]
fn spans_are_read_as_the_command_line_writes_them() {
    let cases: &[(&str, Option<Within>)] = &[
        ("last", Some(Within::LastNote)),
        ("24h", Some(Within::Hours(24))),
        ("7d", Some(Within::Hours(168))),
        ("0h", None),
        ("7 days", None),
        ("week", None),
        ("", None),
    ];
    for (text, expected) in cases {
        assert_eq!(Within::parse(text), *expected, "{text:?}");
    }
    assert_eq!(Within::Hours(168).label(), "the last 7 days");
}

/// A database with a manager (asha) and a care worker (tom) who works with Margaret, whose three final notes are
/// approved by asha; the first is amended. Returns the folder, the database and the person.
fn home_with_notes() -> (tempfile::TempDir, std::path::PathBuf, i64) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tend.db");
    let mut admin = Store::create(&db, "admin", "admin-password").unwrap();
    admin.add_user("asha", Role::Manager, "asha-password").unwrap();
    admin.add_user("tom", Role::CareWorker, "tom-password").unwrap();
    let person = admin.add_person("Margaret", "NHS-0001").unwrap();
    admin.assign("tom", person).unwrap();
    admin.assign("asha", person).unwrap();
    drop(admin);
    let notes = [
        "Morning call at 8:15. Margaret ate half of her porridge. Amlodipine 5mg was given at 8:30.",
        "Lunch at 12:30. Margaret walked to the lounge with her frame. Her daughter Jean rang.",
        "Tea at 17:00. Skin on her heels intact, barrier cream applied. Mood was good.",
    ];
    let mut finals = Vec::new();
    for text in notes {
        let mut tom = Store::open(&db, "tom", "tom-password").unwrap();
        let id = crate::store::save(&mut tom, person, text, 0);
        tom.submit(id).unwrap();
        let mut asha = Store::open(&db, "asha", "asha-password").unwrap();
        finals.push(asha.review(id, Decision::Approve, "").unwrap().unwrap());
    }
    let mut asha = Store::open(&db, "asha", "asha-password").unwrap();
    asha.amend(
        finals[0],
        "Morning call at 8:15. Margaret ate all of her porridge. Amlodipine 5mg was given at 8:30.",
        "she ate all of it",
    )
    .unwrap();
    (dir, db, person)
}

#[test]
fn a_handover_summary_points_only_at_the_notes_it_came_from() {
    let (_dir, db, person) = home_with_notes();
    let mut session = Session::sign_in(&db, "asha", "asha-password").unwrap();
    let (name, notes, left_out) = session.handover_notes(person, Within::Hours(24)).unwrap();
    assert_eq!(name, "Margaret");
    assert!(left_out.is_empty());
    assert_eq!(notes.len(), 3, "the amendment stands in for the note it corrects");
    assert!(notes[0].amends.is_some(), "newest first: the amendment was written last");
    assert!(notes.iter().all(|n| !n.text.contains("half of her porridge")), "the corrected text is not summarised");

    let mut assistant = tend_app::Assistant::open(&crate::support::tiny::task_sized_model(), &mut |_| {}).unwrap();
    let params = GenerationParams { max_tokens: 40, ..GenerationParams::default() };
    let mut asked = 0;
    let summary = assistant
        .handover(&name, &notes, Within::Hours(24), left_out, &params, &mut |_| {
            asked += 1;
            tend_app::Flow::Continue
        })
        .unwrap();
    assert!(summary.review_required && !summary.stopped);
    assert!(asked > 0, "progress is reported");
    let points: Vec<_> = summary.groups.iter().flat_map(|g| &g.points).collect();
    assert!(points.len() >= 8, "{summary:#?}");
    for point in &points {
        let note = notes.iter().find(|n| n.id == point.note_id).expect("every point links to one of the notes");
        let sentence = &note.text[point.start..point.end];
        assert!(point_holds(sentence, &point.text, &name), "{point:?} against {sentence:?}");
    }
    let group = |id: &str| summary.groups.iter().find(|g| g.category == id);
    assert!(group("medication").is_some_and(|g| g.points[0].text.contains("Amlodipine 5mg")), "{summary:#?}");
    assert!(group("skin").is_some() && group("family-contacts").is_some(), "{summary:#?}");
    assert!(summary.groups.iter().all(|g| g.points.len() <= MAX_POINTS_PER_CATEGORY));

    // A care worker cannot save it; the manager saves it as a draft that holds the summary and, as the source it
    // is reviewed against, the notes it came from; it is a record only once another manager approves it.
    let source = tend_app::handover::source_of(&notes);
    let mut tom = Session::sign_in(&db, "tom", "tom-password").unwrap();
    let refused = tom.save_handover(person, &summary, &source, "tiny").unwrap_err();
    assert!(refused.to_string().contains("only a manager or an administrator"), "{refused}");
    let id = session.save_handover(person, &summary, &source, "tiny").unwrap();
    let saved = session.records().unwrap().draft(id).unwrap();
    assert_eq!((saved.task.as_str(), saved.status.as_str()), ("handover", "draft"));
    assert_eq!(saved.ai_text, summary.text());
    assert!(saved.ai_text.contains(&format!("[note {}", notes[0].id)), "{}", saved.ai_text);
    assert!(notes.iter().all(|n| saved.source_text.contains(&n.text)), "{}", saved.source_text);

    // The last note only.
    let (_, last, _) = session.handover_notes(person, Within::LastNote).unwrap();
    assert_eq!(last.len(), 1);
    assert_eq!(last[0].id, notes[0].id);
}

#[test]
fn a_point_no_note_supports_is_never_shown() {
    let (_dir, db, person) = home_with_notes();
    let mut session = Session::sign_in(&db, "asha", "asha-password").unwrap();
    let (name, notes, left_out) = session.handover_notes(person, Within::Hours(24)).unwrap();
    // A writer that plants a fall and a hospital visit in the point for the lounge, and writes every other
    // sentence as it stands.
    let mut planted = 0;
    let summary = summarise(&name, &notes, Within::Hours(24), left_out, &mut |sentence, _, _| {
        let text = if sentence.contains("lounge") {
            planted += 1;
            "Margaret fell in the lounge and was taken to hospital.".to_owned()
        } else {
            sentence.to_owned()
        };
        Ok(Some(Written { text, fallback: false }))
    })
    .unwrap();
    assert_eq!(planted, 1);
    let points: Vec<_> = summary.groups.iter().flat_map(|g| &g.points).collect();
    assert!(points.iter().all(|p| !p.text.contains("hospital") && !p.text.contains("fell")), "{summary:#?}");
    let lounge = points.iter().find(|p| p.text.contains("lounge")).expect("the sentence itself stands instead");
    assert!(lounge.fallback && lounge.text == "Margaret walked to the lounge with her frame", "{lounge:?}");

    // A note whose approval does not hold is left out and named.
    let mut forged = notes.clone();
    forged[1].signature = tend_store::SignatureCheck::Invalid { reason: "test".into() };
    let (kept, left_out) = notes_for(forged.into_iter().rev().collect(), Within::Hours(24));
    assert_eq!((kept.len(), left_out), (2, vec![notes[1].id]));
}
