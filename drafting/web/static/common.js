"use strict";

/* Shared by the pages: element building, API calls (JSON, streamed events, uploads with progress), messages in
   the writer's words, Chinese dates and file buttons, and paged history lists. */

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

/* ---- messages ---------------------------------------------------------------------------------------- */

// A message meant for the user, shown as it is; anything else is a fault of the page and shown generically.
class Problem extends Error {
  constructor(message, status) {
    super(message);
    this.status = status || 0;
  }
}

// What a lost connection means on this page (base.html's data-lost), and what to do about it.
function lostMessage() {
  return document.body.dataset.lost || "网络中断，请刷新页面后重试";
}

const STATUS_MESSAGES = {
  403: "页面已过期或没有权限，请刷新页面后重试",
  404: "要找的内容不存在，可能已被删除",
  413: "内容太大，超过了服务允许的上限",
  415: "上传的内容格式不对，请刷新页面后重试",
  429: "请求太频繁，请稍后再试",
  502: "服务暂时不可用，请稍后再试",
  503: "服务暂时不可用，请稍后再试",
  504: "服务响应超时，请稍后在历史记录中查看",
};

function statusMessage(status) {
  return STATUS_MESSAGES[status] || (status >= 500 ? "服务出错，请稍后再试" : `请求未成功（${status}），请检查后重试`);
}

// The API's one Chinese line when it sent one (its `detail`), else a line for the status.
function failureText(status, text) {
  try {
    const body = JSON.parse(text);
    if (body && typeof body.detail === "string" && body.detail) return body.detail;
  } catch (_) { /* not JSON: a proxy's page or an empty body */ }
  return statusMessage(status);
}

async function failure(response) {
  if (response.status === 401) location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
  return new Problem(failureText(response.status, await response.text().catch(() => "")), response.status);
}

function userMessage(error) {
  if (error instanceof Problem) return error.message;
  console.error(error);
  return "页面出错，请刷新后重试";
}

function showError(box, error) {
  box.textContent = userMessage(error);
  box.classList.remove("hidden");
}

/* ---- calls ------------------------------------------------------------------------------------------- */

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

function writeHeaders(method, headers) {
  if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = csrfToken();
  return headers;
}

// fetch, with a dropped connection turned into the page's lost-connection line.
async function call(url, options) {
  try {
    return await fetch(url, { credentials: "same-origin", ...options });
  } catch (_) {
    throw new Problem(lostMessage());
  }
}

async function api(method, url, body) {
  const options = { method, headers: writeHeaders(method, {}) };
  if (body instanceof FormData) options.body = body;
  else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await call(url, options);
  if (!response.ok) throw await failure(response);
  return response.status === 204 ? null : response.json();
}

// A GET of one page of a list: its items, and how many there are in all (the X-Total-Count header).
async function apiPage(url) {
  const response = await call(url, { method: "GET" });
  if (!response.ok) throw await failure(response);
  const items = await response.json();
  const total = Number(response.headers.get("X-Total-Count"));
  return { items, total: Number.isFinite(total) && response.headers.has("X-Total-Count") ? total : items.length };
}

/* POST that answers with server-sent events; calls onEvent(name, data) and resolves with the `result` data. */
async function streamPost(url, body, contentType, onEvent) {
  const headers = writeHeaders("POST", { Accept: "text/event-stream" });
  if (contentType) headers["Content-Type"] = contentType;
  const response = await call(url, { method: "POST", headers, body });
  if (!response.ok) throw await failure(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder("utf-8");
  let buffer = "";
  let result = null;
  for (;;) {
    let chunk;
    try {
      chunk = await reader.read();
    } catch (_) {
      throw new Problem(lostMessage());
    }
    if (chunk.done) break;
    buffer += decoder.decode(chunk.value, { stream: true });
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
      if (name === "error") throw new Problem(payload.detail || statusMessage(payload.status || 500));
      if (name === "result") result = payload;
      else onEvent(name, payload);
    }
  }
  if (result === null) throw new Problem(lostMessage());
  return result;
}

/* A multipart POST through XMLHttpRequest, whose upload events fetch lacks: onProgress(sent, total), then
   onSent() once every byte is out and the server is working. Resolves with the JSON answer. */
function upload(url, form, onProgress, onSent) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.withCredentials = true;
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.upload.addEventListener("progress", (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); });
    xhr.upload.addEventListener("load", () => onSent());
    xhr.addEventListener("load", () => {
      if (xhr.status === 401) location.href = "/login?next=" + encodeURIComponent(location.pathname);
      if (xhr.status >= 200 && xhr.status < 300) {
        try { resolve(JSON.parse(xhr.responseText)); } catch (_) { reject(new Problem(statusMessage(500))); }
      } else reject(new Problem(failureText(xhr.status, xhr.responseText)));
    });
    xhr.addEventListener("error", () => reject(new Problem(lostMessage())));
    xhr.addEventListener("abort", () => reject(new Problem(lostMessage())));
    xhr.send(form);
  });
}

/* ---- progress ---------------------------------------------------------------------------------------- */

/* A progress box (#<id>) with #<id>-text, optional #<id>-bar and #<id>-counts: the stage, its counts, time spent. */
class ProgressBox {
  constructor(id) {
    this.box = document.getElementById(id);
    this.text = document.getElementById(`${id}-text`);
    this.bar = document.getElementById(`${id}-bar`);
    this.counts = document.getElementById(`${id}-counts`);
    this.timer = null;
  }

  start(message) {
    this.started = Date.now();
    this.box.classList.remove("hidden");
    this.stage(message);
    this.set(0, 0);
    this.tick();
    this.timer = setInterval(() => this.tick(), 1000);
    this.box.scrollIntoView({ block: "center" });
  }

  stage(message) {
    if (message) this.text.textContent = message;
  }

  // done of total (a determinate bar), or total 0: the bar moves on its own.
  set(done, total) {
    this.done = done;
    this.total = total;
    if (this.bar) {
      this.bar.classList.toggle("indeterminate", !total);
      const span = this.bar.querySelector("span");
      span.style.width = total ? `${Math.max(2, Math.round(100 * done / total))}%` : "";
    }
    this.tick();
  }

  tick() {
    if (!this.counts) return;
    const seconds = Math.round((Date.now() - this.started) / 1000);
    const counts = this.total ? `${this.done} / ${this.total}（${Math.round(100 * this.done / this.total)}%）` : "";
    this.counts.replaceChildren(el("span", {}, counts), el("span", {}, `已用 ${seconds} 秒`));
  }

  stop() {
    clearInterval(this.timer);
    this.box.classList.add("hidden");
  }
}

// A long request with its button disabled and its progress box shown; a failure goes to the error box.
async function withProgress(buttonId, errorId, progress, message, work) {
  const button = document.getElementById(buttonId);
  const errorBox = document.getElementById(errorId);
  errorBox.classList.add("hidden");
  button.disabled = true;
  progress.start(message);
  try {
    await work();
  } catch (e) {
    showError(errorBox, e);
    errorBox.scrollIntoView({ block: "center" });
  } finally {
    button.disabled = false;
    progress.stop();
  }
}

/* ---- Chinese dates ----------------------------------------------------------------------------------- */

const pad = (n) => String(n).padStart(2, "0");

function chineseDate(value) {
  const d = value instanceof Date ? value : new Date(value);
  return `${d.getFullYear()}年${d.getMonth() + 1}月${d.getDate()}日`;
}

function chineseTime(iso) {
  const d = new Date(iso);
  return `${chineseDate(d)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function isoDate(d) {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/* A date as three selects (年 / 月 / 日) built into <div class="datefield" id=… data-label=…>: the browser's own
   date input shows its locale's format (12/02/2026) and English. data-optional allows no date. */
function dateField(box) {
  const optional = "optional" in box.dataset;
  const thisYear = new Date().getFullYear();
  const select = (part, from, to, suffix) => el("select", { "data-part": part, "aria-label": `${box.dataset.label || "日期"}（${suffix}）` },
    optional || part !== "y" ? el("option", { value: "" }, optional ? `—${suffix}` : suffix) : null,
    Array.from({ length: to - from + 1 }, (_, i) => from + i).map((n) => el("option", { value: n }, n)));
  box.replaceChildren(select("y", thisYear - 15, thisYear + 1, "年"), el("span", {}, "年"),
    select("m", 1, 12, "月"), el("span", {}, "月"), select("d", 1, 31, "日"), el("span", {}, "日"));
}

// The field's date as YYYY-MM-DD; "" when empty; null when incomplete or not a real day (2月30日).
function dateValue(id) {
  const box = document.getElementById(id);
  const [y, m, d] = ["y", "m", "d"].map((p) => box.querySelector(`[data-part=${p}]`).value);
  if (!y && !m && !d) return "";
  if (!y || !m || !d) return null;
  const day = new Date(Number(y), Number(m) - 1, Number(d));
  return day.getMonth() === Number(m) - 1 ? isoDate(day) : null;
}

function setDate(id, iso) {
  const box = document.getElementById(id);
  const parts = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
  const values = parts ? [Number(parts[1]), Number(parts[2]), Number(parts[3])] : ["", "", ""];
  ["y", "m", "d"].forEach((p, i) => {
    const node = box.querySelector(`[data-part=${p}]`);
    if (p === "y" && values[0] && !node.querySelector(`option[value="${values[0]}"]`)) node.append(el("option", { value: values[0] }, values[0]));
    node.value = String(values[i]);
  });
}

/* ---- our own file button ----------------------------------------------------------------------------- */

/* <div class="filepick"> around a visually hidden <input type=file>, its <label class="btn plain"> and a
   .filename line: the chosen names in Chinese, and a 移除 button to drop them. */
function filePicker(input, empty) {
  const box = input.closest(".filepick");
  const name = box.querySelector(".filename");
  const clear = box.querySelector("[data-clear]");
  const show = () => {
    const files = [...input.files];
    name.textContent = !files.length ? empty
      : files.length === 1 ? `已选择：${files[0].name}` : `已选择 ${files.length} 个文件：${files.map((f) => f.name).join("、")}`;
    if (clear) clear.classList.toggle("hidden", !files.length);
  };
  input.addEventListener("change", show);
  if (clear) clear.addEventListener("click", () => { input.value = ""; show(); });
  show();
  return show;
}

/* ---- form checks in Chinese -------------------------------------------------------------------------- */

// Clears the marks of an earlier check inside the form.
function clearInvalid(form) {
  for (const node of form.querySelectorAll(".invalid")) node.classList.remove("invalid");
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

// Marks a field wrong and raises the line to show; the form has novalidate, so the browser adds no English.
function invalid(node, message) {
  node.classList.add("invalid");
  node.setAttribute("aria-invalid", "true");
  const focusable = node.matches("input, select, textarea") ? node : node.querySelector("input, select, textarea");
  if (focusable) focusable.focus();
  throw new Problem(message);
}

/* ---- engines ----------------------------------------------------------------------------------------- */

// Disables the engines this service cannot run (大模型 with no model configured) and says why under the select.
async function offerEngines(selectId, noteId) {
  const select = document.getElementById(selectId);
  const note = document.getElementById(noteId);
  let engines;
  try {
    engines = await api("GET", "/api/engines");
  } catch (_) {
    return;
  }
  const notes = [];
  for (const engine of engines) {
    const option = select.querySelector(`option[value="${engine.id}"]`);
    if (!option) continue;
    option.disabled = !engine.available;
    if (!engine.available) {
      option.textContent = `${engine.name}（未配置）`;
      notes.push(engine.note);
      if (select.value === engine.id) select.value = "auto";
    }
  }
  note.textContent = notes.join("；");
  note.classList.toggle("hidden", !notes.length);
}

/* ---- paged history ----------------------------------------------------------------------------------- */

/* A history list read page by page from `url` (?limit=&offset=&q=&since=&until=), searched by unit and date.
   `item(record)` gives a row's link children; `link(record)` its href. */
const STATUS_NAMES = { running: "进行中", failed: "失败", interrupted: "已中断" };

class HistoryList {
  constructor({ prefix, url, link, item, emptyText, deleteUrl, confirmText, onDelete, onRerun, rerunText }) {
    Object.assign(this, { url, link, item, emptyText, deleteUrl, confirmText, onDelete, onRerun, rerunText });
    this.list = document.getElementById(`${prefix}-list`);
    this.empty = document.getElementById(`${prefix}-empty`);
    this.error = document.getElementById(`${prefix}-error`);
    this.form = document.getElementById(`${prefix}-search`);
    this.prev = document.getElementById(`${prefix}-prev`);
    this.next = document.getElementById(`${prefix}-next`);
    this.where = document.getElementById(`${prefix}-page`);
    this.prefix = prefix;
    this.limit = Number(this.list.dataset.limit || 10);
    this.offset = 0;
    this.form.addEventListener("submit", (e) => { e.preventDefault(); this.offset = 0; this.load(); });
    this.form.addEventListener("reset", () => setTimeout(() => { this.offset = 0; this.load(); }));
    this.prev.addEventListener("click", () => { this.offset = Math.max(0, this.offset - this.limit); this.load(); });
    this.next.addEventListener("click", () => { this.offset += this.limit; this.load(); });
    this.list.addEventListener("click", (e) => this.remove(e));
  }

  query() {
    const params = new URLSearchParams({ limit: this.limit, offset: this.offset });
    const q = this.form.querySelector("[data-q]").value.trim();
    if (q) params.set("q", q);
    for (const [part, name, label] of [["from", "since", "起始"], ["to", "until", "截止"]]) {
      const value = dateValue(`${this.prefix}-${part}`);
      if (value === null) throw new Problem(`${label}日期不完整或不存在，请选齐年、月、日`);
      if (value) params.set(name, value);
    }
    return params;
  }

  async load() {
    this.error.classList.add("hidden");
    let items, total;
    try {
      ({ items, total } = await apiPage(`${this.url}?${this.query()}`));
    } catch (e) {
      showError(this.error, e);
      return;
    }
    this.list.replaceChildren(...items.map((r) => this.row(r)));
    this.empty.textContent = this.offset || this.filtered() ? "没有符合条件的记录。" : this.emptyText;
    this.empty.classList.toggle("hidden", items.length > 0);
    const pages = Math.max(1, Math.ceil(total / this.limit));
    const at = Math.floor(this.offset / this.limit) + 1;
    this.where.textContent = `第 ${at} / ${pages} 页 · 共 ${total} 条`;
    this.prev.disabled = this.offset === 0;
    this.next.disabled = this.offset + items.length >= total;
  }

  filtered() {
    return [...this.form.querySelectorAll("input, select")].some((n) => n.value);
  }

  row(record) {
    const status = record.status && record.status !== "done"
      ? el("span", { class: "tag grey" }, STATUS_NAMES[record.status] || record.status) : null;
    // A run cut short (the connection dropped, the service restarted) can be run again from what was kept.
    const again = record.status === "failed" || record.status === "interrupted"
      ? el("button", { type: "button", class: "del", "data-rerun": record.id }, this.rerunText) : null;
    return el("li", { "data-id": record.id },
      el("a", { href: this.link(record) }, this.item(record), " ",
        el("span", { class: "muted when" }, chineseTime(record.updated)), status),
      again,
      el("button", { type: "button", class: "del", "data-delete": record.id, "aria-label": "删除这条记录" }, "删除"));
  }

  async remove(e) {
    const rerun = e.target.dataset && e.target.dataset.rerun;
    if (rerun) {
      this.onRerun(rerun);
      return;
    }
    const id = e.target.dataset && e.target.dataset.delete;
    if (!id || !confirm(this.confirmText)) return;
    try {
      await api("DELETE", `${this.deleteUrl}/${id}`);
    } catch (err) {
      showError(this.error, err);
      return;
    }
    this.onDelete(id);
    this.load();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  for (const node of document.querySelectorAll("[data-time]")) node.textContent = chineseTime(node.dataset.time);
  for (const node of document.querySelectorAll(".datefield")) dateField(node);
});
