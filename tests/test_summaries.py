"""What a row of the rectification list says about its opinions, as a party secretary reads it: a 问题概述
of a few short phrases, each a subject and what is wrong with it (no place, time or person, no clause begun in
the middle of a story), and typical opinions quoted without the record or the caller they came in with. Runs
the summary stage on plain texts (no embedder: `overview` and `quote` take texts and scores), and the pipeline
with the recording topic embedder and the keyword classifier (fast and exact)."""

import re

import numpy as np
import pytest

from drafting.feedback.models import Taxonomy, Theme
from drafting.feedback.opinions import Opinions
from drafting.feedback.pipeline import classify_opinions
from drafting.feedback.summarise import overview, phrase, quote
from tests.opinion_doubles import KeywordClassifier, TopicEmbedder

SUMMARY = re.compile(r"^主要反映(.+)等方面的问题。$")


def phrases_of(summary: str) -> list[str]:
    found = SUMMARY.match(summary)
    assert found is not None, summary
    return found.group(1).split("、")


def opinions(texts: list[str]) -> Opinions:
    return Opinions(lines=list(range(len(texts))), texts=texts, unique=texts, uid=np.arange(len(texts)),
                    weights=np.ones(len(texts), dtype=int))


@pytest.mark.parametrize("clause, said", [
    ("和平街西侧晚上路灯坏了", "路灯损坏"),  # a street, a direction and a time left out; written words
    ("幸福里小区北门垃圾桶太臭", "垃圾桶太臭"),  # a named estate and its gate
    ("每天晚上广场舞音响太吵", "广场舞音响太吵"),  # how often is no part of what is wrong
    ("楼道监控坏了物业说没钱修", "楼道监控损坏"),  # ends where what is wrong is said
    ("周末早上公交车忒少", "公交车太少"),
    ("城东菜场门口摊贩的太多", "菜场门口摊贩过多"),
    ("自助机只有一台", "自助机只有一台"),  # a figure after what is wrong says how
    ("营业执照过期了（超过半年）", "营业执照过期了"),  # an aside in brackets says no more
    ("孕妇、残疾人没有专用通道", "孕妇和残疾人没有专用通道"),  # 、 joins the phrases of a 问题概述
    ("先排了队但是系统一直故障", "系统一直故障"),  # what is wrong comes after 但是
    ("垃圾桶太臭楼上都闻得到", "垃圾桶太臭"),
    ("楼道里乱堆着旧沙发旧床垫旧柜子", ""),  # no cut in the middle of what is wrong
    ("停车费一个月是多少", ""),  # a question
    ("提交了三次都提交不了", ""),  # nothing named
    ("上次打电话问了半天", ""),  # a story, nothing wrong named
    ("说了几次没人管", ""),  # no subject
])
def test_a_problem_clause_becomes_a_short_phrase_of_a_subject_and_what_is_wrong(clause, said):
    assert phrase(clause) == said


def test_an_overview_is_a_few_short_distinct_phrases_without_places_times_or_stories():
    texts = ["翠湖苑东门晚上路灯坏了，走路黑灯瞎火的", "晚上路灯不亮，老人不敢出门", "路灯坏了好几个",
             "夜里路灯不亮，黑咕隆咚的", "车棚的监控坏了物业说没经费", "后来打电话也没人接，连个回音都没有",
             "上次报警说等了半天才来", "地下室住人的太多，进进出出的都不认识", "夜里巡逻车太少了",
             "楼道里电动车充电太危险"]
    summary = overview(list(range(len(texts))), opinions(texts), [], np.full(len(texts), 0.9))
    said = phrases_of(summary)
    assert 3 <= len(said) <= 4 and all(len(p) <= 12 for p in said), said
    assert not any(re.search(r"翠湖|东门|晚上|夜里|后来|上次|连个|[我他她]", p) for p in said), said
    assert sum("路灯" in p for p in said) == 1  # 路灯坏了 and 路灯不亮 say the same thing
    whole = {"路灯损坏", "路灯不亮", "路灯坏了好几个", "车棚的监控损坏", "地下室住人过多", "巡逻车太少",
             "楼道里电动车充电太危险"}  # each as its opinion's first problem clause says it, cut and written
    assert set(said) <= whole, said


def test_an_overview_with_too_few_phrases_says_the_themes_description_else_its_name():
    texts = ["后面连个电话都没有", "上回去问说不归这里管", "谢谢民警"]
    rows, scores = list(range(3)), np.full(3, 0.9)
    described = overview(rows, opinions(texts), [], scores,
                         fallback=("报警后出警慢、接警推诿、报案后无反馈", "接处警"))
    assert described == "主要反映报警后出警慢、接警推诿、报案后无反馈等方面的问题。"
    named = overview(rows, opinions(texts), [], scores,
                     fallback=("报警以后民警过了好长时间才到现场处理问题的情况", "接处警"))
    assert named == "主要反映接处警等方面的问题。"  # a description of one long sentence is no list of phrases


@pytest.mark.parametrize("text, said", [
    ("WD2024110500217  2024-11-05 16:40  诉求内容：市民来电反映社保窗口只开一个，排了两个小时",
     "社保窗口只开一个，排了两个小时"),
    ("WD2024110800031  2024-11-08 08:12  诉求内容：来电人韦**（136****2231）反映，公积金提取材料退回三次",
     "公积金提取材料退回三次"),
    ("来电人称大厅空调不开，冻得人发抖", "大厅空调不开，冻得人发抖"),
    ("来电人姚**反映：办证大厅的自助机总是死机", "办证大厅的自助机总是死机"),
    ("反映电子站牌显示的时间不准", "电子站牌显示的时间不准"),
    ("社区代表钱**：不动产窗口下午四点就不取号了", "不动产窗口下午四点就不取号了"),
    ("（乘客留言）末班车提前十分钟开走", "末班车提前十分钟开走"),
    ("商户来电反映，门面房的消防验收一直约不上", "门面房的消防验收一直约不上"),
    ("称重的秤不准", "称重的秤不准"),  # 称 is no caller's word here
])
def test_a_typical_opinion_is_quoted_without_its_records_number_time_label_or_caller(text, said):
    assert quote(text) == said


def test_a_typical_opinion_that_turns_to_a_second_topic_is_quoted_up_to_the_turn():
    said = quote("诉求内容：医保窗口只开两个，排队要三个小时；另外停车场收费太贵")
    assert said == "医保窗口只开两个，排队要三个小时"
    short = "路灯不亮，另外垃圾没人收"
    assert quote(short) == short  # too short a first part to stand alone


def test_a_classified_rows_overview_and_quotes_read_as_the_genre():
    taxonomy = Taxonomy(themes=[
        Theme(id="window", name="窗口服务", description="窗口开得少、排队久、办事来回跑"),
        Theme(id="parking", name="停车", description="停车位少、停车收费高"),
        Theme(id="praise", name="肯定与无意见")])
    lines = ["WD2024110500217  2024-11-05 16:40  诉求内容：市民来电反映社保窗口只开一个，排了两个小时",
             "和平路大厅窗口太少，上午排不上号", "窗口工作人员中午不在岗", "后来窗口说材料不全又让回去",
             "大厅窗口的叫号机总是坏", "停车位太少", "停车收费太贵", "停车场出口太堵"]
    embedder = TopicEmbedder(["窗口", "停车"])
    classifier = KeywordClassifier({"窗口": "window", "停车": "parking"}, embedder)
    result = classify_opinions(lines, taxonomy=taxonomy, classifier=classifier, embedder=embedder)
    window = next(t for t in result.themes if t.id == "window")
    said = phrases_of(window.summary)
    assert 2 <= len(said) <= 4 and all(len(p) <= 12 and "窗口" in p or "叫号机" in p for p in said), said
    assert not any(re.search(r"和平路|后来|上午", p) for p in said), said
    assert window.representatives and not any(re.match(r"[A-Z]{2}\d|诉求内容|市民", r)
                                              for r in window.representatives)
