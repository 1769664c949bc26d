"""Exemplars: the passages of past summaries retrieved for each part of a draft."""

from drafting.corpus.models import Passage, Retriever
from drafting.writer.facts import Facts
from drafting.writer.models import PARTS, Exemplars

QUERIES: dict[str, str] = {
    "opening": "按照要求 高度重视 精心部署 创新评议方式 现将群众评议工作开展情况总结如下",
    "measures": "采取四项措施 准备工作求细 评议范围求广 评议内容求精 评议标准求严",
    "characteristics": "突出四种特性 增强针对性 明确评议目标 突出操作性 体现科学性 坚持实践性",
    "assurances": "围绕四个确保 了解民情民意 做好整改落实 增强党员主体意识 战斗堡垒作用",
    "problems": "存在的问题 主要表现在 不足",
    "next_steps": "下一步打算 进一步 长效机制",
}


def part_query(part: str, facts: Facts) -> str:
    """The search text for one part of the draft, made from the genre's cues and the facts."""
    extra: list[str] = [facts.activity]
    if part == "characteristics" and facts.goal:
        extra.append(facts.goal)
    if part == "problems":
        extra += facts.problems[:3]
    if part == "next_steps":
        extra += facts.next_steps[:3]
    if part in ("measures", "assurances"):
        extra += facts.highlights[:2]
    return " ".join([QUERIES[part], *extra])


def retrieve_exemplars(facts: Facts, retriever: Retriever, *, k: int = 3,
                       exclude_docs: set[str] | None = None) -> Exemplars:
    """Exemplar passages for each part of the draft, the facts' own sector first."""
    parts: dict[str, list[Passage]] = {}
    queries = {part: part_query(part, facts) for part in PARTS}
    retriever.prime(list(queries.values()))
    for part, query in queries.items():
        found: list[Passage] = []
        if facts.sector:
            found = retriever.search(query, k, sector=facts.sector, exclude_docs=exclude_docs)
        if len(found) < k:
            seen = {p.id for p in found}
            found += [p for p in retriever.search(query, k, exclude_docs=exclude_docs)
                      if p.id not in seen][: k - len(found)]
        parts[part] = found
    return Exemplars(parts=parts)
