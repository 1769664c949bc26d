"use strict";

/* 语料库: upload past summaries (with upload progress), list them with their 领域, search them. */

const FIELDS = [["title", "标题"], ["unit", "单位"], ["sector", "领域"], ["date", "日期"]];

async function loadDocuments() {
  const table = document.getElementById("documents");
  document.getElementById("list-error").classList.add("hidden");
  try {
    const docs = await api("GET", "/api/corpus");
    const head = el("tr", {}, FIELDS.map(([, name]) => el("th", {}, name)), el("th", { class: "num" }, "片段"), el("th", {}, ""));
    const rows = docs.map((d) => el("tr", { "data-id": d.id },
      FIELDS.map(([key, name]) => el("td", { "data-label": name }, key === "date" && d.date ? chineseDate(`${d.date}T00:00:00`) : d[key] || "")),
      el("td", { class: "num", "data-label": "片段" }, d.chunks),
      el("td", {}, el("button", { type: "button", class: "del", "data-delete": d.id, "aria-label": `删除 ${d.title}` }, "删除"))));
    table.replaceChildren(el("thead", {}, head),
      el("tbody", {}, rows.length ? rows : [el("tr", {}, el("td", { colspan: 6, class: "muted" }, "语料库为空。"))]));
  } catch (e) {
    showError(document.getElementById("list-error"), e);
  }
}

const progress = new ProgressBox("upload-progress");

function size(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

async function send(event) {
  event.preventDefault();
  const input = document.getElementById("files");
  const report = document.getElementById("upload-report");
  report.classList.add("hidden");
  await withProgress("upload-button", "upload-error", progress, "正在上传……", async () => {
    if (!input.files.length) throw new Problem("请先点“选择文件”，选好要收录的工作总结");
    const body = new FormData();
    for (const file of input.files) body.append("files", file);
    const result = await upload("/api/corpus", body, (sent, total) => {
      progress.stage(`正在上传（${size(sent)} / ${size(total)}）`);
      progress.set(sent, total);
    }, () => {
      progress.stage("已上传，正在切分并计算向量，请稍候……");
      progress.set(0, 0);
    });
    const skipped = result.skipped.length ? `，${result.skipped.length} 篇已在库中未重复收录` : "";
    const sectors = [...new Set(result.added.map((d) => d.sector).filter(Boolean))];
    report.textContent = `新收录 ${result.added.length} 篇（${result.chunks_added} 个片段）${skipped}。`
      + (sectors.length ? `领域：${sectors.join("、")}。` : "");
    report.classList.remove("hidden");
    input.value = "";
    input.dispatchEvent(new Event("change"));
    await loadDocuments();
  });
}

async function search(event) {
  event.preventDefault();
  const query = document.getElementById("query");
  const error = document.getElementById("search-error");
  error.classList.add("hidden");
  clearInvalid(event.target);
  try {
    if (!query.value.trim()) invalid(query, "请输入检索词，如：评议范围求广");
    const passages = await api("GET", `/api/corpus/search?q=${encodeURIComponent(query.value.trim())}&k=8`);
    document.getElementById("results").replaceChildren(...(passages.length ? passages.map((p) =>
      el("div", { class: "passage" },
        el("div", {}, el("b", {}, p.title), el("span", { class: "muted" }, `  ${p.unit ? p.unit + " · " : ""}相关度 ${p.score.toFixed(2)}`)),
        p.heading_path.length ? el("div", { class: "path" }, p.heading_path.join(" › ")) : null,
        el("div", {}, p.text))) : [el("p", { class: "muted" }, "没有找到相关内容。")]));
  } catch (e) {
    showError(error, e);
  }
}

async function remove(event) {
  const id = event.target.dataset && event.target.dataset.delete;
  if (!id || !confirm("确定从语料库删除这篇文档？")) return;
  try {
    await api("DELETE", `/api/corpus/${encodeURIComponent(id)}`);
    await loadDocuments();
  } catch (e) {
    showError(document.getElementById("list-error"), e);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  filePicker(document.getElementById("files"), "未选择文件");
  document.getElementById("upload-form").addEventListener("submit", send);
  document.getElementById("search-form").addEventListener("submit", search);
  document.getElementById("documents").addEventListener("click", remove);
  loadDocuments();
});
