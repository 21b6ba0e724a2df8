// The email beside the panel: Desktop / Mobile / Dark / Plain text / Source views, the status
// line, the build's errors, and pointing at one card inside the email.
"use strict";
import {getJSON, getText} from "./api.js";

const $ = id => document.getElementById(id);
const LIMIT = 102400;
let view = "desktop";
let loaded = null;  // the build version the frame shows
let lastStatus = null;
let newest = -1;  // the newest build asked for: an answer about an older one comes too late

function showStatus(status) {
  const box = $("status");
  box.textContent = "";
  if (!status.ok) {
    const bad = document.createElement("span");
    bad.className = "bad";
    bad.textContent = `Build failed: ${status.errors.length} problem(s)`;
    box.append(bad);
    return;
  }
  const kb = (status.html_bytes / 1024).toFixed(1);
  const pct = Math.round(100 * status.html_bytes / LIMIT);
  const sections = status.sections.map(s => `${s.label} ${s.count}`).join(" · ");
  box.append([`${status.issue}: ${kb} KB of Gmail's 102 KB limit (${pct}%)`,
              `${status.count} summaries: ${sections}`].join(" | "));
  if (status.warnings.length) {
    const warn = document.createElement("span");
    warn.className = "warn";
    warn.textContent = ` | ${status.warnings.length} warning(s): ` + status.warnings.join(" / ");
    box.append(warn);
  }
}

const frameView = () => ["desktop", "mobile", "dark"].includes(view);
const framePage = () => view === "dark" ? "/email-dark.html" : "/email.html";

// A new build was announced: load it into the frame at once, then show its status.
export function showBuild(version) {
  const frame = $("email");
  if (frameView() && !frame.hidden && Number(version) > newest) {
    loaded = `${framePage()}?v=${version}`;
    frame.src = loaded;
  }
  return showEmail();
}

// Show the current build in the chosen view. The frame is reloaded only for a new build.
export async function showEmail(force = false) {
  const {data: status} = await getJSON("/status.json");
  if (status.version < newest) return lastStatus;
  newest = status.version;
  lastStatus = status;
  showStatus(status);
  const failed = !status.ok;
  $("errors").hidden = !failed;
  $("error-list").replaceChildren(...status.errors.map(e => {
    const li = document.createElement("li"); li.textContent = e; return li;
  }));
  const frame = $("email");
  frame.hidden = failed || !frameView();
  $("text").hidden = failed || view !== "text";
  $("source").hidden = failed || view !== "source";
  if (failed) { loaded = null; return status; }
  if (!frame.hidden) {
    frame.className = view === "mobile" ? "mobile" : "";
    const key = `${framePage()}?v=${status.version}`;
    if (force || loaded !== key) {
      loaded = key;
      frame.src = key;
    }
  } else if (view === "text") {
    $("text").textContent = await getText("/email.txt");
  } else {
    $("source-html").textContent = await getText("/email.html");
    $("source-mjml").textContent = await getText("/email.mjml");
  }
  return status;
}

export function shownVersion() {
  return lastStatus ? lastStatus.version : null;
}

export function setupViews() {
  document.querySelectorAll("button[data-view]").forEach(button => {
    button.addEventListener("click", () => {
      view = button.dataset.view;
      document.querySelectorAll("button[data-view]").forEach(b =>
        b.setAttribute("aria-pressed", String(b === button)));
      showEmail();
    });
  });
}

// Scroll the email to the card of `url` (its Read more link) or to a section heading, and
// outline it for a moment.
export function pointAt({url = null, heading = null}) {
  if (!["desktop", "mobile", "dark"].includes(view)) {
    document.querySelector("button[data-view=desktop]").click();
  }
  const frame = $("email");
  const tryPoint = () => {
    const doc = frame.contentDocument;
    if (!doc || doc.readyState !== "complete") return false;
    let target = null;
    if (url) {
      const link = [...doc.querySelectorAll("a[href]")].find(a => a.getAttribute("href").startsWith(url));
      target = link ? (link.closest(".c") || link.parentElement) : null;
    } else if (heading) {
      target = [...doc.querySelectorAll("h2")].find(h => h.textContent.trim() === heading) || null;
    }
    if (!target) return true;
    doc.querySelectorAll("[data-desk-pointed]").forEach(e => {
      e.style.outline = ""; e.removeAttribute("data-desk-pointed");
    });
    target.setAttribute("data-desk-pointed", "");
    target.style.outline = "3px solid #d97706";
    target.style.outlineOffset = "4px";
    target.scrollIntoView({block: "center"});
    return true;
  };
  if (!tryPoint()) frame.addEventListener("load", tryPoint, {once: true});
}
