"""Discovery on synthetic embeddings: groups found, near duplicates merged, 其他 bounded, names unique."""

import numpy as np

from drafting.feedback.discover import c_tf_idf, discover, tokens


def blob(direction: int, n: int, rng, dim: int = 16, spread: float = 0.02) -> np.ndarray:
    base = np.zeros(dim)
    base[direction] = 1.0
    rows = base + rng.normal(0, spread, (n, dim))
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_groups_found_named_and_other_bounded():
    rng = np.random.default_rng(0)
    texts = ([f"宿舍漏水第{k}处" for k in range(10)] + [f"停车车位紧张{k}" for k in range(8)]
             + [f"零散意见{k}" for k in range(6)])
    noise = rng.normal(0, 1, (6, 16))
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    vectors = np.vstack([blob(0, 10, rng), blob(1, 8, rng), noise])
    clusters, leftover, sims = discover(texts, vectors.astype(np.float32), np.ones(24, dtype=int),
                                        background=texts, taken_names={"宿舍"}, max_other=0.15)
    assert len(clusters) == 2
    assert set(range(10)) <= set(clusters[0].members) and set(range(10, 18)) <= set(clusters[1].members)
    assert len(leftover) <= int(0.15 * 24) and len(sims) == len(leftover)
    names = [c.label for c in clusters]
    assert len(set(names)) == len(names) and "宿舍" not in names
    assert "漏水" in clusters[0].keywords and "车位" in "".join(clusters[1].keywords)
    assert all(len(k) <= 6 for c in clusters for k in c.keywords)
    assert all(len(c.evidence) == 3 and c.criterion for c in clusters)


def test_near_duplicate_groups_merge():
    rng = np.random.default_rng(1)
    a = blob(0, 6, rng, spread=0.01)
    b = a[:3] * 0.99 + 0.01  # a second tight group almost on top of the first
    vectors = np.vstack([a, b / np.linalg.norm(b, axis=1, keepdims=True)]).astype(np.float32)
    texts = [f"食堂饭菜贵{k}" for k in range(9)]
    clusters, leftover, _ = discover(texts, vectors, np.ones(9, dtype=int), background=texts,
                                     taken_names=set(), max_other=0.15)
    assert len(clusters) == 1 and len(clusters[0].members) == 9 and len(leftover) == 0


def test_weights_count_duplicates():
    rng = np.random.default_rng(2)
    vectors = np.vstack([blob(0, 2, rng), blob(5, 1, rng)]).astype(np.float32)
    clusters, leftover, _ = discover(["路灯不亮", "路灯坏了", "一件事"], vectors, np.array([10, 10, 1]),
                                     background=[], taken_names=set(), max_other=0.15)
    assert len(clusters) == 1 and list(leftover) == [2]


def test_keywords_are_words_not_sentences():
    assert "食堂" in tokens("希望食堂的饭菜降价") and "希望" not in tokens("希望食堂的饭菜降价")
    ranked = c_tf_idf([["食堂饭菜太贵", "食堂菜价高"], ["宿舍漏水"]], background=["食堂饭菜太贵", "宿舍漏水"])
    assert ranked[0][0] == "食堂" and ranked[1][0] in {"宿舍", "漏水"}
