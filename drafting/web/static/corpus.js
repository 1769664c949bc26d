"use strict";

/* 语料库: upload past summaries, list and search them. */

async function loadDocuments() {
  const table = document.getElementById("documents");
  try {
    const docs = await api("GET", "/api/corpus");
    const head = el("tr", {}, el("th", {}, "标题"), el("th", {}, "单位"), el("th", {}, "领域"), el("th", {}, "日期"), el("th", { class: "num" }, "片段"));
    const rows = docs.map((d) => el("tr", {}, el("td", {}, d.title), el("td", {}, d.unit || ""), el("td", {}, d.sector || ""),
      el("td", {}, d.date || ""), el("td", { class: "num" }, d.chunks)));
    table.replaceChildren(el("thead", {}, head), el("tbody", {}, rows.length ? rows : [el("tr", {}, el("td", { colspan: 5, class: "muted" }, "语料库为空。"))]));
  } catch (e) {
    showError(document.getElementById("list-error"), e);
  }
}

async function upload(event) {
  event.preventDefault();
  const files = document.getElementById("files").files;
  const error = document.getElementById("upload-error");
  const report = document.getElementById("upload-report");
  error.classList.add("hidden");
  report.classList.add("hidden");
  if (!files.length) { showError(error, new Error("请先选择文件")); return; }
  const body = new FormData();
  for (const file of files) body.append("files", file);
  const button = document.getElementById("upload-button");
  button.disabled = true;
  try {
    const result = await api("POST", "/api/corpus", body);
    const skipped = result.skipped.length ? `，${result.skipped.length} 篇已在库中未重复收录` : "";
    report.textContent = `新收录 ${result.added.length} 篇（${result.chunks_added} 个片段）${skipped}。`;
    report.classList.remove("hidden");
    await loadDocuments();
  } catch (e) {
    showError(error, e);
  } finally {
    button.disabled = false;
  }
}

async function search(event) {
  event.preventDefault();
  const q = document.getElementById("query").value.trim();
  const error = document.getElementById("search-error");
  error.classList.add("hidden");
  if (!q) return;
  try {
    const passages = await api("GET", `/api/corpus/search?q=${encodeURIComponent(q)}&k=8`);
    document.getElementById("results").replaceChildren(...(passages.length ? passages.map((p) =>
      el("div", { class: "passage" },
        el("div", {}, el("b", {}, p.title), el("span", { class: "muted" }, `  ${p.unit ? p.unit + " · " : ""}相关度 ${p.score.toFixed(2)}`)),
        p.heading_path.length ? el("div", { class: "path" }, p.heading_path.join(" › ")) : null,
        el("div", {}, p.text))) : [el("p", { class: "muted" }, "没有找到相关内容。")]));
  } catch (e) {
    showError(error, e);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("upload-form").addEventListener("submit", upload);
  document.getElementById("search-form").addEventListener("submit", search);
  loadDocuments();
});
