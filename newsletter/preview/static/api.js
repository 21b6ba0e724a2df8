// Talking to the desk's server: every POST carries the page's token; answers come back as
// {status, data} so that callers can tell 200, 400, 403 and 409 apart.
"use strict";

const meta = name => document.querySelector(`meta[name="${name}"]`)?.content ?? "";
export const TOKEN = meta("newsletter-token");
export const MODE = meta("newsletter-mode");  // "desk", "read-only" or "preview"
export const EDITABLE = MODE === "desk";

export async function getText(path) {
  const response = await fetch(path, {cache: "no-store"});
  return response.text();
}

export async function getJSON(path) {
  const response = await fetch(path, {cache: "no-store"});
  return {status: response.status, data: await response.json()};
}

export async function post(action, body) {
  const response = await fetch(`/api/${action}`, {
    method: "POST",
    cache: "no-store",
    headers: {"Content-Type": "application/json", "X-Newsletter-Token": TOKEN},
    body: JSON.stringify(body ?? {}),
  });
  let data;
  try {
    data = await response.json();
  } catch {
    data = {error: `the server answered ${response.status}`};
  }
  return {status: response.status, data};
}

// A small element builder: el("button", {class: "x", onclick: f}, "text", child...).
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}
