"""What an official-document writer found in the template drafts (/tmp/review, issue 10), each as a rule of
the engine: the campaign the facts name, parallel item headings, figures where they belong, the unit's own
people, verbs on next steps, and refused borrowings."""

import re
from datetime import date
from pathlib import Path

import pytest

from drafting.writer.facts import Appraisal, Facts, Stat, load_facts
from drafting.writer.models import Exemplars
from drafting.writer.phrasing import count_conflicts, plain_figure
from drafting.writer.template_engine import TemplateEngine, with_verb
from drafting.writer.wording import refused

DATA = Path(__file__).parent / "data"
HELDOUT = DATA / "facts_heldout"
BLIND = DATA / "facts_blind"


def forced(variant: int) -> TemplateEngine:
    return TemplateEngine(choose=lambda options, slot: options[variant % len(options)])


@pytest.mark.parametrize("variant", range(4))
def test_item_headings_of_a_part_are_parallel_in_every_variant(variant: int):
    draft = forced(variant).write(load_facts(HELDOUT / "county_hospital.json"), Exemplars())
    measures, traits, assurances = (s.items for s in draft.sections[1:4])
    assert all(item[2:4] == "确保" for item in assurances if item[1] == "是"), assurances
    trait_verbs = {re.sub(r"(针对|操作|科学|实践)性.*", "", item[2:]) for item in traits if item[1] == "是"}
    assert len(trait_verbs) == 1, traits
    measure_forms = {("做到" in item.split("。")[0], "，" in item.split("。")[0]) for item in measures
                     if item[1] == "是"}
    assert len(measure_forms) == 1, measures
    assert "风向标" not in draft.text
    assert "落实四项措施" not in draft.text or "落实四个确保" not in draft.text


def test_the_campaign_is_the_activity_given_else_the_basis_s_else_the_default():
    town = load_facts(HELDOUT / "town_government.json")  # 中央八项规定精神学习教育, sector 农村
    draft = TemplateEngine().write(town, Exemplars())
    assert "创业致富" not in draft.text and "评议目标" not in draft.text
    thin = TemplateEngine().write(load_facts(HELDOUT / "coal_mine.json"), Exemplars())
    # nothing names a campaign: the spec's default (facts.md: activity defaults to 创先争优)
    assert thin.title == "宏泰煤矿党支部创先争优群众评议工作总结"  # dated January: no year
    tax = TemplateEngine().write(load_facts(BLIND / "tax_bureau_office.yaml"), Exemplars())
    assert "“便民办税春风行动”" in tax.title and "创先争优" not in tax.text


def test_the_works_results_stand_together_and_satisfaction_opens():
    hospital = load_facts(BLIND / "hospital_county.json")
    draft = TemplateEngine().write(hospital, Exemplars())
    opening = draft.sections[0].items[0]
    for stat in hospital.stats:
        if "满意" in stat.label:
            assert plain_figure(stat.value) in opening, stat
    college = TemplateEngine().write(load_facts(BLIND / "college_party_committee.json"), Exemplars())
    results = college.sections[3].items[-1]
    assert "获批国家自然科学基金项目7项，科研经费到账3150万元" in results
    assert not any("国家自然科学基金" in item for item in college.sections[3].items[1:5])


def test_the_unit_names_the_people_it_serves_and_the_form_reads_as_prose():
    tax = load_facts(HELDOUT / "tax_office.yaml")
    draft = TemplateEngine().write(tax, Exemplars())
    for wrong in ("办事群众", "向群众说明", "名群众参加评议", "为群众办实事"):
        assert wrong not in draft.text
    assert "132名纳税人缴费人参加评议" in draft.text
    assert "党员17名全部接受评议，均评为“基本满意”以上，其中16名评为“满意”" in draft.text
    assert "1个党组织参加评议，评议为“满意”" in draft.text


def test_figures_are_written_plain_and_meetings_are_held():
    police = load_facts(BLIND / "police_station.json")
    draft = TemplateEngine().write(police, Exemplars())
    assert "12860起" in draft.text and "12,860" not in draft.text and draft.verification.ok
    district = TemplateEngine().write(load_facts(HELDOUT / "district_committee.yaml"), Exemplars())
    assert "开展评议大会" not in district.text and "召开评议大会" in district.text


def test_a_count_given_twice_with_two_numbers_is_flagged_for_the_writer():
    facts = load_facts(HELDOUT / "town_government.json")
    warned = count_conflicts(facts)
    assert len(warned) == 1 and "4100余" in warned[0] and "4150" in warned[0]
    assert warned[0] in TemplateEngine().write(facts, Exemplars()).warnings
    july = date(2025, 7, 1)
    same = Facts(unit="某村党支部", date=july, stats=[Stat(label="参加评议群众", value="186", unit="人")],
                 appraisal=Appraisal(participants=186))
    assert count_conflicts(same) == []
    orgs = Facts(unit="某镇党委", date=july, stats=[Stat(label="参评基层党组织", value="31", unit="个")],
                 appraisal=Appraisal(participants=4150))
    assert count_conflicts(orgs) == [], "organisations are no count of people"


@pytest.mark.parametrize("variant", range(4))
def test_no_new_year_in_july(variant: int):
    facts = load_facts(HELDOUT / "town_government.json")
    assert facts.date.month == 7
    assert "新的一年" not in forced(variant).write(facts, Exemplars()).text


@pytest.mark.parametrize(("step", "written"), [
    ("评议结果与村干部绩效考核挂钩", "推动评议结果与村干部绩效考核挂钩"),
    ("驰而不息纠治“四风”", "驰而不息纠治“四风”"),
    ("协调周边单位错时开放停车场", "协调周边单位错时开放停车场"),
    ("推广自助机和手机预约挂号", "推广自助机和手机预约挂号"),
    ("在职党员“双报到”常态化", "推动在职党员“双报到”常态化"),
    ("弹性窗口", "抓好弹性窗口"),
])
def test_a_next_step_gets_a_verb_only_when_it_has_none(step: str, written: str):
    assert with_verb(step) == written


@pytest.mark.parametrize("sentence", [
    "分别召开企业座谈会、劳动者座谈会，面对面评议局机关的作风和服务。",
    "我院专题召开党政联席会议，研究制定工作方案。",
    "高度重视，精心部署，全力服务科学发展，群众评议工作开展扎实有效。",
])
def test_borrowed_meetings_and_slogans_the_facts_do_not_hold_are_refused(sentence: str):
    assert refused(sentence, '{"stats": [{"label": "召开纳税人座谈会"}]}', "other")


def test_a_meeting_the_facts_hold_may_be_borrowed():
    assert not refused("召开纳税人座谈会，面对面听取意见。", "召开纳税人座谈会8场", "other")
    assert not refused("召开座谈会，面对面听取意见。", "", "other")


def test_thin_facts_mark_what_is_missing_instead_of_claiming_it():
    village = load_facts(HELDOUT / "village.json")
    draft = TemplateEngine().write(village, Exemplars())
    assert draft.verification.ok
    for claim in ("统一制定评议表格", "列出整改清单", "在肯定成绩的同时"):
        assert claim not in draft.text
    assert "〔待补充：群众满意度等主要数字〕" in draft.text
    assert draft.text.count("〔待补充：具体措施〕") == len(village.problems)


def test_a_size_figure_named_by_the_units_own_word_is_not_doubled():
    facts = Facts(unit="幸福里社区党委", date=date(2025, 6, 1), sector="街道社区",
                  stats=[Stat(label="社区常住居民", value="8600余", unit="人")])
    text = TemplateEngine().write(facts, Exemplars()).text
    assert "我社区常住居民8600余人" in text and "社区社区" not in text
