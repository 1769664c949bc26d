"use strict";

/* 意见归类: paste or upload opinions, watch progress, read themes as a table and bars, move opinions, export. */

let run = null;
const open = new Set();
const NONE = "__none__";

function themeName(id) {
  if (id === null) return "其他（未归类）";
  const found = run.themes.find((t) => t.id === id);
  return found ? found.name : id;
}

let targets = [];

async function loadTargets() {
  targets = (await api("GET", `/api/feedback/${run.id}/themes`)).map((t) => [t.id, t.name]);
}

// Two typical opinions, joined with ；(each without its own closing 。).
function quotes(theme) {
  return (theme.representatives || []).slice(0, 2).map((q) => q.replace(/[。；;]$/, "")).join("；");
}

function opinionsOf(themeId) {
  return run.assignments.map((a, index) => ({ ...a, index })).filter((a) => (a.theme === null ? NONE : a.theme) === themeId);
}

// The theme's opinions, an answer given several times shown once with its count, each with a select to move it.
function opinionList(themeId) {
  const groups = new Map();
  for (const a of opinionsOf(themeId)) {
    if (!groups.has(a.text)) groups.set(a.text, []);
    groups.get(a.text).push(a);
  }
  const rows = [...groups.values()].map((copies) => {
    const a = copies[0];
    const select = el("select", { "data-index": a.index, "aria-label": "移到其他类别", onchange: (e) => move(a.index, e.target.value) },
      targets.map(([id, name]) => el("option", { value: id, selected: id === a.theme }, name)),
      el("option", { value: NONE, selected: a.theme === null }, "其他（未归类）"));
    return el("div", { class: "opinion" },
      el("span", {}, el("span", { class: "text" }, a.text), copies.length > 1 ? el("span", { class: "tag copies" }, `共 ${copies.length} 条`) : null),
      select);
  });
  return rows.length ? rows : [el("p", { class: "muted" }, "没有意见。")];
}

// A row per theme that opens (by click, Enter or space) onto its opinions.
function themeRows(themes, columns, span) {
  const rows = [];
  themes.forEach((t, i) => {
    const key = t.id;
    const toggle = () => {
      open.has(key) ? open.delete(key) : open.add(key);
      render(run);
    };
    rows.push(el("tr", {
      class: "theme" + (open.has(key) ? " open" : ""), "data-theme": key, tabindex: 0,
      "aria-expanded": open.has(key) ? "true" : "false", onclick: toggle,
      onkeydown: (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); toggle(); } },
    }, columns(t, i)));
    if (editingTheme === key) rows.push(el("tr", { class: "theme-edit" }, el("td", { colspan: span }, themeEditor(t))));
    if (open.has(key)) rows.push(el("tr", { class: "opinions" }, el("td", { colspan: span }, opinionList(key))));
  });
  return rows;
}

/* ---- 整改措施 and 责任部门 of a theme, written by the organiser -------------------------------------------- */

let editingTheme = null;
const THEME_FIELDS = { measure: "整改措施", department: "责任部门", theme: "问题类别", version: "版本" };

// "measure: 整改措施不能为空" -> "整改措施：整改措施不能为空": the field in the user's words.
function themeMessage(error) {
  if (!(error instanceof Problem)) return error;
  const match = /^([a-z_]+): (.*)$/.exec(error.message);
  return match && THEME_FIELDS[match[1]] ? new Problem(`${THEME_FIELDS[match[1]]}：${match[2]}`, error.status) : error;
}

// The measure, the department under it, and (for a listed problem) the button that opens the editor.
function measureCell(t) {
  if (t.praise || t.id === NONE) return [t.measure || ""];
  return [el("div", {}, t.measure || el("span", { class: "muted" }, "（未填写）")),
    el("div", { class: "muted" }, `责任部门：${t.department || "未填写"}`),
    el("button", { type: "button", class: "btn plain small", "data-edit-theme": t.id,
      onclick: (e) => { e.stopPropagation(); editingTheme = editingTheme === t.id ? null : t.id; render(run); } },
    editingTheme === t.id ? "收起" : "修改")];
}

function themeEditor(t) {
  const measure = el("textarea", { id: "theme-measure", rows: 3, maxlength: 2000 });
  measure.value = t.measure || "";
  const stop = (e) => e.stopPropagation();
  return el("form", { class: "theme-edit", novalidate: true, onclick: stop, onkeydown: stop,
    onsubmit: (e) => { e.preventDefault(); saveTheme(t.id); } },
  el("div", { class: "row2" },
    el("div", {}, el("label", { for: "theme-measure" }, `“${t.name}”的整改措施`), measure),
    el("div", {}, el("label", { for: "theme-department" }, "责任部门"),
      el("input", { type: "text", id: "theme-department", maxlength: 100, value: t.department || "", placeholder: "如：后勤保障科" }))),
  el("div", { id: "theme-error", class: "error hidden", role: "alert" }),
  el("div", { class: "actions" }, el("button", { type: "submit", class: "btn", id: "theme-save" }, "保存"),
    el("button", { type: "button", class: "btn plain", onclick: () => { editingTheme = null; render(run); } }, "取消")));
}

async function saveTheme(themeId) {
  const error = document.getElementById("theme-error");
  error.classList.add("hidden");
  const body = { measure: document.getElementById("theme-measure").value, department: document.getElementById("theme-department").value,
    version: run.version };
  try {
    const record = await api("PATCH", `/api/feedback/${run.id}/themes/${encodeURIComponent(themeId)}`, body);
    editingTheme = null;
    render(record);
  } catch (e) {
    showError(error, themeMessage(e));
    if (e.status === 409) run = await api("GET", `/api/feedback/${run.id}`).catch(() => run);
  }
}

/* ---- rounds: adopt as the ledger, compare with the last round ----------------------------------------- */

let roundsOf = null; // the run id and version the comparison was read for

function defaultLabel() {
  const now = new Date();
  return `${now.getFullYear()}年第${"一二三四"[Math.floor(now.getMonth() / 3)]}季度`;
}

async function loadRounds() {
  const key = `${run.id}:${run.version}`;
  if (roundsOf === key) return;
  if (!roundsOf || !roundsOf.startsWith(`${run.id}:`)) {
    document.getElementById("adopt-box").classList.add("hidden");
    document.getElementById("adopt-unit").value = run.unit || "";
  }
  roundsOf = key;
  const ledgers = await api("GET", "/api/ledgers?limit=500").catch(() => []);
  const own = ledgers.find((l) => l.run_id === run.id);
  const adopted = document.getElementById("adopted");
  adopted.classList.toggle("hidden", !own);
  document.getElementById("adopt-open").classList.toggle("hidden", Boolean(own));
  if (own) {
    document.getElementById("adopt-box").classList.add("hidden");
    adopted.replaceChildren(el("span", { class: "tag" }, "已建立台账"), ` 已作为${own.unit}“${own.label}”整改台账（第${own.round}轮）。 `,
      el("a", { href: `/ledger?id=${own.id}`, id: "open-ledger" }, "打开整改台账"));
  }
  const card = document.getElementById("compare-card");
  if (!run.unit) {
    card.classList.add("hidden");
    return;
  }
  try {
    const [compared, series] = await Promise.all([api("GET", `/api/feedback/${run.id}/compare`), api("GET", `/api/feedback/${run.id}/rounds`)]);
    renderComparison(compared, series);
  } catch (e) {
    card.classList.add("hidden");
  }
}

function renderComparison(compared, series) {
  const card = document.getElementById("compare-card");
  const earlier = compared.previous_run !== null || compared.previous_label !== null;
  card.classList.toggle("hidden", !earlier);
  if (!earlier) return;
  document.getElementById("compare-label").textContent = `· 上一轮：${compared.previous_label || "上一次归类"}`;
  const stayed = compared.themes.filter((t) => t.not_falling).map((t) => t.name);
  const back = compared.themes.filter((t) => t.came_back).map((t) => t.name);
  document.getElementById("compare-flags").replaceChildren(
    stayed.length ? el("div", { class: "verify bad", "data-flag": "not_falling" }, `上轮已销号、本轮意见没有下降：${stayed.join("、")}。请核实整改是否到位。`) : null,
    back.length ? el("div", { class: "verify warn", "data-flag": "came_back" }, `曾经销号、本轮又有群众反映（复发）：${back.join("、")}。`) : null);
  const change = (n) => (n > 0 ? `+${n}` : String(n));
  document.getElementById("compare-table").replaceChildren(
    el("thead", {}, el("tr", {}, el("th", {}, "问题类别"), el("th", { class: "num" }, "上轮"), el("th", { class: "num" }, "本轮"),
      el("th", { class: "num" }, "变化"), el("th", {}, "提示"))),
    el("tbody", {}, compared.themes.map((t) => el("tr", { "data-compare": t.theme },
      el("td", { class: "name", "data-label": "问题类别" }, t.name),
      el("td", { class: "num", "data-label": "上轮" }, t.before), el("td", { class: "num", "data-label": "本轮" }, t.after),
      el("td", { class: "num" + (t.change > 0 ? " up" : t.change < 0 ? " down" : ""), "data-label": "变化" }, change(t.change)),
      el("td", { class: "flags", "data-label": "提示" },
        t.not_falling ? el("span", { class: "tag warn" }, "销号后未下降") : null,
        t.came_back ? el("span", { class: "tag back" }, "复发") : null,
        t.closed_before && !t.not_falling ? el("span", { class: "tag grey" }, "上轮已销号") : null)))));
  renderRoundsChart(series);
}

// Opinions per theme per round as bars: a group a theme, a bar a round (this round in red).
function renderRoundsChart(series) {
  const max = Math.max(1, ...series.rounds.flatMap((r) => Object.values(r.counts)));
  const swatch = (r, i) => (r.current ? "rnow" : `r${Math.max(0, 3 - (series.rounds.length - 2 - i))}`);
  const legend = el("div", { class: "rounds-legend" }, series.rounds.map((r, i) => el("span", { class: swatch(r, i) }, r.label)));
  const groups = series.themes.map((t) => el("div", { class: "round-group", "data-chart": t.id },
    el("span", { class: "name", title: t.name }, t.name),
    el("div", { class: "bars" }, series.rounds.map((r, i) => {
      const n = r.counts[t.id] || 0;
      const fill = el("div", { class: "fill" });
      fill.style.width = `${(100 * n / max).toFixed(1)}%`; // through the CSSOM: the CSP allows no style=""
      return el("div", { class: `round-bar ${swatch(r, i)}`, title: `${r.label}：${n} 条` }, el("div", { class: "track" }, fill),
        el("span", { class: "n" }, `${n} 条`));
    }))));
  document.getElementById("rounds-chart").replaceChildren(legend, ...groups);
}

function adoptMessage(error) {
  if (!(error instanceof Problem)) return error;
  const names = { label: "轮次名称", unit: "单位名称", run_id: "归类记录" };
  const match = /^([a-z_]+): (.*)$/.exec(error.message);
  return match && names[match[1]] ? new Problem(`${names[match[1]]}：${match[2]}`, error.status) : error;
}

async function adopt(event) {
  event.preventDefault();
  const form = document.getElementById("adopt-box");
  const error = document.getElementById("adopt-error");
  error.classList.add("hidden");
  const button = document.getElementById("adopt-button");
  button.disabled = true;
  try {
    clearInvalid(form);
    const label = document.getElementById("round-label");
    if (!label.value.trim()) invalid(label, "请填写轮次名称，如：2026年第四季度");
    const unit = document.getElementById("adopt-unit").value.trim();
    await api("POST", "/api/ledgers", { run_id: run.id, label: label.value.trim(), unit: unit || null });
    roundsOf = null;
    await loadRounds();
  } catch (e) {
    showError(error, adoptMessage(e));
  } finally {
    button.disabled = false;
  }
}

function renderChart(rows) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  document.getElementById("chart").replaceChildren(...rows.map((r) => {
    const fill = el("div", { class: "fill" + (r.discovered ? " discovered" : "") + (r.id === NONE ? " none" : "") });
    fill.style.width = `${(100 * r.count / max).toFixed(1)}%`; // through the CSSOM: the CSP allows no style=""
    return el("div", { class: "bar-row" }, el("span", { class: "name", title: r.name }, r.name),
      el("div", { class: "track" }, fill), el("span", { class: "muted" }, `${r.count} 条 · ${percent(r.share)}`));
  }));
}

function render(record) {
  run = record;
  document.getElementById("empty").classList.add("hidden");
  document.getElementById("result").classList.remove("hidden");
  document.getElementById("result-unit").textContent = run.unit ? `· ${run.unit}` : "";
  document.getElementById("download-xlsx").href = `/api/feedback/${run.id}/xlsx`;
  document.getElementById("download-docx").href = `/api/feedback/${run.id}/docx`;
  document.getElementById("draft-from-run").href = `/?run=${run.id}`;
  const unassigned = run.assignments.filter((a) => a.theme === null).length;
  document.getElementById("summary").replaceChildren(
    el("div", {}, el("b", {}, run.total), "条意见"),
    el("div", {}, el("b", {}, run.unique), "条（去重后）"),
    el("div", {}, el("b", {}, run.themes.filter((t) => !t.discovered && !t.praise && t.count > 0).length), "个问题类别"),
    el("div", {}, el("b", {}, run.themes.filter((t) => t.discovered).length), "个新发现主题"));
  document.getElementById("warnings").replaceChildren(...run.warnings.map((w) => el("div", { class: "verify warn" }, w)));

  const known = [...run.themes.filter((t) => !t.discovered && !t.praise), ...run.themes.filter((t) => t.praise)];
  const found = run.themes.filter((t) => t.discovered);
  const chartRows = [...known.filter((t) => !t.praise), ...found, ...known.filter((t) => t.praise)].filter((t) => t.count > 0);
  if (unassigned) chartRows.push({ id: NONE, name: "其他（未归类）", count: unassigned, share: unassigned / Math.max(run.total, 1) });
  renderChart(chartRows);

  const header = el("tr", {}, el("th", { class: "num" }, "序号"), el("th", {}, "问题类别"), el("th", { class: "num" }, "条数"),
    el("th", { class: "num" }, "占比"), el("th", {}, "典型意见"), el("th", {}, "整改措施"));
  const columns = (t, i) => [el("td", { class: "num", "data-label": "序号" }, t.praise ? "—" : i + 1),
    el("td", { class: "name", "data-label": "问题类别" }, t.name, t.praise ? el("div", {}, el("span", { class: "tag grey" }, "不列入整改")) : null),
    el("td", { class: "num", "data-count": t.id, "data-label": "条数" }, t.count),
    el("td", { class: "num", "data-label": "占比" }, percent(t.share)),
    el("td", { "data-label": "典型意见" }, quotes(t)),
    el("td", { class: "measure-cell", "data-label": "整改措施" }, measureCell(t))];
  const table = document.getElementById("themes-table");
  const listed = known.filter((t) => t.count > 0 || open.has(t.id));
  const rows = themeRows(listed, columns, 6);
  if (unassigned) rows.push(...themeRows([{ id: NONE, name: "其他（未归类）", count: unassigned, share: unassigned / Math.max(run.total, 1) }],
    (t) => [el("td", { class: "num", "data-label": "序号" }, "—"), el("td", { "data-label": "问题类别" }, t.name),
      el("td", { class: "num", "data-count": NONE, "data-label": "条数" }, t.count),
      el("td", { class: "num", "data-label": "占比" }, percent(t.share)), el("td", {}, ""), el("td", {}, "")], 6));
  table.replaceChildren(el("thead", {}, header), el("tbody", {}, rows));

  document.getElementById("discovered-card").classList.toggle("hidden", !found.length);
  const criteria = new Map((run.discovered || []).map((d) => [d.label, d]));
  const dcolumns = (t, i) => {
    const d = criteria.get(t.name) || criteria.get(t.id) || {};
    return [el("td", { class: "num", "data-label": "序号" }, i + 1), el("td", { class: "name", "data-label": "主题" }, t.name),
      el("td", { class: "num", "data-count": t.id, "data-label": "条数" }, t.count),
      el("td", { class: "num", "data-label": "占比" }, percent(t.share)),
      el("td", { "data-label": "典型意见" }, quotes(t)),
      el("td", { "data-label": "归入标准" }, d.criterion || "",
        d.keywords && d.keywords.length ? el("div", { class: "muted" }, "关键词：" + d.keywords.join("、")) : null),
      el("td", { class: "measure-cell", "data-label": "整改措施" }, measureCell(t))];
  };
  document.getElementById("discovered-table").replaceChildren(
    el("thead", {}, el("tr", {}, el("th", { class: "num" }, "序号"), el("th", {}, "主题"), el("th", { class: "num" }, "条数"),
      el("th", { class: "num" }, "占比"), el("th", {}, "典型意见"), el("th", {}, "归入标准"), el("th", {}, "整改措施"))),
    el("tbody", {}, themeRows(found, dcolumns, 7)));
  loadRounds();
}

// Moves the opinion at `index` (and, unless 只移动这一条 is ticked, every copy of the same answer).
async function move(index, target) {
  const error = document.getElementById("move-error");
  error.classList.add("hidden");
  const one = document.getElementById("move-one").checked;
  try {
    render(await api("PATCH", `/api/feedback/${run.id}/assignments/${index}`,
      { theme: target === NONE ? null : target, version: run.version, all_copies: !one }));
  } catch (e) {
    showError(error, e);
    // 409: someone else changed the run first; show theirs, so the next move is made on it
    render(e.status === 409 ? await api("GET", `/api/feedback/${run.id}`).catch(() => run) : run);
  }
}

const progress = new ProgressBox("progress");
let runs = null;

// The request body from the form: the chosen file as multipart, else the pasted text as JSON.
function feedbackBody() {
  const form = document.getElementById("feedback-form");
  clearInvalid(form);
  const choice = document.getElementById("taxonomy-choice").value;
  const taxonomy = choice === "custom" ? document.getElementById("taxonomy").value : choice;
  if (choice === "custom" && !taxonomy.trim()) invalid(document.getElementById("taxonomy"), "请填写自定义分类（YAML），或改选默认分类");
  const engine = document.getElementById("engine").value;
  const sector = document.getElementById("sector").value;
  const unit = document.getElementById("unit").value.trim();
  const file = document.getElementById("file").files[0];
  if (file) {
    const body = new FormData();
    body.append("file", file);
    if (taxonomy) body.append("taxonomy", taxonomy);
    body.append("engine", engine);
    if (sector) body.append("sector", sector);
    if (unit) body.append("unit", unit);
    return [body, null];
  }
  const text = document.getElementById("opinions").value;
  if (!text.trim()) invalid(document.getElementById("opinions"), "请粘贴群众意见，或选择一个文件");
  return [JSON.stringify({ text, taxonomy: taxonomy || null, engine, unit, sector: sector || null }), "application/json"];
}

// Groups the form's opinions, or (rerunId) runs again a run that was cut short, and shows the result.
async function classify(event, rerunId) {
  if (event) event.preventDefault();
  await withProgress("classify-button", "form-error", progress, "正在归类……", async () => {
    const [body, contentType] = rerunId ? [undefined, null] : feedbackBody();
    const url = rerunId ? `/api/feedback/${rerunId}/rerun` : "/api/feedback";
    const record = await streamPost(url, body, contentType, (name, data) => {
      if (name !== "progress") return;
      progress.stage(data.message);
      progress.set(data.done || 0, data.total || 0);
    });
    open.clear();
    editingTheme = null;
    run = record;
    await loadTargets();
    render(record);
    history.replaceState(null, "", `/feedback?id=${record.id}`);
    document.getElementById("result").scrollIntoView({ block: "start" });
    runs.offset = 0;
    runs.load();
  });
}

document.addEventListener("DOMContentLoaded", async () => {
  document.getElementById("feedback-form").addEventListener("submit", classify);
  document.getElementById("adopt-box").addEventListener("submit", adopt);
  document.getElementById("adopt-open").addEventListener("click", () => {
    const box = document.getElementById("adopt-box");
    box.classList.toggle("hidden");
    if (!document.getElementById("round-label").value) document.getElementById("round-label").value = defaultLabel();
    document.getElementById("adopt-unit").value = document.getElementById("adopt-unit").value || run.unit || "";
    if (!box.classList.contains("hidden")) document.getElementById("round-label").focus();
  });
  document.getElementById("adopt-cancel").addEventListener("click", () => document.getElementById("adopt-box").classList.add("hidden"));
  filePicker(document.getElementById("file"), "未选择文件");
  document.getElementById("taxonomy-choice").addEventListener("change", (e) =>
    document.getElementById("taxonomy").classList.toggle("hidden", e.target.value !== "custom"));
  runs = new HistoryList({
    prefix: "runs", url: "/api/feedback", deleteUrl: "/api/feedback", emptyText: "还没有归类记录。",
    confirmText: "确定删除这条归类记录？",
    link: (r) => `/feedback?id=${r.id}`,
    item: (r) => `${r.unit ? r.unit + " · " : ""}${r.total} 条 · ${r.preview}`,
    onDelete: (id) => { if (run && run.id === id) location.href = "/feedback"; },
    rerunText: "重新归类",
    onRerun: (id) => classify(null, id),
  });
  runs.load();
  offerEngines("engine", "engine-note");
  const id = new URLSearchParams(location.search).get("id");
  if (id) {
    try {
      run = await api("GET", `/api/feedback/${id}`);
      document.getElementById("unit").value = run.unit || "";
      await loadTargets();
      render(run);
    } catch (e) {
      showError(document.getElementById("form-error"), e);
    }
  }
});
