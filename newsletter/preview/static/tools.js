// "Checks" (findings and the size gauge), Send test, Export, the issue switcher, New issue,
// Undo and Redo.
"use strict";
import {EDITABLE, el} from "./api.js";
import {pointAt} from "./email.js";

const $ = id => document.getElementById(id);
const LIMIT = 102400;

export function renderChecks(state) {
  const gauge = $("size-gauge");
  const bytes = state.bytes ?? 0;
  gauge.value = Math.min(bytes, LIMIT);
  gauge.max = LIMIT;
  gauge.low = state.warn ?? 90000;
  gauge.high = state.warn ?? 90000;
  gauge.optimum = 0;
  $("size-text").textContent = state.bytes === null ? "no email (the build failed)"
    : `${(bytes / 1024).toFixed(1)} KB of Gmail's 102 KB limit (${Math.round(100 * bytes / LIMIT)}%)`;
  const counts = state.counts;
  $("check-counts").textContent = counts
    ? `${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info` +
      (state.checks_pending ? " so far; SpamAssassin is still scoring the email…" : "")
    : (state.ok ? "" : "The checks need a build that works.");
  $("check-counts").setAttribute("aria-busy", state.checks_pending ? "true" : "false");
  const cards = new Map([...state.highlights, ...state.sections.flatMap(s => s.summaries)].map(c => [c.id, c]));
  const labels = new Map(state.sections.map(s => [s.id, s.label]));
  $("finding-list").replaceChildren(...state.findings.map(f => {
    const card = f.summary ? cards.get(f.summary) : null;
    const label = f.section ? labels.get(f.section) : null;
    return el("li", {class: `finding ${f.level}`, dataset: {rule: f.rule}},
      el("span", {class: "level"}, f.level), " ",
      el("code", {}, f.rule), " ",
      el("span", {class: "message"}, f.message),
      f.fix ? el("div", {class: "fix"}, `Fix: ${f.fix}`) : null,
      el("div", {class: "where muted"}, f.where),
      card ? el("button", {type: "button", class: "link", onclick: () => showCard(card)},
                `Show “${card.title}” in the email`) : null,
      label ? el("button", {type: "button", class: "link", onclick: () => pointAt({heading: label})},
                 `Show the section “${label}” in the email`) : null);
  }));
}

function showCard(card) {
  pointAt({url: card.url});
  const node = document.querySelector(`#section-list [data-summary-id="${CSS.escape(card.id)}"]`);
  if (node) { node.scrollIntoView({block: "nearest"}); node.focus(); }
}

export function renderSendTest(state, run) {
  const info = state.send_test;
  const box = $("send-info");
  if (!info) { box.replaceChildren(); return; }
  box.replaceChildren(
    el("li", {}, `To: ${info.recipients.length ? info.recipients.join(", ") : "nobody yet: add [send_test] recipients to newsletter.toml"}`),
    el("li", {}, `From: ${info.sender ?? "from_email is not set"}`),
    el("li", {}, `Server: ${info.smtp} (${info.security})${info.user ? `, user ${info.user}, password ${info.password_set ? "from NEWSLETTER_SMTP_PASSWORD" : "missing: set NEWSLETTER_SMTP_PASSWORD"}` : ""}`));
  if (!EDITABLE) return;
  $("send-form").hidden = false;
  $("send-form").onsubmit = event => { event.preventDefault(); run(); };
}

export function showSent(status, data) {
  const out = $("send-result");
  if (status === 200) {
    const sent = data.sent;
    out.replaceChildren(el("p", {}, `Sent “${sent.subject}” to ${sent.recipients.join(", ")} through ${sent.server}.`),
      ...sent.notes.map(n => el("p", {class: "muted"}, n)));
  } else {
    out.replaceChildren(el("p", {class: "bad"}, data.error), ...(data.problems || []).map(p => el("p", {}, p)));
  }
}

export function renderExport(state, services, run) {
  if (!EDITABLE) return;
  const select = $("export-service");
  if (!select.options.length) {
    select.replaceChildren(...services.map(s => el("option", {value: s}, s)));
  }
  $("export-form").hidden = false;
  $("export-region").hidden = false;
  $("export-form").onsubmit = event => { event.preventDefault(); run(select.value); };
}

export function showExported(status, data) {
  const out = $("export-result");
  if (status === 200) {
    const e = data.export;
    out.replaceChildren(el("p", {}, `Wrote ${e.paths.length} file(s) for ${e.service} into ${e.folder}/:`),
      el("ul", {class: "paths"}, e.paths.map(p => el("li", {}, el("code", {}, p)))));
  } else {
    out.replaceChildren(el("p", {class: "bad"}, data.error), ...(data.problems || []).map(p => el("p", {}, p)));
  }
}

export function renderIssues(state, switchTo, create) {
  const select = $("issue-select");
  select.replaceChildren(...state.issues.map(id => el("option", {value: id, selected: id === state.issue}, id)));
  select.onchange = () => switchTo(select.value);
  if (!EDITABLE) return;
  $("new-issue").hidden = false;
  $("new-issue").onsubmit = event => {
    event.preventDefault();
    if ($("new-month").value) create($("new-month").value);
  };
}

export function renderUndo(state, travel) {
  if (!EDITABLE) return;
  for (const [id, can, label] of [["undo", state.can_undo, state.undo_label],
                                  ["redo", state.can_redo, state.redo_label]]) {
    const b = $(id);
    b.hidden = false;
    b.disabled = !can;
    b.title = can ? `${id === "undo" ? "Undo" : "Redo"}: ${label}` : `Nothing to ${id}`;
    b.onclick = () => travel(id);
  }
}
