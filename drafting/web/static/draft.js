"use strict";

/* 起草: the facts form, the streamed draft, verification marks, versions and the Word download. */

let current = null;
let carried = []; // rows carried from the last round's ledger: shown, and sent with the facts unchanged

function addRow(kind, value) {
  const box = document.getElementById(kind);
  const remove = el("button", { type: "button", class: "del", title: "删除这一行", onclick: (e) => e.target.closest(".item").remove() }, "删除");
  if (kind === "stats") {
    const v = value || {};
    box.append(el("div", { class: "item" },
      el("input", { type: "text", "data-field": "label", "aria-label": "数据名称", placeholder: "名称，如：开展评议大会", value: v.label || "" }),
      el("input", { type: "text", "data-field": "value", "aria-label": "数值", placeholder: "数值，如：645、7800多", value: v.value || "" }),
      el("input", { type: "text", "data-field": "unit", "aria-label": "单位", placeholder: "单位", value: v.unit || "" }),
      remove));
  } else {
    const area = el("textarea", { rows: 1, placeholder: box.dataset.placeholder || "" });
    area.value = value || "";
    box.append(el("div", { class: "item" }, area, remove));
    // a filled-in item (from a run, a saved draft) is shown whole, not cut to its first line
    const fit = () => { area.style.height = "auto"; area.style.height = `${area.scrollHeight + 2}px`; };
    area.addEventListener("input", fit);
    if (value) fit();
  }
}

// The form's facts; a missing unit or date, or a count that is not a whole number, is raised in Chinese.
function collectFacts() {
  const form = document.getElementById("facts-form");
  clearInvalid(form);
  const unit = document.getElementById("unit");
  if (!unit.value.trim()) invalid(unit, "请填写单位名称");
  const date = dateValue("date");
  if (!date) invalid(document.getElementById("date"), date === null ? "成文日期不完整或不存在，请选齐年、月、日" : "请选择成文日期");
  const facts = { unit: unit.value.trim(), date };
  for (const key of ["activity", "sector", "basis"]) {
    const value = document.getElementById(key).value.trim();
    if (value) facts[key] = value;
  }
  const stats = [];
  for (const row of document.querySelectorAll("#stats .item")) {
    const get = (f) => row.querySelector(`[data-field=${f}]`).value.trim();
    if (get("label") || get("value")) stats.push({ label: get("label"), value: get("value"), unit: get("unit") });
  }
  if (stats.length) facts.stats = stats;
  for (const kind of ["highlights", "problems", "next_steps"]) {
    const items = [...document.querySelectorAll(`#${kind} textarea`)].map((t) => t.value.trim()).filter(Boolean);
    if (items.length) facts[kind] = items;
  }
  const appraisal = {};
  for (const input of document.querySelectorAll("#appraisal input")) {
    const value = input.value.trim();
    if (value === "") continue;
    if (!/^\d+$/.test(value)) {
      input.closest("details").open = true;
      invalid(input, `数据统计单的“${input.dataset.name}”应为整数，如 12`);
    }
    appraisal[input.dataset.key] = Number(value);
  }
  if (Object.keys(appraisal).length) facts.appraisal = appraisal;
  if (carried.length) facts.carried = carried;
  return facts;
}

function fillForm(facts) {
  for (const key of ["unit", "activity", "sector", "basis"]) document.getElementById(key).value = facts[key] || "";
  setDate("date", facts.date);
  for (const kind of ["stats", "highlights", "problems", "next_steps"]) {
    document.getElementById(kind).replaceChildren();
    for (const value of facts[kind] || []) addRow(kind, value);
    if (!(facts[kind] || []).length) addRow(kind);
  }
  for (const input of document.querySelectorAll("#appraisal input")) {
    const value = (facts.appraisal || {})[input.dataset.key];
    input.value = value === null || value === undefined ? "" : value;
  }
  carried = facts.carried || [];
  renderCarried();
}

// Each carried row: the problem, its measure, where it stands, and the opinions on it then and now.
function renderCarried() {
  document.getElementById("carried-box").classList.toggle("hidden", !carried.length);
  document.getElementById("carried").replaceChildren(...carried.map((c) => {
    const counts = c.opinions_before !== null && c.opinions_before !== undefined
      ? `上轮意见 ${c.opinions_before} 条，本轮 ${c.opinions_now ?? 0} 条` : "";
    const done = c.finished ? `，${chineseDate(`${c.finished}T00:00:00`)}完成` : "";
    return el("li", {}, el("b", {}, c.problem), `（${c.state}${done}）`,
      c.measure ? el("div", { class: "muted" }, `整改措施：${c.measure}`) : null,
      c.note ? el("div", { class: "muted" }, `整改成效：${c.note}`) : null,
      counts ? el("div", { class: "muted" }, counts) : null);
  }));
}

/* ---- facts from a 意见归类 run: filled from the run, what it cannot know asked for ---------------------- */

// Where each field the run leaves to the writer is entered on the form.
const ASKED_AT = { sector: "sector", basis: "basis", appraisal: "appraisal", highlights: "highlights", stats: "stats", date: "date",
  unit: "unit" };

function ask(field, text) {
  const target = document.getElementById(ASKED_AT[field] || field);
  if (!target) return;
  target.classList.add("asked");
  const details = target.closest("details");
  if (details) details.open = true;
  const note = el("p", { class: "ask-note", "data-ask": field }, text);
  const cell = target.closest(".row2 > div");
  if (cell) cell.append(note);
  else target.after(note);
  target.addEventListener("input", () => { target.classList.remove("asked"); note.remove(); }, { once: true });
}

async function factsFromRun(runId) {
  const answer = await api("GET", `/api/feedback/${runId}/facts`);
  fillForm(answer.facts);
  for (const t of answer.trace) {
    const at = /^stats\[(\d+)\]$/.exec(t.field);
    const row = at && document.querySelectorAll("#stats .item")[Number(at[1])];
    if (row) row.title = `来源：${t.source}`;
  }
  const missing = Object.entries(answer.left_for_writer);
  const confirm = answer.to_confirm.map((f) => (f === "date" ? "成文日期（默认为今天）" : f));
  document.getElementById("from-run").replaceChildren(
    el("b", {}, "以下事实取自意见归类结果"), `：单位、意见数量、存在问题和下一步打算已填好${carried.length ? "，上轮整改台账的事项附在下方" : ""}。`,
    missing.length ? el("div", {}, "归类结果无法得知以下内容，请补充（已用黄框标出）：") : null,
    missing.length ? el("ul", {}, missing.map(([, text]) => el("li", {}, text))) : null,
    confirm.length ? el("div", {}, `请核对：${confirm.join("、")}`) : null);
  document.getElementById("from-run").classList.remove("hidden");
  for (const [key, text] of missing) ask(key, `请补充：${text}`);
  for (const key of answer.to_confirm) ask(key, key === "date" ? "请核对成文日期（默认为今天）" : "请核对");
}

/* The text as HTML with figures (yellow) and unsupported numbers (red) marked. */
function markup(text, figures, faults) {
  const ranges = [];
  const find = (token, cls) => {
    if (!token) return;
    let at = text.indexOf(token);
    while (at >= 0) {
      const before = text[at - 1] || "", after = text[at + token.length] || "";
      if (!(/\d/.test(token[0]) && /[\d.]/.test(before)) && !(/\d/.test(token.at(-1)) && /[\d.]/.test(after))) {
        ranges.push([at, at + token.length, cls]);
      }
      at = text.indexOf(token, at + token.length);
    }
  };
  for (const token of faults) find(token, "fault");
  for (const token of [...figures].sort((a, b) => b.length - a.length)) find(token, "fig");
  ranges.sort((a, b) => a[0] - b[0] || (a[2] === "fault" ? -1 : 1) || b[1] - a[1]);
  let html = "", at = 0;
  for (const [start, end, cls] of ranges) {
    if (start < at) continue;
    html += escapeHtml(text.slice(at, start)) + `<mark class="${cls}">${escapeHtml(text.slice(start, end))}</mark>`;
    at = end;
  }
  return html + escapeHtml(text.slice(at));
}

function figuresOf(facts) {
  const figures = new Set();
  for (const s of facts.stats || []) { figures.add(s.value + (s.unit || "")); figures.add(s.value); }
  for (const value of Object.values(facts.appraisal || {})) if (value !== null && value !== undefined) figures.add(String(value));
  return figures;
}

function renderDraft(record) {
  current = record;
  document.getElementById("empty").classList.add("hidden");
  document.getElementById("result").classList.remove("hidden");
  document.getElementById("editor").classList.add("hidden");
  const doc = document.getElementById("doc");
  doc.classList.remove("hidden");
  const engines = { template: "模板引擎", llm: "大模型" };
  document.getElementById("meta").textContent =
    `· 第 ${record.version} 版 / 共 ${record.versions} 版 · ${engines[record.engine] || record.engine}`;
  document.getElementById("download").href = `/api/drafts/${record.id}/docx?version=${record.version}`;

  const v = record.verification;
  const faults = v.unsupported_numbers || [];
  const box = document.getElementById("verification");
  box.replaceChildren();
  if (v.ok) {
    box.append(el("div", { class: "verify ok" }, "核验通过：所有数据均按原样写入，没有无依据的数字，问题与打算均已写入。"));
  } else {
    const items = [...(v.missing_facts || []).map((m) => "遗漏：" + m), ...faults.map((n) => "无依据的数字：" + n)];
    box.append(el("div", { class: "verify bad", id: "faults" }, "核验发现问题（正文中以红色标出）：",
      el("ul", {}, items.map((t) => el("li", {}, t)))));
  }
  for (const warning of record.warnings || []) box.append(el("div", { class: "verify warn" }, warning));

  const figures = figuresOf(record.facts);
  doc.replaceChildren(el("h1", { html: markup(record.title, figures, faults) }));
  for (const section of record.sections) {
    if (section.heading) doc.append(el("h4", { html: markup(section.heading, figures, faults) }));
    for (const item of section.items) doc.append(el("p", { html: markup(item, figures, faults) }));
  }
  if (record.unit) doc.append(el("p", { class: "sign" }, record.unit));
  if (record.date_text) doc.append(el("p", { class: "sign" }, record.date_text));

  const byTitle = new Map();
  for (const s of record.sources) {
    const seen = byTitle.get(s.title) || { count: 0, score: -Infinity };
    byTitle.set(s.title, { count: seen.count + 1, score: Math.max(seen.score, s.score) });
  }
  document.getElementById("sources").replaceChildren(...(byTitle.size ? [...byTitle].map(([title, s]) =>
    el("li", {}, title, el("span", { class: "muted" }, `  参考片段 ${s.count} 处 · 最高相关度 ${s.score.toFixed(2)}`)))
    : [el("li", { class: "muted" }, "未使用范文")]));
}

const progress = new ProgressBox("progress");
let drafts = null;

// Runs a draft from makeBody() (which may raise a form check) and shows it; progress stays in view meanwhile.
async function startDraft(makeBody, contentType, rerunId) {
  const live = document.getElementById("live");
  live.textContent = "";
  live.classList.add("hidden");
  await withProgress("draft-button", "form-error", progress, "正在起草……", async () => {
    const body = makeBody();
    const engine = document.getElementById("engine").value;
    const url = rerunId ? `/api/drafts/${rerunId}/rerun?engine=${engine}` : `/api/drafts?engine=${engine}`;
    const record = await streamPost(url, body, contentType, (name, data) => {
      if (name === "progress") {
        progress.stage(data.message);
        progress.set(data.done || 0, data.total || 0);
      }
      if (name === "text") { live.classList.remove("hidden"); live.textContent += data.text; live.scrollTop = live.scrollHeight; }
    });
    renderDraft(record);
    fillForm(record.facts);
    history.replaceState(null, "", `/?id=${record.id}`);
    document.getElementById("result").scrollIntoView({ block: "start" });
    drafts.offset = 0;
    drafts.load();
  });
}

async function saveVersion() {
  const error = document.getElementById("edit-error");
  error.classList.add("hidden");
  try {
    const record = await api("PUT", `/api/drafts/${current.id}`, { text: document.getElementById("edit-text").value });
    renderDraft(record);
  } catch (e) {
    showError(error, e);
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  for (const kind of ["stats", "highlights", "problems", "next_steps"]) addRow(kind);
  setDate("date", isoDate(new Date()));
  for (const button of document.querySelectorAll("[data-add]")) button.addEventListener("click", () => addRow(button.dataset.add));
  document.getElementById("facts-form").addEventListener("submit", (e) => {
    e.preventDefault();
    startDraft(() => JSON.stringify(collectFacts()), "application/json");
  });
  document.getElementById("draft-pasted").addEventListener("click", () => {
    const text = document.getElementById("paste").value;
    startDraft(() => {
      if (!text.trim()) invalid(document.getElementById("paste"), "请先粘贴 JSON 或 YAML 格式的事实");
      return text;
    }, text.trim().startsWith("{") ? "application/json" : "application/yaml");
  });
  document.getElementById("edit-button").addEventListener("click", () => {
    document.getElementById("edit-text").value = current.text;
    document.getElementById("doc").classList.add("hidden");
    document.getElementById("editor").classList.remove("hidden");
  });
  document.getElementById("cancel-edit").addEventListener("click", () => renderDraft(current));
  document.getElementById("save-version").addEventListener("click", saveVersion);
  drafts = new HistoryList({
    prefix: "drafts", url: "/api/drafts", deleteUrl: "/api/drafts", emptyText: "还没有稿件。",
    confirmText: "确定删除这篇稿件及其全部版本？",
    link: (d) => `/?${d.status === "done" ? "id" : "facts"}=${d.id}`,
    item: (d) => [d.unit, d.versions > 1 ? el("span", { class: "tag" }, `第 ${d.versions} 版`) : null],
    onDelete: (id) => { if (current && current.id === id) location.href = "/"; },
    rerunText: "重新生成",
    onRerun: (id) => startDraft(() => undefined, null, id),
  });
  drafts.load();
  offerEngines("engine", "engine-note");
  const params = new URLSearchParams(location.search);
  try {
    if (params.get("id")) {
      const record = await api("GET", `/api/drafts/${params.get("id")}`);
      renderDraft(record);
      fillForm(record.facts);
    } else if (params.get("run")) {
      await factsFromRun(params.get("run"));
    } else if (params.get("facts")) {
      fillForm(await api("GET", `/api/drafts/${params.get("facts")}/facts`));
    }
  } catch (e) {
    showError(document.getElementById("form-error"), e);
  }
});
