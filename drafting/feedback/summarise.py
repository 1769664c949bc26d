"""Summaries of a classify run: one row a theme with its counts, 问题概述 in short phrases taken from its
opinions, typical opinions (central, informative, on one topic) and its planned measure."""

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
PLACE_WORDS = 6  # a place that opens a clause is named in at most this many words
ALIKE = 0.5  # two 问题概述 phrases sharing this share of their character pairs say the same thing
CLAUSE_CHARS = (4, 18)
TYPICAL_BONUS = 0.1  # a clause of a typical opinion is likelier to say what the theme is about
KEYWORD_BONUS = 0.2  # as is one with the theme's keywords
OFF_TOPIC_COST = 0.3  # a quote with none of its theme's keywords may be about something else
UNUSABLE_COST = 10.0  # a 同上 line or a list cut in the middle is quoted only when nothing else is left
_WANTING = re.compile(r"无|推诿|不足|偏[多少长高低]|过[多少长高低]")  # how a description says what is wrong
_PARTS = re.compile(r"[、，,；;。：:（）()]+")
# What a 问题概述 phrase leaves out: a place that opens its clause (锦绣花园南门, 鹿鸣路和建国路路口), words
# jieba tags as a place, time, direction or figure (城中村, 晚上, 两边, 八点), and a named place (建国路)
_PLACE_NAME = r"[\u4e00-\u9fff]{2,4}?(?:路|街|巷|大道|花园|家园|新村|小区|苑|广场|大厦)"
_PLACE = re.compile(rf"{_PLACE_NAME}(?:[和与、]{_PLACE_NAME})*"
                    r"(?:[东南西北]门|[东西南北]侧|两边|路口|附近|这边|那边)?")
# the parts of speech of a place's words (幸福里小区; 每天晚上广场 is none)
_PLACE_PARTS = ("n", "s", "f", "a")
_WHEN = re.compile(r"^(?:每|天天|成天|整天)")  # how often, in a word jieba tags otherwise (每天晚上)
_TOO = re.compile(r"[太忒难贵慢乱堵挤差脏]")  # what is wrong with a thing done (停车太难)
_SUBJECT_TAGS = ("n", "vn", "s")  # a phrase names what is wrong in a noun (提交不了 names nothing)
_ASIDE = re.compile(r"[（(][^）)]*[）)]?")  # (超过三个月) says no more of what is wrong
_TURN = frozenset({"但", "但是", "可是", "不过", "就是", "只是"})
# a phrase cut before the word it needs (连廊没有…, 家长不能…, 药房发药不…) reads as no whole
_DANGLING = re.compile(r"(?:[不没太很有是比和跟与在给对把被让能会要想]|没有)$")
_LEADING_TAGS = ("m", "q", "f", "t", "ns")  # a figure, a direction, a time or a place before a subject
_UNIT = re.compile(r"^(?:小时|分钟|钟头|天|年|个月|月|星期|礼拜|周|次|回|趟|路)$")  # (半个)小时, (83)路
_TIME = re.compile(r"^(?:早上|早晨|晚上|夜里|夜间|半夜|凌晨|傍晚|中午|上午|下午|白天|[今昨明前]天|"
                   r"[今去前明]年|周[一二三四五六日末]|星期|礼拜|平时|平常|最近|有时|年底|年初|月初|月底|当天|"
                   r"节假日|假期|早晚|早高峰|晚高峰|高峰)")
_PLACE_WORD = re.compile(rf"^{_PLACE_NAME}$")
# a phrase ends before these once it has said what is wrong (电梯坏了就…, 停车收费太贵也…)
_BREAK = frozenset({"也", "还", "又", "就", "都", "而且", "但", "但是", "让", "把", "被"})
_CLAUSE = re.compile(r"([，,。；;！!？?：:\n]+)")
# Who typed or said an opinion, before what was said (after a chat's sender, [昵称 10:32]):
# 意见卡（签名：X）：, 11/17 来电：, 11/9 来电人X反映, 11/22 纳税人X来电：, 六组X：, 教师：
_CALLER = r"(?:来电人|纳税人)[\u4e00-\u9fff*]{0,5}?(?:[（(][^）)]{0,30}[）)])?"
_SAID = r"(?:人称|反映|咨询|投诉|表示|称|说)"
_RECORD = re.compile(
    r"^\s*(?:意见卡(?:[（(][^）)]{0,20}[）)])?\s*[：:]"
    rf"|\d{{1,2}}/\d{{1,2}}\s*(?:{_CALLER}(?:来电)?{_SAID}?[：:，,]|{_CALLER}(?:来电)?{_SAID}|来电{_SAID}?\s*[：:，,]?)?"
    r"|[^，,。；;：:！!？?\s]{1,14}[：:])?\s*")
# A hotline export's record before what was said: LA2025010300418  2025-01-03 10:22  诉求内容：, 工单号：…
_EXPORT = re.compile(r"^\s*(?:(?:工单号?|编号)[：:]?\s*)?[A-Za-z]{0,4}\d{6,}\s+"
                     r"(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?\s*)?(?:\d{1,2}[:：]\d{2}(?:[:：]\d{2})?\s*)?"
                     r"(?:[^，,。；;：:！!？?\s]{1,8}[：:])?\s*")
# Who called or wrote in, before what they said: 来电人X（…）反映， 来电人称 市民来电反映 反映：, or a
# note of where it came from: （驾驶员来电）
_TOLD = re.compile(rf"^(?:[（(][^）)]{{1,10}}[）)]\s*|(?:来电人|留言人|纳税人)[\u4e00-\u9fff*]{{0,5}}?"
                   rf"(?:[（(][^）)]{{0,30}}[）)])?(?:来电)?{_SAID}"
                   r"|(?:市民|群众|居民|乘客|网民|企业|商户|家长|村民)(?:来电|致电|留言)?(?:反映|称|投诉)"
                   r"|(?:来电|致电|留言)?反映|来电称)(?![的了过])[：:，,]?\s*")
# a list not cut at its numbers (…等候区 3、12366…)
_CUT_LIST = re.compile(r"(?<=[\u4e00-\u9fff])\s*\d{1,2}[、．.](?!\d)|[、，,：:]$")
_LEAD = re.compile(r"^[^\u4e00-\u9fffA-Za-z0-9]+|^的|^(?:但是|但|就是|可是|不过|而且|并且|另外|"
                   r"还有|其实|总体满意|感觉|觉得|现在|关于|所以|尤其是|特别是|是(?!不是))")
# a particle or a softener that ends a spoken clause (停车位太少了, 护士不来看一下); 了 only after 太X
# (电梯又坏了 needs it)
_TAIL = re.compile(r"(?:[啊呀吧呢啦嘛哦噢]|一下|(?<=太.)了)+$")
# A speaker announcing what they will talk about: 俺说说垃圾的事， / 路灯的事俺也说一句，
_ANNOUNCE = re.compile(r"^[^，,。]{0,8}?[俺我][^，,。]{0,4}?(?:说说|说一句|说两句|补充一句|有意见)"
                       r"[^，,。]{0,6}?[，,。]\s*")
# 也 after a clause's subject ties it to the one before (物业也不管): the clause says it alone without it
_ALSO = re.compile(r"^([^也]{2,6})也(?=\S)")
_ASKING = re.compile(r"^(?:建议|希望|要求|请|最好|应该|应当|能不能|能否|可不可以|可否|不能|不要|不用|别|得|"
                     r"要)|[要该得]管|能不能|能否|可不可以|应该|得[要给让]|不行$|麻烦[你您]?(?:告诉|帮|给)")
_PROBLEM = re.compile(r"[不没难贵差脏坏乱堵挤慢旧漏臭拖缺吵窄矮凉]|[太忒](?!阳)|少(?![年儿先女])|只有|只开|"
                      r"过期|故障|隐患|危险|麻烦|有待|欠缺|难听")
# a clause that goes on from the one before it (也不去喊医生) has no subject of its own
_CONTINUES = re.compile(r"^(?:[也还又就都才而并再比把被让跟连]|不是|差点|险些|一不小心|不小心|到现在|至今|"
                        r"每次|每回|结果|后来|后面|然后|最后|听了|说了|问了|上回|上次|那次|那天|有一次|有次|"
                        r"当时|前几天|前天|昨天|刚才)")
# 也, 又 or 还 inside a clause ties it to another one (质量还不好, 有问题私聊老师也不回): it reads wrong alone
_TIED = re.compile(r"[也又]|还(?!是|有)")
_PRAISING = re.compile(r"表扬|感谢|谢谢|很好|挺好|认真|不错|满意|点赞|成功|耐心|和气|热情|负责|暖心|贴心")
_TURNING = re.compile(r"但|就是|可是|不过|只是|可惜|有待|还需|希望|建议")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_MASKED_NAME = re.compile(r"[\u4e00-\u9fff]?\*+")
_PERSONAL = re.compile(r"[我俺咱你您恁他她“”\"]|\*|\d{7,}")  # a person, their words, a number
_QUESTION = re.compile(r"[吗呢么不没]$|是不是|有没有|[是有]多少|多少$|为什么|为啥|怎么|谁|啥|(.)不\1")
# where a second topic starts (…，另外大厅取号机经常故障; …；还有放学时校门口…): a quote ends before it
_SECOND_TOPIC = re.compile(r"\s*(?:[；;。！!]\s*(?:另外|此外|还有|再就是|再一个|其次|顺便)"
                           r"|[，,]\s*(?:另外|此外|再就是|再一个|还有就是|顺便说一下))")
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
        summary = "" if praise else overview(rows_of, ops, picks, score_of,
                                             [*marks.get(theme_id, []), *tokens(name)],
                                             fallback=(source.description if source else "", name))
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
        said = {quotes[j] for j in picked}
        value[[k for k, q in enumerate(quotes) if q in said]] = -np.inf  # the same words are not quoted twice
        best = int(np.argmax(value))
        if not np.isfinite(value[best]):
            break
        picked.append(best)
    return [quotes[k] for k in picked]


def quote(text: str) -> str:
    """An opinion as a typical opinion shows it: without the record it came in (LA2025… 2025-01-03
    10:22 诉求内容：) and who typed or said it (意见卡：, 11/17 来电：, 六组X：, 来电人X反映，), without a
    praising opener before its complaint (总体满意，就是：…) or an announcement of it (俺说说垃圾的事，),
    and without a second topic it turns to (…；另外大厅取号机经常故障)."""
    told = _RECORD.sub("", _EXPORT.sub("", without_chat_sender(text), count=1), count=1)
    said = after_praise(_TOLD.sub("", told, count=1))
    body = _ANNOUNCE.sub("", said, count=1).strip()
    first = _SECOND_TOPIC.split(body, maxsplit=1)[0].rstrip("，,；;")
    body = first if len(_CJK.findall(first)) >= SHORT_CHARS else body
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


def overview(rows: list[int], ops: Opinions, typical: list[str], score_of: np.ndarray,
             marks: Sequence[str] = (), *, fallback: tuple[str, str] = ("", "")) -> str:
    """问题概述: what the theme's opinions complain of, as short phrases of a subject and what is wrong with
    it (see `phrase`), taken from each opinion's first clause that names a problem and reads alone: those with
    the theme's `marks` (keywords) first, then those whose words many opinions share, no two about the same
    thing. With too few, the parts of the theme's description, else its name (`fallback`)."""
    shared: dict[str, float] = {}
    total = float(ops.weights[rows].sum())
    for i in rows:
        for word in set(tokens(ops.unique[i])):
            shared[word] = shared.get(word, 0.0) + float(ops.weights[i]) / total
    scored: dict[str, float] = {}
    for i in rows:
        said = phrase(_problem_clause(ops.unique[i]))
        words = set(tokens(said)) & set(shared)  # not the written words it has for the spoken (损坏)
        if said and words:
            value = (sum(shared.get(w, 0.0) for w in words) / len(words) + TYPICAL_BONUS * (
                quote(ops.unique[i]) in typical) + KEYWORD_BONUS * any(w in said for w in marks)) \
                * (1.0 + float(score_of[i])) / 2
            scored[said] = max(scored.get(said, 0.0), value)
    rules = _phrasing()
    picked: list[str] = []
    for said in sorted(scored, key=lambda c: (not any(w in c for w in marks), -scored[c], c)):
        if not any(_alike(said, other) for other in picked) and \
                sum(map(len, picked)) + len(said) <= rules["overview_chars"]:
            picked.append(said)
        if len(picked) == rules["most"]:
            break
    if len(picked) < rules["fewest"]:
        picked = _described(*fallback)
    return render("overview.j2", phrases=picked)


def _described(description: str, name: str) -> list[str]:
    """A theme's description as 问题概述 phrases: its parts short enough to be one, those that say what is
    wrong (出警慢、接警推诿) when there are enough of them, else all (价格、口味、品种), the first `most`;
    its name when too few are short."""
    rules = _phrasing()
    parts = [p.strip() for p in _PARTS.split(description) if len(p.strip()) > 1]
    short = [p for p in parts if len(p) <= rules["phrase_chars"]]
    wrong = [p for p in short if _PROBLEM.search(p) or _WANTING.search(p)]
    said = wrong if len(wrong) >= rules["fewest"] else short
    return said[:rules["most"]] if len(said) >= rules["fewest"] else [name]


def _alike(one: str, other: str) -> bool:
    """Whether two phrases say the same thing: a content word of one in the other (路灯损坏, 路灯不亮), or
    most of their characters' pairs."""
    if any(word in other for word in tokens(one)) or any(word in one for word in tokens(other)):
        return True
    pairs = [{a + b for a, b in zip(text, text[1:], strict=False)} for text in (one, other)]
    return len(pairs[0] & pairs[1]) >= ALIKE * min(len(pairs[0]), len(pairs[1])) > 0


@lru_cache(maxsize=1)
def _phrasing() -> dict:
    return yaml.safe_load(render("overview_phrases.yaml"))


@lru_cache(maxsize=4096)
def phrase(clause: str) -> str:
    """A problem clause as a 问题概述 phrase, a subject and what is wrong with it in at most `phrase_chars`
    characters: without the places, directions, times and figures that open or fill it
    (锦绣花园南门晚上路灯坏了 → 路灯损坏), ending where what is wrong is said
    (小区监控坏了物业说没钱修 → 小区监控损坏), in written words (prompts/overview_phrases.yaml);
    "" when no subject is left or nothing is wrong."""
    import jieba.posseg

    rules = _phrasing()
    pairs = list(jieba.posseg.cut(_ASIDE.sub("", clause).replace("、", "和")))
    kept: list[str] = []
    last = ""  # the parts of speech of the last two words kept
    for pair in pairs[_place_words(pairs):]:
        said = "".join(kept)
        wrong = bool(_PROBLEM.search(said))
        if _left_out(pair.word, pair.flag, bool(kept)):
            continue
        if not wrong and pair.word in _TURN:  # what comes after 但是 is what is wrong
            kept, last = [], ""
            continue
        if wrong and _ends(pair.word, pair.flag, last):
            break
        if len(_written(said + pair.word, rules)) > rules["phrase_chars"]:
            # cut at its length only where it ends anyway or a figure follows (麻将桌坏了|两张)
            if not (wrong and (_ends(pair.word, pair.flag, last) or pair.flag.startswith(("m", "q")))):
                return ""
            break
        kept.append(pair.word)
        last = f"{last.split()[-1] if last else '-'} {pair.flag}"
    spoken = _lead_off(_TAIL.sub("", "".join(kept)))
    said = _written(spoken, rules).rstrip("的得地")
    # 说 reports what someone said, 都 what a problem led to (全楼都吵醒了, 社员都不知道)
    whole = not (_DANGLING.search(spoken) or _CONTINUES.search(spoken) or _QUESTION.search(spoken)
                 or spoken.startswith(("不", "这", "那")) or "说" in kept or "都" in kept)
    problem = _PROBLEM.search(spoken)
    named = problem is not None and _has_subject(spoken[:problem.start()], spoken)
    return said if whole and named and len(said) >= CLAUSE_CHARS[0] else ""


def _ends(word: str, flag: str, last: str) -> bool:
    """Whether a phrase that has said what is wrong (坏了, 太吵) ends before this word: a new subject starts
    another clause (物业说…), as does 也, 就 or a space; an object after a verb (不会用手机) or a noun after
    the adjective that describes it (堆着旧沙发) is still part of it. `last`: the parts of speech of the two
    words before."""
    said = re.fullmatch(r"\S+ u\S*|d\S* a\S*", last) is not None  # 坏了, 太吵
    return (flag.startswith(("n", "r", "s")) and said and not _PROBLEM.search(word)
            or word in _BREAK or word.isspace())


def _has_subject(before: str, spoken: str) -> bool:
    """Whether a phrase names what is wrong before it says so (`before`): a noun (态度不好, 门口太堵), or a
    thing done that is too hard or too dear (停车太难, 收费太贵); not a thing that cannot be done with no name
    of what (提交不了), nor a thing missing with no owner (没有热水)."""
    import jieba.posseg

    pairs = list(jieba.posseg.cut(before))
    # a noun of one character only as the end of a compound (取号机), not 呛得人
    return bool(pairs) and (any(pair.flag.startswith(_SUBJECT_TAGS) and not pair.flag.startswith(("nr", "ns"))
                                and (len(pair.word) > 1 or k > 0 and pairs[k - 1].flag.startswith(("n", "v")))
                                for k, pair in enumerate(pairs))
                            or len(pairs[0].word) > 1 and pairs[0].flag.startswith("v")
                            and bool(_TOO.search(spoken)))


def _left_out(word: str, flag: str, opened: bool) -> bool:
    """Whether a 问题概述 phrase leaves a word out: a place name or a time of day or week anywhere
    (建国路, 晚上, 每天), a figure, a direction or a place before its subject (两个, 两边, 城中村); not
    inside it, where the phrase would not read without it (灯有几个不亮, 价格比外面贵), nor a time that is a
    thing (课后)."""
    if _PLACE_WORD.search(word) or _WHEN.search(word):
        return True
    if flag.startswith("t"):
        return bool(_TIME.search(word))
    # 上 or 下 alone is a verb's or a noun's (上牌点), not a direction
    return not opened and (flag.startswith(_LEADING_TAGS) and (len(word) > 1 or not flag.startswith("f"))
                           or bool(_UNIT.search(word)))


def _place_words(pairs: list) -> int:
    """How many of a clause's first words name a place (锦绣花园 南门, 鹿鸣路 和 建国路 路口)."""
    lead = 0
    for k, pair in enumerate(pairs[:PLACE_WORDS], start=1):
        if not (pair.flag.startswith(_PLACE_PARTS) or pair.word in {"和", "与", "、"}):
            break
        if _PLACE.fullmatch("".join(p.word for p in pairs[:k])):
            lead = k
    return lead


def _written(said: str, rules: dict) -> str:
    """A phrase in the written words of prompts/overview_phrases.yaml (停车位忒少 → 停车位太少)."""
    for spoken in sorted(rules["words"], key=len, reverse=True):
        said = said.replace(spoken, rules["words"][spoken])
    for spoken in sorted(rules["endings"], key=len, reverse=True):
        if said.endswith(spoken):
            return said.removesuffix(spoken) + rules["endings"][spoken]
    return said


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
