"""The opinion pipeline, with a recording topic embedder and a keyword classifier (fast and exact),
plus one end-to-end run on the bundled embedder."""

import pytest
from click.testing import CliRunner

from drafting.cli import app
from drafting.errors import BadInput
from drafting.feedback.models import Taxonomy, Theme
from drafting.feedback.opinions import is_no_opinion, split_opinion
from drafting.feedback.pipeline import classify_opinions
from tests.opinion_doubles import KeywordClassifier, TopicEmbedder

TAXONOMY = Taxonomy(themes=[Theme(id="canteen", name="食堂", description="食堂饭菜"),
                            Theme(id="road", name="道路", description="道路交通"),
                            Theme(id="praise", name="肯定与无意见")])
TOPICS = ["食堂", "路", "宿舍", "停车", "学习"]


def run(lines, taxonomy=TAXONOMY, keywords=None, progress=None):
    embedder = TopicEmbedder(TOPICS)
    keywords = keywords or {"食堂": "canteen", "路": "road"}
    classifier = KeywordClassifier(keywords, embedder) if taxonomy else None
    result = classify_opinions(lines, taxonomy=taxonomy, classifier=classifier, embedder=embedder,
                               progress=progress)
    return result, embedder, classifier


@pytest.mark.parametrize("line, parts", [
    ("食堂太贵；路灯不亮", ["食堂太贵", "路灯不亮"]),
    ("1.食堂太贵 2.路灯不亮 3、宿舍漏水", ["食堂太贵", "路灯不亮", "宿舍漏水"]),
    ("（1）食堂太贵（2）路灯不亮", ["食堂太贵", "路灯不亮"]),
    ("一是学习形式单一，二是时间太晚", ["学习形式单一", "时间太晚"]),
    ("① 停车难 ② 食堂贵", ["停车难", "食堂贵"]),
    ("房租涨了1.5万元，负担重", ["房租涨了1.5万元，负担重"]),
    ("第1、2条意见去年就提过", ["第1、2条意见去年就提过"]),
])
def test_split_opinion(line, parts):
    assert split_opinion(line) == parts


def test_no_opinion_answers_are_recognised():
    answers = ["无", "无。", "没有", "没有意见", "暂无意见", "满意", "很满意！", "/"]
    assert all(is_no_opinion(t) for t in answers)
    assert not any(is_no_opinion(t) for t in ["无人管理", "没有路灯", "不满意", "食堂不好"])


def test_lines_split_and_numbered_among_non_blank_lines():
    result, _, _ = run(["食堂太贵；路灯不亮", "", "  ", "宿舍漏水"])
    expected = [(0, "食堂太贵"), (0, "路灯不亮"), (1, "宿舍漏水")]
    assert [(a.line, a.text) for a in result.assignments] == expected
    assert result.total == 3


def test_duplicates_counted_once_with_multiplicity():
    lines = ["食堂饭菜太贵了。", "食堂饭菜太贵了！", "食堂 饭菜太贵了", "路灯不亮", "食堂饭菜太贵啦"]
    result, embedder, classifier = run(lines)
    embedded = [t for call in embedder.calls for t in call]
    # exact duplicates are never embedded twice; the near duplicate is folded before classifying
    assert embedded == ["食堂饭菜太贵了。", "路灯不亮", "食堂饭菜太贵啦"]
    assert classifier.seen == ["食堂饭菜太贵了。", "路灯不亮"]
    assert result.unique == 2 and result.total == 5
    canteen = next(t for t in result.themes if t.id == "canteen")
    assert canteen.count == 4 and canteen.share == pytest.approx(0.8)
    assert [a.theme for a in result.assignments] == ["canteen", "canteen", "canteen", "road", "canteen"]


def test_near_duplicates_differ_only_in_particles():
    from drafting.feedback.opinions import same_but_fillers

    assert same_but_fillers("食堂饭菜太贵了", "食堂饭菜太贵啦")
    assert not same_but_fillers("食堂收费太高", "澡堂收费太高")
    assert not same_but_fillers("食堂饭菜太贵", "食堂饭菜不贵")


def test_no_opinion_goes_to_praise_without_the_classifier():
    result, embedder, classifier = run(["无", "没有意见", "很满意", "食堂太贵"])
    assert classifier.seen == ["食堂太贵"]
    assert all("无" not in t and "满意" not in t for call in embedder.calls for t in call)
    praise = next(t for t in result.themes if t.id == "praise")
    assert praise.count == 3 and praise.measure == ""


def test_nothing_personal_reaches_the_embedder_classifier_or_result():
    lines = ["我是张晓明，电话13812345678，食堂太贵", "联系邮箱 li.ming@example.org，路灯不亮"]
    result, embedder, classifier = run(lines)
    dumped = result.model_dump_json()
    sent = " ".join(t for call in embedder.calls for t in call) + " ".join(classifier.seen)
    for secret in ["张晓明", "13812345678", "li.ming@example.org"]:
        assert secret not in dumped and secret not in sent
    assert "张**" in dumped and "138****5678" in dumped and "l***@example.org" in dumped


def test_unassigned_opinions_are_discovered_apart_from_the_taxonomy():
    lines = ["食堂太贵"] + [f"宿舍第{k}栋漏水" for k in range(6)] + [f"停车位不够用{k}" for k in range(5)]
    result, _, _ = run(lines)
    found = {d.label: d for d in result.discovered}
    assert len(found) == 2
    rows = {t.id: t for t in result.themes}
    assert all(rows[label].discovered for label in found)
    assert not rows["canteen"].discovered
    assert sorted(len(d.lines) for d in found.values()) == [5, 6]
    assert all(d.keywords and d.criterion and d.evidence for d in found.values())
    assert len(set(found)) == len(found) and not set(found) & {"食堂", "道路"}


def test_taxonomy_none_discovers_everything_and_bounds_other():
    lines = ([f"宿舍{k}号楼漏水" for k in range(8)] + [f"停车场{k}区车位不够" for k in range(7)]
             + [f"学习安排第{k}次太晚" for k in range(6)] + ["一个孤立的想法", "另一件不相干的事", "无"])
    result, _, classifier = run(lines, taxonomy=None)
    assert classifier is None
    assert len(result.discovered) == 3
    unassigned = [a for a in result.assignments if a.theme is None]
    assert len(unassigned) / result.total <= 0.15
    assert any("其他" in w for w in result.warnings)
    assert next(t for t in result.themes if t.id == "praise").count == 1


def test_progress_reports_every_stage():
    seen = []
    run(["食堂太贵", "宿舍漏水", "宿舍又漏水了"], progress=lambda stage, done, total: seen.append(stage))
    assert {"split", "redact", "embed", "classify", "summarise"} <= set(seen)


def test_empty_input_is_bad_input():
    with pytest.raises(BadInput):
        run(["", "   "])


def test_real_embedder_groups_a_no_taxonomy_run(embedder):
    lines = (["食堂饭菜太贵了", "食堂的菜价格太高", "食堂饭菜又贵又难吃", "希望食堂降低饭菜价格"]
             + ["宿舍楼顶漏水没人修", "宿舍漏水好几个月了", "宿舍屋顶漏雨请尽快维修", "宿舍卫生间漏水"]
             + ["无", "满意"])
    result = classify_opinions(lines, taxonomy=None, classifier=None, embedder=embedder)
    themes = [a.theme for a in result.assignments]
    assert len(set(themes[:4])) == 1 and len(set(themes[4:8])) == 1 and themes[0] != themes[4]
    assert themes[8:] == ["praise", "praise"]


def test_cli_rejects_bad_input():
    runner = CliRunner()
    assert runner.invoke(app, ["classify", "-", "--taxonomy", "none"], input="\n\n").exit_code == 2
    assert runner.invoke(app, ["classify", "/no/such/file.txt"]).exit_code == 2
    for fmt in ("xlsx", "docx"):
        out = runner.invoke(app, ["classify", "-", "--taxonomy", "none", "--format", fmt], input="食堂太贵\n")
        assert out.exit_code == 2 and "-o" in out.output


def test_cli_json_without_taxonomy(embedder, tmp_path):
    source = tmp_path / "in.txt"
    text = "食堂饭菜太贵了\n食堂饭菜价格太高\n我是张晓明，宿舍漏水\n宿舍漏水没人修\n无\n"
    source.write_text(text, encoding="utf-8")
    out = CliRunner().invoke(app, ["classify", str(source), "--taxonomy", "none", "--format", "json"])
    assert out.exit_code == 0, out.output
    assert '"total": 5' in out.output and "张晓明" not in out.output and "张**" in out.output


def test_a_run_about_one_topic_stays_one_theme(embedder):
    lines = ["食堂饭菜太贵了", "食堂的菜价格太高", "食堂饭菜又贵又难吃", "希望食堂降低饭菜价格",
             "食堂菜品太少", "食堂卫生差，桌子油腻"]
    result = classify_opinions(lines, taxonomy=None, classifier=None, embedder=embedder)
    assert len(result.discovered) == 1 and "食堂" in result.discovered[0].label


def test_rows_are_embedded_the_way_the_classifier_says():
    class OpeningClassifier(KeywordClassifier):
        """Embeds only the first two characters, like a classifier that reads a message's opening."""

        def __init__(self, keywords, embedder):
            super().__init__(keywords)
            self.embedder = embedder

        def embed(self, texts):
            return self.embedder.queries([t[:2] for t in texts])

    embedder = TopicEmbedder(TOPICS)
    classifier = OpeningClassifier({"食堂": "canteen"}, embedder)
    classify_opinions(["食堂太贵", "路灯不亮"], taxonomy=TAXONOMY, classifier=classifier, embedder=embedder)
    assert ["食堂", "路灯"] in embedder.calls


def test_a_part_with_no_theme_of_its_own_takes_its_lines_theme():
    result, _, classifier = run(["1.食堂饭菜太贵 2.希望尽快解决", "路灯不亮"])
    themes = {(a.line, a.text): a.theme for a in result.assignments}
    assert themes[(0, "食堂饭菜太贵")] == "canteen"
    # the bare request has no subject of its own: it takes the theme of the part before it, and nothing
    # is classified twice
    assert themes[(0, "希望尽快解决")] == "canteen"
    assert sorted(classifier.seen) == sorted(["食堂饭菜太贵", "希望尽快解决", "路灯不亮"])


def test_a_part_that_is_also_an_answer_by_itself_keeps_its_own_reading():
    result, _, _ = run(["1.食堂饭菜太贵 2.希望尽快解决", "希望尽快解决"])
    bare = [a.theme for a in result.assignments if a.text == "希望尽快解决"]
    assert len(bare) == 2 and "canteen" not in bare


def test_two_clear_opinions_on_one_line_keep_their_own_themes():
    result, _, _ = run(["食堂太贵；路灯不亮"])
    assert [(a.text, a.theme) for a in result.assignments] == [("食堂太贵", "canteen"), ("路灯不亮", "road")]


def test_lines_come_masked_once():
    from drafting.feedback.redact import Masked, mask_lines

    masked = mask_lines(["我是张晓明，食堂太贵；电话13812345678"])
    assert masked == ("我是张**，食堂太贵；电话138****5678",) and isinstance(masked, Masked)
    stages = []
    result, _, _ = run(masked, progress=lambda stage, done, total: stages.append(stage))
    assert "redact" not in stages  # the service masks the lines it stores; the pipeline does not mask again
    assert [a.text for a in result.assignments] == ["我是张**，食堂太贵", "电话138****5678"]
    stages.clear()
    run(["我是张晓明，食堂太贵"], progress=lambda stage, done, total: stages.append(stage))
    assert stages[0] == "redact"


@pytest.mark.parametrize("argv, line", [
    (["classify", "x.txt", "--format", "pdf"], "错误：--format: 只能是 md、json、xlsx、docx 之一"),
    (["draft"], "错误：FACTS: 缺少这一项"),
    (["nosuch"], "错误：没有这个命令：nosuch"),
    (["classify", "--bogus"], "错误：--bogus: 没有这个选项"),
])
def test_usage_errors_are_one_chinese_line_with_exit_2(argv, line, monkeypatch, capsys):
    from drafting.cli import main

    monkeypatch.setattr("sys.argv", ["drafting", *argv])
    with pytest.raises(SystemExit) as ended:
        main()
    err = capsys.readouterr().err
    assert ended.value.code == 2 and err.startswith(line) and err.count("\n") == 1
    assert "Usage" not in err and "Error" not in err


def test_lead_ins_do_not_make_a_new_opinion():
    from drafting.feedback.opinions import duplicate_key

    assert duplicate_key("说实话，我觉得食堂太贵！") == duplicate_key("食堂太贵")
    assert duplicate_key("希望领导重视：希望增加班车") == duplicate_key("增加班车")
    result, _, _ = run(["食堂太贵", "说实话，食堂太贵。", "我觉得食堂太贵", "路灯不亮"])
    assert result.unique == 2 and result.total == 4


def test_praise_in_words_is_counted_as_praise_without_a_taxonomy():
    result, _, _ = run(["很满意，公司这几年发展很好。", "宿舍漏水", "宿舍又漏水了", "宿舍漏水没人修"],
                       taxonomy=None)
    praise = next(t for t in result.themes if t.praise)
    assert praise.count == 1 and result.assignments[0].theme == praise.id


def test_keywords_are_content_words_not_numerals_or_adverbs():
    from drafting.feedback.discover import tokens

    assert tokens("审批流程太长，签字要跑好几个部门") == ("审批", "流程", "签字", "部门")
    assert "半天" not in tokens("食堂一开门就排队半天")


def test_a_themes_overview_and_measure_say_what_its_opinions_are_about():
    lines = ["食堂饭菜太贵", "食堂排队太久", "食堂卫生太差", "食堂饭菜太咸", "路灯不亮", "路面坑洼"]
    result, _, _ = run(lines)
    canteen = next(t for t in result.themes if t.id == "canteen")
    assert canteen.summary.startswith("主要反映食堂") and canteen.summary.endswith("等方面的问题。")
    # a user's theme: the default entry, with the keywords
    assert canteen.measure.startswith("针对群众反映的“食堂”方面问题（食堂")


def test_a_default_themes_measure_is_led_by_its_opinions_keywords():
    from drafting.feedback.summarise import measure_for

    measure, department = measure_for("conditions", "条件保障", ["电梯", "病房"])
    assert measure.startswith("针对群众反映集中的电梯、病房等问题，摸清设施设备") and department
    assert measure_for("conditions", "条件保障", [])[0].startswith("摸清设施设备")


def test_a_theme_with_neither_description_nor_examples_is_warned_about():
    bare = Taxonomy(themes=[Theme(id="canteen", name="食堂"),
                            Theme(id="road", name="道路", description="道路交通"),
                            Theme(id="praise", name="肯定与无意见")])
    result, _, _ = run(["食堂太贵", "路灯不亮"], taxonomy=bare)
    assert any("主题“食堂”没有说明和示例" in w for w in result.warnings)
    assert not any("道路" in w for w in result.warnings)


def test_the_typical_opinions_favour_the_often_said():
    lines = ["食堂饭菜太贵"] * 5 + ["食堂的饭菜价格贵", "食堂菜太咸", "食堂排队久", "路灯不亮"]
    result, _, _ = run(lines)
    canteen = next(t for t in result.themes if t.id == "canteen")
    assert canteen.representatives[0] == "食堂饭菜太贵"


def test_a_typical_opinion_is_not_quoted_twice():
    lines = ["居民张**：食堂饭菜太贵，希望降价", "同上", "食堂饭菜太贵，希望降价", "食堂菜太咸", "食堂排队久"]
    result, _, _ = run(lines)
    quotes = [q for t in result.themes for q in t.representatives]
    assert len(quotes) == len(set(quotes)) and any("食堂饭菜太贵" in q for q in quotes)


@pytest.mark.parametrize("text", ["医生很好，就是挂号排队时间长", "环境很好，厕所脏", "群众认可度低",
                                  "收费标准值得商榷", "他们肯定收了好处", "网上好评太少，差评多",
                                  "不值得表扬", "感谢社区，可惜电梯还坏着"])
def test_praise_with_a_complaint_beside_it_is_not_praise(text):
    from drafting.feedback.opinions import reads_as_praise

    assert not reads_as_praise(text)


def test_a_theme_named_like_a_key_of_the_measures_file_is_a_theme_like_any_other():
    from drafting.feedback.summarise import measure_for

    for theme_id in ("_lead", "default", "lead"):
        measure, _ = measure_for(theme_id, "领导班子", ["会议"])
        assert measure.count("针对") == 1 and "领导班子" in measure


def test_bare_drafting_shows_its_help(monkeypatch, capsys):
    from drafting.cli import main

    monkeypatch.setattr("sys.argv", ["drafting"])
    with pytest.raises(SystemExit) as ended:
        main()
    assert ended.value.code == 0 and "群众评议工作总结起草与意见归类工具" in capsys.readouterr().out


def test_a_class_number_is_not_a_list_marker():
    """三(2)班 names a class: the line stays one opinion, while (1)…(2)… still numbers a list."""
    assert split_opinion("我是三(2)班王**的妈妈，作业太多，孩子写到十一点") == [
        "我是三(2)班王**的妈妈，作业太多，孩子写到十一点"]
    assert split_opinion("（1）停车位少（2）食堂饭菜贵") == ["停车位少", "食堂饭菜贵"]


def test_a_complaint_that_names_staff_is_not_praise_of_them():
    """好一会儿 and 好几次 are not thanks: a fault naming a nurse stays a problem on the list."""
    from drafting.feedback.opinions import commends_staff

    assert not commends_staff("晚上病房没有护士巡视，老人摔在地上好一会儿才被发现")
    assert not commends_staff("个别护士给病人扎针扎了好几次，还嫌病人血管不好")
    assert commends_staff("心内科吴**医生医术好人也好，谢谢他")
