// Card preview: build a CDS Hooks request, call the real service, render cards like an EHR.
// No library: the page must work offline and load nothing from elsewhere.
"use strict";

const $ = (id) => document.getElementById(id);
let lastHook = "patient-view";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) {
    node.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
  return node;
}

// A pasted token wins; else, in development, the server signs a fresh one-use token whose aud
// is exactly the URL about to be called (none when auth is off or outside development).
async function bearer(url) {
  const pasted = $("token").value.trim();
  if (pasted) return pasted;
  const path = new URL(url, location.href).pathname;
  const minted = await postJSON("api/token", { path }, false);
  return minted.ok && minted.data && minted.data.token ? minted.data.token : "";
}

async function headers(url) {
  const h = { "Content-Type": "application/json", "Accept": "application/json" };
  const token = await bearer(url);
  if (token) h["Authorization"] = "Bearer " + token;
  return h;
}

async function postJSON(url, body, auth) {
  const response = await fetch(url, {
    method: "POST",
    headers: auth ? await headers(url) : { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  return { status: response.status, ok: response.ok, data };
}

function problem(data) {
  const issues = (data && data.issue) || [];
  return issues.map((i) => i.diagnostics || (i.details && i.details.text) || i.code).join("; ");
}

function setStatus(id, text, isError) {
  $(id).textContent = text;
  $(id).className = isError ? "error" : "";
}

async function loadExamples() {
  const response = await fetch("api/examples");
  const data = await response.json();
  const asOf = data.asOf;
  $("as-of").textContent = asOf
    ? "Examples are shown as of now: written for " + asOf.reference + ", every date in them is moved "
      + asOf.shiftDays + " day(s) forward to the service's clock, so their cards are the ones examples/expectations.json lists."
    : "Examples are shown with their dates as written; the service evaluates them at its own clock.";
  for (const ex of data.examples) {
    $("example").append(el("option", { value: ex.name, "data-hook": ex.hook }, ex.name));
  }
}

async function chooseExample() {
  const option = $("example").selectedOptions[0];
  if (!option || !option.value) return;
  const response = await fetch("api/examples/" + encodeURIComponent(option.value));
  $("bundle").value = JSON.stringify(await response.json(), null, 2);
  $("hook").value = option.dataset.hook || "patient-view";
}

async function callService() {
  setStatus("status", "Calling the service…");
  setStatus("feedback-status", "");
  $("cards").replaceChildren();
  let input;
  try { input = JSON.parse($("bundle").value); } catch (e) {
    setStatus("status", "The text is not valid JSON.", true);
    return;
  }
  const hook = $("hook").value;
  const built = await postJSON("api/request", { input, hook }, false);
  if (!built.ok) { setStatus("status", "Not a patient record: " + problem(built.data), true); return; }
  $("request-json").textContent = JSON.stringify(built.data, null, 2);
  const call = await postJSON("../cds-services/" + hook, built.data, true);
  $("response-json").textContent = JSON.stringify(call.data, null, 2);
  if (!call.ok) {
    setStatus("status", "HTTP " + call.status + ": " + problem(call.data), true);
    return;
  }
  lastHook = hook;
  const cards = call.data.cards || [];
  const rendered = await postJSON("api/render", { cards }, false);
  showCards(cards, rendered.ok ? rendered.data.detail : {});
  setStatus("status", "HTTP " + call.status + ": " + cards.length + " card(s).");
}

function showCards(cards, details) {
  if (!cards.length) {
    $("cards").append(el("p", { class: "empty" }, "No cards for this patient."));
    return;
  }
  for (const card of cards) $("cards").append(cardNode(card, details[card.uuid] || ""));
}

function cardNode(card, detailHtml) {
  const topic = (card.source && card.source.topic && card.source.topic.code) || "";
  const node = el("article", { class: "card " + card.indicator, "data-topic": topic, "data-uuid": card.uuid },
    el("h3", {}, el("span", { class: "badge" }, card.indicator), card.summary));
  const src = card.source || {};
  const source = el("div", { class: "source" }, "Source: " + (src.label || ""));
  if (src.url) source.append(" · ", el("a", { href: src.url, target: "_blank", rel: "noopener" }, "guideline"));
  if (topic) source.append(" · topic " + topic);
  node.append(source);
  const detail = el("div", { class: "detail" });
  detail.innerHTML = detailHtml; // rendered server-side by markdown-it with raw HTML disabled
  node.append(detail);
  const actions = el("div", { class: "actions" });
  for (const s of card.suggestions || []) {
    actions.append(el("button", {
      type: "button", class: "primary suggestion", "data-suggestion": s.uuid,
      onclick: () => sendFeedback(card, { outcome: "accepted", acceptedSuggestions: [{ id: s.uuid }] }),
    }, (s.isRecommended === false ? "" : "✓ ") + s.label));
  }
  const reasons = el("select", { class: "override-reason", "aria-label": "Override reason" });
  reasons.append(el("option", { value: "" }, "(no reason)"));
  (card.overrideReasons || []).forEach((r, i) => reasons.append(el("option", { value: String(i) }, r.display || r.code)));
  actions.append(reasons, el("button", {
    type: "button", class: "dismiss",
    onclick: () => {
      const chosen = (card.overrideReasons || [])[Number(reasons.value)];
      const fb = { outcome: "overridden" };
      if (reasons.value !== "" && chosen) fb.overrideReason = { reason: chosen };
      sendFeedback(card, fb);
    },
  }, "Dismiss"));
  node.append(actions);
  if ((card.links || []).length) {
    const links = el("div", { class: "links" });
    for (const l of card.links) links.append(el("a", { href: l.url, target: "_blank", rel: "noopener" }, l.label));
    node.append(links);
  }
  return node;
}

async function sendFeedback(card, fields) {
  const item = Object.assign({ card: card.uuid, outcomeTimestamp: new Date().toISOString() }, fields);
  const result = await postJSON("../cds-services/" + lastHook + "/feedback", { feedback: [item] }, true);
  if (result.ok) setStatus("feedback-status", "Feedback recorded: " + fields.outcome + " (HTTP " + result.status + ").");
  else setStatus("feedback-status", "Feedback refused: HTTP " + result.status + " " + problem(result.data), true);
}

$("example").addEventListener("change", chooseExample);
$("evaluate").addEventListener("click", callService);
loadExamples();
