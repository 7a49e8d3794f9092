//! Where a draft rests on Tend's reading of the notes rather than on their words: shorthand with more than one
//! meaning that Tend expanded by guess ("x3" as "three times", "Sat" as "Saturday"), and words the rewrite added
//! that change who did something or what belongs with what ("He", "has", "a wife", "and"). These are where a
//! line-by-line draft can say what the notes do not ("Rang his three mobile", "He said he went out" when the
//! neighbour said it), so each is shown to the reviewer to read against the notes. A fact check cannot see them:
//! every word is the notes' own.

use regex::Regex;

use crate::facts::{WEEKDAYS, Word, is_code, names_a_day, words};
use crate::grounding::{FAMILY, WORKERS};
use crate::items::{SMALL_NUMBERS, expand_keeping, name_initial};
use crate::rewrite::{ARRANGED, ASKING_FOR, NAMED_BY_TIME, PAST_DAY, is_past_of, is_title, one_form};
use crate::{Finding, FindingKind};

/// Added words that say who did something: a pronoun, or "has"/"had", which make the notes' "nurse informed" the
/// nurse's act.
const WHO: &[&str] = &["she", "he", "they", "has", "had", "have"];

/// People who act in a note besides its workers ([`WORKERS`]): an added "was" between one and a verb ("Staff was
/// prompted" for "staff prompted") makes them the one it was done to.
const ACTORS: &[&str] = &["family", "he", "she", "they", "i", "we"];

/// Forms of "be" that, added between a doer and a past participle, make the doer the one acted on ("was
/// prompted").
const BE: &[&str] = &["was", "were", "is", "are", "been", "be"];

/// Participles that say how someone was, not what was done to them: "Ada was agitated on waking" is right.
const STATES: &[&str] = &[
    "agitated",
    "upset",
    "settled",
    "unsettled",
    "confused",
    "tired",
    "distressed",
    "relaxed",
    "worried",
    "pleased",
    "annoyed",
    "frightened",
    "scared",
    "bored",
    "excited",
    "withdrawn",
    "disorientated",
    "orientated",
    "engaged",
    "animated",
    "interested",
    "frustrated",
    "concerned",
    "subdued",
];

/// Past participles that do not end in "-ed".
const IRREGULAR_PARTICIPLES: &[&str] = &["given", "taken", "seen", "told", "shown", "spoken", "woken", "driven"];

/// Reading findings for `draft`, written from `notes` about the person called `person` (whose name is never read
/// as shorthand): each guessed reading of the notes' shorthand the draft uses, however the draft words it, and
/// each word in `added` (byte spans of the draft: words the rewrite added to the notes' own) that says who did
/// something, makes someone's relative another's, or joins what the notes wrote apart.
pub fn check(notes: &str, draft: &str, added: &[(usize, usize)], person: Option<&str>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut used: Vec<(usize, usize)> = Vec::new();
    let keep: Vec<&str> = person.map(|p| p.split_whitespace().collect()).unwrap_or_default();
    let is_person = |word: &str| keep.iter().any(|k| k.eq_ignore_ascii_case(word));
    for guess in expand_keeping(notes, &keep).1 {
        let as_read = guess.reading.as_ref().and_then(|reading| {
            let pattern = Regex::new(&format!(r"(?i)\b{}\b", regex::escape(reading))).expect("an escaped phrase");
            pattern.find_iter(draft).map(|m| (m.start(), m.end())).find(|span| !used.contains(span))
        });
        let found = as_read.or_else(|| guess.count.and_then(|n| count_in_draft(notes, guess.at, n, draft, &used)));
        let Some((start, end)) = found else { continue };
        used.push((start, end));
        let message = format!(
            "Tend read \"{}\" in your notes as \"{}\"; it can mean something else. Check this is what you meant.",
            guess.written,
            &draft[start..end]
        );
        findings.push(Finding::in_draft(FindingKind::Reading, draft, start, end, message));
    }
    let draft_words = words(draft);
    let at = |start: usize| draft_words.iter().position(|w| w.start == start);
    for &(start, end) in added {
        let Some(word) = draft.get(start..end) else { continue };
        let lower = word.to_lowercase();
        let (before, after, then) = match at(start) {
            Some(i) => (
                i.checked_sub(1).map(|p| draft_words[p]),
                draft_words.get(i + 1).copied(),
                draft_words.get(i + 2).copied(),
            ),
            None => (None, None, None),
        };
        let lower_of = |w: Option<Word<'_>>| w.map(|w| w.text.to_lowercase()).unwrap_or_default();
        let message = if WHO.contains(&lower.as_str()) {
            format!("Tend added \"{word}\", which your notes do not say here. Check who did or said this.")
        } else if lower == "and" {
            format!(
                "Tend added \"{word}\", which joins words your notes wrote side by side. Check they belong together \
                 as the draft says."
            )
        } else if (lower == "a" || lower == "an") && FAMILY.contains(&lower_of(after).as_str()) {
            // Not "friend": "with a friend" is how a draft says "w/ friend".
            format!(
                "Tend added \"{word}\" before \"{}\"; your notes may mean the person's own. Check whose.",
                lower_of(after)
            )
        } else if BE.contains(&lower.as_str())
            && before.is_some_and(|w| {
                let lower = w.text.to_lowercase();
                ACTORS.contains(&lower.as_str()) || WORKERS.contains(&lower.as_str()) || is_person(w.text)
            })
            && after.is_some_and(|w| participle(w.text) && !STATES.contains(&w.text.to_lowercase().as_str()))
        {
            format!(
                "Tend added \"{word}\", which makes \"{}\" the one it was done to. Check who did this.",
                before.map_or("", |w| w.text)
            )
        } else if lower == "at"
            && after.is_some_and(|w| w.text.starts_with(|c: char| c.is_ascii_digit()))
            && then.is_some_and(|w| NAMED_BY_TIME.contains(&w.text.to_lowercase().as_str()))
        {
            // "At 8am slot was empty" for "8am slot empty" (set BA, read blind).
            let (time, thing) = (after.map_or("", |w| w.text), then.map_or("", |w| w.text));
            format!(
                "Tend added \"{word}\" before \"{time}\", which says when something happened; your notes may name \
                 the {time} {thing}. Check when."
            )
        } else if lower == "at"
            && after.is_some_and(|w| w.text.starts_with(|c: char| c.is_ascii_digit()))
            && before.is_some_and(|w| ARRANGED.contains(&w.text.to_lowercase().as_str()))
        {
            // "Taxi was booked at 10.15" for "taxi booked 10.15" (set BE, read blind).
            let (done, time) = (before.map_or("", |w| w.text), after.map_or("", |w| w.text));
            format!(
                "Tend added \"{word}\" before \"{time}\", which says when it was {done}; your notes may give the time \
                 it was {done} for. Check when."
            )
        } else if BE.contains(&lower.as_str())
            && after.is_some_and(|w| ASKING_FOR.contains(&w.text.to_lowercase().as_str()))
            && then.is_some_and(|w| w.text.eq_ignore_ascii_case("for"))
        {
            // "Was asked for more music afternoons" for "Asked for more music afternoons" (meeting set, read blind).
            format!(
                "Tend added \"{word}\" before \"{} for\", which says someone else asked; your notes may mean they \
                 asked. Check who asked.",
                after.map_or("", |w| w.text)
            )
        } else if (lower == "was" || lower == "were") && after.is_some_and(|w| names_a_day(&w.text.to_lowercase())) {
            format!(
                "Tend added \"{word}\" before \"{}\", which says it has happened; your notes may mean it is to \
                 come. Check when.",
                after.map_or("", |w| w.text)
            )
        } else if lower == "did"
            && after.is_some_and(|w| w.text.eq_ignore_ascii_case("not"))
            && then.is_some_and(|w| one_form(&w.text.to_lowercase()))
        {
            // "He did not hurt" for a second-language writer's "He not hurt" (set BL, read blind, both models).
            let verb = then.map_or("", |w| w.text);
            format!(
                "Tend added \"{word}\" before \"not {verb}\", which says what was not done; your notes may mean \
                 it was not {verb} (\"was not {verb}\"). Check what happened."
            )
        } else if lower == "did" && now_or_to_come(&draft[end..], added, end) {
            // "her son did not visit this week because he is working" for a second-language writer's "her son not
            // visit this week because he is working" (set BE, read blind): the rest of the sentence is in the present.
            format!(
                "Tend added \"{word}\", which puts this in the past; the rest of your sentence speaks of now or what \
                 is to come. Check when."
            )
        } else if (lower == "was" || lower == "were") && in_the_present(&draft[end..], added, end) {
            // "Daughter Priya was visiting at 2, Mrs Shah said she is looking forward to it" (set BG, read blind).
            format!(
                "Tend added \"{word}\", which puts this in the past; the rest of your sentence speaks in the present. \
                 Check when."
            )
        } else if BE.contains(&lower.as_str())
            && before.is_some_and(|w| lone_letter(w.text) && !is_person(w.text))
            // "Mrs D is in the chair": after a title a letter is a name's initial.
            && at(start).and_then(|i| i.checked_sub(2)).is_none_or(|p| {
                !is_title(draft_words[p].text)
            })
        {
            let letter = before.map_or("", |w| w.text);
            format!(
                "Tend added \"{word}\" after \"{letter}\", which makes it read as someone; your notes may use \
                 \"{letter}\" as shorthand. Check who this is about."
            )
        } else {
            continue;
        };
        findings.push(Finding::in_draft(FindingKind::Reading, draft, start, end, message));
    }
    let notes_words = words(notes);
    findings.extend(who_called(notes, &notes_words, draft, &draft_words));
    findings.extend(recased_codes(&notes_words, draft, &draft_words));
    findings.extend(untitled_names(&notes_words, draft, &draft_words));
    findings.extend(initial_read_as_word(&notes_words, draft, &draft_words, &keep));
    findings.extend(uncounted(notes, &notes_words, draft, &draft_words));
    findings.extend(past_before_a_day(&notes_words, draft, &draft_words));
    findings
}

/// Verbs of saying, which a draft may put in the past whenever its reported plan is: "she say she go Sunday" is
/// "she said she go Sunday".
const SAYING: &[&str] = &["say", "tell", "ask", "state", "report", "explain", "mention", "think", "feel"];

/// A plain verb of the notes that the draft puts in the past, in a sentence that names a day and nothing past
/// ("He said he went to daughter house Sunday" for a second-language writer's "He say he go to daughter house
/// Sunday", set BJ, read blind, both models): the day may be one to come. Verbs of saying aside.
fn past_before_a_day(notes_words: &[Word<'_>], draft: &str, draft_words: &[Word<'_>]) -> Vec<Finding> {
    let lower = |w: &Word<'_>| w.text.to_lowercase();
    let notes: Vec<String> = notes_words.iter().map(lower).collect();
    let mut findings = Vec::new();
    for (start, end) in crate::items::sentences(draft) {
        let sentence: Vec<(&Word<'_>, String)> =
            draft_words.iter().filter(|w| w.start >= start && w.end <= end).map(|w| (w, lower(w))).collect();
        let day = sentence
            .iter()
            .map(|(_, l)| l)
            .find(|l| WEEKDAYS.contains(&l.as_str()) || ["tomorrow", "weekend"].contains(&l.as_str()));
        let Some(day) = day else { continue };
        if sentence.iter().any(|(_, l)| PAST_DAY.contains(&l.as_str())) {
            continue;
        }
        for (w, written) in &sentence {
            let plain = notes.iter().find(|n| !SAYING.contains(&n.as_str()) && is_past_of(written, n));
            let Some(plain) = plain.filter(|_| !notes.contains(written)) else { continue };
            let message = format!(
                "Tend wrote \"{}\" for your \"{plain}\", which says it has happened; your sentence names {day}, which \
                 may be to come. Check when.",
                w.text
            );
            findings.push(Finding::in_draft(FindingKind::Reading, draft, w.start, w.end, message));
        }
    }
    findings
}

/// Words of the present or of what is to come.
const NOW: &[&str] = &["is", "are", "am", "tonight", "tomorrow", "now"];
/// Times that are now or to come after "this" or "next" ("this week").
const THIS: &[&str] = &["week", "weekend", "month", "morning", "afternoon", "evening"];

/// The words of the sentence that goes on in `rest` (starting at byte `offset` of the draft) that are the notes'
/// own, not one of the `added` spans, in small letters, each with the word before it.
fn own_words_after(rest: &str, added: &[(usize, usize)], offset: usize) -> Vec<(String, String)> {
    // The notes' own sentence reader: a time's or a decimal's dot ("2.50pm") ends no sentence.
    let (start, end) = crate::items::sentences(rest).first().copied().unwrap_or((0, 0));
    let ws = words(&rest[start..end]);
    let lower = |k: usize| ws[k].text.to_lowercase();
    (0..ws.len())
        .filter(|&k| !added.iter().any(|&(a, _)| a == offset + start + ws[k].start))
        .map(|k| (k.checked_sub(1).map(lower).unwrap_or_default(), lower(k)))
        .collect()
}

/// Whether the sentence that goes on in `rest` has a word of the notes' own of the present or the future ([`NOW`],
/// "this week").
fn now_or_to_come(rest: &str, added: &[(usize, usize)], offset: usize) -> bool {
    own_words_after(rest, added, offset).iter().any(|(before, w)| {
        NOW.contains(&w.as_str()) || (["this", "next"].contains(&before.as_str()) && THIS.contains(&w.as_str()))
    })
}

/// Whether the sentence that goes on in `rest` has the notes' own "is", "are" or "am".
fn in_the_present(rest: &str, added: &[(usize, usize)], offset: usize) -> bool {
    own_words_after(rest, added, offset).iter().any(|(_, w)| ["is", "are", "am"].contains(&w.as_str()))
}

/// A "was"/"is" the draft puts between a number and the word the notes count with it ("Breakfast 2 was weetabix"
/// for "Breakfast 2 weetabix", set AT read blind): the number no longer counts it. Not before a participle ("1g
/// was given" for "1g given").
fn uncounted(notes: &str, notes_words: &[Word<'_>], draft: &str, draft_words: &[Word<'_>]) -> Vec<Finding> {
    // A count stands alone: not part of a time, a decimal or an amount with its unit ("8.55", "37.2", "96%").
    let count = |text: &str, w: &Word<'_>| {
        w.text.chars().all(|c| c.is_ascii_digit())
            && text[..w.start].chars().next_back().is_none_or(|c| c.is_whitespace() || c == '(')
            && text[w.end..].chars().next().is_none_or(char::is_whitespace)
    };
    let counts = |number: &str, thing: &str| {
        notes_words
            .windows(2)
            .any(|p| p[0].text == number && count(notes, &p[0]) && p[1].text.eq_ignore_ascii_case(thing))
    };
    draft_words
        .windows(3)
        .filter(|p| {
            count(draft, &p[0])
                && BE.contains(&p[1].text.to_lowercase().as_str())
                && !participle(p[2].text)
                && counts(p[0].text, p[2].text)
        })
        .map(|p| {
            let message = format!(
                "Tend added \"{}\" between \"{}\" and \"{}\", so the number no longer counts them as your notes \
                 do. Check how many.",
                p[1].text, p[0].text, p[2].text
            );
            Finding::in_draft(FindingKind::Reading, draft, p[1].start, p[1].end, message)
        })
        .collect()
}

/// The words a lone capital letter stands for as shorthand ("L knee", "V happy", "fish N chips").
const LETTER_WORDS: &[(&str, &str)] = &[("L", "left"), ("R", "right"), ("V", "very"), ("N", "and")];

/// The person's initial, which the notes use alone ("L went swimming" for Lily), written in the draft as the word
/// it stands for as shorthand ("Left went swimming", set AS read blind) while the draft never names them: shown.
fn initial_read_as_word(
    notes_words: &[Word<'_>],
    draft: &str,
    draft_words: &[Word<'_>],
    person: &[&str],
) -> Vec<Finding> {
    let names: Vec<&str> = person.iter().copied().filter(|w| !is_title(w)).collect();
    if draft_words.iter().any(|w| names.iter().any(|n| n.eq_ignore_ascii_case(w.text))) {
        return Vec::new();
    }
    // The letter as the person's initial (the reading's own rule: not before a body part, "L knee" being the left
    // one), and not after a title ("Mr L" is the untitled-name check's).
    let initial = |ws: &[Word<'_>], letter: &str| {
        ws.iter().enumerate().any(|(i, w)| {
            w.text == letter
                && (i == 0 || !is_title(ws[i - 1].text))
                && name_initial(w.text, None, ws.get(i + 1).map(|n| n.text), person)
        })
    };
    let mut findings = Vec::new();
    for &(letter, word) in LETTER_WORDS {
        if !initial(notes_words, letter) || initial(draft_words, letter) {
            continue;
        }
        for w in draft_words.iter().filter(|w| w.text.eq_ignore_ascii_case(word)) {
            let message = format!(
                "Tend wrote \"{}\" where your notes have \"{letter}\", which may be {}'s initial. Check who this is.",
                w.text,
                names.join(" ")
            );
            findings.push(Finding::in_draft(FindingKind::Reading, draft, w.start, w.end, message));
        }
    }
    findings
}

/// A title the draft follows with a word in small letters where the notes name someone ("Found Mr right sitting"
/// for "Mr R", "Mr and very quiet" for "Mr N", sets AR and AS read blind): a name's initial read as shorthand. A
/// title and word the notes write together ("Mr and Mrs Shah") are theirs.
fn untitled_names(notes_words: &[Word<'_>], draft: &str, draft_words: &[Word<'_>]) -> Vec<Finding> {
    let title = |w: &Word<'_>| is_title(w.text);
    let named = |w: &Word<'_>| w.text.chars().next().is_some_and(char::is_uppercase);
    let in_notes = |t: &Word<'_>, next: &Word<'_>| {
        notes_words
            .windows(2)
            .any(|p| p[0].text.eq_ignore_ascii_case(t.text) && p[1].text.eq_ignore_ascii_case(next.text))
    };
    let names: Vec<&[Word<'_>]> = notes_words.windows(2).filter(|p| title(&p[0]) && named(&p[1])).collect();
    draft_words
        .windows(2)
        .filter(|p| title(&p[0]) && !named(&p[1]) && !in_notes(&p[0], &p[1]))
        .filter_map(|p| {
            // The notes' name with the same title, else their first.
            let name = names.iter().find(|n| n[0].text.eq_ignore_ascii_case(p[0].text)).or(names.first())?;
            let message = format!(
                "Tend wrote \"{}\" where your notes name someone (\"{} {}\"); a name's initial may have been read \
                 as a word. Check who this is.",
                &draft[p[0].start..p[1].end],
                name[0].text,
                name[1].text
            );
            Some(Finding::in_draft(FindingKind::Reading, draft, p[0].start, p[1].end, message))
        })
        .collect()
}

/// A code of letters and digits ("x3") the draft writes in another case ("X3"), which the notes never do: "room x3"
/// (three times) read as a room's name (set AO, read blind).
fn recased_codes(notes_words: &[Word<'_>], draft: &str, draft_words: &[Word<'_>]) -> Vec<Finding> {
    draft_words
        .iter()
        .filter(|w| is_code(w.text))
        .filter_map(|w| {
            let written = notes_words.iter().find(|n| n.text.eq_ignore_ascii_case(w.text))?;
            (!notes_words.iter().any(|n| n.text == w.text)).then(|| {
                let message = format!(
                    "Tend wrote \"{}\" where your notes have \"{}\"; a change of capitals can make it read as \
                     something else (a room, a name). Check it says what you meant.",
                    w.text, written.text
                );
                Finding::in_draft(FindingKind::Reading, draft, w.start, w.end, message)
            })
        })
        .collect()
}

/// Words after which a note's "called" has a caller: "she called"; and after a form of "be" ([`BE`]) it is done to
/// someone ("was called").
const CALLERS: &[&str] = &["i", "we", "she", "he", "they", "who", "being"];

/// Words that may follow "X called" in the notes without being what was called: a time ("called 1.20", "called
/// at 2").
const AFTER_CALLED: &[&str] = &["at", "re", "about", "today", "am", "pm"];

/// A note's "X called" with nothing called after it ("GP surgery called 1.20, advice: monitor") says who was on
/// the telephone but not who rang whom: shorthand drops the worker ("(I) called the surgery") as often as it
/// means the surgery rang (set AH, read blind: "The GP surgery called at 1.20" for the carer's call). Each draft
/// sentence that keeps "X called" (or "X was called") is shown, as Tend's reading of the notes.
fn who_called(notes: &str, notes_words: &[Word<'_>], draft: &str, draft_words: &[Word<'_>]) -> Vec<Finding> {
    let lower = |w: &Word<'_>| w.text.to_lowercase();
    let mut findings: Vec<Finding> = Vec::new();
    for (i, called) in notes_words.iter().enumerate().skip(1) {
        let caller = &notes_words[i - 1];
        let caller_lower = lower(caller);
        if lower(called) != "called"
            || !caller.text.chars().all(char::is_alphabetic)
            || CALLERS.contains(&caller_lower.as_str())
            || BE.contains(&caller_lower.as_str())
            || !notes[caller.end..called.start].trim().is_empty()
        {
            continue;
        }
        // Nothing called: the clause ends, or a time follows; a quotation after it is a name ("a man called 'Kev'").
        let open = notes_words.get(i + 1).is_none_or(|next| {
            let between = &notes[called.end..next.start];
            !between.contains(['\'', '‘', '"', '“'])
                && (between.contains([',', '.', ';', ':', '(', '-'])
                    || next.text.starts_with(|c: char| c.is_ascii_digit())
                    || AFTER_CALLED.contains(&lower(next).as_str()))
        });
        if !open {
            continue;
        }
        // The draft's "called" after the same word, or after it and a form of "be", not shown already.
        let found = draft_words.iter().enumerate().filter(|(_, w)| lower(w) == "called").find_map(|(j, w)| {
            let back = |n: usize| j.checked_sub(n).map(|k| &draft_words[k]);
            let is_caller = |n: usize| back(n).is_some_and(|b| lower(b) == caller_lower);
            let from = if is_caller(1) {
                back(1)
            } else if back(1).is_some_and(|b| BE.contains(&lower(b).as_str())) && is_caller(2) {
                back(2)
            } else {
                None
            }?;
            Some((from.start, w.end)).filter(|&(start, _)| !findings.iter().any(|f| f.start == start))
        });
        let Some((start, end)) = found else { continue };
        let message = format!(
            "Your notes' \"{} called\" can mean they called, or that someone called them; the draft says \"{}\". \
             Check who called whom.",
            caller.text,
            &draft[start..end]
        );
        findings.push(Finding::in_draft(FindingKind::Reading, draft, start, end, message));
    }
    findings
}

/// Whether `word` is one capital letter other than "I" and "A": a subject, unless it is the person's initial, only
/// as shorthand ("V happy" for very happy, set AG).
fn lone_letter(word: &str) -> bool {
    let mut chars = word.chars();
    matches!((chars.next(), chars.next()), (Some(c), None) if c.is_ascii_uppercase() && c != 'I' && c != 'A')
}

/// Whether `word` is a past participle as far as its form tells: "prompted", "given".
fn participle(word: &str) -> bool {
    let lower = word.to_lowercase();
    (lower.len() > 4 && lower.ends_with("ed")) || IRREGULAR_PARTICIPLES.contains(&lower.as_str())
}

/// The ways a draft writes the number `n` (at most five): "2", "two", "twice".
fn number_forms(n: usize) -> Vec<String> {
    let mut forms = vec![n.to_string(), SMALL_NUMBERS[n].to_owned()];
    match n {
        1 => forms.push("once".to_owned()),
        2 => forms.extend(["twice".to_owned(), "double".to_owned()]),
        _ => {}
    }
    forms
}

/// Words after a number that say what it counts, taken into the words shown ("two carers", "three times").
const COUNT_NOUNS: &[&str] = &["carer", "carers", "staff", "times", "time"];

/// The span of the draft where it writes the number of the "xN" at byte `at` of the notes (whose number is `n`)
/// as a number: where the draft gives the number as often as the notes do (plainly, or as "xN" left as written),
/// the one in the same place. `None` where it does not, or keeps the "xN".
fn count_in_draft(notes: &str, at: usize, n: usize, draft: &str, used: &[(usize, usize)]) -> Option<(usize, usize)> {
    let forms = number_forms(n);
    let xn = format!("x{n}");
    let digits = n.to_string();
    // "2hrly" gives the number as the draft's "every 2 hours" does, and "2pm" as the draft's "2pm".
    let with_unit =
        |w: &str| w.strip_prefix(digits.as_str()).is_some_and(|r| !r.is_empty() && r.chars().all(char::is_alphabetic));
    let is_number = |text: &str, w: &Word<'_>| {
        let before = text[..w.start].chars().next_back();
        let after = text[w.end..].chars().next();
        w.text.eq_ignore_ascii_case(&xn)
            || ((forms.iter().any(|f| f.eq_ignore_ascii_case(w.text)) || with_unit(w.text))
                && !before.is_some_and(|c| matches!(c, '/' | ':' | '.' | '£' | '$' | '-'))
                && !after.is_some_and(|c| matches!(c, '/' | ':' | '-')))
    };
    let in_notes: Vec<Word<'_>> = words(notes).into_iter().filter(|w| is_number(notes, w)).collect();
    let place = in_notes.iter().position(|w| w.start >= at && w.text.eq_ignore_ascii_case(&xn))?;
    let in_draft: Vec<Word<'_>> = words(draft).into_iter().filter(|w| is_number(draft, w)).collect();
    let pick = in_draft.get(place).filter(|w| in_draft.len() == in_notes.len() && !w.text.eq_ignore_ascii_case(&xn))?;
    // With what it counts, where the draft says it: "two carers", "three times".
    let rest = &draft[pick.end..];
    let noun = words(rest)
        .into_iter()
        .next()
        .filter(|w| w.start == 1 && COUNT_NOUNS.contains(&w.text.to_lowercase().as_str()));
    let span = (pick.start, noun.map_or(pick.end, |w| pick.end + w.end));
    (!used.iter().any(|&(a, b)| a < span.1 && span.0 < b)).then_some(span)
}
