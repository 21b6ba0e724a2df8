// The desk page: wires the email views, the panel and the server's events together.
// Every change goes to the server as an edit of the issue file with the version the page shows;
// a 409 (the file changed on disk) shows the file as it now is and writes nothing.
"use strict";
import {EDITABLE, MODE, getJSON, post} from "./api.js";
import {setupViews, showBuild, showEmail} from "./email.js";
import {renderCandidates, renderSections} from "./cards.js";
import {renderFields, renderInbox} from "./panel.js";
import {renderChecks, renderExport, renderIssues, renderSendTest, renderUndo, showExported,
        showSent} from "./tools.js";

const $ = id => document.getElementById(id);
let state = null;
let queue = Promise.resolve();  // actions run one after the other, each with the latest version

function notice(text, kind = "info") {
  const box = $("notice");
  box.className = kind;
  box.textContent = text;
}

function problemText(data) {
  return [data.error, ...(data.problems || [])].filter(Boolean).join(" — ");
}

// Re-render the panel, keeping the keyboard focus on the same control when it still exists.
function render(next) {
  state = next;
  const focused = document.activeElement?.dataset?.key;
  const card = document.activeElement?.closest?.("[data-summary-id]")?.dataset.summaryId;
  document.body.dataset.issue = state.issue;
  document.body.dataset.version = state.version ?? "";
  document.body.dataset.build = state.build;
  $("panel").hidden = false;
  $("desk-errors").hidden = state.ok;
  $("desk-errors").textContent = state.ok ? "" : "The issue cannot be built: see the errors beside.";
  renderIssues(state, switchTo, createIssue);
  renderUndo(state, travel);
  renderInbox(state);
  renderFields(state, edit);
  renderSections(state, edit);
  renderCandidates(state, edit);
  renderChecks(state);
  renderSendTest(state, sendTest);
  renderExport(state, state.services || [], exportTo);
  if (state.checks_pending) waitForChecks();
  if (focused) {
    const again = document.querySelector(`[data-key="${CSS.escape(focused)}"]`);
    if (again && !again.disabled) again.focus();
    else if (card) document.querySelector(`[data-summary-id="${CSS.escape(card)}"]`)?.focus();
  }
}

async function refresh() {
  const email = showEmail();
  if (MODE !== "preview") {
    const {status, data} = await getJSON("/api/state");
    if (status === 200) render(data);
    else if (state?.checks_pending) waitForChecks();  // ask again: the checks are still due
  }
  await email;
}

// The slow checks (the SpamAssassin score) run in the background: ask again until they are in.
// Only the Checks region is drawn again (redrawing the whole panel every second would drop a
// card being dragged or disturb a field being edited), unless something else changed meanwhile.
let checksTimer = null;
function waitForChecks() {
  if (checksTimer !== null) return;
  checksTimer = setTimeout(() => {
    checksTimer = null;
    queue = queue.then(pollChecks);
  }, 1000);
}

async function pollChecks() {
  if (!state?.checks_pending) return;
  const {status, data} = await getJSON("/api/state");
  if (status !== 200) { waitForChecks(); return; }
  if (String(data.build) === String(state.build) && data.version === state.version) {
    state = {...state, findings: data.findings, counts: data.counts,
             checks_pending: data.checks_pending};
    renderChecks(state);
    if (state.checks_pending) waitForChecks();
  } else {
    render(data);
  }
}

// Run an action after those already asked for; answer with the new state or say why not.
function act(action, body, after) {
  queue = queue.then(async () => {
    document.body.setAttribute("aria-busy", "true");
    try {
      const payload = typeof body === "function" ? body() : body;
      const {status, data} = await post(action, payload);
      if (status === 200 && data.issue !== undefined) {
        render(data);
        await showEmail();
      }
      if (status === 409) {
        notice(`Not saved: ${data.error}`, "bad");
        await refresh();
      } else if (status !== 200) {
        notice(problemText(data), "bad");
      } else if (data.changes?.length) {
        notice(data.changes.join("; "));
      }
      if (after) after(status, data);
    } catch (error) {
      notice(`The desk server did not answer (${error}); is \`newsletter preview\` still running?`, "bad");
    } finally {
      document.body.removeAttribute("aria-busy");
    }
  });
  return queue;
}

function edit(ops) {
  return act("edit", () => ({version: state.version, ops}));
}

function travel(which) {
  return act(which, () => ({version: state.version}));
}

function switchTo(issue) {
  return act("switch", {issue});
}

function createIssue(month) {
  return act("new-issue", {month});
}

function sendTest() {
  $("send-result").textContent = "Sending…";
  return act("send-test", {}, showSent);
}

function exportTo(service) {
  $("export-result").textContent = "Exporting…";
  return act("export", {service}, showExported);
}

setupViews();
if (MODE === "preview") $("panel").remove();
if (MODE === "read-only") notice("Read-only: this desk shows the issue without its controls.");
if (!EDITABLE) {  // the controls are not hidden but gone: nothing to reach by keyboard either
  document.body.classList.add("read-only");
  for (const id of ["fields", "new-issue", "undo", "redo", "send-form", "export-region", "limit-form"]) {
    $(id)?.remove();
  }
}
queue = queue.then(refresh);
const events = new EventSource("/events");
let seen = null;
events.onmessage = event => {
  if (event.data === seen) return;
  const build = seen = event.data;
  showBuild(build);  // the new email at once, even while an action waits for its answer
  // A build the page already shows (an action's own answer) needs no new state.
  queue = queue.then(() => state && String(state.build) === build ? showEmail() : refresh());
};
