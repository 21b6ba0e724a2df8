// "Inbox preview": the message in an inbox list on a desktop and on a phone, cut where those
// lists cut, with character counts; and the Subject, Preheader and Intro fields.
"use strict";
import {EDITABLE, el, post} from "./api.js";

const $ = id => document.getElementById(id);
let introTimer = null;

function row(kind, sender, subject, preheader) {
  return el("div", {class: `inbox-row ${kind}`},
    el("span", {class: "from"}, sender),
    el("span", {class: "subject"}, subject),
    preheader ? el("span", {class: "pre"}, preheader) : null);
}

function count(label, value, limits) {
  return el("li", {}, `${label}: ${value} characters`, limits ? el("span", {class: "muted"}, ` (${limits})`) : null);
}

export function renderInbox(state) {
  const box = $("inbox-rows");
  if (!state.inbox) { box.replaceChildren(); return; }
  const {desktop, phone, counts, limits} = state.inbox;
  const sender = state.sender.email ? `${state.sender.name} <${state.sender.email}>` : state.sender.name;
  box.replaceChildren(
    el("h3", {}, "Desktop inbox"),
    row("desktop", desktop.sender, desktop.subject, desktop.preheader ? ` – ${desktop.preheader}` : ""),
    el("h3", {}, "Phone inbox"),
    row("phone", phone.sender, phone.subject, phone.preheader),
    el("ul", {class: "counts", "aria-label": "Character counts"},
      el("li", {}, `Sender: ${sender}`),
      count("Subject", counts.subject, `a phone shows about ${limits.phone.subject}; a desktop row about ${limits.desktop.row} with the preheader`),
      count("Preheader", counts.preheader, `a phone shows about ${limits.phone.preheader}`)),
  );
}

// A field is rewritten from the state only while nobody is typing in it.
function setField(field, value, placeholder) {
  if (document.activeElement === field && field.dataset.dirty === "1") return;
  field.value = value ?? "";
  field.placeholder = placeholder ?? "";
  field.dataset.dirty = "0";
  field.classList.toggle("computed", !value);
}

export function renderFields(state, edit) {
  $("intro-view-box").hidden = EDITABLE || !state.intro_html;
  $("intro-view").innerHTML = state.intro_html || "";  // rendered and sanitised by the server
  const fields = $("fields");
  if (!EDITABLE) return;
  fields.hidden = !state.ok;
  if (!state.ok) return;
  setField($("subject"), state.subject_set, state.subject_computed);
  setField($("preheader"), state.preheader_set, state.preheader_computed);
  setField($("intro"), state.intro, "A short welcome in Markdown (optional)");
  $("subject-note").textContent = state.subject_set ? "" : "Empty: computed from subject_pattern (shown greyed).";
  $("preheader-note").textContent = state.preheader_set ? "" : "Empty: computed from what the issue holds (shown greyed).";
  if ($("intro").dataset.dirty !== "1") $("intro-rendered").innerHTML = state.intro_html || "";
  fields.onsubmit = event => event.preventDefault();
  for (const name of ["subject", "preheader", "intro"]) {
    const field = $(name);
    field.oninput = () => {
      field.dataset.dirty = "1";
      field.classList.toggle("computed", !field.value);
      if (name === "intro") renderIntroSoon(field.value);
    };
    field.onchange = () => {
      field.dataset.dirty = "0";
      edit([{op: "set", field: name, value: field.value.trim() ? field.value : ""}]);
    };
    if (name !== "intro") {
      field.onkeydown = event => { if (event.key === "Enter") field.blur(); };
    }
  }
}

function renderIntroSoon(markdown) {
  clearTimeout(introTimer);
  introTimer = setTimeout(async () => {
    const {status, data} = await post("render-intro", {markdown});
    if (status === 200) $("intro-rendered").innerHTML = data.html;  // sanitised by the server
  }, 120);
}
