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

function opinionsOf(themeId) {
  return run.assignments.map((a, index) => ({ ...a, index })).filter((a) => (a.theme === null ? NONE : a.theme) === themeId);
}

function opinionList(themeId) {
  const rows = opinionsOf(themeId).map((a) => {
    const select = el("select", { "data-index": a.index, "aria-label": "移到其他类别", onchange: (e) => move(a.index, e.target.value) },
      targets.map(([id, name]) => el("option", { value: id, selected: id === a.theme }, name)),
      el("option", { value: NONE, selected: a.theme === null }, "其他（未归类）"));
    return el("div", { class: "opinion" }, el("span", {}, a.text), select);
  });
  return rows.length ? rows : [el("p", { class: "muted" }, "没有意见。")];
}

function themeRows(themes, columns) {
  const rows = [];
  themes.forEach((t, i) => {
    const key = t.id;
    const row = el("tr", { class: "theme" + (open.has(key) ? " open" : ""), "data-theme": key, onclick: () => {
      open.has(key) ? open.delete(key) : open.add(key);
      render(run);
    } }, columns(t, i));
    rows.push(row);
    if (open.has(key)) rows.push(el("tr", { class: "opinions" }, el("td", { colspan: 6 }, opinionList(key))));
  });
  return rows;
}

function renderChart(rows) {
  const max = Math.max(1, ...rows.map((r) => r.count));
  document.getElementById("chart").replaceChildren(...rows.map((r) =>
    el("div", { class: "bar-row" },
      el("span", { class: "name", title: r.name }, r.name),
      el("div", { class: "track" }, el("div", { class: "fill" + (r.discovered ? " discovered" : "") + (r.id === NONE ? " none" : ""),
        style: `width:${(100 * r.count / max).toFixed(1)}%` })),
      el("span", { class: "muted" }, `${r.count} 条 · ${percent(r.share)}`))));
}

function render(record) {
  run = record;
  document.getElementById("empty").classList.add("hidden");
  document.getElementById("result").classList.remove("hidden");
  document.getElementById("download-xlsx").href = `/api/feedback/${run.id}/xlsx`;
  document.getElementById("download-docx").href = `/api/feedback/${run.id}/docx`;
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
  const columns = (t, i) => [el("td", { class: "num" }, t.praise ? "—" : i + 1),
    el("td", { class: "name" }, t.name, t.praise ? el("div", {}, el("span", { class: "tag grey" }, "不列入整改")) : null),
    el("td", { class: "num", "data-count": t.id }, t.count),
    el("td", { class: "num" }, percent(t.share)), el("td", {}, (t.representatives || []).slice(0, 2).join("；")), el("td", {}, t.measure || "")];
  const table = document.getElementById("themes-table");
  const listed = known.filter((t) => t.count > 0 || open.has(t.id));
  const rows = themeRows(listed, columns);
  if (unassigned) rows.push(...themeRows([{ id: NONE, name: "其他（未归类）", count: unassigned, share: unassigned / Math.max(run.total, 1) }],
    (t) => [el("td", { class: "num" }, "—"), el("td", {}, t.name), el("td", { class: "num", "data-count": NONE }, t.count),
      el("td", { class: "num" }, percent(t.share)), el("td", {}, ""), el("td", {}, "")]));
  table.replaceChildren(el("thead", {}, header), el("tbody", {}, rows));

  document.getElementById("discovered-card").classList.toggle("hidden", !found.length);
  const criteria = new Map((run.discovered || []).map((d) => [d.label, d]));
  const dcolumns = (t, i) => {
    const d = criteria.get(t.name) || criteria.get(t.id) || {};
    return [el("td", { class: "num" }, i + 1), el("td", { class: "name" }, t.name),
      el("td", { class: "num", "data-count": t.id }, t.count),
      el("td", { class: "num" }, percent(t.share)), el("td", {}, (t.representatives || []).slice(0, 2).join("；")),
      el("td", {}, d.criterion || "", d.keywords && d.keywords.length ? el("div", { class: "muted" }, "关键词：" + d.keywords.join("、")) : null)];
  };
  document.getElementById("discovered-table").replaceChildren(
    el("thead", {}, el("tr", {}, el("th", { class: "num" }, "序号"), el("th", {}, "主题"), el("th", { class: "num" }, "条数"),
      el("th", { class: "num" }, "占比"), el("th", {}, "典型意见"), el("th", {}, "归入标准"))),
    el("tbody", {}, themeRows(found, dcolumns)));
}

async function move(index, target) {
  try {
    const record = await api("PATCH", `/api/feedback/${run.id}/assignments/${index}`, { theme: target === NONE ? null : target });
    render(record);
  } catch (e) {
    alert(e.message);
  }
}

function addToHistory(record) {
  const first = record.assignments.length ? record.assignments[0].text.slice(0, 40) : "";
  prependHistory("run-history", "no-runs", record.id, `/feedback?id=${record.id}`, `${record.total} 条 · ${first} `);
}

async function classify(event) {
  event.preventDefault();
  const bar = document.getElementById("progress-bar");
  const choice = document.getElementById("taxonomy-choice").value;
  const taxonomy = choice === "custom" ? document.getElementById("taxonomy").value : choice;
  const engine = document.getElementById("engine").value;
  const file = document.getElementById("file").files[0];
  let body, contentType = null;
  if (file) {
    body = new FormData();
    body.append("file", file);
    if (taxonomy) body.append("taxonomy", taxonomy);
    body.append("engine", engine);
  } else {
    body = JSON.stringify({ text: document.getElementById("opinions").value, taxonomy: taxonomy || null, engine });
    contentType = "application/json";
  }
  bar.style.width = "2%";
  await withProgress("classify-button", "form-error", "progress", async () => {
    const record = await streamPost("/api/feedback", body, contentType, (name, data) => {
      if (name !== "progress") return;
      const share = data.total ? data.done / data.total : 0;
      document.getElementById("progress-text").textContent = `${data.message}${data.total ? `（${data.done}/${data.total}）` : ""}`;
      bar.style.width = `${Math.max(2, Math.round(100 * share))}%`;
    });
    open.clear();
    run = record;
    await loadTargets();
    render(record);
    history.replaceState(null, "", `/feedback?id=${record.id}`);
    addToHistory(record);
  });
}

document.addEventListener("DOMContentLoaded", async () => {
  document.getElementById("feedback-form").addEventListener("submit", classify);
  document.getElementById("taxonomy-choice").addEventListener("change", (e) =>
    document.getElementById("taxonomy").classList.toggle("hidden", e.target.value !== "custom"));
  document.addEventListener("click", async (e) => {
    const id = e.target.dataset && e.target.dataset.delete;
    if (!id || !confirm("确定删除这条归类记录？")) return;
    await api("DELETE", `/api/feedback/${id}`);
    e.target.closest("li").remove();
    if (run && run.id === id) location.href = "/feedback";
  });
  const id = new URLSearchParams(location.search).get("id");
  if (id) {
    try {
      run = await api("GET", `/api/feedback/${id}`);
      await loadTargets();
      render(run);
    } catch (e) {
      showError(document.getElementById("form-error"), e);
    }
  }
});
