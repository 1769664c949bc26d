"""Fact sets the tests and the benchmarks both draft from: the files of a folder, and every sector crossed
with each optional field present or absent, with odd values."""

import itertools
import random
from collections.abc import Iterable
from datetime import date
from pathlib import Path

from drafting.writer.facts import SECTORS, Appraisal, Facts, Stat, load_facts

STAT_VALUES = ["645", "7800多", "36300余", "一万两千余", "957.89", "3万多", "近万", "0"]
PERCENTS = ["96", "100", "86.7", "0"]


def sample_facts(folders: Iterable[Path]) -> list[Facts]:
    """The valid fact files (.json, .yaml) in the folders; a form as filed and an invalid file are invalid on
    purpose and left out."""
    paths = sorted(p for folder in folders for p in [*folder.glob("*.json"), *folder.glob("*.yaml")])
    return [load_facts(p) for p in paths if "as_filed" not in p.name and "invalid" not in p.name]


def generated_facts() -> list[Facts]:
    """Every sector crossed with each optional field present or absent, with odd values."""
    rng = random.Random(7)
    out = []
    for i, (sector, with_basis, with_stats, with_appraisal, with_items) in enumerate(
            itertools.product([*SECTORS, None], [True, False], [True, False], [True, False], [True, False])):
        stats = []
        if with_stats:
            stats = [Stat(label="发放评议问卷", value=rng.choice(STAT_VALUES), unit="份"),
                     Stat(label="参与评议群众", value=rng.choice(STAT_VALUES), unit="人次"),
                     Stat(label="群众满意度", value=rng.choice(PERCENTS), unit="%")][: 1 + i % 3]
        appraisal = None
        if with_appraisal:
            reviewed = rng.randint(1, 40)
            appraisal = Appraisal(orgs_reviewed=3, orgs_satisfied=2, members_total=reviewed + 2,
                                  members_reviewed=reviewed, members_basic_satisfied=reviewed,
                                  members_satisfied=reviewed - 1, meetings=rng.randint(1, 9),
                                  participants=rng.randint(10, 500), good_deeds=rng.randint(0, 30))
        items = {}
        if with_items:
            n = 1 + i % 2
            items = {"highlights": ["开展“一帮一、手拉手”活动，资助40名贫困生", "推行“一站式”服务"][:n],
                     "problems": ["个别党员服务意识不强", "评议结果运用不够充分"][:n],
                     "next_steps": ["推行一季一评议、半年一小结、年终一总评", "健全长效机制"][:n]}
        out.append(Facts(unit=f"第{i % 7 + 1}测试单位党支部" if i % 5 == 0 else f"测试单位{i}党委",
                         date=date(2020 + i % 6, 1 + i % 12, 1 + i % 28), sector=sector,
                         basis="上级党委关于开展群众评议工作的通知（2024年第3号）" if with_basis else None,
                         stats=stats, appraisal=appraisal, **items))
    return out
