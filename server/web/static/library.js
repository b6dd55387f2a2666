// The library page without a framework: drop files on the upload form, and follow a rebuild as it goes.
// Everything here is an extra: the forms work without it (a running rebuild then refreshes the page).
"use strict";

function setupDrop(form) {
  const input = form.querySelector("input[type=file]");
  const over = (on) => (event) => { event.preventDefault(); form.classList.toggle("over", on); };
  form.addEventListener("dragenter", over(true));
  form.addEventListener("dragover", over(true));
  form.addEventListener("dragleave", over(false));
  form.addEventListener("drop", (event) => {
    over(false)(event);
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    form.requestSubmit();
  });
}

const STAGES = {
  queued: "Waiting to start", waiting: "Waiting for another build to finish", hashing: "Checking which files changed",
  reading: "Reading files", embedding: "Embedding texts", writing: "Writing the new index version",
  checking: "Checking the new version", publishing: "Switching to the new version",
  loading: "Loading the new version into the server", done: "Done", failed: "Failed",
};

function show(panel, job) {
  panel.dataset.state = job.state;
  panel.querySelector(".state").textContent = job.state;
  panel.querySelector(".stage").textContent = STAGES[job.stage || job.state] || job.state;
  if (job.files === undefined) return;  // polled: the state without the progress
  const meters = [["files", job.files, job.files_total], ["texts", job.embedded, job.to_embed]];
  for (const [name, done, total] of meters) {
    const bar = panel.querySelector(`progress.${name}`);
    bar.max = total || 1;
    bar.value = done;
    panel.querySelector(`.${name}-count`).textContent = `${done} of ${total}`;
  }
}

function finished(job) {
  // The page as the server now renders it: the new document list, the rebuild's result.
  window.location.replace(`/library?rebuild=${encodeURIComponent(job.id)}`);
}

function follow(panel) {
  const id = panel.dataset.rebuild;
  const url = `/api/rebuilds/${encodeURIComponent(id)}`;
  const update = (job) => {
    show(panel, job);
    if (job.state === "done" || job.state === "failed") { finished(job); return true; }
    return false;
  };
  const poll = async () => {
    try {
      const response = await fetch(url, { headers: { accept: "application/json" } });
      if (response.ok && update({ ...(await response.json()), id })) return;
    } catch (failure) { /* the server may be restarting: try again */ }
    setTimeout(poll, 1000);
  };
  if (!window.EventSource) { poll(); return; }
  const events = new EventSource(`${url}/events`);
  events.onmessage = (message) => { if (update(JSON.parse(message.data))) events.close(); };
  events.onerror = () => { events.close(); setTimeout(poll, 1000); };
}

function confirmRemovals() {
  for (const form of document.querySelectorAll("form.remove")) {
    form.addEventListener("submit", (event) => {
      const source = form.querySelector("input[name=source]").value;
      if (!window.confirm(`Move ${source} to the trash? The index is rebuilt without it.`)) event.preventDefault();
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("#upload");
  if (form) setupDrop(form);
  const panel = document.querySelector("#rebuild");
  if (panel && panel.dataset.state !== "done" && panel.dataset.state !== "failed") follow(panel);
  confirmRemovals();
});
