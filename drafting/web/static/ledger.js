"use strict";

/* 整改台账: a unit's ledgers by round; a round's rows in the standard columns, edited under the state rules;
   the change log, the round's three lists and sentence, closing the round, the Word and Excel files. */

const STATES = ["待整改", "整改中", "待验收", "已销号"];
// The state rules of feedback/ledger.py, to offer only the changes the service accepts.
const NEXT = { 待整改: ["整改中"], 整改中: ["待验收"], 待验收: ["整改中", "已销号"], 已销号: [] };
const KINDS = ["立行立改", "限期整改", "长期坚持"];
const ORIGINS = { new: "新增", carried: "上轮延续", returned: "销号后复发" };
const FIELD_NAMES = {
  category: "问题类别", description: "问题描述", kind: "整改类型", measure: "整改措施", leader: "责任领导",
  department: "责任部门", owner: "责任人", deadline: "计划完成时限", finished: "实际完成时间", state: "整改状态",
  reviewer: "复查人", reviewed: "复查日期", note: "销号情况/备注", by: "修改人", version: "版本",
};
const TEXTS = ["category", "description", "measure", "leader", "department", "owner", "reviewer", "note"];
const DATES = ["deadline", "finished", "reviewed"];
const EDITOR_KEY = "drafting.ledger.editor";

let ledger = null;
let editing = null; // the 序号 of the row whose editor is open
const rowErrors = new Map(); // 序号 -> the message shown beside the row

// "reviewer: 销号须填写复查人和复查日期" -> "复查人：销号须填写复查人和复查日期" (the field in the user's words).
function inWords(message) {
  const match = /^([a-z_]+): (.*)$/.exec(message);
  return match && FIELD_NAMES[match[1]] ? `${FIELD_NAMES[match[1]]}：${match[2]}` : message;
}

function fieldOf(message) {
  const match = /^([a-z_]+): /.exec(message);
  return match ? match[1] : null;
}

function shownDate(iso) {
  return iso ? chineseDate(`${iso}T00:00:00`) : "";
}

function stateTag(state) {
  const kind = { 待整改: "todo", 整改中: "doing", 待验收: "check", 已销号: "done" }[state] || "";
  return el("span", { class: `state ${kind}` }, state);
}

/* ---- the rounds -------------------------------------------------------------------------------------- */

async function loadRounds(selected) {
  const box = document.getElementById("rounds");
  const error = document.getElementById("rounds-error");
  error.classList.add("hidden");
  let items;
  try {
    items = await api("GET", "/api/ledgers?limit=500");
  } catch (e) {
    showError(error, e);
    return [];
  }
  const q = document.getElementById("ledger-q").value.trim();
  const shown = items.filter((l) => !q || l.unit.includes(q));
  const units = new Map();
  for (const item of shown) {
    if (!units.has(item.unit)) units.set(item.unit, []);
    units.get(item.unit).push(item);
  }
  box.replaceChildren(...[...units].map(([unit, rounds]) => el("div", { class: "unit-rounds" },
    el("div", { class: "unit-name" }, unit),
    el("div", { class: "round-chips" }, rounds.sort((a, b) => a.round - b.round).map((r) =>
      el("a", { href: `/ledger?id=${r.id}`, class: "chip" + (r.id === selected ? " active" : ""), "data-ledger": r.id },
        el("b", {}, `第${r.round}轮`), ` ${r.label} · ${r.rows}项 · `, r.closed ? "已关闭" : "进行中"))))));
  const empty = document.getElementById("rounds-empty");
  empty.textContent = q && items.length ? "没有这个单位的整改台账。" : "还没有整改台账。在“意见归类”的结果中点击“作为本轮整改台账”即可建立。";
  empty.classList.toggle("hidden", shown.length > 0);
  return items;
}

/* ---- one ledger -------------------------------------------------------------------------------------- */

async function loadLedger(id) {
  const [record, changes] = await Promise.all([api("GET", `/api/ledgers/${id}`), api("GET", `/api/ledgers/${id}/changes`)]);
  renderLedger(record, changes);
}

function renderLedger(record, changes) {
  ledger = record;
  document.getElementById("ledger").classList.remove("hidden");
  document.getElementById("ledger-title").textContent = `${record.unit} · ${record.label}整改台账`;
  document.getElementById("ledger-docx").href = `/api/ledgers/${record.id}/docx`;
  document.getElementById("ledger-xlsx").href = `/api/ledgers/${record.id}/xlsx`;
  const closed = record.closed !== null;
  document.getElementById("close-round").classList.toggle("hidden", closed);
  document.getElementById("editor-box").classList.toggle("hidden", closed);
  document.getElementById("rows-note").classList.toggle("hidden", closed);
  const meta = [`第${record.round}轮`, `建立于 ${chineseTime(record.created)}`,
    closed ? `已于 ${chineseTime(record.closed)} 关闭，台账不再修改（已出具的报告保持不变）` : "进行中"];
  document.getElementById("ledger-meta").replaceChildren(meta.join(" · "),
    record.run_id ? el("span", {}, " · ", el("a", { href: `/feedback?id=${record.run_id}` }, "查看归类结果")) : null);
  document.getElementById("ledger-sentence").textContent = record.report.sentence;
  const c = record.report.counts;
  document.getElementById("ledger-counts").replaceChildren(
    el("div", {}, el("b", {}, c.total), "项问题"), el("div", {}, el("b", {}, c.closed), "项已销号"),
    el("div", {}, el("b", {}, c.ongoing), "项正在整改"), el("div", {}, el("b", {}, c.long_term), "项长期整改"));
  renderRows();
  renderReport(record.report);
  renderChanges(changes);
}

// The fifteen columns of the published 整改台账 templates: name, cell, width class.
const COLUMNS = [
  ["序号", (r) => r.number, "num"],
  ["来源", (r) => [r.source, r.origin !== "new" ? el("div", {}, el("span", { class: "tag" }, ORIGINS[r.origin])) : null], "source"],
  ["问题类别", (r) => r.category, "name"], ["问题描述", (r) => r.description, "long"], ["整改类型", (r) => r.kind, "short"],
  ["整改措施", (r) => r.measure, "long"], ["责任领导", (r) => r.leader, "short"], ["责任部门", (r) => r.department, "short"],
  ["责任人", (r) => r.owner, "short"], ["计划完成|时限", (r) => shownDate(r.deadline), "date"],
  ["实际完成|时间", (r) => shownDate(r.finished), "date"], ["整改状态", (r) => stateTag(r.state), "short"],
  ["复查人", (r) => r.reviewer, "short"], ["复查日期", (r) => shownDate(r.reviewed), "date"], ["销号情况/|备注", (r) => r.note, "note"],
];

function renderRows() {
  const open = ledger.closed === null;
  // headers break only where marked (计划完成|时限), not inside a word
  const head = el("tr", {}, COLUMNS.map(([name, , cls]) => el("th", { class: cls },
    name.split("|").flatMap((part, i) => (i ? [el("wbr", {}), part] : [part])))),
    open ? el("th", {}, "操作") : null);
  const rows = [];
  for (const row of ledger.rows) {
    const editable = open && row.state !== "已销号";
    rows.push(el("tr", { "data-row": row.number, "data-theme": row.theme, class: "ledger-row" + (editing === row.number ? " open" : "") },
      COLUMNS.map(([name, value, cls]) => el("td", { class: cls, "data-label": name.replace("|", "") }, value(row))),
      open ? el("td", { class: "ops" }, editable
        ? el("button", { type: "button", class: "btn plain small", "data-edit": row.number, onclick: () => toggleEditor(row.number) },
          editing === row.number ? "收起" : "修改")
        : el("span", { class: "muted" }, "已销号")) : null));
    if (rowErrors.has(row.number) && editing !== row.number) {
      rows.push(el("tr", { class: "row-message" }, el("td", { colspan: COLUMNS.length + 1 }, rowMessage(row.number))));
    }
    if (editing === row.number) rows.push(el("tr", { class: "row-editor" }, el("td", { colspan: COLUMNS.length + 1 }, editor(row))));
  }
  document.getElementById("rows-table").replaceChildren(el("thead", {}, head), el("tbody", {}, rows));
  for (const box of document.querySelectorAll("#rows-table .datefield")) dateField(box);
  if (editing !== null) {
    const row = ledger.rows.find((r) => r.number === editing);
    for (const name of DATES) setDate(`edit-${name}`, row[name]);
  }
}

function rowMessage(number) {
  const text = rowErrors.get(number);
  return el("div", { class: "error row-error", role: "alert", "data-error": number }, text,
    el("button", { type: "button", class: "link", onclick: () => refresh(number) }, "刷新"));
}

function toggleEditor(number) {
  editing = editing === number ? null : number;
  rowErrors.delete(number);
  renderRows();
  if (editing !== null) document.querySelector("#rows-table tr.row-editor").scrollIntoView({ block: "nearest" });
}

function field(label, name, control) {
  return el("div", { class: `edit-field f-${name}` }, el("label", { for: `edit-${name}` }, label), control);
}

function editor(row) {
  const text = (name, attrs) => el("input", { type: "text", id: `edit-${name}`, value: row[name], maxlength: 100, ...attrs });
  const area = (name) => {
    const node = el("textarea", { id: `edit-${name}`, rows: 2, maxlength: 2000 });
    node.value = row[name];
    return node;
  };
  const select = (name, choices) => el("select", { id: `edit-${name}` },
    choices.map((c) => el("option", { value: c, selected: c === row[name] }, c)));
  const date = (name, label) => el("div", { class: `edit-field f-${name}` }, el("label", {}, label),
    el("div", { class: "datefield", id: `edit-${name}`, "data-label": label, "data-optional": true }));
  return el("form", { class: "row-form", novalidate: true, "data-form": row.number, onsubmit: (e) => { e.preventDefault(); save(row); } },
    el("div", { class: "edit-grid" },
      field("整改状态", "state", select("state", [row.state, ...NEXT[row.state]])),
      field("整改类型", "kind", select("kind", KINDS)),
      field("问题类别", "category", text("category")),
      field("责任领导", "leader", text("leader")),
      field("责任部门", "department", text("department")),
      field("责任人", "owner", text("owner")),
      field("问题描述", "description", area("description")),
      field("整改措施", "measure", area("measure")),
      date("deadline", "计划完成时限"),
      date("finished", "实际完成时间"),
      field("复查人", "reviewer", text("reviewer")),
      date("reviewed", "复查日期"),
      field("销号情况/备注", "note", area("note"))),
    el("div", { class: "error hidden row-error", role: "alert", id: "edit-error", "data-error": row.number }),
    el("div", { class: "actions" },
      el("button", { type: "submit", class: "btn", id: "edit-save" }, "保存"),
      el("button", { type: "button", class: "btn plain", onclick: () => toggleEditor(row.number) }, "取消"),
      el("span", { class: "muted" }, `第 ${row.version} 版`)));
}

// The fields the editor changed, as the API takes them; a wrong date or a missing name is raised in Chinese.
function changedFields(row) {
  const form = document.querySelector("#rows-table form.row-form");
  clearInvalid(form);
  const name = document.getElementById("editor-name");
  if (!name.value.trim()) invalid(name, "请先填写修改人（记入修改记录）");
  const body = { by: name.value.trim(), version: row.version };
  for (const key of [...TEXTS, "state", "kind"]) {
    const value = document.getElementById(`edit-${key}`).value.trim();
    if (value !== (row[key] || "")) body[key] = value;
  }
  for (const key of DATES) {
    const value = dateValue(`edit-${key}`);
    if (value === null) invalid(document.getElementById(`edit-${key}`), `${FIELD_NAMES[key]}不完整或不存在，请选齐年、月、日`);
    if ((value || null) !== row[key]) body[key] = value || null;
  }
  return body;
}

async function save(row) {
  const error = document.getElementById("edit-error");
  error.classList.add("hidden");
  let body;
  try {
    body = changedFields(row);
  } catch (e) {
    showError(error, e);
    return;
  }
  if (Object.keys(body).length === 2) {
    toggleEditor(row.number);
    return;
  }
  localStorage.setItem(EDITOR_KEY, body.by);
  try {
    await api("PATCH", `/api/ledgers/${ledger.id}/rows/${row.number}`, body);
  } catch (e) {
    if (e.status === 409) {
      // someone else saved first, or the round was closed: the row shows why and offers a fresh copy
      rowErrors.set(row.number, e.message.includes("已被他人修改") ? "该行已被他人修改，请刷新后再改" : e.message);
      editing = null;
      renderRows();
      return;
    }
    const field = fieldOf(e.message || "");
    // 销号 needs both: the reviewer's name and the review date are marked together
    for (const name of field === "reviewer" ? ["reviewer", "reviewed"] : [field]) {
      const node = name && document.getElementById(`edit-${name}`);
      if (!node) continue;
      node.classList.add("invalid");
      node.setAttribute("aria-invalid", "true");
    }
    showError(error, e instanceof Problem ? new Problem(inWords(e.message), e.status) : e);
    return;
  }
  editing = null;
  rowErrors.delete(row.number);
  await loadLedger(ledger.id);
}

async function refresh(number) {
  rowErrors.delete(number);
  try {
    await loadLedger(ledger.id);
  } catch (e) {
    rowErrors.set(number, userMessage(e));
    renderRows();
  }
}

/* ---- the report and the change log ------------------------------------------------------------------- */

function renderReport(report) {
  const list = (title, rows) => el("div", { class: "report-list", "data-list": title },
    el("h3", {}, `${title}（${rows.length}项）`),
    rows.length ? el("ol", {}, rows.map((r) => el("li", {}, el("b", {}, r.category), "：", r.description, " ", stateTag(r.state))))
      : el("p", { class: "muted" }, "无"));
  document.getElementById("report-lists").replaceChildren(
    el("p", { class: "sentence" }, report.sentence),
    list("新增问题", report.new), list("推进落实", report.ongoing), list("已办结销号", report.closed));
}

function renderChanges(changes) {
  const shown = (field, value) => (DATES.includes(field) ? shownDate(value) : value) || "（空）";
  document.getElementById("changes-empty").classList.toggle("hidden", changes.length > 0);
  document.getElementById("changes-table").classList.toggle("hidden", !changes.length);
  document.getElementById("changes-table").replaceChildren(
    el("thead", {}, el("tr", {}, ["时间", "修改人", "序号", "修改项", "原内容", "新内容"].map((h) => el("th", {}, h)))),
    el("tbody", {}, [...changes].reverse().map((c) => el("tr", {},
      el("td", { class: "when", "data-label": "时间" }, chineseTime(c.at)), el("td", { "data-label": "修改人" }, c.by),
      el("td", { "data-label": "序号" }, c.number), el("td", { "data-label": "修改项" }, FIELD_NAMES[c.field] || c.field),
      el("td", { "data-label": "原内容" }, shown(c.field, c.old)), el("td", { "data-label": "新内容" }, shown(c.field, c.new))))));
}

async function closeRound() {
  const error = document.getElementById("close-error");
  error.classList.add("hidden");
  if (!confirm(`关闭“${ledger.label}”的台账后不能再修改，确定关闭？`)) return;
  try {
    await api("POST", `/api/ledgers/${ledger.id}/close`);
    await loadLedger(ledger.id);
    await loadRounds(ledger.id);
  } catch (e) {
    showError(error, e);
  }
}

document.addEventListener("DOMContentLoaded", async () => {
  const name = document.getElementById("editor-name");
  name.value = localStorage.getItem(EDITOR_KEY) || "";
  document.getElementById("close-round").addEventListener("click", closeRound);
  const params = new URLSearchParams(location.search);
  if (params.get("unit")) document.getElementById("ledger-q").value = params.get("unit");
  document.getElementById("ledger-search").addEventListener("submit", (e) => {
    e.preventDefault();
    loadRounds(ledger && ledger.id);
  });
  const items = await loadRounds(params.get("id"));
  const q = document.getElementById("ledger-q").value.trim();
  const id = params.get("id") || (items.find((l) => !q || l.unit.includes(q)) || {}).id;
  if (!id) return;
  try {
    await loadLedger(id);
    for (const chip of document.querySelectorAll("#rounds .chip")) chip.classList.toggle("active", chip.dataset.ledger === id);
  } catch (e) {
    showError(document.getElementById("rounds-error"), e);
  }
});
