"""Discovery: opinions that fit no theme are clustered on their embeddings into new, named themes.

The embeddings are first freed of the embedder's common direction (the mean embedding of a fixed
set of reference sentences, removed and the rows renormalised): sentence embeddings share one large
component, and without it cosine distances spread out enough for a fixed threshold to work. The
reference is fixed rather than the run's own mean so that a run about one topic stays one theme.
Average-linkage agglomerative clustering at a cosine threshold then finds the
groups (k-means first shrinks a large input to a few hundred centres, so nothing is quadratic);
near-duplicate groups are merged; small groups go to 其他, which is kept at or under `max_other`
by attaching its closest members to their nearest group. Names and keywords come from class-based
TF-IDF over jieba words.
"""

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from drafting.feedback.models import TYPICAL_OPINIONS, Theme
from drafting.templates import render

THRESHOLD = 0.6  # cosine distance (centred vectors) at which average-linkage groups stop merging
MERGE_COSINE = 0.8  # centred centroids this close are one theme
MIN_SIZE = 3  # smaller groups go to 其他
MAX_DIRECT = 1500  # above this many opinions, k-means centres are clustered instead
MICRO_CLUSTERS = 400
KEYWORDS = 5
MAX_KEYWORD_CHARS = 6
MAX_NAME_CHARS = 6
MAX_THEMES = 12  # closest groups are merged until no more than this many remain
SECTOR_NAME_SHARE = 0.5  # a group takes a sector theme's name when this share of it names that theme's things

_STOPWORDS = set("""
的 了 是 在 和 有 我 我们 你 你们 他 他们 她 它 这 那 这个 那个 这些 那些 就 都 也 还 又 很 太 更 最 非常 比较
一些 一下 一个 一直 一定 一般 不 没 没有 不是 可以 能 能够 要 需要 应该 希望 建议 请 请求 希望能
能否 是否 如何 什么 怎么 为什么 为何 哪里 问题 情况 现象 意见 方面 工作 进行 开展 加强 提高
相关 有关 存在 出现 导致 造成
因为 所以 但是 但 而且 并且 如果 虽然 然后 还是 或者 以及 及 与 对 对于 把 被 让 给 从 向 到 在于 由于 关于
等 等等 之 其 其中 目前 现在 已经 曾经 今年 去年 明年 每年 时候 时间 多 少 大 小 好 上 下 中 里 内 外 后 前
年 月 日 号 个 条 次 位 名 人 元 万元 一 二 三 两 几 些 该 各 每 本 此 某 啥 吗 呢 吧 啊 呀 哦 嘛 着 过 得 地
尊敬 领导 您好 你好 谢谢 感谢 麻烦 反映 反应 表示 认为 觉得 知道 看到 发现 来 去 说 做 搞 弄 用 使 让 能 会
大家 自己 别人 人家 一样 经常 总是 老是 还有 这么 那么 一点 有点 有些 部分 个别 有的 太多 太少 以后 之后
以前 起来 出来 不够 不能 不会 不到 没人 真的 实在 确实 其实 说实话 整个 全部 所有 到底 根本 完全 特别 尤其
同时 另外 此外 好多 很多 许多 不少 解决 处理 重视 及时 尽快 落实 改进 改善 提升 注意 希望 要求
""".split())
# Parts of speech a keyword may have: nouns, verbs, adjectives, idioms and set phrases, abbreviations
# (not numerals like 好几个 or 半天, adverbs, pronouns or particles).
_CONTENT_TAGS = ("n", "v", "a", "i", "l", "j")
_WORD = re.compile(r"^[\u4e00-\u9fffA-Za-z]{2,}$")


@dataclass
class Cluster:
    """A discovered theme: its members (indices into the texts given) and how it reads to a user."""

    members: list[int]
    similarity: list[float] = field(default_factory=list)
    label: str = ""
    criterion: str = ""
    keywords: list[str] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)


def discover(texts: list[str], vectors: np.ndarray, weights: np.ndarray, *, background: list[str],
             taken_names: set[str], max_other: float, total: int | None = None,
             mean: np.ndarray | None = None,
             sector_themes: Sequence[Theme] = ()) -> tuple[list[Cluster], np.ndarray, list[float]]:
    """Clusters of `texts`, the indices left as 其他, and their similarity to the nearest cluster.

    `mean` is the embedder's common direction, taken out first (None: vectors used as they are);
    a cluster about one of `sector_themes` (the unit's sector taxonomy) takes that theme's name.
    """
    n = len(texts)
    total = total if total is not None else int(weights.sum())
    if n < 2:
        return [], np.arange(n), [0.0] * n
    if mean is not None:
        vectors = centred(vectors, mean)
    labels = cluster_labels(vectors)
    groups = _merge_near(_groups(labels), vectors)
    min_size = max(MIN_SIZE, math.ceil(0.01 * total))
    kept = [g for g in groups if weights[g].sum() >= min_size]
    leftover = np.array(sorted(i for g in groups if weights[g].sum() < min_size for i in g), dtype=int)
    if not kept:
        return [], np.arange(n), [0.0] * n
    kept = _merge_closest(kept, vectors, MAX_THEMES)
    kept, leftover = _bound_other(kept, leftover, vectors, weights, int(max_other * total))
    clusters = [Cluster(members=g) for g in sorted(kept, key=lambda g: -weights[g].sum())]
    _describe(clusters, texts, vectors, weights, background, taken_names, sector_themes)
    # a group with no content word (greetings, 尊敬的领导) is no theme: it joins 其他
    empty = [c for c in clusters if not c.keywords]
    if empty:
        clusters = [c for c in clusters if c.keywords]
        leftover = np.array(sorted([*leftover.tolist(), *(i for c in empty for i in c.members)]), dtype=int)
    if not clusters or not len(leftover):
        return clusters, leftover, [0.0] * len(leftover)
    centres = _centres([c.members for c in clusters], vectors)
    other_sim = (vectors[leftover] @ centres.T).max(axis=1)
    return clusters, leftover, [float(min(max(s, 0.0), 1.0)) for s in other_sim]


def centred(vectors: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Rows with the common direction taken out, L2-normalised again."""
    rows = vectors - mean
    return (rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)).astype(np.float32)


def cluster_labels(vectors: np.ndarray, threshold: float = THRESHOLD) -> np.ndarray:
    """A cluster number for each row: average-linkage at a cosine-distance threshold."""
    from sklearn.cluster import AgglomerativeClustering, KMeans

    n = len(vectors)
    if n <= MAX_DIRECT:
        model = AgglomerativeClustering(n_clusters=None, distance_threshold=threshold, metric="cosine",
                                        linkage="average")
        return model.fit_predict(vectors)
    micro = KMeans(n_clusters=MICRO_CLUSTERS, n_init=1, random_state=0).fit(vectors)
    centres = micro.cluster_centers_ / np.linalg.norm(micro.cluster_centers_, axis=1, keepdims=True)
    top = AgglomerativeClustering(n_clusters=None, distance_threshold=threshold, metric="cosine",
                                  linkage="average").fit_predict(centres)
    return top[micro.labels_]


def _groups(labels: np.ndarray) -> list[list[int]]:
    order = np.argsort(labels, kind="stable")
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    return [[int(i) for i in part] for part in np.split(order, cuts)]


def _centres(groups: list[list[int]], vectors: np.ndarray) -> np.ndarray:
    centres = np.vstack([vectors[g].mean(axis=0) for g in groups])
    return centres / np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)


def _merge_near(groups: list[list[int]], vectors: np.ndarray) -> list[list[int]]:
    """Groups whose centres are nearly the same direction become one (repeat until none are)."""
    while len(groups) > 1:
        centres = _centres(groups, vectors)
        sims = centres @ centres.T
        np.fill_diagonal(sims, -1.0)
        a, b = np.unravel_index(int(np.argmax(sims)), sims.shape)
        if sims[a, b] < MERGE_COSINE:
            break
        groups[min(a, b)] = groups[a] + groups[b]
        del groups[max(a, b)]
    return groups


def _merge_closest(groups: list[list[int]], vectors: np.ndarray, most: int) -> list[list[int]]:
    """The two groups with the closest centres merged, until at most `most` remain."""
    groups = [list(g) for g in groups]
    while len(groups) > most:
        sims = _centres(groups, vectors) @ _centres(groups, vectors).T
        np.fill_diagonal(sims, -np.inf)
        a, b = np.unravel_index(int(np.argmax(sims)), sims.shape)
        groups[min(a, b)] = groups[a] + groups[b]
        del groups[max(a, b)]
    return groups


def _bound_other(kept: list[list[int]], leftover: np.ndarray, vectors: np.ndarray, weights: np.ndarray,
                 allowed: int) -> tuple[list[list[int]], np.ndarray]:
    """Attach the leftovers closest to a cluster until 其他 holds at most `allowed` opinions."""
    excess = int(weights[leftover].sum()) - allowed if len(leftover) else 0
    if excess <= 0:
        return kept, leftover
    sims = vectors[leftover] @ _centres(kept, vectors).T
    best, nearest = sims.max(axis=1), sims.argmax(axis=1)
    moved = 0
    stay = np.ones(len(leftover), dtype=bool)
    for k in np.argsort(-best, kind="stable"):
        if moved >= excess:
            break
        kept[int(nearest[k])].append(int(leftover[k]))
        moved += int(weights[leftover[k]])
        stay[k] = False
    return kept, leftover[stay]


def _describe(clusters: list[Cluster], texts: list[str], vectors: np.ndarray, weights: np.ndarray,
              background: list[str], taken_names: set[str], sector_themes: Sequence[Theme]) -> None:
    """Keywords, a unique name, a criterion, similarities and evidence for each cluster."""
    docs = [[texts[i] for i in c.members for _ in range(int(weights[i]))] for c in clusters]
    ranked = c_tf_idf(docs, background)
    used = set(taken_names)
    for number, (cluster, words) in enumerate(zip(clusters, ranked, strict=True), start=1):
        cluster.keywords = words[:KEYWORDS]
        cluster.label = _sector_name([texts[i] for i in cluster.members], sector_themes, used) \
            or _unique_name(words, used, number, [texts[i] for i in cluster.members])
        used.add(cluster.label)
        cluster.criterion = render("discover/criterion.j2", theme_name=cluster.label,
                                   keywords=cluster.keywords[:3])
        centre = vectors[cluster.members].mean(axis=0)
        centre /= max(float(np.linalg.norm(centre)), 1e-12)
        sims = vectors[cluster.members] @ centre
        cluster.similarity = [float(min(max(s, 0.0), 1.0)) for s in sims]
        seen: list[str] = []
        for k in np.argsort(-sims, kind="stable"):
            text = texts[cluster.members[int(k)]]
            if text not in seen:
                seen.append(text)
            if len(seen) == TYPICAL_OPINIONS:
                break
        cluster.evidence = seen


def _sector_name(texts: list[str], themes: Sequence[Theme], used: set[str]) -> str:
    """The name of the sector theme (停车难, 食堂饭菜质量…) whose words (name, description, action cues)
    at least SECTOR_NAME_SHARE of the group's opinions use, the most of any theme, unless taken."""
    best, share = "", 0.0
    for theme in themes:
        cues = {cue for cue in theme.actions if len(cue) >= 2}
        vocabulary = set(tokens(f"{theme.name}，{theme.description}")) | cues
        covered = sum(any(word in text for word in vocabulary) for text in texts) / max(len(texts), 1)
        if covered > share:
            best, share = theme.name, covered
    return best if share >= SECTOR_NAME_SHARE and best not in used else ""


def _unique_name(ranked: list[str], used: set[str], number: int, texts: list[str]) -> str:
    """A short noun phrase from the best words: the first noun with the next word when the opinions say
    them together (宿舍漏水), else the noun and 问题 (宿舍问题); numbered when another theme has it."""
    words = nouns_first(ranked[:KEYWORDS])
    candidates = [first + second for first in words[:1] for second in words[1:3]
                  if len(first + second) <= MAX_NAME_CHARS and any(first + second in t for t in texts)]
    candidates += [f"{word}问题" for word in words[:3]]
    for name in candidates:
        if name not in used:
            return name
    return f"新主题{number}"


def nouns_first(words: list[str]) -> list[str]:
    """Words whose single part of speech is a noun come first, each part in ranked order."""
    tagger = _jieba_posseg()

    def is_noun(word: str) -> bool:
        tags = [pair.flag for pair in tagger.cut(word)]
        return len(tags) == 1 and tags[0].startswith(("n", "vn", "an"))

    nouns = [w for w in words if is_noun(w)]
    return nouns + [w for w in words if w not in nouns]


@lru_cache
def _jieba_posseg():
    import jieba.posseg

    _jieba()
    return jieba.posseg


@lru_cache
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    return jieba


@lru_cache(maxsize=200_000)
def tokens(text: str) -> tuple[str, ...]:
    """Content words of a text: jieba words of two to six characters whose dictionary part of speech is
    a noun, verb or adjective (words jieba only guessed, like 字要, are left out), and capitalised Latin ones:
    KTV, APP; stopwords and masks (a***@qq.com) dropped."""
    tags = _jieba_posseg().dt.word_tag_tab
    return tuple(w for w in _jieba().lcut(text) if _WORD.match(w) and len(w) <= MAX_KEYWORD_CHARS
                 and w not in _STOPWORDS and (w.isupper() or tags.get(w, "x").startswith(_CONTENT_TAGS))
                 and not tags.get(w, "x").startswith("nr"))


def c_tf_idf(docs: list[list[str]], background: list[str]) -> list[list[str]]:
    """Words of each class ranked by class-based TF-IDF (BERTopic's); the background is a class too."""
    counts = [Counter(w for text in doc for w in tokens(text)) for doc in docs]
    rest: Counter[str] = Counter()
    for text in background:
        rest.update(tokens(text))
    classes = counts + [rest]
    frequency: Counter[str] = Counter()
    for c in classes:
        frequency.update(c)
    average = sum(frequency.values()) / max(len(classes), 1)
    ranked = []
    for c in counts:
        size = max(sum(c.values()), 1)
        scores = {w: (n / size) * math.log(1 + average / frequency[w]) for w, n in c.items() if n >= 1}
        ranked.append([w for w, _ in sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))])
    return ranked
