// The chat without page reloads: POST /ask, render the answer with DOM nodes (text only, never innerHTML).
"use strict";

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  for (const child of children) node.append(child);
  return node;
}

function viewerLink(source, start, end) {
  const path = source.split("/").map(encodeURIComponent).join("/");
  return `/sources/${path}?start=${start}&end=${end}#quote`;
}

function passage(citation, sentences) {
  const quote = el("blockquote", { class: "passage" });
  const spans = sentences.filter((s) => s.citation === citation.id).sort((a, b) => a.start - b.start);
  let cursor = citation.start;
  for (const s of spans) {
    quote.append(citation.passage.slice(cursor - citation.start, s.start - citation.start));
    quote.append(el("mark", {}, citation.passage.slice(s.start - citation.start, s.end - citation.start)));
    cursor = s.end;
  }
  quote.append(citation.passage.slice(cursor - citation.start));
  return quote;
}

function sources(citations, sentences) {
  const list = el("ol", { class: "sources" });
  for (const c of citations) {
    const where = el("p", { class: "where" }, el("span", { class: "num" }, `[${c.id}]`), " ",
      el("a", { href: viewerLink(c.source, c.start, c.end) }, c.source));
    if (c.section) where.append(" ", el("span", { class: "section" }, c.section));
    if (c.page) where.append(" ", el("span", { class: "page" }, `page ${c.page}`));
    list.append(el("li", { class: "source" }, where, passage(c, sentences)));
  }
  return list;
}

function renderAnswer(answer) {
  if (!answer.answered) {
    const box = el("div", { class: "answer abstained" }, el("p", { class: "abstain" }, answer.answer));
    if (answer.related && answer.related.length) {
      box.append(el("p", { class: "related-label" }, "Related passages you could read:"), sources(answer.related, []));
    }
    return box;
  }
  const quote = el("p", { class: "quote" });
  answer.sentences.forEach((s, i) => {
    const cited = answer.citations[s.citation - 1];
    quote.append(el("q", {}, s.text), "\u00a0",
      el("a", { class: "cite", href: viewerLink(cited.source, s.start, s.end), "aria-label": `source ${s.citation}` },
        `[${s.citation}]`));
    if (i < answer.sentences.length - 1) quote.append(" ");
  });
  const box = el("div", { class: "answer" });
  if (typeof answer.confidence === "number" && answer.confidence < lowConfidence()) {
    box.classList.add("low-confidence");
    box.append(el("p", { class: "confidence-label" }, "Low confidence: these quotes may not answer the question."));
  }
  box.append(quote, sources(answer.citations, answer.sentences));
  return box;
}

// The confidence below which an answer is marked (VERBATIM_LOW_CONFIDENCE), where the page states it.
function lowConfidence() {
  const stated = document.querySelector("[data-low-confidence]");
  const value = stated ? parseFloat(stated.dataset.lowConfidence) : NaN;
  return Number.isFinite(value) ? value : 0.5;
}

// Feedback under an answer, where the library is on to receive it (POST /feedback): helpful, or not, with a note.
let feedbackForms = 0;

function feedbackBox(question, history, version) {
  const id = `feedback-note-${++feedbackForms}`;
  const yes = el("button", { type: "button", class: "quiet" }, "Helpful");
  const no = el("button", { type: "button", class: "quiet" }, "Not helpful");
  const said = el("p", { class: "feedback-said", role: "status" });
  const note = el("textarea", { id, rows: "2", maxlength: "2000" });
  const form = el("form", { class: "feedback-note", hidden: "" },
    el("label", { for: id }, "What was wrong or missing? (optional)"),
    el("div", { class: "row" }, note, el("button", { type: "submit" }, "Send")));
  const box = el("div", { class: "feedback" },
    el("p", { class: "feedback-ask" }, "Was this answer helpful? ", yes, " ", no), form, said);

  async function send(helpful, text) {
    for (const button of box.querySelectorAll("button")) button.disabled = true;
    said.classList.remove("error");
    try {
      const response = await fetch("/feedback", { method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: question, history, helpful, note: text, index_version: version }) });
      if (!response.ok) {
        const body = await response.json().catch(() => ({}));
        throw new Error(body.detail || `error ${response.status}`);
      }
      box.querySelector(".feedback-ask").hidden = true;
      form.hidden = true;
      said.textContent = "Thank you: your feedback was sent to the library's owners.";
    } catch (failure) {
      said.textContent = `Your feedback was not sent: ${failure.message}`;
      said.classList.add("error");
      for (const button of box.querySelectorAll("button")) button.disabled = false;
    }
  }

  yes.addEventListener("click", () => send(true, ""));
  no.addEventListener("click", () => { form.hidden = false; no.setAttribute("aria-pressed", "true"); note.focus(); });
  form.addEventListener("submit", (event) => { event.preventDefault(); send(false, note.value.trim()); });
  note.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); form.requestSubmit(); }
  });
  return box;
}

// The answers the server rendered (a question in the address, the form without JavaScript) get it too.
function feedbackOnRenderedTurns(conversation) {
  const asked = [];
  for (const turn of conversation.querySelectorAll(".turn[data-question]")) {
    const question = turn.dataset.question;
    turn.append(feedbackBox(question, [...asked], conversation.dataset.indexVersion));
    asked.push(question);
  }
}

function setupChat(form) {
  const input = form.querySelector("#question");
  const button = form.querySelector("button");
  const status = form.querySelector("#status");
  const error = form.querySelector("#error");
  const conversation = document.querySelector("#conversation");
  const history = [...form.querySelectorAll("input[name=history]")].map((i) => i.value);

  async function send() {
    const question = input.value.trim();
    error.hidden = true;
    if (!question) { error.textContent = "Type a question first."; error.hidden = false; input.focus(); return; }
    const turn = el("article", { class: "turn" }, el("p", { class: "question" },
      el("span", { class: "who" }, "You asked"), question));
    conversation.append(turn);
    button.disabled = true;
    status.textContent = "Looking in the documents";
    status.classList.add("busy");
    try {
      const response = await fetch("/ask", { method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ question, history }) });
      const body = await response.json();
      if (!response.ok) throw new Error(body.detail || `error ${response.status}`);
      if (body.query && body.query !== question) {  // misspelt words respelt, a follow-up made standalone
        turn.querySelector(".question").append(el("span", { class: "searched" }, `Searched as: ${body.query}`));
      }
      turn.append(renderAnswer(body));
      if (conversation.dataset.feedback) {
        turn.append(feedbackBox(question, [...history], response.headers.get("x-index-version") || ""));
      }
      history.push(question);
      form.append(el("input", { type: "hidden", name: "history", value: question }));
      input.value = "";
      status.textContent = body.answered ? "Answered." : "No answer in the documents.";
    } catch (failure) {
      turn.remove();
      error.textContent = failure.message;
      error.hidden = false;
      status.textContent = "";
    } finally {
      status.classList.remove("busy");
      button.disabled = false;
      input.focus();
      turn.scrollIntoView({ block: "nearest" });
    }
  }

  form.addEventListener("submit", (event) => { event.preventDefault(); send(); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); send(); }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("#ask");
  if (form && window.fetch) setupChat(form);
  const conversation = document.querySelector("#conversation");
  if (conversation && conversation.dataset.feedback && window.fetch) feedbackOnRenderedTurns(conversation);
  const quote = document.querySelector("#quote");
  if (quote) { quote.scrollIntoView({ block: "center" }); quote.focus({ preventScroll: true }); }
});
