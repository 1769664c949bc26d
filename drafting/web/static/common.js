"use strict";

/* Small helpers shared by the pages: element building, JSON calls, and POSTs that stream server-sent events. */

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "html") node.innerHTML = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
}

function percent(share) {
  return (share * 100).toFixed(1) + "%";
}

async function failure(response) {
  let detail = `请求失败（${response.status}）`;
  try {
    const body = await response.json();
    if (body && body.detail) detail = typeof body.detail === "string" ? body.detail : JSON.stringify(body.detail);
  } catch (_) { /* not JSON: keep the status line */ }
  if (response.status === 401) location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
  return new Error(detail);
}

async function api(method, url, body) {
  const options = { method, headers: {}, credentials: "same-origin" };
  if (body instanceof FormData) options.body = body;
  else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}

/* POST that answers with server-sent events; calls onEvent(name, data) and resolves with the `result` data. */
async function streamPost(url, body, contentType, onEvent) {
  const headers = { Accept: "text/event-stream" };
  if (contentType) headers["Content-Type"] = contentType;
  const response = await fetch(url, { method: "POST", headers, body, credentials: "same-origin" });
  if (!response.ok) throw await failure(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  let result = null;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trim());
      }
      const payload = JSON.parse(data.join("\n") || "null");
      if (name === "error") throw new Error(payload.detail);
      if (name === "result") result = payload;
      else onEvent(name, payload);
    }
  }
  if (result === null) throw new Error("连接中断，未收到结果");
  return result;
}

// A long request with its button disabled and its progress box shown; a failure goes to the error box.
async function withProgress(buttonId, errorId, progressId, work) {
  const button = document.getElementById(buttonId);
  const errorBox = document.getElementById(errorId);
  const progress = document.getElementById(progressId);
  errorBox.classList.add("hidden");
  button.disabled = true;
  progress.classList.remove("hidden");
  try {
    await work();
  } catch (e) {
    showError(errorBox, e);
  } finally {
    button.disabled = false;
    progress.classList.add("hidden");
  }
}

function showError(box, error) {
  box.textContent = error.message || String(error);
  box.classList.remove("hidden");
}

function localTime(iso) {
  return new Date(iso).toLocaleString("zh-CN", { hour12: false });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const node of document.querySelectorAll("[data-time]")) node.textContent = localTime(node.dataset.time);
});

// A new run at the top of a history list (replacing an older entry of the same id), with its delete button.
function prependHistory(listId, emptyId, id, href, ...label) {
  const list = document.getElementById(listId);
  document.getElementById(emptyId).classList.add("hidden");
  const old = list.querySelector(`li[data-id="${id}"]`);
  if (old) old.remove();
  list.prepend(el("li", { "data-id": id },
    el("a", { href }, ...label, el("span", { class: "muted" }, "刚刚")),
    el("button", { type: "button", class: "del", "data-delete": id }, "删除")));
}
