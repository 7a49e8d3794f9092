//! The checks, as tables of source, draft and the findings expected: each finding written `kind "text"`.

use tend_checks::{Finding, FindingKind, Location, check_draft, clinical, translation};

fn describe(findings: &[Finding]) -> Vec<String> {
    let mut out: Vec<String> = findings
        .iter()
        .map(|f| {
            let kind = match f.kind {
                FindingKind::UnsupportedFact => "unsupported",
                FindingKind::Omission => "omission",
                FindingKind::Negation => "negation",
                FindingKind::Wording => "wording",
                FindingKind::ClinicalAdvice => "clinical",
                FindingKind::HighStakes => "high-stakes",
                FindingKind::Reading => "reading",
            };
            format!("{kind} {:?}", f.text)
        })
        .collect();
    out.sort();
    out
}

/// (source, draft, expected findings)
const GROUNDING: &[(&str, &str, &[&str])] = &[
    // Faithful drafts: nothing to report.
    (
        "AM call. J up & dressed w/ support, ate 1/2 porridge, declined tea, meds given 8:15, mood low - misses daughter",
        "J got up and dressed with support this morning. She ate half of her porridge and declined tea. Her medication was given at 8:15. Her mood was low; she said she misses her daughter.",
        &[],
    ),
    ("Had 2 biscuits and 6 cups of water", "She had two biscuits and six cups of water.", &[]),
    ("Woke at half 8.", "She woke at 8:30.", &[]),
    ("Woke at 8:30.", "She woke at half eight.", &[]),
    ("Lunch at 1pm.", "Lunch was at 13:00.", &[]),
    ("Paracetamol 500mg given.", "Paracetamol 0.5 g was given.", &[]),
    ("Calpol given", "Paracetamol was given.", &[]),
    ("3/7 hx of diarrhoea", "He has had diarrhoea for three days.", &[]),
    ("Out for 30 mins.", "She went out for 30 minutes.", &[]),
    ("Out for 2h.", "She went out for two hours.", &[]),
    // Both ends of a range carry its unit.
    ("Review in 3-5d.", "To be reviewed in three to five days.", &[]),
    ("Review in 3-5d.", "To be reviewed in five days.", &["omission \"3\""]),
    (
        "Review in 3-5d.",
        "To be reviewed in three weeks.",
        &["omission \"3\"", "omission \"5d\"", "unsupported \"three weeks\""],
    ),
    ("Takes 1 or 2 tablets.", "Takes one to two tablets.", &[]),
    ("Takes 1 or 2 tablets.", "Takes 2 tablets.", &["omission \"1\""]),
    ("Visit on Monday.", "The visit was on Monday.", &[]),
    // Tricky cases from the issue.
    ("Woke at half 8.", "She woke at 9:30.", &["omission \"half 8\"", "unsupported \"9:30\""]),
    ("Did not take her tablets.", "She took her tablets.", &["negation \"tablets\"", "negation \"took\""]),
    ("Mrs Patel had lunch.", "Mrs Patil had lunch.", &["omission \"Patel\"", "unsupported \"Patil\""]),
    // A title that contradicts the notes' (misgendering), and titles that agree or are not gendered.
    ("Mr Patel had lunch.", "Mrs Patel had lunch.", &["unsupported \"Patel\""]),
    ("Ms. Okafor had lunch. Mrs Okafor slept.", "Mrs Okafor had lunch.", &[]),
    ("Dr Shah visited Mr Jones.", "Mr Shah visited Mr Jones.", &[]),
    ("Jones had lunch.", "Mr Jones had lunch.", &[]),
    ("Amlodipine 5mg given.", "Amlodipine 50mg was given.", &["omission \"5mg\"", "unsupported \"50mg\""]),
    // Invented facts.
    (
        "J ate porridge.",
        "Jane ate porridge at 9am.",
        &["omission \"J\"", "unsupported \"9am\"", "unsupported \"Jane\""],
    ),
    ("Meds given.", "Her paracetamol was given.", &["unsupported \"paracetamol\""]),
    ("Two tablets given.", "Three tablets were given.", &["omission \"Two tablets\"", "unsupported \"Three tablets\""]),
    ("Visit on Monday.", "The visit was on Tuesday.", &["omission \"Monday\"", "unsupported \"Tuesday\""]),
    ("AM call. J had toast.", "During the afternoon visit J had toast.", &["unsupported \"afternoon\""]),
    ("Meds 8:15.", "Her medication was given in the morning.", &["omission \"8:15\""]),
    // What real models did to care notes: a whole amount for a part, a relation changed, a verb of care turned
    // round, a name given another person's role, a suspected condition stated as fact or echoed as shorthand.
    ("ate 1/2 porridge", "She ate all of her porridge.", &["omission \"1/2\"", "unsupported \"all\""]),
    ("ate 1/2 porridge", "She ate half of her porridge.", &[]),
    // Sets BH and BW, read blind: one "a" turns an amount round ("little" is hardly any, "a little" some).
    ("Ate little at tea", "Ate a little at tea.", &["unsupported \"a little\""]),
    ("Drank a few sips", "Drank few sips.", &["unsupported \"few\""]),
    ("Ate little at tea, a little bit tired", "Ate little at tea. A little bit tired.", &[]),
    ("Ate a little at tea", "She ate a little at tea.", &[]),
    // Set CI, read blind: one article makes what she ate someone's act.
    (
        "late breakfast - boiled egg + toast",
        "Had a late breakfast, boiled an egg and toast.",
        &["unsupported \"boiled an egg\""],
    ),
    ("late breakfast - boiled egg + toast", "Had a late breakfast, boiled egg and toast.", &[]),
    ("Boiled kettle, made tea", "Boiled the kettle, made tea.", &[]),
    ("Son Raj visited", "Her husband Raj visited.", &["unsupported \"husband\""]),
    ("declined tea", "She accepted tea.", &["negation \"tea\""]),
    (
        "Nurse Grace informed. Son Bilal told by phone.",
        "Nurse Bilal was informed. Son Grace was told by phone.",
        &["unsupported \"Nurse Bilal\"", "unsupported \"Son Grace\""],
    ),
    ("c/o chest pain ?MI", "He complained of chest pain ?MI.", &["unsupported \"?MI\""]),
    ("c/o chest pain ?MI", "He complained of chest pain and had an MI.", &["unsupported \"MI\""]),
    ("c/o chest pain ?MI", "He complained of chest pain, possibly an MI.", &[]),
    // Negations both ways, and lost.
    ("Declined tea.", "She had tea.", &["negation \"tea\""]),
    ("Ate lunch.", "She did not eat lunch.", &["negation \"eat\""]),
    ("Sold for £12.50, 25 left.", "It sold for £12.50 and twenty-five were left.", &[]),
    ("Go-there plan agreed.", "The go-there plan was agreed.", &[]),
    ("They had twenty - five machines.", "There were 25 machines.", &[]),
    // Shorthand counts and fractions said in words (real drafts' false alarms), and "Sat" the verb.
    ("Strip wash x1, BO x1", "Strip wash with one carer. Bowels opened once.", &[]),
    (
        "porridge 1/4, ate 3/4 of pie, 2/3 of soup",
        "Porridge a quarter, ate three quarters of pie, two thirds of soup.",
        &[],
    ),
    ("ate 3/4 of pie", "She ate a quarter of her pie.", &["omission \"3/4\"", "unsupported \"a quarter\""]),
    ("sat in chair", "Sat in chair watching TV.", &[]),
    // A staffing ratio is one fact (sets F and M: "1" of "1:1" reported lost from "one-to-one").
    ("walk to park w/ staff 1:1", "Walk to the park with staff one-to-one.", &[]),
    (
        "walk to park w/ staff 2:1",
        "Walk to the park with staff one-to-one.",
        &["omission \"2:1\"", "unsupported \"one-to-one\""],
    ),
    ("coughed, sat upright", "Coughed. Sat upright.", &[]),
    ("Sat w/ her friend at table", "Sat with her friend at the table.", &[]),
    // Set AR, read blind: "Sat him up" was taken for Saturday.
    ("1.30am awake, sat him up", "Awake at 1.30am. Sat him up.", &[]),
    // A suspected condition the notes also name plainly elsewhere may stand plainly there.
    ("?fever. Review if worsening (fever, SOB)", "Possible fever. Review if worsening (fever, SOB).", &[]),
    ("Gave her 12.50 euros for the shop.", "She was given 12.50 euros for the shop.", &[]),
    ("Shopping cost 12.50 euros.", "Shopping cost 12.50 euros at 12.50.", &["unsupported \"12.50\""]),
    // Money and decimals said in words are one number, and a spoken decimal before a unit is one dose.
    ("Change was two pounds fifty.", "Her change was £2.50.", &[]),
    ("Keep it under twelve euros and fifty cents.", "Keep it under 12.50 euros.", &[]),
    ("Cost twelve dot fifty euros.", "It cost 12.50 euros.", &[]),
    ("Oramorph nought point five ml given.", "Oramorph 0.5ml was given.", &[]),
    (
        "Oramorph nought point five ml given.",
        "Oramorph 5ml was given.",
        &["omission \"nought point five ml\"", "unsupported \"5ml\""],
    ),
    ("Lost two pounds ten days ago.", "She lost two pounds ten days ago.", &[]),
    // A number counts the thing after it: where the notes count that thing, the draft's count must be one of theirs.
    (
        "Had 2 biscuits and 3 cups of tea.",
        "She had 3 biscuits and 3 cups of tea.",
        &["omission \"2\"", "unsupported \"3\""],
    ),
    ("Had 2 biscuits and 3 cups of tea.", "She had two biscuits and three cups of tea.", &[]),
    (
        "Got twenty - five machines, ran ten jobs.",
        "There were 10 machines.",
        &["omission \"twenty - five\"", "unsupported \"10\""],
    ),
    ("Got twenty - five machines, ran ten jobs.", "They ran 10 jobs on 25 machines, 10 of them new.", &[]),
    // Numbers up to the thousands, in words or digits, alone or in amounts.
    ("Proposed seventy euros.", "They proposed 70 euros.", &[]),
    ("Proposed fifty euros.", "They proposed seventy euros.", &["omission \"fifty\"", "unsupported \"seventy\""]),
    ("Fourteen days of antibiotics left.", "There are 14 days of antibiotics left.", &[]),
    ("Raised two thousand pounds.", "They raised 2 thousand pounds.", &[]),
    // A detail swapped for another of its kind, where the notes name one of that kind; a kind the notes do not
    // mention, a synonym, and a word that is a detail only in some uses are not reported.
    ("J sat in lounge after lunch.", "J sat in the garden after lunch.", &["unsupported \"garden\""]),
    ("J sat in lounge after lunch.", "J sat in the living room after her lunch.", &[]),
    ("Dinner at 12.", "She had her lunch at 12.", &[]),
    ("Pain in L hip.", "Mrs P has pain in her right hip.", &["unsupported \"P\"", "unsupported \"right\""]),
    ("Pain in L hip.", "She has pain in her left hip.", &[]),
    ("She left at 2pm, right after lunch.", "She left at 2pm, straight after lunch.", &[]),
    ("Misses daughter. Her mood was low.", "He misses his son.", &["unsupported \"He\"", "unsupported \"son\""]),
    // A pronoun the notes use for someone else, or that a title gives, is not swapped: "he" for a son, "Mrs" for her.
    ("Ate lunch. Son visited, he brought flowers.", "She ate her lunch. Her son visited and he brought flowers.", &[]),
    ("Mrs Shah ate lunch. Son visited, he brought flowers.", "Mrs Shah ate her lunch.", &[]),
    ("Mr Shah ate lunch. His son visited.", "Mr Shah ate her lunch.", &["unsupported \"her\""]),
    ("Had a cup of tea.", "She had a cup of coffee.", &["unsupported \"coffee\""]),
    ("Calm all morning.", "She was agitated all morning.", &["unsupported \"agitated\""]),
    ("Went out with family.", "She went out with her daughter.", &[]),
    ("Uses wheelchair.", "She walks with a zimmer frame.", &["unsupported \"zimmer frame\""]),
    // A name is backed by the same words however they are joined or capitalised.
    ("Used some kind of P - make like thing.", "A P-make-like system was used.", &[]),
    ("Visited mrs patel.", "Visited Mrs Patel.", &[]),
    ("Visited Mary Jane.", "Visited Mary-Jane.", &[]),
    // Adverbs, fillers and stutters after a negator are skipped to the event they deny.
    ("Is currently insured with us.", "Is not currently insured with us.", &["negation \"insured\""]),
    ("It is currently insured.", "It is not currently insured elsewhere.", &["negation \"insured\""]),
    ("It's not for the e for the elderly.", "It is not for elderly users.", &[]),
    ("Said she does not want to go.", "She wants to go out.", &["negation \"go\""]),
    ("Walked to the garden.", "Summary:\n1. She walked to the garden.\n2) She sat outside.", &[]),
    ("Declined shower, had wash at sink.", "She had a wash at the sink.", &["omission \"shower\""]),
    // A denied verb is reversed only with the object it was denied of; "lack of" denies as "no" does.
    ("Did not take the bus.", "She took the bus.", &["negation \"bus\"", "negation \"took\""]),
    ("Did not take the bus, walked.", "She walked and took the stairs.", &["omission \"bus\""]),
    ("Not using the hoist today.", "She used the stairs today.", &["omission \"hoist\""]),
    ("Did not take the bus.", "The bus was late.", &["omission \"take\""]),
    ("Did not take the bus.", "The bus was not taken.", &[]),
    ("Did not eat lunch.", "Lunch was eaten.", &["negation \"Lunch\"", "negation \"eaten\""]),
    ("Did not eat.", "She ate her lunch.", &["negation \"ate\""]),
    ("No walking frame in reach.", "There was a lack of walking frame in reach.", &[]),
    ("Walking frame in reach.", "There was a lack of walking frame in reach.", &["negation \"walking\""]),
    // An approximate time or amount stays approximate (set Z, read blind: "slipped at 4pm" for "slipped ~4pm").
    ("Said she slipped ~4pm.", "She said she slipped at 4pm.", &["unsupported \"4pm\""]),
    ("Said she slipped ~4pm.", "She said she slipped at about 4pm.", &[]),
    ("Drank approx. 200ml.", "She drank 200ml.", &["unsupported \"200ml\""]),
    ("Up around 7, slept ~6 hrs.", "Up around 7, slept for roughly 6 hours.", &[]),
    ("Back at 3ish.", "She was back at 3.", &["unsupported \"3\""]),
    ("Fall ~4pm, found 4pm.", "She fell and was found at 4pm.", &[]),
];

/// (source, the person's preferred name, draft, expected findings): the person's name backs the draft's use of it
/// and stands for the notes' initial or part of it.
const ABOUT_A_PERSON: &[(&str, &str, &str, &[&str])] = &[
    ("J up and dressed.", "Joan Smith", "Joan got up and dressed.", &[]),
    ("Joan up and dressed.", "Joan Smith", "Mrs Smith got up and dressed.", &[]),
    ("J up and dressed.", "Joan Smith", "J got up and dressed.", &[]),
    ("J up and dressed.", "Joan Smith", "Jane got up and dressed.", &["omission \"J\"", "unsupported \"Jane\""]),
    ("J up, M visited.", "Joan Smith", "Joan got up and Mary visited.", &["omission \"M\"", "unsupported \"Mary\""]),
];

#[test]
fn the_persons_preferred_name_is_no_invented_name() {
    use tend_checks::grounding::{Scope, check_about};
    for (source, person, draft, expected) in ABOUT_A_PERSON {
        let findings = check_about(source, draft, Scope::RECORD, Some(person));
        assert_eq!(describe(&findings), *expected, "\nsource: {source}\nperson: {person}\ndraft:  {draft}");
    }
    // Without the name, the same draft is checked against the notes alone.
    let findings = tend_checks::grounding::check("J up and dressed.", "Joan got up and dressed.");
    assert_eq!(describe(&findings), ["omission \"J\"", "unsupported \"Joan\""]);
}

#[test]
fn grounding_finds_what_the_draft_added_lost_or_reversed() {
    for (source, draft, expected) in GROUNDING {
        let findings: Vec<Finding> = tend_checks::grounding::check(source, draft).into_iter().collect();
        let mut expected: Vec<String> = expected.iter().map(|s| (*s).to_owned()).collect();
        expected.sort();
        assert_eq!(describe(&findings), expected, "\nsource: {source}\ndraft:  {draft}\n{findings:#?}");
    }
}

#[test]
fn a_passage_copied_from_the_prompts_example_is_found() {
    let example = "S was sitting in her chair and was chatty during the afternoon visit. She had two biscuits.";
    let source = "4/7 hx of dry itchy skin. Was chatty during the visit.";
    let draft = "Dry itchy skin for four days. S was sitting in her chair and was chatty during the visit.";
    let findings = tend_checks::grounding::copied_from_example(example, source, draft);
    let [copied] = &findings[..] else { panic!("{findings:#?}") };
    assert_eq!(copied.text, "S was sitting in her chair and was chatty during the");
    assert_eq!(&draft[copied.start..copied.end], copied.text);
    // Words the notes share with the example are the worker's, however long the run.
    assert!(tend_checks::grounding::copied_from_example(example, draft, draft).is_empty());
    assert!(tend_checks::grounding::copied_from_example("", source, draft).is_empty());
}

#[test]
fn finding_offsets_point_at_the_text() {
    let source = "Mrs Patel had 2 biscuits.";
    let draft = "Mrs Patil had three biscuits.";
    for f in check_draft(source, draft) {
        let text = if f.location == tend_checks::Location::Draft { draft } else { source };
        assert_eq!(&text[f.start..f.end], f.text, "{f:?}");
    }
}

#[test]
fn a_contradicted_title_or_count_is_named_in_the_message() {
    let findings = tend_checks::grounding::check("Mr. Patel had lunch.", "Mrs Patel had lunch.");
    let [finding] = &findings[..] else { panic!("{findings:#?}") };
    assert!(finding.message.contains("\"Mrs Patel\"") && finding.message.contains("\"Mr. Patel\""), "{finding:?}");
    let findings = tend_checks::grounding::check_scope(
        "Had 2 biscuits at 10, four biscuits at 3.",
        "She had 3 biscuits.",
        tend_checks::grounding::Scope::SUMMARY,
    );
    let [finding] = &findings[..] else { panic!("{findings:#?}") };
    assert!(
        finding.message.contains("\"3 biscuits\"") && finding.message.contains("\"2 biscuits\" and \"four biscuits\""),
        "{finding:?}"
    );
}

/// (draft, expected wording findings)
const WORDING: &[(&str, &[&str])] = &[
    ("She refused her lunch.", &["wording \"refused\""]),
    ("He was wandering in the corridor.", &["wording \"wandering\""]),
    ("Staff fed her at lunch.", &["wording \"fed\""]),
    // What a person feeds is no finding, nor being fed up (set X, both models: "Fed the birds").
    ("Fed the birds in the garden. Said he is fed up with the rain.", &[]),
    ("An elderly lady who suffers from dementia.", &["wording \"elderly\"", "wording \"suffers from\""]),
    ("Challenging behaviour at tea time.", &["wording \"Challenging behaviour\""]),
    ("She declined her lunch and walked in the garden.", &[]),
];

#[test]
fn person_centred_language_is_suggested() {
    for (draft, expected) in WORDING {
        let findings = tend_checks::language::check(draft);
        assert_eq!(describe(&findings), expected.to_vec(), "{draft}");
        assert!(findings.iter().all(|f| f.suggestion.is_some() && !f.message.is_empty()));
    }
}

#[test]
fn clinical_advice_is_flagged_in_drafts_and_declined_in_requests() {
    let drafts: &[(&str, bool)] = &[
        ("She may have a UTI.", true),
        ("Increase the dose of her paracetamol.", true),
        ("You should give an extra tablet tonight.", true),
        ("This is a sign of dementia.", true),
        ("No need to call the GP.", true),
        ("She said her tummy hurt; the GP was informed.", false),
        ("Her medication was given at 8:15.", false),
    ];
    for (draft, flagged) in drafts {
        let findings = clinical::check_draft(draft);
        assert_eq!(!findings.is_empty(), *flagged, "{draft}: {findings:?}");
        assert!(findings.iter().all(|f| f.message.contains("GP")), "signposting in {findings:?}");
    }
    // Words the notes themselves say are the worker's record, not Tend's advice (set M: "Wife to call 111 if worse
    // overnight" was flagged, and its model sentence refused, though the notes said it).
    let from_notes: &[(&str, &str, bool)] = &[
        ("Wife to call 111 if worse overnight.", "Wife to call 111 if worse overnight.", false),
        ("Wife worried overnight.", "Wife to call 111 if worse overnight.", true),
        ("c/o burning passing urine ?UTI", "She may have a UTI.", true),
    ];
    for (notes, draft, flagged) in from_notes {
        let findings = clinical::check_draft_from(notes, draft);
        assert_eq!(!findings.is_empty(), *flagged, "{notes} -> {draft}: {findings:?}");
    }
    let requests: &[(&str, bool)] = &[
        ("What dose of paracetamol should I give?", true),
        ("How many tablets can I give her?", true),
        ("Is it safe to crush her tablets?", true),
        ("Does she have a UTI?", true),
        ("AM call, J ate porridge, meds given 8:15", false),
    ];
    for (request, asks) in requests {
        assert_eq!(clinical::asks_for_advice(request).is_some(), *asks, "{request}");
    }
}

#[test]
fn translations_keep_numbers_names_doses_and_negations() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("Mrs Patel took 2 tablets at 8:15.", "Doamna Patel a luat 2 comprimate la 8:15.", &[]),
        ("Mrs Patel took 2 tablets at 8:15.", "Doamna Patel a luat comprimate la 8:15.", &["omission \"2 tablets\""]),
        ("She did not eat lunch.", "Nie zjadła obiadu.", &[]),
        ("She did not eat lunch.", "Zjadła obiad.", &["negation \"Zjadła obiad.\""]),
        ("He did not sleep.", "वह नहीं सोया।", &[]),
        ("Paracetamol 500mg at 14:00.", "Paracetamol 500mg a las 14:00.", &[]),
    ];
    for (source, translated, expected) in cases {
        assert_eq!(describe(&translation::check(source, translated)), expected.to_vec(), "{source} -> {translated}");
    }
}

#[test]
fn tend_check_prints_the_findings_as_json() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let (source, draft) = (dir.path().join("notes.txt"), dir.path().join("draft.txt"));
    std::fs::write(&source, "Mrs Patel declined tea. Amlodipine 5mg at 8:15.").expect("write");
    let draft_text = "Mrs Patil had tea. Amlodipine 50mg at 8:15. She may have a UTI.";
    std::fs::write(&draft, draft_text).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tend"))
        .args(["check", "--json", "--source"])
        .arg(&source)
        .arg("--draft")
        .arg(&draft)
        .output()
        .expect("run tend");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(report["review_required"], true);
    assert!(report["provenance"]["checks"].as_str().is_some_and(|s| s.starts_with("tend-checks")));
    assert!(report.get("draft").is_none(), "check has no draft field");
    let findings = report["findings"].as_array().expect("findings");
    let kinds: Vec<&str> = findings.iter().filter_map(|f| f["kind"].as_str()).collect();
    for kind in ["unsupported_fact", "omission", "negation", "clinical_advice"] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    for f in findings.iter().filter(|f| f["location"] == "draft") {
        let (start, end) = (f["start"].as_u64().expect("start") as usize, f["end"].as_u64().expect("end") as usize);
        assert_eq!(&draft_text[start..end], f["text"].as_str().expect("text"));
        assert!(!f["message"].as_str().expect("message").is_empty());
    }
}

/// (notes, care note) pairs `tend check` finds nothing in: shorthand the draft says expanded (false alarms read in
/// real drafts).
const EXPANDED: &[(&str, &str)] = &[
    // Set BE, read blind: "Sat her upright" read as Saturday, both models.
    ("coughed - stopped meal, sat her upright", "Coughed. Stopped the meal. Sat her upright."),
    (
        "Obs BP 138/82, P 78, T 36.4, no SOB",
        "Observations blood pressure 138/82, pulse 78, temperature 36.4, no shortness of breath.",
    ),
    (
        "C/o feet cold. Repositioned 02:00 + 04:00 (L then R)",
        "Complained of feet cold. Repositioned 02:00 and 04:00 (left then R).",
    ),
    ("assisted x1 w/ frame, PU", "Assisted with one carer with a frame. Passed urine."),
];

#[test]
fn shorthand_the_draft_says_expanded_is_not_lost() {
    for (notes, draft) in EXPANDED {
        let found = tend_app::check(notes, draft).findings;
        assert!(found.is_empty(), "{notes:?} -> {draft:?}: {found:#?}");
    }
    // A fact the draft does lose is still reported.
    let lost = tend_app::check("C/o feet cold, L side", "Feet cold.").findings;
    assert!(lost.iter().any(|f| f.kind == FindingKind::Omission), "{lost:#?}");
}

/// (notes, draft, words the rewrite added, the readings shown): shorthand Tend expanded by guess, and added
/// words that say who did something, each shown for the reviewer to check. From set F of 2026-12-05, read blind:
/// "Rang his three mobile" and "He said" (the neighbour said it) were errors a fact check cannot see.
const READINGS: &[(&str, &str, &[&str], &[&str])] = &[
    ("Rang his mobile x3, no answer.", "Rang his mobile three times, no answer.", &[], &["reading \"three times\""]),
    // Set AF: "Repositioned x2" may count times or carers; either way the draft's reading is shown.
    ("Repositioned x2, settled.", "Repositioned with two carers, settled.", &[], &["reading \"two carers\""]),
    // Set V: "then to one commode" for "then to commode x1" (one carer).
    (
        "Assisted to sit up, then to commode x1.",
        "Assisted to sit up, then to the commode with one carer.",
        &["the"],
        &["reading \"with one carer\""],
    ),
    // Set V: "pad and sheets changed twice" for "pad + sheets changed x2" at 04:30 (two carers).
    (
        "04:30 wet, pad + sheets changed x2.",
        "At 04:30 wet, pad and sheets changed twice.",
        &["At"],
        &["reading \"twice\""],
    ),
    (
        "Checked w/ neighbour, said he went out.",
        "Checked with the neighbour. He said he went out.",
        &["the", "He"],
        &["reading \"He\""],
    ),
    ("nurse informed 10:00", "Nurse has informed at 10:00.", &["has", "at"], &["reading \"has\""]),
    (
        "Eve - settled. Visit Sat",
        "Evening, settled. Visit Saturday.",
        &[],
        &["reading \"Evening\"", "reading \"Saturday\""],
    ),
    // What the notes say plainly, or what the draft leaves as written, shows nothing.
    ("Sat out in chair, x2 staff", "Sat out in chair, two staff.", &[], &[]),
    ("Rang his mobile x3", "Rang his mobile x3.", &[], &[]),
    ("Tea x2 given", "Tea was given.", &["was"], &[]),
    ("Tea x2 given", "Two tea was given.", &["was"], &["reading \"Two tea\""]),
    ("BO x1, assisted x1", "Bowels opened once, assisted with one carer.", &[], &[]),
    // A guessed count written another way than Tend read it is still Tend's reading (sets Y, Z and AC, read
    // blind: "with two carers" for "prompts to use toilet x2", "from three beaker" for "from beaker x3").
    (
        "Needed prompts to use toilet x2. 2 cups tea.",
        "Needed prompts to use the toilet with two carers. 2 cups of tea.",
        &["the", "of"],
        &["reading \"two carers\""],
    ),
    ("Sips of water from beaker x3", "Sips of water from three beaker.", &[], &["reading \"three\""]),
    ("2 biscuits, toast x2", "Two biscuits and toast twice.", &["and"], &["reading \"and\"", "reading \"twice\""]),
    ("Made own breakfast (toast x3)", "Made own breakfast, three (toast).", &[], &["reading \"three\""]),
    ("Made own breakfast (toast x3)", "Made own breakfast (toast x3).", &[], &[]),
    // The number of another "xN" is not this one's: toast kept as "x1", the carer who helped dress is one.
    ("Had toast x1 + tea. Washed + dressed x1.", "Had toast x1 and tea. Washed and dressed with one carer.", &[], &[]),
    ("Went w/ friend, asked for son", "Went with a friend, asked for a son.", &["a", "a"], &["reading \"a\""]),
    // Added words that change whose relative, what belongs together, or who was acted on (sets K, T and W).
    ("Asking for wife.", "Was asking for a wife.", &["Was", "a"], &["reading \"a\""]),
    ("Asking for wife.", "Was asking for his wife.", &["Was", "his"], &[]),
    ("skin intact sacrum", "The skin intact and sacrum.", &["The", "and"], &["reading \"and\""]),
    ("Staff prompted meds", "Staff was prompted to take medicines.", &["was", "to"], &["reading \"was\""]),
    ("Meds taken 8am", "Medicines were taken at 8am.", &["were", "at"], &[]),
    ("Margaret walked to garden", "Margaret was walked to the garden.", &["was", "the"], &["reading \"was\""]),
    // Set AG, read blind: "V was happy" for "V happy" (very happy), as if V were someone.
    ("did 4 lengths. V happy.", "Did 4 lengths. V was happy.", &["was"], &["reading \"was\""]),
    ("I sat with him", "I was sat with him.", &["was"], &[]),
    // Set AR, read blind (false alarms): a letter after a title is a name's initial, and a participle that says how
    // the person was is not something done to them.
    ("Mrs D in chair", "Mrs D is in the chair.", &["is", "the"], &[]),
    ("Margaret agitated on waking", "Margaret was agitated on waking.", &["was"], &[]),
    // Set AH, read blind: "The GP surgery called at 1.20" for the carer's call. "X called" with nothing called
    // after it does not say who rang whom: a draft that keeps it, either way round, is shown.
    (
        "GP surgery called 1.20, advice: monitor.",
        "The GP surgery called at 1.20. Advice: monitor.",
        &["The", "at"],
        &["reading \"surgery called\""],
    ),
    (
        "Son called - will visit Sun",
        "His son was called. He will visit Sunday.",
        &["His", "was", "He"],
        &["reading \"He\"", "reading \"Sunday\"", "reading \"son was called\""],
    ),
    // Set AN, read blind: "Review was Monday" for "Review Mon", a plan told as done.
    (
        "Daughter to buy kettle. Review Mon.",
        "Daughter to buy kettle. Review was Monday.",
        &["was"],
        &["reading \"was\""],
    ),
    // A caller, an object or a name after it settles who called.
    ("Called GP 1.20", "Called the GP at 1.20.", &["the", "at"], &[]),
    ("Daughter called to say she will visit", "Daughter called to say she will visit.", &[], &[]),
    ("a man Ruth called 'Kev' came", "A man Ruth called 'Kev' came.", &[], &[]),
    ("She called out at 4", "She called out at 4.", &[], &[]),
    // Set AO and a meeting set, read blind: a code's capitals changed; "was" before "asked for".
    ("Redirected to room x3", "Redirected to room X3.", &[], &["reading \"X3\""]),
    ("Redirected to room x3", "Redirected to room x3.", &[], &[]),
    ("Asked for more music afternoons", "Was asked for more music afternoons.", &["Was"], &["reading \"Was\""]),
    ("Asked to stay in lounge", "Was asked to stay in the lounge.", &["Was", "the"], &[]),
    // Sets AR and AS, read blind: a name's initial after a title read as a word ("Mr right" for "Mr R").
    ("Found Mr R sitting on floor", "Found Mr right sitting on the floor.", &["the"], &["reading \"Mr right\""]),
    ("Mr N very quiet", "Mr and very quiet.", &[], &["reading \"Mr and\""]),
    ("Mr N very quiet", "Mr Novak was very quiet.", &["was"], &[]),
    ("Mr and Mrs Shah visited", "Mr and Mrs Shah visited.", &[], &[]),
    // Set AT, read blind: "Breakfast 2 was weetabix" for "Breakfast 2 weetabix + coffee"; "was" before a
    // participle is grammar.
    ("Breakfast 2 weetabix + coffee", "Breakfast 2 was weetabix and coffee.", &["was"], &["reading \"was\""]),
    ("Paracetamol 2 given at 8", "Paracetamol 2 were given at 8.", &["were"], &[]),
    // Set BE, read blind: a second-language writer's "not visit" put in the past beside her present.
    (
        "her son not visit this week because he is working",
        "Her son did not visit this week because he is working.",
        &["did"],
        &["reading \"did\""],
    ),
    ("she not want egg, ate toast", "She did not want egg, ate toast.", &["did"], &[]),
    // A time's dot ends no sentence: the present after it still counts.
    (
        "son not come at 2.30 because he is working",
        "Son did not come at 2.30 because he is working.",
        &["did"],
        &["reading \"did\""],
    ),
    // Set BG, read blind: a visit to come put in the past beside the notes' own present.
    (
        "Daughter visiting at 2, she said she is looking forward to it",
        "Daughter was visiting at 2, she said she is looking forward to it.",
        &["was"],
        &["reading \"was\""],
    ),
    ("Pad wet, changed, she is settled", "Pad was wet. Changed, she is settled.", &["was"], &[]),
    ("she not go out last week", "She did not go out last week.", &["did"], &[]),
    // Set BE, read blind: "Taxi was booked at 10.15" for "taxi booked 10.15" (the time it was booked for).
    ("taxi booked 10.15", "Taxi was booked at 10.15.", &["was", "at"], &["reading \"at\""]),
    ("Rang GP 10.15", "Rang the GP at 10.15.", &["the", "at"], &[]),
    // Set BL, read blind (both models): "He did not hurt" for "He not hurt" (he was not hurt).
    ("No fire. He not hurt.", "No fire. He did not hurt.", &["did"], &["reading \"did\""]),
    ("She not want egg.", "She did not want egg.", &["did"], &[]),
    // Set BJ, read blind (both models): a plain verb put in the past beside a day that may be to come.
    ("He say he go to daughter house Sunday", "He said he went to daughter house Sunday.", &[], &["reading \"went\""]),
    ("He say he go to daughter house Sunday", "He said he go to daughter house Sunday.", &[], &[]),
    ("she go to church last Sunday", "She went to church last Sunday.", &[], &[]),
    ("visit son Sunday, went to shop", "Visited son Sunday, went to shop.", &[], &["reading \"Visited\""]),
    // A time, a decimal or an amount with its unit is no count.
    (
        "Temp 37.2 at 2pm, sats 96% on air",
        "Temperature 37.2 was at 2pm, sats 96% was on air.",
        &["was", "was"],
        &["reading \"Temperature\""],
    ),
];

#[test]
fn readings_the_notes_do_not_settle_are_shown() {
    for (notes, draft, added, want) in READINGS {
        let mut from = 0;
        let spans: Vec<(usize, usize)> = added
            .iter()
            .map(|w| {
                // The next whole word `w`: "a" is not the "a" of "asking".
                let whole = |at: &usize| {
                    let (before, after) = (draft[..*at].chars().next_back(), draft[at + w.len()..].chars().next());
                    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
                };
                let at = draft[from..]
                    .match_indices(w)
                    .map(|(i, _)| from + i)
                    .find(whole)
                    .expect("the added word is in the draft");
                from = at + w.len();
                (at, from)
            })
            .collect();
        let findings = tend_checks::readings::check(notes, draft, &spans, Some("Margaret"));
        assert_eq!(describe(&findings), *want, "\nnotes: {notes}\ndraft: {draft}");
        for f in &findings {
            assert_eq!(&draft[f.start..f.end], f.text, "the offsets point at the words");
        }
    }
    // The person's name is not shorthand (set I: "Lunch: evening (resident) ate well" for Eve).
    let eve = tend_checks::readings::check(
        "Lunch: Eve (resident) ate well",
        "Lunch: Eve (resident) ate well.",
        &[],
        Some("Eve"),
    );
    assert!(eve.is_empty(), "{eve:?}");
    // A title read off a name points at the notes' name with the same title.
    let mr = tend_checks::readings::check("Mrs K and Mr B at lunch", "Mrs K and Mr and at lunch.", &[], None);
    assert!(mr.len() == 1 && mr[0].text == "Mr and" && mr[0].message.contains("\"Mr B\""), "{mr:?}");
    // Set AS, read blind: Lily's "L" written "Left" where the draft never names her; "L knee" read as "left knee"
    // beside her name is the reading.
    let shown = |notes: &str, draft: &str| -> Vec<String> {
        let found = tend_checks::readings::check(notes, draft, &[], Some("Lily"));
        found.into_iter().filter(|f| f.message.contains("initial")).map(|f| f.text).collect()
    };
    assert_eq!(shown("L went swimming w/ her mum", "Left went swimming with her mum."), ["Left"]);
    assert!(shown("L went swimming, L knee sore", "Lily went swimming, left knee sore.").is_empty());
    assert!(shown("L went swimming", "L went swimming.").is_empty());
    assert!(shown("Went swimming, L knee sore", "Went swimming, left knee sore.").is_empty());
}

/// Every fact a care-note draft (or meeting record) changed, read by hand in the blind sets T to CL and the meeting
/// set (2026-12-05 to 07, Qwen 0.5B and 1.5B, `benches/results/eval-faithfulness.md`), with the draft's words that
/// carry it: Tend's checks mark each but those listed, whose words are the notes' own and the articles or forms of
/// "be" the rule may add, in a grammar that reads them another way.
#[test]
fn the_checks_mark_the_errors_read_by_hand_in_real_drafts() {
    // Set BC's "Bowels one open" was shown when drafted, as Tend's reading of "open x1"; Tend now reads it as "once"
    // and the checks no longer find the old reading's words in that draft. Set BG's "Daughter Priya was visiting at
    // 2." is told in the past the next sentence keeps ("said she was looking forward to it"), so nothing in the draft
    // speaks in the present; the rule now adds no "was" to that line. Set BR's "Packed a lunch" differs from its
    // notes by an article, which the checks do not mark; the rule no longer puts one before a meal. Nor set BW's
    // "Ate a little at tea" ("little" is hardly any), whose article the rule now refuses too; set BH's draft had
    // the same words, unread as an error until that rule's re-drafts showed them. Set CI's "The GP surgery was out
    // of hours not needed" (for "GP surgery out of hours not needed": the out-of-hours service was not needed) adds
    // "The" and "was" to the notes' words.
    const MISSED: &[(&str, &str)] = &[
        ("t-10", "were all"),
        ("w-08", "stays are well"),
        ("aj-03", "Xbox is in the room"),
        ("bc-09", "one open"),
        ("bc-09", "one open"),
        ("bg-02", "was visiting at 2"),
        ("br-03", "Packed a lunch"),
        ("ci-02", "The GP surgery was out of hours"),
    ];
    let cases: Vec<serde_json::Value> =
        include_str!("data/hand-read-errors.jsonl").lines().map(|l| serde_json::from_str(l).expect("a case")).collect();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    let mut missed = Vec::new();
    for case in &cases {
        let text = |k: &str| case[k].as_str().expect("a string field");
        let (draft, words) = (text("draft"), text("words"));
        let added: Vec<(usize, usize)> = case["added"]
            .as_array()
            .expect("spans")
            .iter()
            .map(|s| (s[0].as_u64().expect("start") as usize, s[1].as_u64().expect("end") as usize))
            .collect();
        let report = tend_app::check_care_note(text("notes"), draft, &added, case["person"].as_str());
        let (start, end) = draft.find(words).map(|at| (at, at + words.len())).expect("the words are in the draft");
        let marked = report.findings.iter().any(|f| f.location == Location::Draft && f.start < end && start < f.end);
        if !marked {
            missed.push((text("id"), words));
        }
    }
    let expected: Vec<(&str, &str)> = cases
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["words"].as_str().unwrap()))
        .filter(|m| MISSED.contains(m))
        .collect();
    assert_eq!(missed, expected, "the errors the checks miss");
}
