// Tend's page. It talks to Rust only through invoke() and a Channel; every text from a person or the model is
// put on the page as text (textContent), never as HTML.

const { invoke, Channel } = window.__TAURI__.core;

const $ = (id) => document.getElementById(id);

/** Builds an element: el("p", {class: "x"}, "text", child). Strings become text nodes. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const state = { me: null, people: [], teamPeople: [], screen: null, lockedOn: null, drafting: false };

const TASK_NAMES = {
  "care-note": "Care note", "activity-plan": "Activity plan", meeting: "Meeting record",
  letter: "Letter or email", translate: "Translation", "check-wording": "Wording check",
};
const FINDING_NAMES = {
  unsupported_fact: "Not in your notes", omission: "Left out", negation: "Says the opposite",
  wording: "Wording", clinical_advice: "Medical advice", high_stakes: "Serious claim not in your notes",
  reading: "Tend's reading of your notes",
};
const STATUS_NAMES = {
  draft: "Draft", submitted: "Waiting for review", returned: "Returned to you", approved: "Approved", rejected: "Rejected",
};

function showError(error) {
  const box = $("error");
  if (!error) { box.hidden = true; box.textContent = ""; return; }
  if (error.kind === "session_locked") { showLocked(); return; }
  box.textContent = error.message || String(error);
  box.hidden = false;
}

/** Calls a command; shows its error sentence and returns undefined on failure. */
async function call(command, args) {
  try {
    const value = await invoke(command, args);
    showError(null);
    return value;
  } catch (error) {
    showError(error);
    return undefined;
  }
}

function show(screen) {
  for (const section of document.querySelectorAll(".screen")) section.hidden = section.id !== `screen-${screen}`;
  for (const button of document.querySelectorAll("#nav [data-screen]")) {
    if (button.dataset.screen === screen) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  }
  state.screen = screen;
  const heading = document.querySelector(`#screen-${screen} h2`);
  if (heading) { heading.tabIndex = -1; heading.focus(); }
  const load = { mydrafts: loadMyDrafts, review: loadQueue, notes: loadNotes, team: loadTeam, records: loadRecords,
    settings: loadSettings }[screen];
  if (load) load();
}

// ---- The model's status -----------------------------------------------------------------------------------

/** Shows, beside each language of the picker, how well the loaded model translates into it (as measured). */
function labelLanguages(labels) {
  for (const option of $("language").options) {
    const found = labels.find((l) => l.value === option.value);
    if (!option.dataset.name) option.dataset.name = option.textContent;
    option.textContent = found ? `${option.dataset.name} — ${found.label}` : option.dataset.name;
    option.disabled = found ? !found.available : false;
  }
}

async function pollModel() {
  const status = await invoke("model_status");
  const text = $("model-text"), bar = $("model-progress");
  if (status.state === "loading") {
    text.textContent = "Loading the model… You can sign in and type while it loads.";
    if (status.total_bytes > 0) { bar.max = status.total_bytes; bar.value = status.bytes_read; }
    setTimeout(pollModel, 400);
  } else if (status.state === "ready") {
    text.textContent = `Model ready: ${status.info.name}. Everything stays on this computer.`;
    labelLanguages(status.info.translation || []);
    bar.hidden = true;
    $("model-banner").classList.remove("warning");
  } else {
    text.textContent = `The model could not be loaded: ${status.message}`;
    bar.hidden = true;
    $("model-banner").classList.add("warning");
  }
}

// ---- Signing in, locking ----------------------------------------------------------------------------------

async function start() {
  pollModel();
  const me = await invoke("me");
  if (me && !me.locked) return signedIn(me);
  if (me && me.locked) return showLocked();
  show((await invoke("needs_setup")) ? "setup" : "signin");
  $((await invoke("needs_setup")) ? "setup-user" : "signin-user").focus();
}

/** Fills the person pickers of the Draft and Notes screens with the people the user works with. */
async function refreshPeople() {
  state.people = (await call("people")) || [];
  for (const select of [$("person"), $("notes-person"), ...document.querySelectorAll(".person-select")]) {
    select.replaceChildren(...state.people.map((p) => el("option", { value: p.id }, `${p.preferred_name} (${p.identifier})`)));
  }
}

/** Shows the signed-in user's menu and `screen`, by default the one their role starts on. */
async function signedIn(me, screen) {
  state.me = me;
  await refreshPeople();
  $("nav-review").hidden = me.role === "care_worker";
  $("nav-team").hidden = me.role === "care_worker";
  $("nav-records").hidden = me.role === "care_worker";
  $("who").textContent = `${me.user} (${me.role.replace("_", " ")})`;
  $("nav").hidden = false;
  show(screen || (me.role === "care_worker" ? "draft" : "review"));
}

function showLocked() {
  state.lockedOn = state.screen;
  $("nav").hidden = true;
  $("locked-who").textContent = state.me ? `Signed in as ${state.me.user}.` : "";
  show("locked");
  $("unlock-password").focus();
}

function signedOut() {
  state.me = null;
  $("nav").hidden = true;
  for (const id of ["draft-detail", "mydraft-detail", "review-detail", "stream"]) $(id).replaceChildren();
  $("stream-box").hidden = true;
  show("signin");
}

$("setup-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const me = await call("create_admin", { user: $("setup-user").value.trim(), password: $("setup-password").value });
  $("setup-password").value = "";
  if (!me) return;
  // A new database: the walk-through on the Team screen comes first.
  state.gettingStarted = true;
  await signedIn(me);
  show("team");
});

$("signin-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("signin-button").disabled = true;
  const me = await call("sign_in", { user: $("signin-user").value.trim(), password: $("signin-password").value });
  $("signin-button").disabled = false;
  $("signin-password").value = "";
  if (me) signedIn(me);
  else $("signin-password").focus();
});

$("unlock-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const me = await call("unlock", { password: $("unlock-password").value });
  $("unlock-password").value = "";
  if (me) signedIn(me, state.lockedOn);
});

for (const id of ["signout", "locked-signout"]) {
  $(id).addEventListener("click", async () => { await invoke("sign_out"); signedOut(); });
}

// The idle lock counts from the person's last key press, click or scroll, not from the last record read: typing
// a long edit is use. Input is reported at most once a poll; the lock screen's own input unlocks nothing.
let inputSeen = false;
for (const kind of ["keydown", "pointerdown", "wheel"]) {
  document.addEventListener(kind, () => { inputSeen = true; }, { capture: true, passive: true });
}
setInterval(async () => {
  if (!state.me || state.drafting) return;
  if (inputSeen && state.screen !== "locked") await invoke("in_use");
  inputSeen = false;
  const me = await invoke("me");
  if (me && me.locked && state.screen !== "locked") showLocked();
}, 5000);

for (const button of document.querySelectorAll("#nav [data-screen]")) {
  button.addEventListener("click", () => show(button.dataset.screen));
}

// ---- Drafting ---------------------------------------------------------------------------------------------

$("task").addEventListener("change", () => { $("language-field").hidden = $("task").value !== "translate"; });

/** Sends whole sentences of streamed text to the screen reader's live region, not every token. */
function sentenceAnnouncer() {
  let pending = "";
  return {
    add(piece) {
      pending += piece;
      const end = Math.max(pending.lastIndexOf(". "), pending.lastIndexOf("\n"), pending.lastIndexOf("! "), pending.lastIndexOf("? "));
      if (end >= 0) { $("live").textContent = pending.slice(0, end + 1).trim(); pending = pending.slice(end + 1); }
    },
    flush() { if (pending.trim()) $("live").textContent = pending.trim(); pending = ""; },
  };
}

$("draft-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (state.drafting) return;
  const input = $("input").value;
  if (!input.trim()) { showError({ message: "There is nothing to work from: type or paste your notes first." }); $("input").focus(); return; }
  const request = {
    task: $("task").value, person_id: Number($("person").value), input,
    language: $("task").value === "translate" ? $("language").value : null,
  };
  if (!request.person_id) { showError({ message: "Choose the person this is about." }); return; }
  const stream = $("stream"), announcer = sentenceAnnouncer();
  stream.replaceChildren();
  $("draft-detail").replaceChildren();
  $("stream-box").hidden = false;
  $("live").textContent = "Writing the draft.";
  const events = new Channel();
  events.onmessage = (message) => {
    if (message.event === "reading") {
      $("draft-progress").textContent = `Reading your notes… ${Math.round((100 * message.data.done) / Math.max(1, message.data.total))}%`;
    } else if (message.event === "text") {
      $("draft-progress").textContent = "Writing…";
      stream.append(document.createTextNode(message.data));
      announcer.add(message.data);
    }
  };
  state.drafting = true;
  $("draft-button").disabled = true;
  $("stop-button").disabled = false;
  const record = await call("draft", { request, events });
  state.drafting = false;
  $("draft-button").disabled = false;
  $("stop-button").disabled = true;
  announcer.flush();
  $("draft-progress").textContent = "";
  if (!record) { $("stream-box").hidden = true; return; }
  $("stream-box").hidden = true;
  $("live").textContent = `Draft ${record.id} is ready, with ${record.finding_count} things to check.`;
  renderDraft($("draft-detail"), record, "worker");
});

$("stop-button").addEventListener("click", () => { invoke("stop_draft"); $("draft-progress").textContent = "Stopping…"; });

// ---- A draft with its findings ----------------------------------------------------------------------------

const encoder = new TextEncoder(), decoder = new TextDecoder();

/** A text with each finding that points into it (`location` "draft", "source" or "back_translation") marked, numbered and
 *  explained, so colour is never the only signal. Offsets are UTF-8 byte offsets, as Rust gives them.
 *  `segments` ({start, end, attrs, after}) wrap parts of the text in spans: the draft's sentences, or the parts of
 *  the notes they came from; a finding that crosses a segment's edge is marked on both sides. `added` ({start,
 *  end}) are the words the AI added to the notes, shown as insertions. */
function markedText(text, findings, location, id, segments = [], added = []) {
  const bytes = encoder.encode(text);
  const marks = findings.map((f, index) => ({ ...f, index }))
    .filter((f) => f.location === location && f.end > f.start)
    .concat(added.map((a) => ({ ...a, kind: "added" })))
    .sort((a, b) => a.start - b.start);
  const out = el("div", { class: "paper", id });
  const numbered = new Set();
  /** The bytes [from, to) with the marks inside them, as nodes. */
  const piece = (from, to) => {
    const nodes = [];
    let at = from;
    for (const f of marks) {
      const start = Math.max(f.start, at), end = Math.min(f.end, to);
      if (end <= start) continue;
      nodes.push(decoder.decode(bytes.slice(at, start)));
      if (f.kind === "added") {
        nodes.push(el("ins", { class: "added", title: "Added by the AI: not in your notes" }, decoder.decode(bytes.slice(start, end))));
        at = end;
        continue;
      }
      const first = !numbered.has(f.index);
      numbered.add(f.index);
      nodes.push(el("mark", { class: `finding finding-${f.kind}`, "aria-describedby": `finding-${f.index}` },
        decoder.decode(bytes.slice(start, end)), first ? el("sup", {}, `[${f.index + 1}]`) : null));
      at = end;
    }
    nodes.push(decoder.decode(bytes.slice(at, to)));
    return nodes;
  };
  let at = 0;
  for (const s of [...segments].sort((a, b) => a.start - b.start)) {
    if (s.start < at || s.end > bytes.length) continue;
    out.append(...piece(at, s.start));
    out.append(el("span", s.attrs, ...piece(s.start, s.end)));
    if (s.after) out.append(s.after);
    at = s.end;
  }
  out.append(...piece(at, bytes.length));
  return out;
}

/** The evidence of a care note: its sentences in the draft, and for each part of the notes the sentences that
 *  came from it, or "not in the draft". Empty segments for drafts without evidence. */
function evidenceSegments(record, prefix) {
  const evidence = record.provenance?.evidence;
  if (!evidence || !Array.isArray(evidence.sentences) || evidence.sentences.length === 0) return { draft: [], source: [] };
  const draft = evidence.sentences.map((s, n) => ({
    start: s.start, end: s.end,
    attrs: { class: `sentence${s.fallback ? " fallback" : ""}`, tabindex: 0, id: `${prefix}-sentence-${n}`, "data-n": n,
      "aria-describedby": s.sources.map((_, k) => `${prefix}-from-${n}-${k}`).join(" ") || null },
    after: s.fallback ? el("small", { class: "fallback-note" }, " [your notes' own words]") : null,
  }));
  const bySpan = new Map();
  evidence.sentences.forEach((s, n) => s.sources.forEach((span, k) => {
    const key = `${span.start}-${span.end}`;
    if (!bySpan.has(key)) bySpan.set(key, { ...span, sentences: [], ids: [] });
    bySpan.get(key).sentences.push(n);
    bySpan.get(key).ids.push(`${prefix}-from-${n}-${k}`);
  }));
  const source = [...bySpan.values()].map((span) => ({
    start: span.start, end: span.end,
    attrs: { class: "evidence", id: span.ids[0], "data-sentences": span.sentences.join(" ") },
    // Further sentences from the same part point at hidden twins of the span's id.
    after: span.ids.length > 1 ? el("span", { class: "visually-hidden" }, ...span.ids.slice(1).map((i) => el("span", { id: i }))) : null,
  }));
  for (const span of evidence.uncovered || []) {
    source.push({ start: span.start, end: span.end, attrs: { class: "uncovered" },
      after: el("small", { class: "uncovered-note" }, " [not in the draft]") });
  }
  return { draft, source };
}

/** Focusing or hovering a sentence lights the parts of the notes it came from, and the reverse. */
function linkEvidence(sourcePane, draftPane) {
  const light = (n, on) => {
    for (const span of sourcePane.querySelectorAll(".evidence")) {
      if (span.dataset.sentences.split(" ").includes(String(n))) span.classList.toggle("lit", on);
    }
    draftPane.querySelector(`.sentence[data-n="${n}"]`)?.classList.toggle("lit", on);
  };
  for (const sentence of draftPane.querySelectorAll(".sentence")) {
    const n = sentence.dataset.n;
    for (const [event, on] of [["focus", true], ["blur", false], ["mouseenter", true], ["mouseleave", false]]) {
      sentence.addEventListener(event, () => light(n, on));
    }
  }
  for (const span of sourcePane.querySelectorAll(".evidence")) {
    for (const [event, on] of [["mouseenter", true], ["mouseleave", false]]) {
      span.addEventListener(event, () => span.dataset.sentences.split(" ").forEach((n) => light(n, on)));
    }
  }
}

/** The notes and the AI's text side by side, with the findings marked and the evidence linked. */
function notesAndDraft(record, sourceId, draftId, sourceTitle) {
  const segments = evidenceSegments(record, draftId);
  const source = markedText(record.source_text, record.findings, "source", sourceId, record.source_text ? segments.source : []);
  const added = (record.provenance?.evidence?.sentences || []).flatMap((s) => s.added || []);
  const draft = markedText(record.ai_text, record.findings, "draft", draftId, segments.draft, added);
  linkEvidence(source, draft);
  const hint = segments.draft.length
    ? el("p", { class: "muted evidence-hint" }, "Focus or point at a sentence to see the part of your notes it came from. ",
      added.length ? "Words with a dotted underline are the AI's own, added to your notes' words: read them first, they are the only words that can change what your notes say." : "")
    : null;
  const back = record.provenance?.back_translation;
  const direction = record.provenance?.translation;
  const readBack = back
    ? [el("h4", {}, "The translation read back into English"),
      el("p", { class: "muted" }, "The same model translated its translation back, so you can check the meaning without reading the language. A speaker of the language should still check it."),
      markedText(back, record.findings, "back_translation", "back-text")]
    : [];
  const backPane = back || direction
    ? el("div", { id: "back-translation" }, direction ? el("p", { id: "translation-note" }, direction) : null, ...readBack)
    : null;
  return [el("div", {}, el("h4", {}, sourceTitle), source), el("div", {}, el("h4", {}, "What the AI wrote"), hint, draft, backPane)];
}

function findingList(record, canAcknowledge, onChange) {
  const findings = Array.isArray(record.findings) ? record.findings : [];
  if (findings.length === 0) return el("p", {}, "The checks found nothing to point out. Read the draft against your notes all the same.");
  const done = new Set(record.acknowledged_findings);
  const list = el("ol", { class: "findings", id: "findings" });
  findings.forEach((f, index) => {
    const kind = FINDING_NAMES[f.kind] || f.kind;
    const where = { source: "in your notes", back_translation: "in the translation read back" }[f.location] || "in the draft";
    const box = el("input", { type: "checkbox", id: `ack-${index}`, class: "ack", "data-index": index,
      checked: done.has(index), disabled: done.has(index) || !canAcknowledge });
    box.addEventListener("change", async () => {
      const updated = await call("acknowledge", { id: record.id, finding: index });
      if (!updated) { box.checked = false; return; }
      // The list is drawn again; a keyboard user goes on from the next finding to check, then the decision.
      await onChange(updated);
      const next = document.querySelector(".ack:not(:checked):not(:disabled)") || document.querySelector("#approve, #submit-button");
      if (next) next.focus();
    });
    list.append(el("li", { id: `finding-${index}`, class: `finding-item finding-${f.kind}` },
      el("strong", {}, `${kind}: `), `"${f.text}" ${where}. ${f.message}`,
      f.suggestion ? el("span", {}, ` Suggestion: ${f.suggestion}`) : null,
      el("div", {}, box, el("label", { for: `ack-${index}` }, "I have checked this"))));
  });
  return list;
}

function checkedCount(record) {
  return el("span", { class: "ack-count" }, `(${record.acknowledged_findings.length} of ${record.finding_count} checked)`);
}

function badge(record) {
  return record.review_required
    ? el("span", { class: "badge", id: "review-badge" }, "Review required")
    : el("span", { class: "badge done" }, "Reviewed");
}

/** The worker's view of their draft: the AI text with findings, an editor, acknowledgements and Submit. */
/** What a draft's end says about it: stopped by the worker, or cut because it ran on. */
function stopNote(kind) {
  if (kind === "cancelled") return " (stopped early: this is the part written before you stopped it).";
  if (kind === "length") return " (cut: it ran on longer than this text could need, so check that nothing is missing or repeated).";
  return ".";
}

function renderDraft(container, record, role) {
  const editable = role === "worker" && (record.status === "draft" || record.status === "returned");
  const rerender = (updated) => renderDraft(container, updated, role);
  const editor = el("textarea", { id: "edited", rows: 8, readonly: !editable }, record.edited_text);
  const parts = [
    el("h3", {}, `${TASK_NAMES[record.task] || record.task} for ${record.person_name} — draft ${record.id} `, badge(record)),
    el("p", { class: "muted" }, `Status: ${STATUS_NAMES[record.status] || record.status}. Made by ${record.provenance.model || "the model"}` +
      stopNote(record.provenance.stop_reason?.kind)),
    record.review_comment ? el("p", { class: "comment", id: "review-comment-shown" }, `Reviewer's comment: ${record.review_comment}`) : null,
    el("div", { class: "columns" }, ...notesAndDraft(record, "source-text", "draft-text", "Your notes")),
    el("h4", {}, "Things to check ", checkedCount(record)),
    findingList(record, editable, rerender),
    el("label", { for: "edited" }, "Your version (edit freely; this is what your manager reviews)"),
    editor,
    reportButton(record),
  ];
  if (editable) {
    parts.push(el("div", { class: "actions" },
      el("button", { type: "button", id: "save-edit", onclick: async () => {
        const updated = await call("edit_draft", { id: record.id, text: editor.value });
        if (updated) { rerender(updated); $("live").textContent = "Your edits are saved."; }
      } }, "Save my edits"),
      el("button", { type: "button", id: "submit-button", onclick: async () => {
        const saved = await call("edit_draft", { id: record.id, text: editor.value });
        if (!saved) return;
        const updated = await call("submit", { id: record.id });
        if (updated) { rerender(updated); $("live").textContent = "Submitted for review."; }
      } }, "Submit for review")));
  }
  container.replaceChildren(...parts.filter(Boolean));
}

// ---- My drafts --------------------------------------------------------------------------------------------

async function loadMyDrafts() {
  const drafts = (await call("my_drafts")) || [];
  const list = $("mydrafts-list");
  list.replaceChildren(...drafts.map((d) => el("li", { class: "card" },
    el("span", {}, `${d.id}. ${TASK_NAMES[d.task] || d.task} for ${d.person_name} — ${STATUS_NAMES[d.status] || d.status}`),
    d.review_comment && d.status === "returned" ? el("span", { class: "comment" }, ` Comment: ${d.review_comment}`) : null,
    el("button", { type: "button", class: "open-draft", "data-id": d.id, onclick: async () => {
      const record = await call("draft_record", { id: d.id });
      if (record) renderDraft($("mydraft-detail"), record, "worker");
    } }, `Open draft ${d.id}`))));
  if (drafts.length === 0) list.append(el("li", {}, "You have no open drafts."));
}

// ---- Review queue -----------------------------------------------------------------------------------------

/** A word-level diff of the AI's text and the worker's version: removed words struck, added words underlined. */
function wordDiff(before, after) {
  const a = before.split(/(\s+)/), b = after.split(/(\s+)/);
  if (a.length * b.length > 4_000_000) return el("p", {}, "The texts are too long to compare word by word.");
  const table = Array.from({ length: a.length + 1 }, () => new Uint32Array(b.length + 1));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) {
    table[i][j] = a[i] === b[j] ? table[i + 1][j + 1] + 1 : Math.max(table[i + 1][j], table[i][j + 1]);
  }
  const out = el("div", { class: "paper diff", id: "review-diff" });
  let i = 0, j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) { out.append(a[i]); i++; j++; }
    else if (j < b.length && (i >= a.length || table[i][j + 1] >= table[i + 1][j])) {
      out.append(el("ins", {}, el("span", { class: "visually-hidden" }, "added: "), b[j])); j++;
    } else { out.append(el("del", {}, el("span", { class: "visually-hidden" }, "removed: "), a[i])); i++; }
  }
  return out;
}

const REPORT_STATUS = { new: "New", looked_into: "Looked into", closed: "Closed" };

/** The reports of AI errors, each with what was done about it and a form to record more. */
function renderReports(reports) {
  const list = $("reports-list");
  list.replaceChildren(...reports.map((r) => {
    const status = el("select", { id: `report-status-${r.id}`, "aria-label": `Status of report ${r.id}` },
      ...Object.entries(REPORT_STATUS).map(([value, name]) => el("option", { value, selected: r.status === value }, name)));
    const outcome = el("input", { id: `report-outcome-${r.id}`, "aria-label": `What was done about report ${r.id}`, value: r.outcome });
    const about = [r.draft_id ? `draft ${r.draft_id}` : null, r.person_id ? `person ${r.person_id}` : null].filter(Boolean).join(", ");
    return el("li", { class: "card report" },
      el("p", {}, `Report ${r.id} by ${r.reporter} on ${r.at}${about ? ` about ${about}` : ""}: ${r.description}`),
      el("p", { class: "muted" }, `${REPORT_STATUS[r.status] || r.status}${r.outcome ? `: ${r.outcome}` : ""}`),
      status, outcome,
      el("button", { type: "button", class: "save-report", onclick: async () => {
        const updated = await call("set_report_status", { id: r.id, status: status.value, outcome: outcome.value });
        if (updated) { renderReports(updated); $("live").textContent = `Report ${r.id} saved.`; }
      } }, `Save report ${r.id}`));
  }));
  if (reports.length === 0) list.append(el("li", {}, "No AI errors have been reported."));
}

/** A button that opens the report form with this draft filled in. */
function reportButton(record) {
  return el("button", { type: "button", class: "report-draft", onclick: () => {
    show("about");
    $("report-draft").value = record.id;
    $("report-text").focus();
  } }, "Report an AI error in this draft");
}

async function loadQueue() {
  const reports = await call("reports");
  if (reports) renderReports(reports);
  const queue = (await call("review_queue")) || [];
  $("review-detail").replaceChildren();
  const list = $("queue-list");
  list.replaceChildren(...queue.map((d) => el("li", { class: "card queue-item" },
    el("span", {}, `${d.id}. ${TASK_NAMES[d.task] || d.task} for ${d.person_name} by ${d.author}, ${d.finding_count} things to check`),
    el("button", { type: "button", class: "open-review", "data-id": d.id, onclick: () => openReview(d.id) }, `Review draft ${d.id}`))));
  if (queue.length === 0) list.append(el("li", {}, "Nothing is waiting for review."));
}

/** What a signature check says, for people: who signed, or why it does not hold. */
function signatureText(check, what) {
  if (!check) return "";
  if (check.status === "verified") return `${what} signed by ${check.signer} (${check.role.replace("_", " ")}), key ${check.key}.`;
  if (check.status === "before_signing") return `${what} before Tend signed reviews.`;
  return `Warning: the signature does not hold (${check.reason}). Do not rely on this record; tell an administrator.`;
}

async function openReview(id) {
  const record = await call("draft_record", { id });
  if (!record) return;
  const container = $("review-detail");
  const typed = container.querySelector("#review-comment")?.value ?? "";
  const comment = el("textarea", { id: "review-comment", rows: 3 }, typed);
  const decide = (decision) => async () => {
    const result = await call("review", { id, decision, comment: comment.value });
    if (result === undefined) return;
    const done = decision === "approve" ? `Approved draft ${id}: it is now final note ${result}.`
      : `Draft ${id} ${decision === "return" ? "returned to its author with your comment" : "rejected"}.`;
    await loadQueue();
    $("review-detail").replaceChildren(el("p", { id: "review-done", role: "status" }, done));
  };
  container.replaceChildren(
    el("h3", {}, `Draft ${record.id}: ${TASK_NAMES[record.task] || record.task} for ${record.person_name} by ${record.author} `, badge(record)),
    el("p", { id: "review-signature", class: record.submission?.status === "invalid" ? "error" : "muted" },
      signatureText(record.submission, "Submitted and")),
    el("div", { class: "columns" },
      ...notesAndDraft(record, "review-source", "review-ai", "What the worker wrote"),
      el("div", {}, el("h4", {}, "The worker's version"), el("div", { class: "paper", id: "review-edited" }, record.edited_text))),
    el("h4", {}, "Changes the worker made to the AI's text"),
    wordDiff(record.ai_text, record.edited_text),
    el("h4", {}, "Things to check ", checkedCount(record)),
    findingList(record, true, () => openReview(id)),
    reportButton(record),
    el("label", { for: "review-comment" }, "Comment (say what to change when returning)"),
    comment,
    el("div", { class: "actions" },
      el("button", { type: "button", id: "approve", onclick: decide("approve") }, "Approve"),
      el("button", { type: "button", id: "return", onclick: decide("return") }, "Return with comment"),
      el("button", { type: "button", id: "reject", onclick: decide("reject") }, "Reject")));
}

// ---- Notes ------------------------------------------------------------------------------------------------

async function loadNotes() {
  const person = Number($("notes-person").value);
  const list = $("notes-list");
  if (!person) { list.replaceChildren(el("li", {}, "There is nobody to show notes for.")); return; }
  const notes = (await call("notes", { person })) || [];
  list.replaceChildren(...notes.map((n) => {
    const exported = el("pre", { class: "paper export", id: `export-${n.id}`, hidden: true });
    return el("li", { class: "card note", id: `note-${n.id}` },
      el("h3", {}, n.amends ? `Amendment ${n.id} to note ${n.amends}` : `Note ${n.id}`),
      el("p", { class: "note-text", "data-text": n.text }, n.text),
      el("p", { class: "muted" }, `Reviewed by ${n.reviewer} on ${n.reviewed_at}${n.amends ? `. Reason: ${n.reason}` : ""}`),
      el("p", { class: n.signature.status === "invalid" ? "error note-signature" : "muted note-signature" },
        signatureText(n.signature, n.amends ? "Amended and" : "Approved and")),
      el("button", { type: "button", class: "export-note", onclick: async () => {
        const text = await call("export_note", { id: n.id });
        if (text === undefined) return;
        exported.textContent = text; exported.hidden = false;
        try { await navigator.clipboard.writeText(text); $("live").textContent = "Copied, with the review footer."; }
        catch { $("live").textContent = "Select the text below to copy it."; }
      } }, "Copy for the care record"),
      exported,
      state.me?.role === "care_worker" ? null : amendForm(person, n));
  }));
  if (notes.length === 0) list.append(el("li", {}, "No final notes yet."));
}

/** A manager's correction of a final note: the corrected text and a reason; the note itself never changes. */
function amendForm(person, note) {
  const text = el("textarea", { id: `amend-text-${note.id}`, class: "amend-text", rows: 4 }, note.text);
  const reason = el("input", { id: `amend-reason-${note.id}`, class: "amend-reason", autocomplete: "off", required: true });
  const form = el("form", { class: "amend-form" },
    el("label", { for: `amend-text-${note.id}` }, "Corrected text"), text,
    el("label", { for: `amend-reason-${note.id}` }, "Reason for the correction"), reason,
    el("button", { type: "submit", class: "amend-save" }, "Save the amendment"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const notes = await call("amend_note", { person, id: note.id, text: text.value, reason: reason.value });
    if (!notes) return;
    await loadNotes();
    $("live").textContent = `Amended: note ${note.id} now has a linked correction, signed by you.`;
  });
  return el("details", { class: "amend" }, el("summary", {}, "Correct this note"), form);
}

$("notes-person").addEventListener("change", () => { $("handover").replaceChildren(); loadNotes(); });

/** Marks the part of a note a handover point came from (UTF-8 byte offsets, as Rust gives them). */
function showSource(point) {
  for (const p of document.querySelectorAll(".note-text")) p.replaceChildren(p.dataset.text);
  const text = document.querySelector(`#note-${point.note_id} .note-text`);
  if (!text) return;
  const bytes = encoder.encode(text.dataset.text);
  const part = (a, b) => decoder.decode(bytes.slice(a, b));
  text.replaceChildren(part(0, point.start), el("mark", { class: "handover-source" }, part(point.start, point.end)),
    part(point.end));
}

$("handover-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (state.drafting) return;
  const person = Number($("notes-person").value);
  if (!person) { showError({ message: "Choose the person to summarise." }); return; }
  const events = new Channel();
  events.onmessage = (message) => {
    if (message.event === "reading") {
      $("handover-progress").textContent = `Writing… ${Math.round((100 * message.data.done) / Math.max(1, message.data.total))}%`;
    }
  };
  state.drafting = true;
  $("handover-button").disabled = true;
  $("handover").replaceChildren();
  $("handover-save").hidden = true;
  $("handover-saved").textContent = "";
  const summary = await call("handover", { person, within: $("handover-within").value, events });
  state.drafting = false;
  $("handover-button").disabled = false;
  $("handover-progress").textContent = "";
  if (!summary) return;
  const groups = summary.groups.map((g) => el("section", { class: "handover-group" },
    el("h4", {}, g.label),
    el("ul", {}, ...g.points.map((p) => el("li", {},
      el("span", { class: "handover-point" }, p.text),
      p.fallback ? el("small", { class: "fallback-note" }, " [the note's own words]") : null,
      " ",
      el("button", { type: "button", class: "link handover-link", onclick: () => {
        showSource(p);
        document.getElementById(`note-${p.note_id}`)?.scrollIntoView({ block: "center" });
      } }, `note ${p.note_id}`)))),
    g.more ? el("p", { class: "muted" }, `${g.more} more in older notes.`) : null));
  $("handover").replaceChildren(
    el("p", { id: "handover-flag" }, el("span", { class: "badge" }, "Review required"), ` An AI summary of ${summary.notes.length} notes from ${summary.within}, not a record. Read each point against its note.`),
    ...groups,
    ...(summary.left_out.length
      ? [el("p", { class: "error" }, `Left out: notes ${summary.left_out.join(", ")}, whose approval does not hold (see Records, audit check).`)]
      : []));
  $("handover-save").hidden = state.me?.role === "care_worker";
  $("live").textContent = `The handover summary is ready: ${summary.groups.length} categories.`;
});

$("handover-save").addEventListener("click", async () => {
  const saved = await call("save_handover");
  if (!saved) return;
  $("handover-save").hidden = true;
  $("live").textContent = `Saved as draft ${saved.id}. Submit it from My drafts; another manager reviews it before it is a record.`;
  $("handover-saved").textContent = $("live").textContent;
});

// ---- Team -------------------------------------------------------------------------------------------------

const ROLE_NAMES = { care_worker: "care worker", manager: "manager", admin: "administrator" };

/** Shows the team (users, people and who works with whom) and fills the forms' choices. */
function renderTeam(team) {
  $("team-users").tBodies[0].replaceChildren(
    ...team.users.map((u) => el("tr", {}, el("td", {}, u.name), el("td", {}, ROLE_NAMES[u.role] || u.role))),
    ...team.disabled.map((u) => el("tr", { class: "user-disabled" }, el("td", {}, u.name),
      el("td", {}, `${ROLE_NAMES[u.role] || u.role}, disabled`))));
  $("team-people").tBodies[0].replaceChildren(...team.people.map((p) =>
    el("tr", {}, el("td", {}, p.person.preferred_name), el("td", {}, p.person.identifier),
      el("td", {}, p.workers.length ? p.workers.join(", ") : "nobody yet"))));
  const options = (users) => users.map((u) => el("option", { value: u.name }, u.name));
  for (const select of document.querySelectorAll(".user-select")) select.replaceChildren(...options(team.users));
  // A new password or removal applies to disabled users too.
  for (const id of ["reset-user", "remove-user"]) $(id).replaceChildren(...options([...team.users, ...team.disabled]));
  $("assign-worker").replaceChildren(...options(team.users.filter((u) => u.role === "care_worker")));
  const personOptions = () => team.people.map((p) =>
    el("option", { value: p.person.id }, `${p.person.preferred_name} (${p.person.identifier})`));
  $("assign-person").replaceChildren(...personOptions());
  const editing = $("edit-person").value;
  $("edit-person").replaceChildren(...personOptions());
  if (team.people.some((p) => String(p.person.id) === editing)) $("edit-person").value = editing;
  state.teamPeople = team.people.map((p) => p.person);
  fillPersonEdit();
  $("admin-forms").hidden = state.me?.role !== "admin";
  // The first-start walk-through, for administrators until the team can draft and review.
  const steps = [
    ["Add a manager, who reviews drafts", team.users.some((u) => u.role === "manager")],
    ["Add a care worker, who drafts", team.users.some((u) => u.role === "care_worker")],
    ["Add a person supported", team.people.length > 0],
    ["Assign a care worker to the person", team.people.some((p) => p.workers.length > 0)],
  ];
  const complete = steps.every(([, done]) => done);
  $("getting-started").hidden = state.me?.role !== "admin" || (complete && !state.gettingStarted);
  $("getting-started-steps").replaceChildren(...steps.map(([text, done]) =>
    el("li", { class: done ? "step-done" : "step-todo" }, `${done ? "✓ Done: " : "To do: "}${text}`)));
  $("getting-started-draft").hidden = !complete;
}

$("getting-started-draft").addEventListener("click", () => { state.gettingStarted = false; show("draft"); });

async function loadTeam() {
  const team = await call("team");
  if (team) renderTeam(team);
}

/** Runs a Team command from a form, shows the team it returns and says what was done. */
function teamForm(id, command, args, done) {
  $(id).addEventListener("submit", async (event) => {
    event.preventDefault();
    const team = await call(command, args());
    if (!team) return;
    renderTeam(team);
    $("live").textContent = done();
    $(id).reset();
    await refreshPeople();
  });
}

teamForm("add-user-form", "add_user",
  () => ({ name: $("new-user").value, role: $("new-role").value, password: $("new-password").value }),
  () => "The user was added; they can sign in now.");
teamForm("reset-form", "reset_password", () => ({ name: $("reset-user").value, password: $("reset-password").value }),
  () => "The new password is set (a disabled user is enabled again) and the database has a new key.");
teamForm("disable-form", "disable_user", () => ({ name: $("disable-user").value, confirm: $("disable-confirm").value }),
  () => "The user was disabled; a new password enables them again.");
teamForm("remove-form", "remove_user", () => ({ name: $("remove-user").value, confirm: $("remove-confirm").value }),
  () => "The user was removed.");
teamForm("add-person-form", "add_person", () => ({ name: $("person-name").value, identifier: $("person-id").value }),
  () => "The person was added.");
/** Puts the chosen person's details into the edit form. */
function fillPersonEdit() {
  const person = state.teamPeople.find((p) => String(p.id) === $("edit-person").value);
  $("edit-person-form").hidden = !person;
  $("edit-person-name").value = person?.preferred_name ?? "";
  $("edit-person-id").value = person?.identifier ?? "";
}

$("edit-person").addEventListener("change", fillPersonEdit);
$("edit-person-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const team = await call("edit_person",
    { person: Number($("edit-person").value), name: $("edit-person-name").value, identifier: $("edit-person-id").value });
  if (!team) return;
  renderTeam(team);
  $("live").textContent = "The person's details were saved.";
  await refreshPeople();
});
teamForm("assign-form", "assign",
  () => ({ user: $("assign-worker").value, person: Number($("assign-person").value), assigned: true }),
  () => "Assigned: the care worker sees this person on the Draft screen.");
$("unassign").addEventListener("click", async () => {
  const team = await call("assign", { user: $("assign-worker").value, person: Number($("assign-person").value), assigned: false });
  if (team) { renderTeam(team); $("live").textContent = "Taken off: the care worker no longer sees this person."; }
});

// ---- Records: the audit trail, subject access and erasure -------------------------------------------------

async function loadRecords() {
  $("erase-form").hidden = state.me?.role !== "admin";
  const view = await call("audit", { actor: $("audit-actor").value || null, record: $("audit-record").value || null });
  if (!view) return;
  const c = view.check;
  $("audit-result").textContent = view.intact
    ? `The audit trail is intact: ${c.rows} rows, every signature and certificate holds. Head: ${c.head ? `audit ${c.head.seq} ${c.head.hash}` : "empty"}.`
    : `The audit trail does not hold${c.first_bad_row ? ` (altered at row ${c.first_bad_row})` : ""}: someone may have changed the database outside Tend. Tell the registered manager.`;
  $("audit-result").className = view.intact ? "" : "error";
  $("audit-problems").replaceChildren(...c.problems.map((p) => el("li", {}, p)));
  $("audit-events").tBodies[0].replaceChildren(...view.recent.map((r) =>
    el("tr", {}, el("td", {}, r.at), el("td", {}, r.actor), el("td", {}, r.action.replaceAll("_", " ")), el("td", {}, r.record))));
}

$("audit-form").addEventListener("submit", (event) => { event.preventDefault(); loadRecords(); });
$("against-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const checks = await call("check_exported", { text: $("against-text").value });
  if (!checks) return;
  const broken = checks.filter((c) => !c.holds).length;
  $("against-result").className = broken ? "error" : "";
  $("against-result").replaceChildren(
    broken ? `${broken} of ${checks.length} anchors are not in the trail: the records were changed outside Tend. Tell the registered manager.`
      : `The exported note matches the audit trail (${checks.length} anchor${checks.length === 1 ? "" : "s"}).`,
    el("ul", {}, ...checks.map((c) => el("li", {}, `${c.anchor}: ${c.holds ? "matches the trail" : "DOES NOT MATCH"}`))));
});
$("sar-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = await call("export_person", { person: Number($("sar-person").value) });
  if (text === undefined) return;
  $("sar-text").textContent = text;
  $("sar-text").hidden = false;
  try { await navigator.clipboard.writeText(text); $("live").textContent = "Copied; the export is audited."; }
  catch { $("live").textContent = "Select the text below to copy it; the export is audited."; }
});
$("sar-save").addEventListener("click", async () => {
  const path = await call("save_person_export", { person: Number($("sar-person").value) });
  if (path) $("sar-saved").textContent = `Saved to ${path}, readable only by you on this computer; the export is audited.`;
});
$("erase-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const team = await call("erase_person", { person: Number($("erase-person").value), confirm: $("erase-confirm").value });
  if (!team) return;
  $("erase-form").reset();
  await refreshPeople();
  $("live").textContent = "Erased. The audit trail notes the erasure, with no personal data.";
  loadRecords();
});

// ---- Settings and About -----------------------------------------------------------------------------------

async function loadSettings() {
  const settings = await call("settings");
  if (!settings) return;
  const facts = $("settings-model");
  const row = (name, value) => [el("dt", {}, name), el("dd", {}, value)];
  const m = settings.model;
  facts.replaceChildren(...(m.state === "ready" ? [
    row("Model", m.info.name), row("Size", `${m.info.parameters_millions} million parameters, ${m.info.size_mb} MB (${m.info.quantization})`),
    row("Licence", m.info.license || "not stated in the file"), row("File", m.info.path), row("SHA-256", m.info.sha256),
  ] : [row("Model", m.state === "loading" ? "still loading" : m.message)]).flat(),
  ...row("Threads", `${settings.threads} of ${settings.cores} cores`), ...row("Database", settings.database),
  ...row("Audit trail now", settings.audit_head || "empty"),
  ...row("Root key", settings.root_key ? `${settings.root_key} (write these two down: exported notes and later checks are compared with them)` : "none yet"));
  $("retention-days").value = settings.retention_days;
  $("self-review").checked = settings.allow_self_review;
  $("self-review-form").hidden = state.me?.role !== "admin";
  $("threads").max = settings.cores;
  $("threads").value = settings.threads_next_start || settings.threads;
  $("threads-note").textContent = "Fewer threads leave the computer free for other work; more draft faster. " +
    (settings.threads_next_start
      ? `Drafting uses ${settings.threads} now and ${settings.threads_next_start} from when Tend next starts.`
      : "A change applies when Tend next starts.");
  const canChange = state.me && state.me.role !== "care_worker";
  const catalog = (await call("catalog")) || [];
  $("catalog").tBodies[0].replaceChildren(...catalog.map((m) => el("tr", {},
    el("td", {}, m.name, el("br"), el("span", { class: "muted" }, m.note)),
    el("td", {}, `${m.size_mb} MB`), el("td", {}, `${m.memory_mb} MB`), el("td", {}, m.license),
    el("td", {}, m.installed
      ? (canChange ? el("button", { type: "button", class: "use-model", onclick: () => useModel(m.file) }, `Use ${m.name}`) : "Installed")
      : notInstalled(m, canChange)))));
  $("import-form").hidden = !canChange;
  $("threads-form").hidden = !canChange;
}

function notInstalled(m, canChange) {
  const fit = m.fits ? "Not installed; fits" : "Not installed; too big for the free memory";
  if (!canChange || m.source !== "hub" || !m.fits) return fit;
  return el("button", { type: "button", class: "download-model", onclick: () => downloadModel(m) }, `Download ${m.name}`);
}

const megabytes = (bytes) => `${(bytes / 1048576).toFixed(bytes < 10485760 ? 1 : 0)} MB`;

async function downloadModel(m) {
  const box = $("download-status"), bar = $("download-progress"), text = $("download-text");
  $("download-label").textContent = `Downloading ${m.name}`;
  bar.removeAttribute("value");
  text.textContent = "Asking the hub for the file…";
  box.hidden = false;
  $("model-change").textContent = "";
  for (const button of document.querySelectorAll(".download-model")) button.disabled = true;
  const progress = new Channel();
  let announced = 0;
  progress.onmessage = ({ done, total }) => {
    bar.max = total; bar.value = done;
    text.textContent = `${megabytes(done)} of ${megabytes(total)}`;
    // Screen readers hear every quarter, not every update.
    const quarter = Math.floor((4 * done) / total);
    if (quarter > announced) { announced = quarter; $("live").textContent = `Download ${quarter * 25}% done.`; }
  };
  const downloaded = await call("download_model", { name: m.name, progress });
  box.hidden = true;
  for (const button of document.querySelectorAll(".download-model")) button.disabled = false;
  // On failure the error line says why (and that a stopped download resumes); the table is unchanged.
  if (!downloaded) return;
  $("model-change").textContent = `Downloaded ${m.name}; SHA-256 ${downloaded.sha256} verified. It is loading now.`;
  $("model-progress").hidden = false;
  pollModel();
  loadSettings();
}

$("download-cancel").addEventListener("click", () => invoke("cancel_download"));

async function useModel(file) {
  const status = await call("use_model", { file });
  if (!status) return;
  $("model-change").textContent = `Loading ${file}… Drafting uses the previous model until it is ready.`;
  $("model-progress").hidden = false;
  pollModel();
}

/** Says what was imported and starts following the model's loading. */
function showImported(imported) {
  $("model-change").textContent = `Imported ${imported.info.name} (SHA-256 ${imported.sha256}). ` +
    (imported.catalog_name ? `It is ${imported.catalog_name} from Tend's catalogue.` : "It is not in Tend's catalogue: check its licence and where it came from.") +
    " It is loading now.";
  $("model-progress").hidden = false;
  pollModel();
}

$("import-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  $("model-change").textContent = "Checking the file…";
  const imported = await call("import_model", { path: $("import-path").value });
  if (imported) showImported(imported); else $("model-change").textContent = "";
});

$("import-choose").addEventListener("click", async () => {
  $("model-change").textContent = "Choose the model file in the window that opens…";
  const imported = await call("import_model_file", {});
  if (imported) showImported(imported); else $("model-change").textContent = "";
});

$("measure-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  if (state.drafting) return;
  const bar = $("measure-progress");
  const events = new Channel();
  events.onmessage = (message) => {
    if (message.event !== "reading") return;
    bar.max = Math.max(1, message.data.total); bar.value = message.data.done;
    $("measure-note").textContent = `Translated ${message.data.done} of ${message.data.total} sentences…`;
  };
  state.drafting = true;
  $("measure-button").disabled = true; $("measure-stop").disabled = false; bar.hidden = false;
  const labels = await call("measure_translation", { lines: Number($("measure-lines").value), events });
  state.drafting = false;
  $("measure-button").disabled = false; $("measure-stop").disabled = true; bar.hidden = true;
  if (labels === undefined) { $("measure-note").textContent = ""; return; }
  if (labels === null) { $("measure-note").textContent = "Stopped: nothing was saved."; return; }
  labelLanguages(labels);
  $("measure-note").textContent =
    `Measured and saved for this model file. The language picker now shows: ${labels.map((l) => `${l.value}: ${l.label}`).join("; ")}.`;
});
$("measure-stop").addEventListener("click", () => { invoke("stop_draft"); $("measure-note").textContent = "Stopping…"; });

$("password-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const fields = ["password-current", "password-new", "password-again"].map($);
  const [current, next, again] = fields.map((f) => f.value);
  const done = await call("change_password", { current, new: next, again });
  for (const f of fields) f.value = "";
  if (done !== undefined) $("password-note").textContent = "Your password is changed. Use the new one from now on.";
});

$("threads-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const settings = await call("set_threads", { threads: Number($("threads").value) });
  if (settings) { $("live").textContent = "Saved. The new number of threads applies when Tend next starts."; loadSettings(); }
});

$("self-review-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const settings = await call("set_allow_self_review", { allow: $("self-review").checked });
  if (settings) $("live").textContent = settings.allow_self_review
    ? "Managers may now review their own drafts." : "Every draft now needs a second person's review.";
});

$("retention-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const settings = await call("set_retention_days", { days: Number($("retention-days").value) });
  if (settings) $("live").textContent = `Source notes are now kept for ${settings.retention_days} days.`;
});

$("report-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const draft = Number($("report-draft").value) || null;
  const id = await call("report_error", { draft, person: null, text: $("report-text").value });
  if (id !== undefined) {
    $("report-done").textContent = `Thank you. Report ${id} has been filed for your manager.`;
    // Cleared, so that the next report (perhaps by the next person to sign in) is not tied to this draft.
    $("report-form").reset();
  }
});

start();
