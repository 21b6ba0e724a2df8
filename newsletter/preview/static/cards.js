// "Sections" and "Candidates": the cards in their order with their actions. Reordering works by
// native drag and drop and, from the keyboard, by the Move up / Move down buttons.
"use strict";
import {EDITABLE, el} from "./api.js";
import {pointAt} from "./email.js";

const $ = id => document.getElementById(id);
const CARD = "application/x-newsletter-card";
const SECTION = "application/x-newsletter-section";

const moved = (list, index, by) => {
  const copy = [...list];
  const [item] = copy.splice(index, 1);
  copy.splice(index + by, 0, item);
  return copy;
};

// Highlights follow the order of `featured`: rewrite it by unfeaturing and featuring again.
function featuredOrderOps(current, wanted) {
  return [...current.map(id => ({op: "unfeature", id})), ...wanted.map(id => ({op: "feature", id}))];
}

function cardOrderOps(section, ids, state) {
  return section === "highlights"
    ? featuredOrderOps(state.highlights.map(c => c.id), ids)
    : [{op: "order", theme: section, ids}];
}

function button(label, key, onclick, extra = {}) {
  return el("button", {type: "button", dataset: {key}, onclick, ...extra}, label);
}

function card(summary, index, list, section, state, edit) {
  const ids = list.map(c => c.id);
  const key = k => `${summary.id}:${k}`;
  const meta = [summary.published, summary.study_type || "study type unclear"].join(" · ");
  const themeLabel = (state.themes.find(t => t.id === summary.theme) || {label: summary.theme}).label;
  const node = el("li", {class: "card", tabindex: "-1", dataset: {summaryId: summary.id, section},
                         draggable: EDITABLE ? "true" : null},
    el("div", {class: "card-title"}, summary.title),
    el("div", {class: "meta"}, meta),
    el("div", {class: "why"}, section === "highlights"
      ? `Featured (Highlights). Theme: ${themeLabel} (${summary.why})`
      : `Why here: ${summary.why}`),
    el("button", {type: "button", class: "link", dataset: {key: key("show")},
                  onclick: () => pointAt({url: summary.url})}, "Show in email"));
  if (!EDITABLE) return node;
  const actions = el("div", {class: "actions"});
  if (summary.featured) {
    actions.append(button("Unfeature", key("unfeature"), () => edit([{op: "unfeature", id: summary.id}])));
    actions.append(button("Exclude", key("exclude"), () => edit([{op: "unfeature", id: summary.id}, {op: "exclude", id: summary.id}])));
  } else {
    actions.append(button("Feature", key("feature"), () => edit([{op: "feature", id: summary.id}])));
    actions.append(button("Exclude", key("exclude"), () => edit([{op: "exclude", id: summary.id}])));
  }
  actions.append(
    button("Move up", key("up"), () => edit(cardOrderOps(section, moved(ids, index, -1), state)),
           {disabled: index === 0}),
    button("Move down", key("down"), () => edit(cardOrderOps(section, moved(ids, index, 1), state)),
           {disabled: index === list.length - 1}));
  const select = el("select", {id: `theme-${summary.id}`, "aria-label": "Theme", dataset: {key: key("theme")},
                               onchange: e => edit([{op: "move", id: summary.id, theme: e.target.value}])},
    state.themes.map(t => el("option", {value: t.id, selected: t.id === summary.theme}, t.label)));
  actions.append(el("label", {for: `theme-${summary.id}`, class: "theme-label"}, "Theme"), select);
  node.append(actions);
  node.addEventListener("dragstart", event => {
    event.stopPropagation();
    event.dataTransfer.setData(CARD, JSON.stringify({id: summary.id, section}));
    event.dataTransfer.effectAllowed = "move";
  });
  return node;
}

// Where a dragged card or section was dropped: before the item under the pointer, or last.
function dropIndex(container, selector, event) {
  const items = [...container.querySelectorAll(selector)];
  for (const [i, item] of items.entries()) {
    const box = item.getBoundingClientRect();
    if (event.clientY < box.top + box.height / 2) return i;
  }
  return items.length;
}

function place(list, id, index) {
  const rest = list.filter(x => x !== id);
  const at = Math.min(index - (list.indexOf(id) !== -1 && list.indexOf(id) < index ? 1 : 0), rest.length);
  rest.splice(Math.max(at, 0), 0, id);
  return rest;
}

function group(section, cards, state, edit, position, total) {
  const ids = state.sections.map(s => s.id);
  const isTheme = section.id !== "highlights";
  const heading = el("h3", {id: `sec-${section.id}`}, `${section.label} (${cards.length})`);
  const head = el("div", {class: "group-head"}, heading);
  if (EDITABLE && isTheme) {
    head.append(
      button("Move section up", `section:${section.id}:up`,
             () => edit([{op: "theme_order", themes: moved(ids, position, -1)}]),
             {disabled: position === 0, "aria-label": `Move section up: ${section.label}`}),
      button("Move section down", `section:${section.id}:down`,
             () => edit([{op: "theme_order", themes: moved(ids, position, 1)}]),
             {disabled: position === total - 1, "aria-label": `Move section down: ${section.label}`}));
  }
  const list = el("ol", {class: "cards", "aria-labelledby": `sec-${section.id}`},
    cards.map((c, i) => card(c, i, cards, section.id, state, edit)));
  const more = section.more ? el("p", {class: "muted"},
    `${section.more} more not shown (max_per_section = ${state.max_per_section}); the email links to them.`) : null;
  const node = el("div", {class: "group", dataset: {section: section.id},
                          draggable: EDITABLE && isTheme ? "true" : null}, head, list, more);
  if (!EDITABLE) return node;
  if (isTheme) {
    node.addEventListener("dragstart", event => {
      event.dataTransfer.setData(SECTION, section.id);
      event.dataTransfer.effectAllowed = "move";
    });
  }
  node.addEventListener("dragover", event => {
    const types = event.dataTransfer.types;
    if (types.includes(CARD) || (types.includes(SECTION) && isTheme)) {
      event.preventDefault();
      node.classList.add("drop");
    }
  });
  node.addEventListener("dragleave", () => node.classList.remove("drop"));
  node.addEventListener("drop", event => {
    event.preventDefault();
    event.stopPropagation();
    node.classList.remove("drop");
    const sectionId = event.dataTransfer.getData(SECTION);
    if (sectionId) {
      const at = dropIndex($("section-list"), ".group[data-section]:not([data-section=highlights])", event);
      edit([{op: "theme_order", themes: place(ids, sectionId, at)}]);
      return;
    }
    const dragged = JSON.parse(event.dataTransfer.getData(CARD) || "null");
    if (!dragged) return;
    const at = dropIndex(list, ".card", event);
    const order = cards.map(c => c.id);
    if (dragged.section === section.id) {
      edit(cardOrderOps(section.id, place(order, dragged.id, at), state));
    } else if (section.id === "highlights") {
      edit(featuredOrderOps(order, place(order, dragged.id, at)));
    } else {
      const ops = dragged.section === "highlights" ? [{op: "unfeature", id: dragged.id}] : [];
      edit([...ops, {op: "move", id: dragged.id, theme: section.id},
            {op: "order", theme: section.id, ids: place(order, dragged.id, at)}]);
    }
  });
  return node;
}

export function renderSections(state, edit) {
  const groups = [];
  if (state.highlights.length) {
    groups.push(group({id: "highlights", label: "Highlights"}, state.highlights, state, edit, -1, 0));
  }
  state.sections.forEach((s, i) => groups.push(group(s, s.summaries, state, edit, i, state.sections.length)));
  $("section-list").replaceChildren(...groups);
  const limit = $("max-per-section");
  if (!limit) return;  // read-only
  limit.closest("form").hidden = !state.ok;
  limit.closest("form").onsubmit = event => { event.preventDefault(); limit.blur(); };
  if (document.activeElement !== limit) limit.value = state.max_per_section ?? "";
  limit.onchange = () => edit([{op: "set", field: "max_per_section",
                                value: limit.value ? Number(limit.value) : null}]);
}

export function renderCandidates(state, edit) {
  const items = state.candidates.map(c => {
    const excluded = c.reason === "excluded from this issue";
    const node = el("li", {class: "card candidate", dataset: {summaryId: c.id}},
      el("div", {class: "card-title"}, c.title),
      el("div", {class: "meta"}, [c.published, c.study_type || "study type unclear",
                                  (state.themes.find(t => t.id === c.theme) || {label: c.theme}).label].join(" · ")),
      el("div", {class: "why"}, c.reason));
    if (EDITABLE) {
      node.append(el("div", {class: "actions"}, excluded
        ? button("Restore", `${c.id}:restore`, () => edit([{op: "restore", id: c.id}]))
        : button("Include", `${c.id}:include`, () => edit([{op: "include", id: c.id}]))));
    }
    return node;
  });
  $("candidate-list").replaceChildren(...items);
  $("candidates-empty").hidden = items.length > 0;
}
