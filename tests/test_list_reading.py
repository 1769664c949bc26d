"""What the rectification list says, as an organiser reads it: 问题概述 in the opinions' own words, measures
that answer their theme and end differently, the right 责任部门 and 完成时限, typical opinions on one topic.
The pipeline runs with the recording topic embedder and the keyword classifier (fast and exact); measures
are planned from plain texts and Theme models."""

import re

import numpy as np

from drafting.feedback.models import Taxonomy, Theme, ThemeSummary
from drafting.feedback.pipeline import classify_opinions
from drafting.feedback.rectify import MeasurePlan, lend_sector_themes, plan_measure, subject_of, word_measures
from drafting.feedback.taxonomy import sector_taxonomy
from tests.opinion_doubles import KeywordClassifier, TopicEmbedder

PARKING = Taxonomy(themes=[Theme(id="parking", name="停车与交通", description="院内停车位不足、停车收费"),
                           Theme(id="canteen", name="食堂", description="食堂饭菜"),
                           Theme(id="praise", name="肯定与无意见")])
SECTOR_PARKING = Theme(id="parking", name="停车难", description="停车位少、停车收费高、院门口拥堵",
                       department="后勤保障科（保卫科）",
                       actions={"车位": "挖潜增设停车位，职工车辆移至后院", "收费": "停车收费标准公示",
                                "门口": "增设临时落客区"})
SECTOR_ATTITUDE = Theme(id="attitude", name="服务态度差", description="医护和窗口人员态度生硬",
                        department="医务科", actions={"护士": "开展护理人员文明服务培训"})


def classify(lines: list[str], taxonomy: Taxonomy = PARKING):
    embedder = TopicEmbedder(["停车", "食堂", "路"])
    classifier = KeywordClassifier({"停车": "parking", "车位": "parking", "食堂": "canteen"}, embedder)
    return classify_opinions(lines, taxonomy=taxonomy, classifier=classifier, embedder=embedder)


def test_the_overview_says_in_the_opinions_words_what_is_wrong_without_people_or_asks():
    lines = ["三组王**：停车位太少了，我每次都停不下", "停车位太少", "停车场出口太堵，出去要二十分钟",
             "停车费太贵了，建议公示收费标准", "停车场收费太贵", "能不能多划几个停车位？"]
    parking = next(t for t in classify(lines).themes if t.id == "parking")
    assert parking.summary.startswith("主要反映停车") and parking.summary.endswith("等方面的问题。")
    clauses = re.split(r"[、，]", parking.summary.removeprefix("主要反映").removesuffix("等方面的问题。"))
    assert "停车位太少" in parking.summary and any("太堵" in c or "太贵" in c for c in clauses)
    assert not re.search(r"[*我]|建议|能不能|王", parking.summary)  # no person, no ask
    assert len(clauses) == len(set(clauses)) >= 2


def test_the_typical_opinions_are_concrete_single_topic_and_not_just_the_most_repeated():
    lines = ["食堂排队太长"] * 3 + ["食堂窗口就开两个，排队排到大厅门口", "食堂饭菜太贵，另外路灯也不亮",
                                "食堂菜价太高"]
    canteen = next(t for t in classify(lines).themes if t.id == "canteen")
    assert canteen.representatives[0] == "食堂窗口就开两个，排队排到大厅门口"
    assert "食堂饭菜太贵，另外路灯也不亮" not in canteen.representatives
    assert len(set(canteen.representatives)) == len(canteen.representatives) == 3


def test_a_users_theme_borrows_the_nearest_sector_themes_actions_and_department():
    texts = [("院里车位太少", 3), ("停车收费太贵", 2), ("医院门口堵死了", 1), ("护士态度差，护士也不来", 1)]
    lent = lend_sector_themes({"parking": ("停车与交通", PARKING.themes[0], texts)},
                              [SECTOR_ATTITUDE, SECTOR_PARKING])
    assert lent == {"parking": SECTOR_PARKING}
    plan = plan_measure("停车与交通", PARKING.themes[0], texts, lent["parking"], own_measure=True)
    assert plan is not None and plan.department == "后勤保障科（保卫科）"
    assert plan.actions == ["挖潜增设停车位，职工车辆移至后院", "停车收费标准公示", "增设临时落客区"]
    assert plan.kind == "deadline" and plan.subject == "停车与交通"
    [row] = word_measures([ThemeSummary(id="parking", name="停车与交通", count=7, share=1.0)],
                          {"parking": plan})
    assert row.measure.startswith("一是挖潜增设停车位，职工车辆移至后院；二是停车收费标准公示；"
                                  "三是增设临时落客区。")
    assert row.deadline == "3个月内" and row.department == "后勤保障科（保卫科）"


def test_without_a_sector_theme_the_measure_is_built_from_the_opinions_asks():
    texts = [("抽血窗口太少，能不能多开几个抽血窗口", 2), ("建议检查报告在手机上查看", 1),
             ("我希望给我打电话", 1)]
    plan = plan_measure("抽血", Theme(id="blood", name="抽血"), texts, None, own_measure=True)
    assert plan is not None and plan.actions == ["增开抽血窗口", "检查报告在手机上查看"]
    assert plan.department == ""  # no guess: the organiser fills it in


def test_a_taxonomys_own_measure_is_used_as_written():
    theme = Theme(id="canteen", name="食堂", measure="每月公示菜价，增加平价菜", department="后勤科")
    plan = plan_measure("食堂", theme, [("食堂太贵", 1)], None, own_measure=True)
    assert plan is not None and plan.fixed == "每月公示菜价，增加平价菜" and plan.department == "后勤科"
    [row] = word_measures([ThemeSummary(id="canteen", name="食堂", count=1, share=1.0)], {"canteen": plan})
    assert row.measure.startswith("每月公示菜价，增加平价菜。") and row.deadline


def test_measures_close_differently_and_carry_their_deadline():
    plans = {f"t{k}": MeasurePlan(actions=[f"维修第{k}处设施"], kind="quick", lasting=k == 0,
                                  subject=f"设施{k}") for k in range(4)}
    themes = [ThemeSummary(id=f"t{k}", name=f"设施{k}问题", count=1, share=0.25) for k in range(4)]
    rows = word_measures(themes, plans)
    closings = [row.measure.split("。", 1)[1] for row in rows]
    assert len(set(closings)) == 4 and all(row.measure.startswith(f"维修第{k}处设施。")
                                           for k, row in enumerate(rows))
    assert [row.deadline for row in rows] == ["1个月内，长期坚持", "1个月内", "1个月内", "1个月内"]
    assert "长效" in rows[0].measure and "长效" not in rows[1].measure


def test_overtime_pay_goes_to_personnel_never_to_discipline_inspection():
    company = sector_taxonomy("企业").themes
    texts = [("加班费算少了，工资条上只算了40个小时", 2), ("加班费发放不及时", 3)]
    overtime = Theme(id="overtime", name="加班费")
    lent = lend_sector_themes({"overtime": ("加班费", overtime, texts)}, company)
    plan = plan_measure("加班费", overtime, texts, lent.get("overtime"), own_measure=True)
    assert plan is not None and "纪检" not in plan.department and "人力资源" in plan.department
    assert any("加班费" in action for action in plan.actions)


def test_a_sector_theme_lends_to_one_theme_only_so_no_two_rows_share_a_measure():
    themes = {"cadre": ("村干部作风", None, [("村干部找不着人", 2)]),
              "meeting": ("开会问题", None, [("村干部开会太多，找不着人", 1)])}
    cadre = Theme(id="conduct", name="干部作风不实", description="村干部找不着人、办事拖",
                  actions={"村干部": "落实村干部坐班值班制度"})
    assert lend_sector_themes(themes, [cadre]) == {"cadre": cadre}


def test_the_subject_of_a_theme_is_its_name_before_what_is_wrong():
    names = ("停车难", "低保评定不公平", "道路破损出行难", "排队候诊", "安全防护与设备隐患")
    assert [subject_of(n) for n in names] == ["停车", "低保评定", "道路", "排队候诊", "安全防护与设备"]


def test_a_typical_opinion_is_quoted_without_who_typed_or_said_it_and_without_a_praising_opener():
    from drafting.feedback.summarise import quote

    said = {"意见卡：政策解读得太少，企业都是看别人转的文章": "政策解读得太少，企业都是看别人转的文章",
            "意见卡（签名：沈**）：窗口太少，排队太久": "窗口太少，排队太久",
            "11/17 来电：大厅早上八点开门，七点半就有人排队了": "大厅早上八点开门，七点半就有人排队了",
            "11/9 来电人臧**反映发票领不到": "发票领不到",
            "11/4 来电人訾**（69岁）：不会用手机申报": "不会用手机申报",
            "[幸福一家人 08:12] 电梯又坏了": "电梯又坏了",
            "三组刘**：俺说说垃圾的事，垃圾箱满了好几天才拉一回": "垃圾箱满了好几天才拉一回",
            "总体满意，就是：儿童游乐设施太少": "儿童游乐设施太少",
            "总体挺好的，就是两个小问题：楼顶天台的门没锁，小孩能上去": "楼顶天台的门没锁，小孩能上去",
            "退税到账了，但是少了几十块": "退税到账了，但是少了几十块"}
    assert {text: quote(text) for text in said} == said


def test_no_typical_opinion_is_a_same_as_line_a_half_cut_list_or_off_the_themes_topic():
    from drafting.feedback.opinions import Opinions
    from drafting.feedback.summarise import _representatives

    texts = ["同上，停车的事", "停车场的灯不亮 3、路灯也坏了", "小区的落叶堆了一个礼拜",
             "意见卡：停车位太少，晚上停不下", "停车场收费太贵，一小时十块", "停车场出口太堵，出去要二十分钟"]
    ops = Opinions(lines=list(range(6)), texts=texts, unique=texts, uid=np.arange(6),
                   weights=np.ones(6, dtype=int))
    vectors = np.ones((6, 2), dtype=np.float32) / np.sqrt(2)  # all equally central: only the quotes differ
    picks = _representatives(list(range(6)), ops, vectors, np.full(6, 0.9), set(), {"停车", "停车场", "车位"})
    assert sorted(picks) == sorted(["停车位太少，晚上停不下", *texts[4:]])


def test_an_overview_is_made_of_whole_clauses_that_each_name_a_problem():
    lines = ["停车位太少了，物业也不管", "总体满意，就是：停车场收费太贵", "停车场出口太堵了吧",
             "停车的事谁管？停车场的灯不亮了", "停车场有个王**家的车一直占着，出口也堵"]
    parking = next(t for t in classify(lines).themes if t.id == "parking")
    clauses = re.split(r"[、，]", parking.summary.removeprefix("主要反映").removesuffix("等方面的问题。"))
    assert clauses and all(c and c[0] not in "的：:，、" and c[-1] not in "的：:，、了吧" for c in clauses)
    assert "停车位太少" in clauses and "物业不管" not in clauses  # 物业也不管 goes on from 停车位太少了
    assert not any("也" in c or "满意" in c or "*" in c or "谁" in c for c in clauses)


def test_an_action_that_belongs_to_another_row_is_left_to_it():
    sanitation = Theme(id="environment", name="环境卫生差", description="垃圾清运、楼道堆物",
                       actions={"垃圾": "落实垃圾定时清运", "楼道": "清理楼道堆物",
                                "狗": "开展文明养犬宣传和整治"})
    texts = [("垃圾桶太臭", 3), ("楼道堆满杂物", 2), ("草坪上有狗屎没人扫", 1)]
    pets = [("遛狗不牵绳", 4), ("狗叫扰民", 2)]
    plan = plan_measure("环境卫生差", None, texts, sanitation, own_measure=False, elsewhere=pets)
    assert plan is not None and plan.actions == ["落实垃圾定时清运", "清理楼道堆物"]
    alone = plan_measure("环境卫生差", None, texts, sanitation, own_measure=False)
    assert alone is not None and "开展文明养犬宣传和整治" in alone.actions


def test_a_spoken_ask_is_written_as_a_measure_or_left_out():
    texts = [("希望社区的老年食堂办起来", 2), ("退税能不能快点", 2), ("希望有专门的辅导", 1),
             ("建议在大厅放一些政策宣传的小册子", 3), ("希望社区自己开个书法班", 1)]
    plan = plan_measure("服务", Theme(id="service", name="服务"), texts, None, own_measure=True)
    assert plan is not None
    assert set(plan.actions) <= {"推动社区的老年食堂建设", "加快退税进度", "安排专人辅导"}
    assert "推动社区的老年食堂建设" in plan.actions and "加快退税进度" in plan.actions


def test_only_the_largest_themes_close_with_a_lasting_rule():
    plans = {f"t{k}": MeasurePlan(actions=[f"建立第{k}项制度"], kind="quick", lasting=True,
                                  subject=f"设施{k}") for k in range(5)}
    themes = [ThemeSummary(id=f"t{k}", name=f"设施{k}问题", count=50 - k, share=0.2) for k in range(5)]
    rows = word_measures(themes, plans)
    closing = re.compile(r"长效机制，防止问题反弹|相关制度，定期检查|整改“回头看”")
    assert [bool(closing.search(row.measure)) for row in rows] == [True, True, False, False, False]
    assert all(row.deadline.endswith("长期坚持") for row in rows)


def test_the_other_row_is_claimed_by_the_departments():
    from drafting.feedback.summarise import measure_for

    measure, department = measure_for("_other", "其他", [])
    assert measure and department == "由相关部门分别认领"


def test_no_two_rows_close_with_the_same_sentence():
    plans = {f"t{k}": MeasurePlan(actions=[f"维修第{k}处设施"], kind="quick", lasting=False,
                                  subject=f"设施{k}") for k in range(7)}
    themes = [ThemeSummary(id=f"t{k}", name=f"设施{k}问题", count=10 - k, share=0.1) for k in range(7)]
    closings = [row.measure.split("。", 1)[1] for row in word_measures(themes, plans)]
    said = [c for c in closings if c]
    assert len(said) == len(set(said)) >= 4 and closings[-1] == ""
