"""Phrasing helpers both engines share: how a figure reads, and what kind of figure it is."""

import re

from drafting.templates import environment
from drafting.writer.facts import Facts, Stat

# A figure's label that ends in a change takes no 达: 同比下降18.5%, not 同比下降达18.5%.
CHANGES = ("增长", "下降", "降低", "提高", "提升", "减少", "上升", "增加", "下滑", "回落")


# Figures about the appraisal itself (opening, 评议范围); the rest are the work's results (成效).
APPRAISAL_WORDS = ("评议", "测评", "问卷", "征求", "意见", "建议", "座谈", "走访", "谈心", "满意", "参评",
                   "整改", "公示", "承诺", "恳谈", "民主生活会")


# Figures of the unit's size (常住居民, 党员总数): background for 评议范围, neither headline nor result.
SCALE_WORDS = ("常住", "现有", "辖区人口", "总数", "共有", "在校", "在职", "在册", "户籍人口", "人数",
               "党员数", "户数", "职工数", "床位", "面积")


# Counts of the appraisal form that a figure may already state, by the words of its label: 召开群众评议会4场
# and meetings: 4 are one fact, written once.
SAME_COUNT = {"orgs_reviewed": ("党组织",),
              "meetings": ("评议会", "评议大会", "座谈会"), "participants": ("参加评议", "参与评议", "参评"),
              "good_deeds": ("实事", "好事", "难事")}
# The units such a figure is counted in (参评基层党组织31个 is no count of people).
SAME_COUNT_UNITS = {"orgs_reviewed": ("个",), "meetings": ("场", "场次", "次"),
                    "participants": ("人", "人次", "名", "位"), "good_deeds": ("件", "个", "项")}


def count_conflicts(facts: Facts) -> list[str]:
    """Warnings for a figure and a count of the statistics form that measure one thing with two numbers
    (参与评议群众4100余人次, 参加评议的群众人数 4150): the draft writes both, the writer keeps one."""
    if facts.appraisal is None:
        return []
    fields = type(facts.appraisal).model_fields
    out = []
    for name, words in SAME_COUNT.items():
        value = getattr(facts.appraisal, name)
        for stat in facts.stats:
            same = any(w in stat.label for w in words) and stat.unit.strip() in (*SAME_COUNT_UNITS[name], "")
            if value is not None and same and stat.value != str(value):
                out.append(f"“{stat_phrase(stat)}”与数据统计单的{fields[name].description}（{value}）"
                           "说的可能是同一件事而数字不同，草稿两处都照写了，请核实后统一")
    return out


THOUSANDS = re.compile(r"(?<=\d)[,，](?=\d{3}(?!\d))")


def plain_figure(value: str) -> str:
    """A figure as an official document writes it: no thousands separators (12,860 -> 12860)."""
    return THOUSANDS.sub("", value)


def stat_phrase(stat: Stat) -> str:
    """One figure with its meaning: 召开评议大会645场次, 群众满意度达96%, 同比下降18.5%."""
    figure = f"{plain_figure(stat.value)}{stat.unit}"
    label = stat.label
    if label.startswith("开展") and label.endswith(("会", "会议")):  # a meeting is held: 召开评议大会
        label = "召开" + label.removeprefix("开展")
    if label.endswith(CHANGES):
        return f"{label}{figure}"
    if stat.unit in ("%", "％") or label.endswith(("率", "度")):
        return f"{label}达{figure}"
    return f"{label}{figure}"


RECTIFY_WORDS = ("整改", "办结", "销号", "答复", "回复", "梳理问题")
SATISFACTION_WORDS = ("满意", "好评", "认可度")


def figure_role(stat: Stat) -> str:
    """What a figure measures: "satisfaction", "rectify", "run" (how the appraisal was run), "scale" (the
    unit's size) or "result" (of the work)."""
    if any(word in stat.label for word in RECTIFY_WORDS):
        return "rectify"
    if any(word in stat.label for word in SATISFACTION_WORDS):
        return "satisfaction"
    kind = figure_kind(stat)
    return "run" if kind == "appraisal" else kind


def figure_kind(stat: Stat) -> str:
    """"appraisal" (about the appraisal itself), "scale" (the unit's size) or "result" (of the work)."""
    if any(word in stat.label for word in APPRAISAL_WORDS):
        return "appraisal"
    if stat.label.endswith(CHANGES):  # 投诉总数同比下降: a result, not the unit's size
        return "result"
    return "scale" if any(word in stat.label for word in SCALE_WORDS) else "result"


def campaign_words(facts: Facts) -> str:
    """The campaign as the draft names it (“作风建设年”活动), or "" when the facts name none."""
    if not facts.campaign:
        return ""
    lexicon = environment().get_template("template/_lexicon.j2").module
    return str(lexicon.campaign(facts.campaign, facts.basis or ""))  # type: ignore[attr-defined]
