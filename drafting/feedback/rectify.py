"""整改措施 of the rectification list: planned from what each theme's opinions say (the taxonomy's actions
their words name, their own asks, the nearest sector theme's measure), worded by prompts/measure_actions.j2,
or written by the LLM when one is configured.

The LLM gets one request for all listed themes; the reply is parsed line by line (`编号: 措施`), and any
theme the model leaves out, or a reply that cannot be used, keeps its template measure with a warning.
"""

import re
from collections import Counter
from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

import yaml
from pydantic import BaseModel, Field

from drafting.errors import LLMUnavailable
from drafting.feedback.discover import tokens
from drafting.feedback.models import PRAISE_ID, ClassifyResult, Theme, ThemeSummary
from drafting.templates import render

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from drafting.config import Settings

MAX_MEASURE_CHARS = 160
MIN_ACTIONS, MAX_ACTIONS = 2, 3
ASK_CHARS = (4, 22)  # an ask shorter or longer than this is no action a measure can name
SAME_ACTION = 0.3  # actions whose character pairs overlap this much say the same thing
NEAREST_MIN = 0.3  # a sector theme less like a theme than this lends it nothing
NAME_WEIGHT = 3.0  # the words of the names count more than the opinions' cue words, which themes share
_LINE = re.compile(r"^\s*(\d{1,3})\s*[:：.、]\s*(.+?)\s*$")
_CLAUSE = re.compile(r"[，,。；;！!？?\n]+")
_SPEAKER = re.compile(r"^[^，,。；;：:]{1,14}[：:]")
_ASK = re.compile(r"^(?:我们|大家)?(?:建议|希望|要求|恳请|请求|请|最好|应该|应当|必须|务必|能不能|能否|"
                  r"可不可以|可否|是否可以|是不是可以|还得|得)")
_ASK_INSIDE = re.compile(r"能不能|能否|可不可以|应该|应当|最好|必须")
_PERSONAL = re.compile(r"[我俺咱你他她]|\*|\d{5,}")
_ASK_END = re.compile(r"[吗呢吧啊呀么嘛了]+$")
_SPOKEN = re.compile(r"(..)\1|([\u4e00-\u9fff])\2|[（）()：:]")  # 化验化验, 修修: spoken doubling; a bracket


class MeasurePlan(BaseModel):
    """What a theme's 整改措施 says before it is worded."""

    actions: list[str] = Field(default_factory=list, description="Concrete actions, most asked first")
    fixed: str = Field("", description="The user's taxonomy's own measure, used as written")
    kind: str = Field(description="整改类型 id of measure_wording.yaml's kinds")
    lasting: bool = Field(description="Calls for a 长效机制 too")
    subject: str = Field(description="What the measure is about, from the theme's name (停车难 → 停车)")
    department: str = Field("", description="责任部门 from the taxonomy or the nearest sector theme")


@lru_cache(maxsize=1)
def _wording() -> dict:
    return yaml.safe_load(render("measure_wording.yaml"))


def plan_measure(name: str, source: Theme | None, texts: Sequence[tuple[str, int]], model: Theme | None,
                 *, own_measure: bool, spare: str = "", elsewhere: Sequence[tuple[str, int]] = (),
                 about: Collection[str] = ()) -> MeasurePlan | None:
    """The plan of a theme's measure from its opinions (text, repeats): the actions its words name (its own
    `actions`, else those of `model`, the sector theme lent to it), else its opinions' asks, topped up with
    clauses of the sector's measure. An action whose cue the other rows' opinions (`elsewhere`) name more
    often belongs to them, unless it says one of the theme's own words (`about`: its name's, its keywords).
    Used as written: the user's taxonomy's `measure`; when nothing is named or asked, the sector theme's
    measure or `spare` (the default taxonomy's). None when there is nothing."""
    model = source if source is not None and source.actions else model
    own = {*about, *tokens(name)}
    theirs = set(_named_actions(model, elsewhere, texts))
    actions = _merge([action for action in _named_actions(model, texts)
                      if action not in theirs or any(w in action for w in own)])
    if len(actions) < MIN_ACTIONS:
        actions = _merge([*actions, *_asks(texts)])
    lent = next((t.measure for t in (model, source) if t is not None and t.measure), None) or ""
    fixed = source.measure if own_measure and source is not None and source.measure else ""
    if not fixed and not actions:
        fixed = lent or spare
    elif not fixed and len(actions) < MIN_ACTIONS:
        actions = _merge([*actions, *(c for c in re.split(r"[，,；;。]", lent or spare) if c)])
    if not fixed and not actions:
        return None
    department = (source.department if source is not None and source.department else "") or \
        (model.department if model is not None and model.department else "")
    said = fixed or "".join(actions)
    wording = _wording()
    kind = next((k["id"] for k in wording["kinds"] if any(v in said for v in k["verbs"])),
                wording["kinds"][-1]["id"])
    lasting = any(v in said for v in wording["lasting_verbs"]) or \
        sum(w for _, w in texts) >= wording["lasting_count"]
    return MeasurePlan(actions=[] if fixed else actions[:MAX_ACTIONS], fixed=fixed, kind=kind,
                       lasting=lasting, subject=subject_of(name), department=department)


def word_measures(themes: Sequence[ThemeSummary], plans: dict[str, MeasurePlan]) -> list[ThemeSummary]:
    """The themes, in list order, with each planned measure worded and its 完成时限 set; a closing sentence
    varies between rows of the same kind so that no two rows end alike, and only the largest themes that
    need a lasting rule say so (lasting_rows of them), lest it read as a formula on every row."""
    kinds = {k["id"]: k for k in _wording()["kinds"]}
    lasting = [t.id for t in sorted(themes, key=lambda t: -t.count) if t.id in plans and plans[t.id].lasting]
    closed = set(lasting[:_wording()["lasting_rows"]])
    seen: Counter[str] = Counter()
    out: list[ThemeSummary] = []
    for theme in themes:
        plan = plans.get(theme.id)
        if plan is None:
            out.append(theme)
            continue
        kind = kinds[plan.kind]
        measure = render("measure_actions.j2", actions=plan.actions, fixed=plan.fixed, kind=plan.kind,
                         deadline=kind["deadline"], lasting=theme.id in closed, subject=plan.subject,
                         variant=seen[plan.kind], lasting_variant=seen["lasting"])
        seen[plan.kind] += 1
        seen["lasting"] += theme.id in closed
        deadline = kind["deadline"] + ("，" + _wording()["lasting_deadline"] if plan.lasting else "")
        out.append(theme.model_copy(update={
            "measure": measure, "department": plan.department or theme.department,
            "deadline": theme.deadline or deadline}))
    return out


def subject_of(name: str) -> str:
    """What a theme is about: its name up to where it says what is wrong (低保评定不公平 → 低保评定)."""
    cuts = [name.find(word) for word in _wording()["problem_words"] if name.find(word) >= 2]
    subject = name[:min(cuts)] if cuts else name
    return subject.rstrip("与和及、")


def _named_actions(model: Theme | None, texts: Sequence[tuple[str, int]],
                   rivals: Sequence[tuple[str, int]] = ()) -> list[str]:
    """The model theme's actions whose cue words the opinions use, most named first; with `rivals`, only
    those the opinions name more often than the rival opinions do."""
    if model is None:
        return []
    hits: Counter[str] = Counter()
    rival: Counter[str] = Counter()
    for cue, action in model.actions.items():
        hits[action] += sum(w for t, w in texts if cue in t)
        rival[action] += sum(w for t, w in rivals if cue in t)
    return [action for action, n in hits.most_common() if n > 0 and (not rivals or n > rival[action])]


def lend_sector_themes(themes: dict[str, tuple[str, Theme | None, Sequence[tuple[str, int]]]],
                       bank: Sequence[Theme]) -> dict[str, Theme]:
    """Which sector theme lends its actions, measure and department to which theme (id: name, source,
    opinions) that has no actions of its own: the most alike pairs first, each sector theme to one theme
    only, so that no two rows of a list share a measure."""
    pairs = sorted(((_likeness(name, source, texts, lender), theme_id, k)
                    for theme_id, (name, source, texts) in themes.items()
                    if source is None or not source.actions for k, lender in enumerate(bank)), reverse=True)
    lent: dict[str, Theme] = {}
    used: set[int] = set()
    for likeness, theme_id, k in pairs:
        if likeness >= NEAREST_MIN and theme_id not in lent and k not in used:
            lent[theme_id] = bank[k]
            used.add(k)
    return lent


def _likeness(name: str, source: Theme | None, texts: Sequence[tuple[str, int]], lender: Theme) -> float:
    """How alike a theme and a sector theme are: the words of their names and descriptions, then the share
    of the theme's opinions that use the sector theme's cue words."""
    about = name + (source.description if source is not None else "")
    total = max(sum(w for _, w in texts), 1)
    cued = sum(w for t, w in texts if any(len(cue) >= 2 and cue in t for cue in lender.actions)) / total
    return NAME_WEIGHT * _overlap(about, lender.name + lender.description) + cued


def _asks(texts: Sequence[tuple[str, int]]) -> list[str]:
    """What the opinions ask for (建议/希望/能不能… clauses, as a measure writes them), those whose words
    more opinions share first."""
    counts: Counter[str] = Counter()
    for text, weight in texts:
        for clause in _CLAUSE.split(_SPEAKER.sub("", text)):
            ask = _as_action(clause.strip())
            if ask:
                counts[ask] += weight
    shared: Counter[str] = Counter()
    for text, weight in texts:
        for word in set(tokens(text)):
            shared[word] += weight

    def rank(ask: str) -> float:
        words = set(tokens(ask))
        return counts[ask] + sum(shared[w] for w in words) / max(len(words), 1)

    return sorted(counts, key=lambda ask: (-rank(ask), ask))


def _as_action(clause: str) -> str:
    """A clause that asks for something, as an action (能不能多几个窗口 → 增加窗口); "" for any other."""
    lead = _ASK.match(clause)
    if lead:
        ask = clause[lead.end():]
    elif _ASK_INSIDE.search(clause):
        ask = _ASK_INSIDE.sub("", clause, count=1)
    else:
        return ""
    ask = _ASK_END.sub("", ask.strip(" ：:，,"))
    for pattern, written in _wording()["rewrites"]:
        ask = re.sub(pattern, written, ask)
    for spoken, written in _wording()["written"].items():
        ask = ask.replace(spoken, written)
    if _PERSONAL.search(ask) or _SPOKEN.search(ask) or re.search(_wording()["spoken"], ask) \
            or not ASK_CHARS[0] <= len(ask) <= ASK_CHARS[1] or not tokens(ask):
        return ""
    return ask


def _merge(actions: Sequence[str]) -> list[str]:
    """The actions in order, each one that repeats an earlier one left out."""
    kept: list[str] = []
    for action in (a.strip() for a in actions):
        if action and all(_overlap(action, other) < SAME_ACTION for other in kept):
            kept.append(action)
    return kept


def _overlap(a: str, b: str) -> float:
    """Share of the shorter text's character pairs found in the other."""
    pairs_a = {a[k:k + 2] for k in range(len(a) - 1)}
    pairs_b = {b[k:k + 2] for k in range(len(b) - 1)}
    return len(pairs_a & pairs_b) / max(min(len(pairs_a), len(pairs_b)), 1)


def suggest_measures(result: ClassifyResult, chat_model: "BaseChatModel",
                     settings: "Settings") -> ClassifyResult:
    """The result with the LLM's measure on every listed theme it answered for."""
    from drafting.llm import complete, messages

    listed = [t for t in result.themes if not t.praise and t.id != PRAISE_ID and t.count > 0]
    if not listed:
        return result
    prompt = messages(render("llm/measures_system.j2"), render("llm/measures_user.j2", themes=listed))
    try:
        reply = complete(chat_model, prompt, settings)
    except LLMUnavailable as exc:
        return result.model_copy(update={"warnings": [*result.warnings, f"{exc.message}；整改措施使用模板"]})
    answers: dict[int, str] = {}
    for line in reply.splitlines():
        match = _LINE.match(line)
        if match and 1 <= int(match.group(1)) <= len(listed):
            answers.setdefault(int(match.group(1)), match.group(2)[:MAX_MEASURE_CHARS])
    measures = {listed[k - 1].id: text for k, text in answers.items()}
    themes = [t.model_copy(update={"measure": measures[t.id]}) if t.id in measures else t
              for t in result.themes]
    warnings = list(result.warnings)
    if len(measures) < len(listed):
        warnings.append(f"大模型没有给出 {len(listed) - len(measures)} 个类别的整改措施，这些类别使用模板")
    return result.model_copy(update={"themes": themes, "warnings": warnings})
