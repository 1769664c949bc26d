"""verify(facts, text): figures present as written, none invented, structure exempt, items used."""

from datetime import date

import pytest

from drafting.numerals import chinese_date, find_figures, parse_figure
from drafting.writer.facts import Facts, Stat
from drafting.writer.verify import verify

SIGNATURE = "\n某某区委\n二〇二四年一月十二日"


def facts(**fields) -> Facts:
    base = {"unit": "某某区委", "date": date(2024, 1, 12)}
    return Facts(**{**base, **fields})


STATS = [Stat(label="开展评议大会", value="645", unit="场次"),
         Stat(label="发放评议问卷", value="7800多", unit="份"),
         Stat(label="群众满意度", value="96", unit="%")]


@pytest.mark.parametrize("written, value", [
    ("645", 645), ("7800多", 7800), ("36300余", 36300), ("一万两千余", 12000), ("957.89", 957.89),
    ("96%", 96), ("百分之九十六", 96), ("三分之一", 1 / 3), ("六百四十五", 645), ("3万多", 30000),
    ("近万", 10000), ("２０", 20),
])
def test_parse_figure(written, value):
    assert parse_figure(written) == pytest.approx(value)


def test_chinese_date():
    assert chinese_date(date(2024, 1, 15)) == "二〇二四年一月十五日"
    assert chinese_date(date(2012, 10, 9)) == "二〇一二年十月九日"
    assert chinese_date(date(2024, 12, 31)) == "二〇二四年十二月三十一日"


def test_chinese_quantities_are_read_but_idioms_are_not():
    text = "开展六百余场评议，十分重视，一名党员就是一面旗帜，百姓满意度百分之九十六，占三分之一"
    found = [f.text for f in find_figures(text)]
    assert found == ["六百余", "百分之九十六", "三分之一"]


def test_a_faithful_text_passes():
    text = ("某某区委2024年创先争优群众评议工作总结\n一、采取四项措施，找准群众评议工作风向标\n"
            "一是准备工作求细。共开展评议大会645场次，发放评议问卷7800多份，群众满意度达96%。"
            "二是围绕“服务发展”目标。落实“五个好”“五带头”和三会一课制度。" + SIGNATURE)
    report = verify(facts(stats=STATS, sector="机关"), text)
    assert report.ok, report
    assert report.missing_facts == [] and report.unsupported_numbers == []


def test_missing_figures_and_items_are_named():
    f = facts(stats=STATS, sector="企业", problems=["个别党组织重视程度不够高"],
              next_steps=["推行一季一评议制度"], highlights=["邀请监理单位群众代表参加评议"],
              basis="公司党工委关于开展群众评议工作的通知", activity="创先争优")
    report = verify(f, "某某区委开展评议大会6450场次。" + SIGNATURE)
    assert not report.ok
    joined = "\n".join(report.missing_facts)
    for expected in ("645场次", "7800多份", "96%", "创新增效", "个别党组织重视程度不够高",
                     "推行一季一评议制度", "邀请监理单位群众代表参加评议",
                     "公司党工委关于开展群众评议工作的通知"):
        assert expected in joined
    assert report.unsupported_numbers == ["6450"]
    assert any("6450" in line for line in report.feedback())


@pytest.mark.parametrize("invented", ["4600多条", "六百余场", "百分之九十八", "三分之一", "近五百人",
                                      "约30人", "12.5%", "二〇二三年", "3.6万人次"])
def test_invented_figures_are_caught(invented):
    report = verify(facts(stats=STATS), "开展评议大会645场次，发放评议问卷7800多份，群众满意度达96%。"
                    f"另有{invented}参加。" + SIGNATURE)
    assert not report.ok
    assert len(report.unsupported_numbers) == 1
    assert report.unsupported_numbers[0] in invented


def test_structural_numbers_are_exempt():
    text = ("一、采取四项措施\n（一）突出四种特性\n1、围绕四个确保\n一是二是三是四是，第一，"
            "五个好，五带头，三会一课，四个方面入手，党组织“一把手”。" + SIGNATURE)
    assert verify(facts(), text).unsupported_numbers == []


def test_figures_inside_the_facts_own_text_are_supported():
    f = facts(unit="第三中学党总支", basis="市委〔2024〕15号文件", highlights=["资助40名贫困生"],
              next_steps=["推行一季一评议、半年一小结"], date=date(2024, 1, 15))
    text = ("第三中学党总支按照市委〔2024〕15号文件要求，资助40名贫困生，推行一季一评议、半年一小结。"
            "2024年1月15日\n二〇二四年一月十五日")
    report = verify(f, text)
    assert report.ok, report


def test_a_date_or_year_not_in_the_facts_is_unsupported():
    report = verify(facts(), "某某区委2023年群众评议工作总结\n某某区委\n二〇二四年一月十二日")
    assert report.unsupported_numbers == ["2023"]
    assert verify(facts(), "某某区委\n二〇二四年元月十二日").ok
    report = verify(facts(), "某某区委\n二〇二四年二月十二日")
    assert any("二〇二四年一月十二日" in m for m in report.missing_facts)
    assert report.unsupported_numbers == ["二"]
    assert verify(facts(), "共召开评议会12场。\n某某区委\n二〇二四年一月十二日").unsupported_numbers == ["12"]


def test_paraphrased_item_counts_as_used_but_an_absent_one_does_not():
    f = facts(problems=["个别党组织对群众评议工作重视程度不够高"])
    assert verify(f, "存在问题：个别党组织对群众评议工作重视得不够高。" + SIGNATURE).ok
    assert not verify(f, "存在问题：工作方式方法不灵活。" + SIGNATURE).ok


def test_a_figure_must_stand_beside_its_meaning():
    f = facts(stats=[Stat(label="群众满意度", value="96", unit="%"),
                     Stat(label="破案", value="537", unit="起")])
    assert verify(f, "群众满意率达96%，破案537起。" + SIGNATURE).ok
    report = verify(f, "破案96%。" + "文字" * 20 + "群众满意度很高，共537起。" + SIGNATURE)
    assert report.missing_facts == ["数字“96%”没有和它的含义“群众满意度”写在一起",
                                    "数字“537起”没有和它的含义“破案”写在一起"]


def test_stat_in_ten_thousands_reads_back():
    f = facts(stats=[Stat(label="挽救经济损失", value="322.17", unit="万元")])
    assert verify(f, "为国家挽救经济损失322.17万元。" + SIGNATURE).ok
