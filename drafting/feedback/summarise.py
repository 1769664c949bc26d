"""Summaries of a classify run: one row a theme with its counts, 问题概述 in its opinions' own words, typical
opinions (central, informative, on one topic) and its planned measure."""

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import yaml

from drafting.feedback.asides import is_agreement, without_chat_sender
from drafting.feedback.discover import Cluster, c_tf_idf, nouns_first, tokens
from drafting.feedback.models import (
    PRAISE_NAME,
    TYPICAL_OPINIONS,
    AssignedOpinion,
    ClassifyResult,
    DiscoveredTheme,
    Taxonomy,
    Theme,
    ThemeSummary,
)
from drafting.feedback.opinions import Opinions, after_praise
from drafting.feedback.rectify import MeasurePlan, lend_sector_themes, plan_measure, word_measures
from drafting.templates import render

OVERVIEW_MIN = 3  # a theme of fewer opinions is summed up by its description
OVERVIEW_KEYWORDS = 3
# Typical opinions: near the theme's centre, informative (content words, a concrete figure such as 两个窗口
# or 三个小时), distinct from the ones already picked; frequency counts a little.
FREQUENCY_BONUS = 0.05  # an opinion said e times as often counts as 0.05 closer to the centre
INFORMATION_WEIGHT = 0.15
CONTENT_WORDS = 5  # content words beyond this add no information
CONCRETE_BONUS = 0.5  # in units of a full content-word score
NOVELTY = 0.5  # how much likeness to an already picked opinion costs
_CONCRETE = re.compile(r"[\d一二两三四五六七八九十几半]+\s*(?:个|次|趟|天|小时|分钟|点|号|元|块|周|星期|礼拜|"
                       r"月|年|层|楼|台|人|遍|辆|项|份|斤|公里|米)")
SCORE_WEIGHT = 0.2  # how much the classifier's confidence counts: a doubtful member is no typical opinion
MIXED_COST = 1.0  # an opinion that turns to a second topic (另外…) is quoted only when nothing else is left
FOREIGN_COST = 0.3  # one that names another theme's words
SHORT_CHARS, SHORT_COST = 6, 0.3  # 路灯 or 太脏 alone says too little to quote
PRAISE_COST = 0.6  # a praising line filed with complaints is no typical complaint
MASK_COST, MAX_MASK_COST = 0.1, 0.4  # each masked name or number makes a quote harder to read
TOPIC_WORDS = 8  # a theme's keywords that mark an opinion as touching it
OVERVIEW_CLAUSES = 3
OVERVIEW_CHARS = 44  # the clauses of a 问题概述 together
CLAUSE_CHARS = (4, 18)
TYPICAL_BONUS = 0.1  # a clause of a typical opinion is likelier to say what the theme is about
KEYWORD_BONUS = 0.2  # as is one with the theme's keywords
OFF_TOPIC_COST = 0.3  # a quote with none of its theme's keywords may be about something else
UNUSABLE_COST = 10.0  # a 同上 line or a list cut in the middle is quoted only when nothing else is left
_CLAUSE = re.compile(r"([，,。；;！!？?：:\n]+)")
# Who typed or said an opinion, before what was said (after a chat's sender, [昵称 10:32]):
# 意见卡（签名：X）：, 11/17 来电：, 11/9 来电人X反映, 11/22 纳税人X来电：, 六组X：, 教师：
_CALLER = r"(?:来电人|纳税人)[\u4e00-\u9fff*]{0,5}?(?:[（(][^）)]{0,30}[）)])?"
_SAID = r"(?:人称|反映|咨询|投诉|表示|称|说)"
_RECORD = re.compile(
    r"^\s*(?:意见卡(?:[（(][^）)]{0,20}[）)])?\s*[：:]"
    rf"|\d{{1,2}}/\d{{1,2}}\s*(?:{_CALLER}(?:来电)?{_SAID}?[：:，,]|{_CALLER}(?:来电)?{_SAID}|来电{_SAID}?\s*[：:，,]?)?"
    r"|[^，,。；;：:！!？?\s]{1,14}[：:])?\s*")
# a list not cut at its numbers (…等候区 3、12366…)
_CUT_LIST = re.compile(r"(?<=[\u4e00-\u9fff])\s*\d{1,2}[、．.](?!\d)|[、，,：:]$")
_LEAD = re.compile(r"^[^\u4e00-\u9fffA-Za-z0-9]+|^的|^(?:但是|但|就是|可是|不过|而且|并且|另外|"
                   r"还有|其实|总体满意|感觉|觉得|现在|关于|所以|尤其是|特别是)")
# a particle or a softener that ends a spoken clause (停车位太少了, 护士不来看一下); 了 only after 太X
# (电梯又坏了 needs it)
_TAIL = re.compile(r"(?:[啊呀吧呢啦嘛哦噢]|一下|(?<=太.)了)+$")
# A speaker announcing what they will talk about: 俺说说垃圾的事， / 路灯的事俺也说一句，
_ANNOUNCE = re.compile(r"^[^，,。]{0,8}?[俺我][^，,。]{0,4}?(?:说说|说一句|说两句|补充一句|有意见)"
                       r"[^，,。]{0,6}?[，,。]\s*")
# 也 after a clause's subject ties it to the one before (物业也不管): the clause says it alone without it
_ALSO = re.compile(r"^([^也]{2,6})也(?=\S)")
_ASKING = re.compile(r"^(?:建议|希望|要求|请|最好|应该|应当|能不能|能否|可不可以|可否|不能|不要|别|得|要)|"
                     r"[要该得]管|能不能|能否|可不可以|应该|得[要给让]|不行$")
_PROBLEM = re.compile(r"[不没难贵差脏坏乱堵挤慢旧漏臭拖缺吵窄矮凉]|太(?!阳)|只有|只开|过期|故障|隐患|危险|"
                      r"麻烦|有待|欠缺|难听")
# a clause that goes on from the one before it (也不去喊医生) has no subject of its own
_CONTINUES = re.compile(r"^(?:[也还又就都才而并再比把被让跟]|不是|差点|险些|一不小心|不小心|到现在|至今|"
                        r"每次|每回|结果|后来|然后|最后|听了|说了|问了)")
# 也, 又 or 还 inside a clause ties it to another one (质量还不好, 有问题私聊老师也不回): it reads wrong alone
_TIED = re.compile(r"[也又]|还(?!是|有)")
_PRAISING = re.compile(r"表扬|感谢|谢谢|很好|挺好|认真|不错|满意|点赞|成功|耐心|和气|热情|负责|暖心|贴心")
_TURNING = re.compile(r"但|就是|可是|不过|只是|可惜|有待|还需|希望|建议")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MASKED_NAME = re.compile(r"[\u4e00-\u9fff]?\*+")
_PERSONAL = re.compile(r"[我俺咱你您恁他她“”\"]|\*|\d{7,}")  # a person, their words, a number
_QUESTION = re.compile(r"[吗呢么不没]$|是不是|为什么|为啥|怎么|谁|啥|(.)不\1")
_TURNS_TOPIC = re.compile(r"另外|此外|还有就是|再就是|再一个|其次|顺便|第二|(?:^|[，,。；;\s])[2２二][、.．]")


def measure_for(theme_id: str, name: str, keywords: list[str]) -> tuple[str, str]:
    """(measure, department) from prompts/measures.yaml.j2: the theme's own entry (led by what its
    opinions are about, when known), else the default one."""
    entries = _measures(name, tuple(keywords))
    entry = entries.get(theme_id) if theme_id != "default" else None
    entry = entry if isinstance(entry, dict) else None
    lead = str(entries.get("_lead") or "") if entry is not None else ""
    entry = entry or entries["default"]
    return lead + str(entry.get("measure") or ""), str(entry.get("department") or "")


@lru_cache(maxsize=256)
def _measures(name: str, keywords: tuple[str, ...]) -> dict:
    return yaml.safe_load(render("measures.yaml.j2", theme_name=name, keywords=list(keywords)))


def summarise(ops: Opinions, theme_of: list[str | None], score_of: np.ndarray, vectors: np.ndarray, *,
              taxonomy: Taxonomy | None, praise_id: str, clusters: list[Cluster],
              flags: list[str | None] | None = None, sector_themes: Sequence[Theme] = ()) -> ClassifyResult:
    """The ClassifyResult: every opinion with its theme, every theme with its row of the list. Flagged
    opinions (injections, formulas) are in no theme and lend no words to keywords, overviews or measures."""
    flags = flags if flags is not None else [None] * len(ops.unique)
    alive = [i for i in ops.alive() if flags[i] is None]
    members: dict[str, list[int]] = {}
    for i in alive:
        theme = theme_of[i]
        if theme is not None:
            members.setdefault(theme, []).append(i)
    known = {t.id: t for t in taxonomy.themes} if taxonomy is not None else {}
    found = {c.label: c for c in clusters}
    listed = {theme: rows_of for theme, rows_of in members.items() if theme != praise_id}
    about = _keywords(listed, ops, alive)
    about.update({label: c.keywords for label, c in found.items()})
    marks = _keywords(listed, ops, alive, TOPIC_WORDS)
    own_measure = taxonomy is not None and taxonomy.sector is None
    lenders = [*(t for t in known.values() if t.actions),
               *(t for t in sector_themes if t not in known.values())]
    sources = {theme_id: _source(theme_id, found, known, sector_themes) for theme_id in listed}
    lent = lend_sector_themes(
        {theme_id: (_name(theme_id, found, sources[theme_id], praise_id), sources[theme_id],
                    [(ops.unique[i], int(ops.weights[i])) for i in rows_of])
         for theme_id, rows_of in listed.items()},
        [t for t in lenders if t not in sources.values()])
    rows: list[ThemeSummary] = []
    plans: dict[str, MeasurePlan] = {}
    for theme_id, rows_of in members.items():
        count = int(ops.weights[rows_of].sum())
        praise = theme_id == praise_id
        others = {w for theme, words in marks.items() if theme != theme_id for w in words} - set(
            marks.get(theme_id, []))
        cluster = found.get(theme_id)
        source = sources.get(theme_id)
        name = _name(theme_id, found, source, praise_id)
        described = cluster.criterion if cluster is not None else (source.description if source else "")
        # the user's own theme says what it is about in its description; another by what its opinions say
        own = set(tokens(name + "，" + described)) if own_measure and cluster is None else \
            {*tokens(name), *marks.get(theme_id, [])}
        picks = _representatives(rows_of, ops, vectors, score_of, others, own)
        keywords = about.get(theme_id, [])
        measure, department = ("", "") if praise else measure_for(
            theme_id if cluster is None else "default", name, keywords if count >= OVERVIEW_MIN else [])
        plan = None if praise else plan_measure(
            name, source, [(ops.unique[i], int(ops.weights[i])) for i in rows_of], lent.get(theme_id),
            own_measure=own_measure and cluster is None,
            spare=measure if cluster is None and _has_entry(theme_id) else "",
            elsewhere=[(ops.unique[i], int(ops.weights[i]))
                       for other, rows in listed.items() if other != theme_id for i in rows],
            about=marks.get(theme_id, []))
        if plan is not None:
            plans[theme_id] = plan
        summary = "" if praise else overview(rows_of, ops, keywords, picks, score_of,
                                             [*marks.get(theme_id, []), *tokens(name)])
        rows.append(ThemeSummary(
            id=theme_id, name=name, count=count, share=count / ops.total, representatives=picks,
            measure=measure, department=department, discovered=cluster is not None,
            summary=summary or described, praise=praise))
    rows.sort(key=lambda row: (-row.count, row.id))
    assignments = [
        AssignedOpinion(line=line, text=text, theme=theme_of[u], score=round(float(score_of[u]), 4),
                        flag=flags[u])  # type: ignore[arg-type]
        for line, text, u in zip(ops.lines, ops.texts, ops.uid.tolist(), strict=True)]
    discovered = [
        DiscoveredTheme(label=c.label, criterion=c.criterion, keywords=c.keywords, evidence=c.evidence,
                        lines=sorted({a.line for a in assignments if a.theme == c.label}))
        for c in clusters]
    return ClassifyResult(total=ops.total, unique=len(alive), themes=word_measures(rows, plans),
                          assignments=assignments, discovered=discovered, engine="embedded")


def _source(theme_id: str, found: dict[str, Cluster], known: dict[str, Theme],
            sector_themes: Sequence[Theme]) -> Theme | None:
    """The theme a row stands for: the taxonomy's, or the sector theme a discovered group is named after."""
    if theme_id in found:
        return next((t for t in sector_themes if t.name == found[theme_id].label), None)
    return known.get(theme_id)


def _name(theme_id: str, found: dict[str, Cluster], source: Theme | None, praise_id: str) -> str:
    if theme_id in found:
        return found[theme_id].label
    return source.name if source is not None else (PRAISE_NAME if theme_id == praise_id else theme_id)


def _has_entry(theme_id: str) -> bool:
    """Whether prompts/measures.yaml.j2 holds a measure of its own for this theme id."""
    entry = _measures("", ()).get(theme_id)
    return theme_id not in {"default", "_lead", "_other"} and isinstance(entry, dict)


def _keywords(members: dict[str, list[int]], ops: Opinions, alive: list[int],
              count: int = OVERVIEW_KEYWORDS) -> dict[str, list[str]]:
    """What each theme's opinions are about, against all the run's opinions: its first `count` keywords by
    class-based TF-IDF, nouns first, for themes of at least OVERVIEW_MIN opinions."""
    themes = [theme for theme, rows in members.items() if int(ops.weights[rows].sum()) >= OVERVIEW_MIN]
    docs = [[ops.unique[i] for i in members[theme] for _ in range(int(ops.weights[i]))] for theme in themes]
    ranked = c_tf_idf(docs, [ops.unique[i] for i in alive]) if docs else []
    return {theme: nouns_first(words[:count * 2])[:count]
            for theme, words in zip(themes, ranked, strict=True) if words}


def _representatives(rows: list[int], ops: Opinions, vectors: np.ndarray, score_of: np.ndarray,
                     foreign: set[str], own: set[str]) -> list[str]:
    """The typical opinions as quoted (see `quote`): central, confidently filed, informative, on the theme's
    own topic (one of its `own` words) and one topic only, distinct from each other (most frequent first when
    there are no vectors); never a 同上 line or a list left uncut."""
    texts = [ops.unique[i] for i in rows]
    quotes = [quote(t) for t in texts]
    unusable = np.array([UNUSABLE_COST * bool(is_agreement(q) or _CUT_LIST.search(q)) for q in quotes])
    has_vector = vectors.shape[1] > 0 and bool(np.any(vectors[rows]))
    if not has_vector:
        order = np.lexsort((-ops.weights[rows], unusable))
        return list(dict.fromkeys(quotes[int(k)] for k in order))[:TYPICAL_OPINIONS]
    block = vectors[rows]
    usable = np.any(block, axis=1)
    centre = block[usable].mean(axis=0)
    centre /= max(float(np.linalg.norm(centre)), 1e-12)
    off_topic = np.array([OFF_TOPIC_COST * (bool(own) and not any(w in q for w in own)) for q in quotes])
    merit = block @ centre + FREQUENCY_BONUS * np.log(ops.weights[rows]) + SCORE_WEIGHT * score_of[rows] \
        + INFORMATION_WEIGHT * np.array([_information(q) for q in quotes]) - (~usable) * 10.0 \
        - np.array([_mixing_cost(q, foreign) for q in quotes]) - unusable - off_topic
    picked: list[int] = []
    while len(picked) < min(TYPICAL_OPINIONS, len(rows)):
        likeness = (block @ block[picked].T).max(axis=1) if picked else np.zeros(len(rows))
        value = merit - NOVELTY * np.maximum(likeness, 0.0)
        value[[k for k, q in enumerate(quotes) if q in {quotes[j] for j in picked}]] = -np.inf  # 同 quote
        best = int(np.argmax(value))
        if not np.isfinite(value[best]):
            break
        picked.append(best)
    return [quotes[k] for k in picked]


def quote(text: str) -> str:
    """An opinion as a typical opinion shows it: without who typed or said it (意见卡：, 11/17 来电：,
    六组X：), without a praising opener before its complaint (总体满意，就是：…) or an announcement of it
    (俺说说垃圾的事，)."""
    said = after_praise(_RECORD.sub("", without_chat_sender(text), count=1))
    body = _ANNOUNCE.sub("", said, count=1).strip()
    return body if _CJK.search(body) else text.strip()


def _mixing_cost(text: str, foreign: set[str]) -> float:
    """What quoting an opinion costs when it may touch two topics (a turn to a second one, another theme's
    words), reads as praise with no turn to a problem, or is full of masked personal data."""
    cost = MIXED_COST if _TURNS_TOPIC.search(text) else \
        FOREIGN_COST if any(word in text for word in foreign) else 0.0
    if _PRAISING.search(text) and not _TURNING.search(text):
        cost += PRAISE_COST
    cost += SHORT_COST if len(_CJK.findall(text)) < SHORT_CHARS else 0.0
    return cost + min(MASK_COST * len(_MASKED_NAME.findall(text)), MAX_MASK_COST)


def overview(rows: list[int], ops: Opinions, keywords: list[str], typical: list[str],
             score_of: np.ndarray, marks: Sequence[str] = ()) -> str:
    """问题概述: a sentence of what the theme's opinions complain of, in their own words (each opinion's first
    clause that names a problem and reads alone, those with the theme's `marks` (keywords) first, then those
    whose words many opinions share, on different things; never an ask, a person or a number), else its
    keywords."""
    shared: dict[str, float] = {}
    total = float(ops.weights[rows].sum())
    for i in rows:
        for word in set(tokens(ops.unique[i])):
            shared[word] = shared.get(word, 0.0) + float(ops.weights[i]) / total
    scored: dict[str, float] = {}
    for i in rows:
        clause = _problem_clause(ops.unique[i])
        words = set(tokens(clause))
        if words:
            value = (sum(shared.get(w, 0.0) for w in words) / len(words) + TYPICAL_BONUS * (
                ops.unique[i] in typical) + KEYWORD_BONUS * any(w in clause for w in marks)) \
                * (1.0 + float(score_of[i])) / 2
            scored[clause] = max(scored.get(clause, 0.0), value)
    picked: list[str] = []
    used: set[str] = set()
    for clause in sorted(scored, key=lambda c: (not any(w in c for w in marks), -scored[c], c)):
        words = set(tokens(clause))
        if words & used or sum(map(len, picked)) + len(clause) > OVERVIEW_CHARS:
            continue
        picked.append(clause)
        used |= words
        if len(picked) == OVERVIEW_CLAUSES:
            break
    if picked:
        return render("overview.j2", clauses=picked, keywords=keywords)
    return render("overview.j2", clauses=[], keywords=keywords) if keywords else ""


def _problem_clause(text: str) -> str:
    """The first clause of an opinion that says what is wrong, without its speaker, lead-in words, asks or
    questions, naming a thing and whole (no masked word, no particle at either end), standing alone (no 也,
    又 or 还 tying it to another clause, no 差点/到现在 opening it); "" when there is none. The clauses
    after it tell what that led to or who suffers (食堂饭菜太咸，病人没法吃), not another problem."""
    pieces = _CLAUSE.split(quote(text))
    for part, stop in zip(pieces[::2], [*pieces[1::2], ""], strict=True):
        clause = _ALSO.sub(r"\1", _TAIL.sub("", _lead_off(part.strip())))
        if (CLAUSE_CHARS[0] <= len(clause) <= CLAUSE_CHARS[1] and _PROBLEM.search(clause)
                and not _ASKING.search(clause) and not _PERSONAL.search(part)
                and not _QUESTION.search(clause) and not _CONTINUES.search(clause)
                and not _TIED.search(clause) and not set(stop) & set("？?") and _names_a_thing(clause)):
            return clause
    return ""


def _lead_off(clause: str) -> str:
    """A clause without its lead-in words and punctuation, however many there are (但是就是…)."""
    while (shorter := _LEAD.sub("", clause, count=1)) != clause:
        clause = shorter
    return clause


@lru_cache(maxsize=4096)
def _names_a_thing(clause: str) -> bool:
    """Whether a clause names what it is about: it opens with a content word, or has a noun or a place word
    (低保也没轮上, 村里的账不公开, 空气不好; not 说了几次没人管)."""
    import jieba.posseg

    words = tokens(clause)
    if words and clause.startswith(words[0]):
        return True
    return any(pair.flag == "n" or pair.flag.startswith(("n", "s", "vn")) and not pair.flag.startswith("nr")
               and len(pair.word) > 1 for pair in jieba.posseg.cut(clause))


def _information(text: str) -> float:
    """How much an opinion says: its content words (up to CONTENT_WORDS), more for a concrete figure."""
    words = min(len(set(tokens(text))), CONTENT_WORDS) / CONTENT_WORDS
    return words + (CONCRETE_BONUS if _CONCRETE.search(text) else 0.0)
