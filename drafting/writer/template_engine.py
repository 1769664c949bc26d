"""The template engine: a complete draft in the genre; its wording borrowed at run time from the retrieved
exemplars (drafting/writer/wording.py), the phrasing banks of prompts/template/ as the fallback."""

import hashlib
from collections.abc import Callable
from typing import Any, Literal

from drafting.templates import environment, render
from drafting.writer.assemble import build_draft
from drafting.writer.exemplars import placeable, slots
from drafting.writer.facts import Facts, Stat
from drafting.writer.models import Draft, Exemplars, Section, Source
from drafting.writer.phrasing import SAME_COUNT, campaign_words, figure_role, stat_phrase
from drafting.writer.voice import Voice, bare_unit, in_voice, voice_for
from drafting.writer.wording import Borrowed, Phrasebook

PART_TEMPLATES = ("measures", "characteristics", "assurances", "carried", "problems", "next_steps")
NUMERALS = "一二三四五六七八九十"
HEADLINE_RUN = 2
RICH_ITEMS = 4  # highlights and figures from which the facts are rich enough for the full length

Chooser = Callable[[list[str], str], str]


def stable_choice(seed: str) -> Chooser:
    """A chooser that picks the same variant for the same unit and date, and different ones across units."""

    def choose(options: list[str], slot: str) -> str:
        digest = hashlib.sha256(f"{seed}|{slot}".encode()).digest()
        return options[int.from_bytes(digest[:4], "big") % len(options)]

    return choose


# Where a highlight fits by its words, when no embedder placed it by meaning; the rest go to assurances.orgs.
HIGHLIGHT_HOMES = {
    "measures.scope": ("邀请", "代表参加", "参评", "列席"),
    "assurances.listen": ("走访", "座谈", "调研", "征求", "恳谈", "接待", "热线", "宣传", "联系卡",
                          "谈心", "入户",
                          "民情", "倾听", "夜访", "议事", "微信群", "直通车"),
    "assurances.fix": ("整改", "解决", "维修", "修缮", "修建", "硬化", "改造", "办实事", "帮扶", "便民",
                       "上门",
                       "延时", "预约", "办理", "服务", "救助", "慰问", "帮助", "一站式", "减免", "缩短"),
    "assurances.members": ("党员", "先锋", "示范岗", "突击队", "责任区", "志愿", "亮身份", "带头", "义诊"),
    "assurances.orgs": ("制度", "机制", "品牌", "阵地", "党建", "标准化", "规范化", "联建", "共建", "网格"),
}
# Words too common to tie a figure to a highlight.
GENERIC_BIGRAMS = {"群众", "服务", "评议", "党员", "工作", "开展", "组织", "意见", "建议", "问题", "民生"}
# A next step that opens with one of these already says what will be done.
VERBS = ("推动", "开展", "加强", "健全", "建立", "完善", "优化", "深化", "落实", "强化", "提升",
         "提高", "扩大", "推进", "推行", "实行", "组织", "坚持", "继续", "进一步", "着力", "抓好",
         "做好", "壮大", "发展", "探索", "打造", "创新", "规范", "严格", "加大", "持续", "全面",
         "切实", "认真", "力争", "争取", "确保", "把", "将", "以", "围绕", "结合", "引导", "鼓励",
         "支持", "改进", "拓展", "拓宽", "增强", "巩固", "筑牢", "用好", "办好", "实施", "召开",
         "举办", "设立", "开设", "开通", "成立", "解决", "减少", "压缩", "缩短", "整顿", "聚焦", "对",
         "针对", "通过", "在", "为", "让", "使", "帮助", "带领", "督促", "每", "定期", "逐步", "研究")
# The verb a next step without one takes, by how it ends.
VERB_FOR_ENDING = (("开展", ("培训", "活动", "行动", "教育", "宣传", "评议", "调研", "走访")),
                   ("建立健全", ("机制", "制度", "体系", "台账")),
                   ("推动", ("化", "融合", "衔接", "覆盖", "提升", "结合", "落地", "挂钩", "联动")))
# Words that open like a verb of VERBS but name people or things: 在职党员, 在校学生.
NOUN_STARTS = ("在职", "在校", "在岗", "在编", "在册", "在读", "对口")
# jieba's tags of a first word that says what will be done: a verb, an idiom (驰而不息), a set phrase.
VERB_TAGS = ("v", "i", "l")
# A highlight that opens with these needs no subject before it.
SUBJECTS = ("我", "全", "各", "在", "对", "针对", "通过", "围绕", "结合", "为", "以", "把", "将", "由",
            "党员", "支部", "党支部", "党委", "党总支", "每")


def highlight_home(text: str) -> str:
    """The slot a highlight belongs to by its words (assurances.orgs when no slot's words occur in it)."""
    hits = {home: sum(word in text for word in words) for home, words in HIGHLIGHT_HOMES.items()}
    best = max(hits, key=lambda home: hits[home])
    return best if hits[best] else "assurances.orgs"


def stated_by_figures(facts: Facts) -> set[str]:
    """The appraisal form's counts that one of the figures already states (same words, same number)."""
    if facts.appraisal is None:
        return set()
    return {name for name, words in SAME_COUNT.items()
            if (value := getattr(facts.appraisal, name)) is not None
            and any(s.value == str(value) and any(word in s.label for word in words) for s in facts.stats)}


def lexicon_sector(facts: Facts) -> str:
    """The sector for the lexicon's words: as given, else read from the unit's name."""
    if facts.sector:
        return facts.sector
    sectors = {"village": "农村", "town": "农村", "community": "街道社区", "hospital": "医院",
               "school": "学校", "college": "学校", "company": "企业", "social": "新社会组织",
               "office": "机关", "police": "机关", "tax": "机关", "committee": "机关"}
    return sectors.get(voice_for(facts.unit).kind, "")


def opens_with_verb(step: str) -> bool:
    """Whether a step already says what will be done: 协调……, 多开展……, 驰而不息纠治…… (not 在职党员……)."""
    if step.startswith(NOUN_STARTS):
        return False
    # 多开展…, 更加注重…: an adverb before the verb still opens with the verb
    if step.startswith(VERBS) or step.lstrip("多更再").startswith(VERBS):
        return True
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    first = next(iter(jieba.posseg.cut(step)), None)
    return first is not None and first.flag in VERB_TAGS


def with_verb(step: str) -> str:
    """A next step as something to do: 党员干部上门辅导常态化 -> 推动党员干部上门辅导常态化."""
    for verb, endings in VERB_FOR_ENDING:
        if step.endswith(endings) and not opens_with_verb(step):
            return verb + step
    return step if opens_with_verb(step) else "抓好" + step


def self_word(facts: Facts, voice: Voice, sector: str) -> str:
    """How the unit calls itself: 我院, 我局, 我镇; a 区委 or 县委 speaks for its 各级党组织."""
    if voice.kind == "committee":
        return voice.whole.replace("全区", "全县" if "县" in facts.unit else "全区")
    lexicon = environment().get_template("template/_lexicon.j2").module
    return str(lexicon.we(sector, facts.unit, bare_unit(facts.unit)))  # type: ignore[attr-defined]


def doer(facts: Facts, voice: Voice, we: str) -> str:
    """Who did a highlight: a 区委 or 县委 itself (not its 各级党组织), else the unit."""
    if voice.kind != "committee":
        return we
    return next((cue for cue in voice.cues if facts.unit.endswith(cue)), we)


def deed_sentence(items: list[str], we: str, results: list[str]) -> str:
    """Highlights placed in one slot as one full sentence with the unit as subject, then its figures."""
    out = ""
    if items:
        first = items[0] if items[0].startswith(SUBJECTS) else we + items[0]
        out = "；".join([first, *items[1:]]) + "。"
    if results:
        out += "据统计，" + "，".join(results) + "。"
    return out


def said_elsewhere(stat: Stat, facts: Facts) -> bool:
    """Whether a highlight already states the figure (…；办结民生实事85件): written once, there."""
    return any(stat_phrase(stat) in item for item in facts.highlights)


def _roles(facts: Facts) -> dict[str, list[str]]:
    roles: dict[str, list[Stat]] = {r: [] for r in ("satisfaction", "rectify", "run", "scale", "result")}
    for stat in facts.stats:
        if not said_elsewhere(stat, facts):
            roles[figure_role(stat)].append(stat)
    return {role: [stat_phrase(s) for s in stats] for role, stats in roles.items()}


def kin_item(figure: str, before: list[str]) -> str | None:
    """The highlight or figure placed before that shares the most of a figure's words (two bigrams at least,
    generic ones aside), so a deed and its figure stay together."""
    words = {figure[i:i + 2] for i in range(len(figure) - 1)} - GENERIC_BIGRAMS
    shared = [(len(words & {item[i:i + 2] for i in range(len(item) - 1)}), item) for item in before]
    best = max(shared, default=(0, ""))
    return best[1] if best[0] >= 2 else None


def placed(facts: Facts, exemplars: Exemplars, we: str) -> dict[str, str]:
    """Each home slot's sentence of the highlights and result figures that belong there; a result figure no
    highlight shares words with goes to `results`, the paragraph of the work's results."""
    results = set(_roles(facts)["result"])
    stated = {stat_phrase(s) for s in facts.stats}
    homes: dict[str, tuple[list[str], list[str]]] = {}
    home_of: dict[str, str] = {}
    loose: list[str] = []
    for item in placeable(facts):
        # a figure another role writes (办结民生实事85件 among the rectification figures) is not placed twice
        if item in stated and item not in results and item not in facts.highlights:
            continue
        if item not in facts.highlights:
            kin = kin_item(item, list(home_of))
            if kin is None:  # 获批国家自然科学基金项目7项 is no evidence of 倾听群众呼声
                loose.append(item)
                continue
            home = home_of[kin]  # 义诊服务群众4800多人次 goes with 下乡义诊36次
        else:
            by_words = highlight_home(item)
            words_hit = by_words != "assurances.orgs" or any(w in item for w in HIGHLIGHT_HOMES[by_words])
            home = by_words if words_hit else exemplars.placements.get(item) or by_words
        home_of[item] = home
        deeds, figures = homes.setdefault(home, ([], []))
        (figures if item not in facts.highlights else deeds).append(item)
    sentences = {home: deed_sentence(deeds, we, figures) for home, (deeds, figures) in homes.items()}
    if loose:
        sentences["results"] = "，".join(loose)
    return sentences


def build_template_context(facts: Facts, exemplars: Exemplars | None = None,
                           choose: Chooser | None = None) -> tuple[dict[str, Any], Phrasebook]:
    """Every value the phrasing templates use: the facts, the unit's voice, and a phrasebook that lends
    each slot wording from the exemplars."""
    exemplars = exemplars or Exemplars()
    sector = lexicon_sector(facts)
    voice = voice_for(facts.unit, sector or None)
    we = self_word(facts, voice, sector)
    seed = f"{facts.unit}|{facts.date.isoformat()}"
    cues = {name: slot.query for name, slot in slots().items()}
    musts = {name: slot.must for name, slot in slots().items()}
    topics = {name: slot.topic for name, slot in slots().items()}
    activity = campaign_words(facts)
    book = Phrasebook(exemplars.slots, cues, musts, topics=topics, unit=facts.unit, sector=facts.sector or "",
                      activity=activity, voice=voice, we=we, seed=seed,
                      facts_text=facts.model_dump_json())
    roles = _roles(facts)
    # how the appraisal was run, then what the masses thought of it: 共召开……，……参与，群众满意度达……
    headline = roles["run"][:HEADLINE_RUN] + roles["satisfaction"]
    rich = len(facts.highlights) + len(facts.stats) + (facts.appraisal is not None) * 2 >= RICH_ITEMS
    context: dict[str, Any] = {
        "unit": facts.unit,
        "we": we,
        "voice": voice,
        "committee": voice.kind == "committee",
        "year": facts.date.year if facts.date.month > 1 else None,
        "month": facts.date.month,
        "activity": activity,
        "goal": facts.goal or "",
        "basis": facts.basis or "",
        "headline": headline,
        "run_stats": [s for s in roles["run"] if s not in headline],
        "scale_stats": roles["scale"],
        "rectify_stats": roles["rectify"],
        "has_figures": bool(facts.stats) or facts.appraisal is not None,
        "satisfied": bool(roles["satisfaction"]),
        "placed": placed(facts, exemplars, doer(facts, voice, we)),
        "problems": facts.problems,
        "next_steps": [with_verb(s) for s in facts.next_steps],
        "carried": facts.carried,
        "numbers": heading_numbers(parts_of(facts)),
        "rich": rich,
        "say": book.say,
        "choose": choose or stable_choice(seed),
    }
    context["appraisal_text"] = ""
    if facts.appraisal is not None:
        context["appraisal_text"] = render("template/appraisal.j2", appraisal=facts.appraisal,
                                           said=stated_by_figures(facts), choose=context["choose"],
                                           masses=voice.masses)
    return context, book


def facts_words(facts: Facts) -> list[str]:
    """The facts' own wording, which a draft keeps as written."""
    carried = [t for item in facts.carried for t in (item.problem, item.category, item.measure, item.note)]
    return [facts.unit, facts.basis or "", *facts.highlights, *facts.problems, *facts.next_steps,
            *(s.label for s in facts.stats), *carried]


def parts_of(facts: Facts) -> list[str]:
    """The numbered parts of this draft: 上一轮整改落实情况 only when the facts carry last round's rows."""
    return [part for part in PART_TEMPLATES if part != "carried" or facts.carried]


def heading_numbers(parts: list[str]) -> dict[str, str]:
    """Each numbered part's heading numeral, in order: 一 for the measures … 六 when a part is added."""
    return {part: NUMERALS[k] for k, part in enumerate(parts)}


def _section(rendered: str) -> Section:
    lines = [line.strip() for line in rendered.splitlines() if line.strip()]
    return Section(heading=lines[0], items=lines[1:])


def sources_of(borrowed: list[Borrowed]) -> list[Source]:
    """The passages that gave wording, each with the sentences it shaped, closest first."""
    by_id: dict[str, Source] = {}
    for b in borrowed:
        source = by_id.setdefault(b.passage.id, Source(id=b.passage.id, title=b.passage.title,
                                                       score=b.passage.score, text=b.passage.text))
        source.shaped.append(b.sentence)
    return sorted(by_id.values(), key=lambda s: -s.score)


class TemplateEngine:
    """Offline engine: wording from the exemplars (banks in prompts/template/ as fallback), facts woven in."""

    name: Literal["template", "llm"] = "template"

    def __init__(self, choose: Chooser | None = None) -> None:
        self._choose = choose  # None: variants picked by a stable hash of unit and date

    def write(self, facts: Facts, exemplars: Exemplars,
              on_text: Callable[[str], None] | None = None) -> Draft:
        context, book = build_template_context(facts, exemplars, self._choose)
        title = render("template/title.j2", **context)
        keep = facts_words(facts)

        def part(name: str, **extra: Any) -> str:
            return in_voice(render(f"template/{name}.j2", **context, **extra), context["voice"], keep)

        sections = [Section(heading="", items=[part("opening")])]
        sections += [_section(part(name, number=context["numbers"][name])) for name in parts_of(facts)]
        draft = build_draft(facts, title=title, sections=sections, engine="template",
                            sources=sources_of(book.borrowed))
        if on_text is not None:
            on_text(draft.text)
        return draft
