// Raypx web UI: plain DOM and fetch against the JSON API, with the Better Auth cookie.
// User text only ever goes into the page through textContent, never as HTML.
"use strict";

const $ = (selector) => document.querySelector(selector);
let conversationId = null;

async function api(path, options = {}) {
  const init = { credentials: "same-origin", ...options, headers: { ...(options.headers || {}) } };
  if (init.body && !(init.body instanceof FormData)) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(init.body);
  }
  const response = await fetch(path, init);
  if (response.status === 204) return null;
  const data = response.headers.get("content-type")?.includes("json") ? await response.json() : null;
  if (!response.ok) throw new Error((data && data.message) || `${response.status} ${response.statusText}`);
  return data;
}

function notify(text, isError = false) {
  const notice = $("#notice");
  notice.textContent = text;
  notice.className = isError ? "error" : "";
  notice.hidden = !text;
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const cell of cells) {
    const td = document.createElement("td");
    td.textContent = cell ?? "";
    tr.append(td);
  }
  return tr;
}

function show(view) {
  for (const section of document.querySelectorAll(".view")) section.hidden = section.id !== view;
  ({ overview: loadOverview, run: loadRuns, documents: loadDocuments, chat: loadConversations,
     usage: loadUsage }[view] || (() => {}))().catch((e) => notify(e.message, true));
}

async function start() {
  const session = await api("/api/auth/get-session").catch(() => null);
  $("#auth").hidden = Boolean(session);
  $("#nav").hidden = !session;
  if (session) show("overview");
  else for (const section of document.querySelectorAll(".view")) section.hidden = true;
}

function formBody(form) {
  return Object.fromEntries(new FormData(form).entries());
}

async function loadOverview() {
  const [me, models] = await Promise.all([api("/api/me"), api("/api/models")]);
  $("#greeting").textContent = `Hello, ${me.user.name}`;
  $("#plan").textContent = `Plan: ${me.plan}. Usage resets ${new Date(me.period.end).toUTCString()}.`;
  const meters = $("#meters");
  meters.replaceChildren();
  for (const [metric, limit] of [["ai_tokens", me.limits.ai_tokens], ["ai_requests", me.limits.ai_requests]]) {
    const label = document.createElement("label");
    label.textContent = `${metric.replace("_", " ")}: ${me.usage[metric]} of ${limit}`;
    const meter = document.createElement("meter");
    meter.max = limit;
    meter.value = me.usage[metric];
    label.append(meter);
    meters.append(label);
  }
  const select = $("#profile [name=default_model]");
  select.replaceChildren(...models.filter((m) => m.plans.includes(me.plan)).map((m) => new Option(m.name, m.name)));
  for (const [name, value] of Object.entries(me.profile)) {
    const field = $(`#profile [name=${name}]`);
    if (field) field.value = value;
  }
}

async function waitForRun(id) {
  for (let i = 0; i < 120; i++) {
    const run = await api(`/api/runs/${id}`);
    if (!["queued", "running"].includes(run.status)) return run;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error("the run is taking long; see Recent runs");
}

async function loadRuns() {
  const page = await api("/api/runs?limit=10");
  $("#runs").replaceChildren(...page.items.map((r) =>
    row([new Date(r.created_at).toLocaleString(), r.feature, r.model, r.status])));
}

async function loadDocuments() {
  const page = await api("/api/documents?limit=50");
  $("#document-list").replaceChildren(...page.items.map((d) =>
    row([d.title, d.status, `${Math.ceil(d.size_bytes / 1024)} KB`, d.summary || (d.metadata && d.metadata.error) || ""])));
}

async function loadConversations() {
  const page = await api("/api/conversations?status=active");
  const list = $("#conversations");
  list.replaceChildren(...page.items.map((c) => {
    const item = document.createElement("li");
    const button = document.createElement("button");
    button.textContent = c.title;
    button.className = c.id === conversationId ? "active" : "secondary";
    button.onclick = () => openConversation(c.id).catch((e) => notify(e.message, true));
    item.append(button);
    return item;
  }));
  if (!conversationId && page.items.length) await openConversation(page.items[0].id);
}

function bubble(role, text) {
  const div = document.createElement("div");
  div.className = `message ${role}`;
  div.textContent = text;
  $("#messages").append(div);
  div.scrollIntoView({ block: "end" });
  return div;
}

async function openConversation(id) {
  conversationId = id;
  const page = await api(`/api/conversations/${id}/messages?limit=100`);
  $("#messages").replaceChildren();
  for (const m of page.items) bubble(m.role, m.content);
}

async function sendMessage(content) {
  if (!conversationId) {
    const created = await api("/api/conversations", { method: "POST", body: { title: content.slice(0, 60), task: "chat" } });
    conversationId = created.id;
  }
  bubble("user", content);
  const reply = bubble("assistant", "");
  const response = await fetch(`/api/conversations/${conversationId}/messages`, {
    method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ content, stream: true }),
  });
  if (!response.ok) throw new Error((await response.json()).message);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] || "null");
      if (event === "delta") reply.textContent += data.text;
      if (event === "done" && data.error) notify(data.error, true);
    }
  }
  await loadConversations();
}

async function loadUsage() {
  const report = await api("/api/usage?group_by=day");
  $("#usage-rows").replaceChildren(...report.rows.map((r) => row([r.key, r.metric, r.quantity, r.cost_usd])));
}

function on(selector, handler) {
  $(selector).addEventListener("submit", async (event) => {
    event.preventDefault();
    notify("");
    try {
      await handler(event.target);
    } catch (error) {
      notify(error.message, true);
    }
  });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const button of document.querySelectorAll("nav [data-view]")) button.onclick = () => show(button.dataset.view);
  $("#sign-out").onclick = async () => { await api("/api/auth/sign-out", { method: "POST", body: {} }); start(); };
  on("#sign-in", async (form) => { await api("/api/auth/sign-in/email", { method: "POST", body: formBody(form) }); start(); });
  on("#sign-up", async (form) => { await api("/api/auth/sign-up/email", { method: "POST", body: formBody(form) }); start(); });
  on("#profile", async (form) => { await api("/api/me/profile", { method: "PATCH", body: formBody(form) }); notify("Saved."); });
  on("#run-form", async (form) => {
    const result = $("#run-result");
    result.textContent = "Working…";
    const run = await api("/api/runs", { method: "POST", body: formBody(form) });
    const done = await waitForRun(run.id);
    result.textContent = done.status === "succeeded" ? done.response_text : `${done.status}: ${done.error_message || ""}`;
    await loadRuns();
  });
  on("#upload", async (form) => {
    await api("/api/documents", { method: "POST", body: new FormData(form) });
    form.reset();
    notify("Uploaded; the summary appears when processing finishes.");
    await loadDocuments();
  });
  on("#message-form", async (form) => {
    const content = form.content.value;
    form.reset();
    await sendMessage(content);
  });
  $("#new-conversation").onclick = () => { conversationId = null; $("#messages").replaceChildren(); };
  start();
});
