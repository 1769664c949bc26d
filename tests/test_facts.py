"""Facts: loading JSON and YAML, the rejections of spec facts.md as one line naming the field, the schema."""

import json
from pathlib import Path
from typing import Literal

import pytest
from click.testing import CliRunner

from drafting.cli import app
from drafting.errors import BadInput
from drafting.writer.facts import facts_schema, load_facts

DATA = Path(__file__).parent / "data" / "facts"
ROOT = Path(__file__).resolve().parent.parent


def facts_json(**fields) -> str:
    return json.dumps({"unit": "某某党支部", "date": "2024-01-15", **fields}, ensure_ascii=False)


def rejection(text: str) -> str:
    with pytest.raises(BadInput) as caught:
        load_facts(text)
    return caught.value.message


def test_json_and_yaml_give_the_same_facts():
    yaml_text = ("unit: 某某党支部\ndate: 2024-01-15\nsector: 企业\n"
                 "stats:\n  - {label: 发放问卷, value: 7800多, unit: 份}\n")
    from_yaml = load_facts(yaml_text)
    stats = [{"label": "发放问卷", "value": "7800多", "unit": "份"}]
    from_json = load_facts(facts_json(sector="企业", stats=stats))
    assert from_yaml == from_json
    assert from_yaml.stats[0].value == "7800多"
    assert from_yaml.goal == "创新增效", "nothing names a campaign: the default 创先争优 and its sector goal"
    assert load_facts(yaml_text + "activity: 党纪学习教育\n").goal is None


def test_numbers_typed_as_numbers_and_a_byte_order_mark_are_accepted():
    facts = load_facts("\ufeff" + facts_json(stats=[{"label": "收缴木材", "value": 957.89, "unit": "立方米"},
                                                    {"label": "评议大会", "value": 645, "unit": "场次"}]))
    assert [s.value for s in facts.stats] == ["957.89", "645"]


def test_figures_stay_exactly_as_typed_in_json_and_yaml():
    typed = facts_json(stats=[{"label": "满意度", "value": 0, "unit": "%"}])
    typed = typed.replace('"value": 0', '"value": 98.60')
    assert load_facts(typed).stats[0].value == "98.60"
    facts = load_facts("unit: 某某党支部\ndate: 2024-06-30\n"
                       "stats:\n  - {label: 满意度, value: 98.60, unit: '%'}\n"
                       "appraisal: {members_total: 23, members_reviewed: 20}\n")
    assert facts.stats[0].value == "98.60" and facts.appraisal.members_total == 23
    assert "1:30" in rejection("unit: 某某党支部\ndate: 2024-06-30\nstats:\n  - {label: 用时, value: 1:30}\n")


def test_a_comma_in_an_unquoted_yaml_number_is_explained():
    text = "unit: 某某党支部\ndate: 2024-06-30\nstats:\n  - {label: 发放问卷, value: 1,250, unit: 份}\n"
    expected = "主要数据第1项：数字中的逗号把它拆开了（多出“250”），含逗号的数字请加引号，如 \"1,250\""
    assert rejection(text) == expected


def test_files_load_and_defaults_apply():
    facts = load_facts(DATA / "village_minimal.yaml")
    assert facts.unit == "东山村党支部" and facts.activity == "创先争优"
    # nothing names another campaign: the spec's default (facts.md) is the campaign, with its sector goal
    assert facts.campaign == "创先争优" and facts.goal == "创业致富"


@pytest.mark.parametrize(("basis", "campaign"), [
    ("分局党委《关于深入开展“我为群众办实事”群众评议活动的通知》", "我为群众办实事"),
    ("县税务局党委《关于开展“作风建设年”活动群众评议工作的通知》", "作风建设年"),
    ("校党委组织部《关于开展党组织和党员创先争优群众评议工作的通知》", "创先争优"),
    ("县卫生健康局党组关于开展党纪学习教育群众评议工作的通知", "党纪学习教育"),
    ("街道党工委《关于在主题教育中开展群众评议工作的通知》", "主题教育"),
    ("镇党委《关于开展2024年度基层党组织和党员群众评议工作的通知》", "创先争优"),
    ("公司党委《关于在基层党组织和党员中开展群众评议的实施方案》", "创先争优"),
])
def test_the_campaign_is_the_one_given_else_the_basis_s_else_the_default(basis: str, campaign: str):
    facts = load_facts(facts_json(basis=basis))
    assert facts.campaign == campaign
    assert load_facts(facts_json(basis=basis, activity="党建引领基层治理")).campaign == "党建引领基层治理"


@pytest.mark.parametrize("fields, expected", [
    ({"stats": [{"label": "a", "value": "1"}, {"label": "b", "value": "2"},
                {"label": "群众满意度", "value": "120", "unit": "%"}]},
     "主要数据第3项的数值：百分比必须是 0 到 100 之间的数字"),
    ({"stats": [{"label": "满意度", "value": "96多", "unit": "%"}]},
     "主要数据第1项的数值：百分比必须是 0 到 100 之间的数字"),
    ({"stats": [{"label": "问卷", "value": "很多", "unit": "份"}]}, "主要数据第1项的数值："),
    ({"sector": "军队"}, "领域：只能是 农村、街道社区"),
    ({"stats": "645"}, "主要数据：应为列表"),
    ({"appraisal": {"meetings": -1}}, "评议统计的评议会议数：不能是负数"),
    ({"appraisal": {"meetings": "三次"}}, "评议统计的评议会议数：应为整数"),
    ({"colour": "红"}, "colour：不认识的字段"),
    ({"appraisal": {"orgs_reviewed": 2, "orgs_basic_satisfied": 3}},
     "评议统计·基本满意以上（3）不能多于被评议（2）"),
    ({"appraisal": {"members_total": 9, "members_reviewed": 10}},
     "评议统计·被评议（10）不能多于党员总数（9）"),
])
def test_rejections_name_the_field(fields, expected):
    message = rejection(facts_json(**fields))
    assert message.startswith(expected)
    assert "\n" not in message


def test_missing_unit_and_bad_date():
    assert rejection('{"date": "2024-01-15"}') == "单位名称：必须填写"
    assert rejection('{"unit": "某某党支部", "date": "2024-13-40"}') == "成文日期：日期格式应为 YYYY-MM-DD"
    assert rejection('{"unit": "  ", "date": "2024-01-15"}').startswith("单位名称：")
    for odd in ('20240115', '0', '"2024-01-15T10:00"', '"2024/01/15"'):
        assert rejection('{"unit": "某某党支部", "date": ' + odd + "}") == "成文日期：日期格式应为 YYYY-MM-DD"
    assert rejection(facts_json(appraisal={"meetings": True})) == "评议统计的评议会议数：应为整数"


def test_the_seed_statistics_form_is_caught():
    assert rejection(str(DATA / "yinyu_mine_form_as_filed.json")) == \
        "评议统计·满意（8）不能多于基本满意以上（1）"


def test_percent_qualifier_allowed_after_a_count():
    facts = load_facts(facts_json(stats=[{"label": "参与人员", "value": "36300余", "unit": "人次"},
                                         {"label": "满意度", "value": "96", "unit": "%"},
                                         {"label": "捐款", "value": "一万两千余", "unit": "元"}]))
    assert [s.value for s in facts.stats] == ["36300余", "96", "一万两千余"]


def test_cli_rejects_bad_facts_with_one_line_and_exit_2(tmp_path):
    result = CliRunner().invoke(app, ["draft", str(DATA / "yinyu_mine_form_as_filed.json")])
    assert result.exit_code == 2
    expected = "错误：评议统计·满意（8）不能多于基本满意以上（1）"
    assert result.output.strip().splitlines() == [expected]
    stdin = CliRunner().invoke(app, ["draft", "-"], input='{"unit": "x"}')
    assert stdin.exit_code == 2 and "成文日期：必须填写" in stdin.output
    docx = CliRunner().invoke(app, ["draft", str(DATA / "district_committee.json"), "--format", "docx"])
    assert docx.exit_code == 2 and "-o" in docx.output


def test_schema_file_is_current():
    published = json.loads((ROOT / "docs" / "facts.schema.json").read_text(encoding="utf-8"))
    assert published == facts_schema(), "run: .venv/bin/drafting schema > docs/facts.schema.json"
    printed = CliRunner().invoke(app, ["schema"])
    assert json.loads(printed.output) == published
    assert set(published["required"]) == {"unit", "date"}


def test_unparseable_facts_are_refused_in_chinese_with_the_line():
    with pytest.raises(BadInput) as caught:
        load_facts("unit: 某党支部\ndate: 2024-01-15\nstats: [x\n")
    assert caught.value.message == "FACTS: 不是有效的 JSON 或 YAML（第 4 行有误）"


def test_messages_name_fields_by_their_labels_and_literals_by_their_own_values():
    from pydantic import BaseModel, ValidationError

    from drafting.writer.facts import explain, field_label

    assert field_label(("stats", 0, "value")) == "主要数据第1项的数值"
    assert field_label(("highlights", 1)) == "工作亮点第2条"
    assert field_label(("appraisal", "members_satisfied")) == "评议统计的满意的党员数"

    class Options(BaseModel):
        engine: Literal["auto", "template", "llm"]

    try:
        Options.model_validate({"engine": "bogus"})
    except ValidationError as exc:
        assert explain(exc).message == "engine: 只能是 auto、template、llm 之一"


def test_field_lengths_are_bounded_so_no_export_fails_on_them():
    long_unit = rejection(facts_json(unit="某" * 50_000))
    assert long_unit == "单位名称：不能超过 60 个字"
    assert rejection(facts_json(highlights=["做法"] * 31)) == "工作亮点：最多 30 条"
    assert rejection(facts_json(problems=["问" * 301])) == "存在问题第1条：不能超过 300 个字"
    result = CliRunner().invoke(app, ["draft", "-"], input=facts_json(unit="某" * 50_000))
    assert result.exit_code == 2 and result.output.strip() == "错误：单位名称：不能超过 60 个字"
