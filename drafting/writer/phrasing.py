"""Phrasing helpers both engines share: how a figure reads, and what kind of figure it is."""

from drafting.writer.facts import Stat

# A figure's label that ends in a change takes no 达: 同比下降18.5%, not 同比下降达18.5%.
CHANGES = ("增长", "下降", "降低", "提高", "提升", "减少", "上升", "增加", "下滑", "回落")


# Figures about the appraisal itself (opening, 评议范围); the rest are the work's results (成效).
APPRAISAL_WORDS = ("评议", "测评", "问卷", "征求", "意见", "建议", "座谈", "走访", "谈心", "满意", "参评",
                   "整改", "公示", "承诺", "恳谈", "民主生活会")


# Figures of the unit's size (常住居民, 党员总数): background for 评议范围, neither headline nor result.
SCALE_WORDS = ("常住", "现有", "辖区人口", "总数", "共有", "在校", "在职", "在册", "户籍人口", "人数",
               "党员数", "户数", "职工数", "床位", "面积")


def stat_phrase(stat: Stat) -> str:
    """One figure with its meaning: 开展评议大会645场次, 群众满意度达96%, 同比下降18.5%."""
    figure = f"{stat.value}{stat.unit}"
    if stat.label.endswith(CHANGES):
        return f"{stat.label}{figure}"
    if stat.unit in ("%", "％") or stat.label.endswith(("率", "度")):
        return f"{stat.label}达{figure}"
    return f"{stat.label}{figure}"


RECTIFY_WORDS = ("整改", "办结", "销号", "答复", "回复")
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
