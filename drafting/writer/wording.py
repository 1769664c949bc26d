"""Wording borrowed from exemplars: sentences of past summaries with every fact-bearing part refused,
their self-words adapted to the unit being written for, and chosen for each slot of the draft."""

import hashlib
import re
from functools import lru_cache

import yaml
from pydantic import BaseModel, Field

from drafting.config import PROMPTS_DIR
from drafting.corpus.models import Passage
from drafting.writer.verify import figures_in
from drafting.writer.voice import Voice, bare_unit, kinds_named, voice_for

SENTENCE = re.compile(r"[^。！？；\n]+[。！？；]?")
LEADS = re.compile(r"^(?:[一二三四五六七八九十]+是|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．]|"
                   r"首先|其次|再次|最后|同时|此外|另外|与此同时|在此基础上|由此|总之|综上)[，,：:]?")
SELF = re.compile(r"(?:我|本)(?:院|局|镇|村|校|所|社区|公司|中心|矿|厂|单位|街道|园|行|"
                  r"车间|科|处|站|乡|集团|会|区|县|支部|分局)")
# only a clause's own subject (院党委…), never the end of a longer name (学院党委 -> 学我校)
ORGAN = re.compile(r"(?<![我本\u4e00-\u9fff])(?:学校|学院|医院|院|局|校|所|镇|村|社区|公司|分局|中心)"
                   r"(?:党委|党总支|党支部|支部)")
WHOLE = re.compile(r"全(?:院|局|镇|村|校|所|社区|公司|矿|厂|乡|行|会)(?![级长面])")
CN_COUNT = re.compile(r"[一二两三四五六七八九十百千万几数]+(?:个|名|人|次|场|户|条|件|份|项|"
                      r"起|位|家|篇|期|天|年|月|日|余|多|批|轮|所|支|类|种|台|盏|口|"
                      r"公里|米|元|周|季|届|套|处|座|道)")
# A clause with a particular time, honour, person or place: dropped from its sentence, the facts must say it.
CLAIMS = re.compile(r"位居|名列|前列|第一名|今年|去年|前年|年初|年底|年末|上半年|下半年|"
                    r"如今|目前已|获评|荣获|获得|被评为|表彰|授予|称号|锦旗|媒体|报道|"
                    r"表扬信|感谢信|书记|主任|院长|局长|所长|校长|镇长|村长|主席|科长|队长|"
                    r"同志|先生|女士|阿姨|大爷|大妈|老人家|县|省|(?<!城)市(?!场)|区委|"
                    r"镇党委|党工委|党组(?!织)")
# A sentence that leans on its context (these, as follows, for example) or fits its own summary only.
CONTEXTUAL = re.compile(r"例如|比如|^如|如下|是否|这次|此次|这些|上述|以上|该|其中|各单位|"
                        r"各部门|活动的|也把|报告|^但|^而|^并|^又|^还|^总的看|^总体|当即|"
                        r"当场|当天|当周|随即|已经|先后|曾经|再次|首次|结束后|不够|不足|"
                        r"不强|不高|欠缺|有待|尚未|仍有|仍然|不到位|不明显|问题较多|不多|不深|小结|总结如下|现针对|现将|"
                        r"领头羊的高度|"
                        # 其 with nothing before it to point to (由社区反馈其参与志愿服务情况)
                        r"^[^，。]{0,12}(?<![及尤与])其(?![他中实次余它])|"
                        # 的 for 地 before a verb: the exemplar's own slip (全面合理的设计)
                        r"(?:全面|合理|认真|扎实|积极|深入|广泛|充分|精心|有序|切实)的"
                        r"(?:设计|制定|开展|推进|落实|组织|做好|抓好|研究)")
# A particular initiative of the unit that wrote it (opened, set up, sent, built): the facts must say it.
DEEDS = re.compile(r"开通|设立|组建|派驻|开设|推出|建成|投入|新增|增开|增设|聘请|购置|"
                   r"安装|修建|硬化|改造|举办|开工|建设项目|由[^，。]{1,8}(?:组织|负责|牵头)|"
                   r"全年|未发生|零投诉|产妇|新生儿|"
                   r"(?<!为)(?<!除)(?<!不)了(?!解)|^[到和与及等]")
# A list of three or more particulars (设置候诊时间、检查等待、医患沟通等具体指标): another unit's own
# arrangements, borrowed only from the unit's own past summary.
PARTICULARS = re.compile(r"(?:[^、，。；]{2,8}、){2,}[^、，。；]{2,8}等")
# A purpose clause followed only by aims (为…，做到…，确保…): the sentence has no main clause.
PURPOSE_ONLY = re.compile(r"^为[^，]*(?:，(?:做到|确保|使|让|力求|努力|不)[^，]*)+[。；！？]?$")
# An adverbial clause that cannot end a sentence: what followed it was dropped.
DANGLING = re.compile(r"^(?:对|针对|在|按照|根据|围绕|通过|为了|随着|经过|从|以|把|将)")
# Campaigns a past summary may name; a sentence naming another campaign than the draft's is not borrowed.
CAMPAIGNS = ("创先争优", "主题教育", "党史学习教育", "党纪学习教育", "作风建设", "两学一做", "不忘初心",
             "群众路线教育实践", "三严三实", "八项规定")
# Quoted words every summary of the genre may use; any other quote names a practice of that unit.
GENRE_QUOTES = {"一把手", "两委", "五个好", "五带头", "三会一课", "满意", "基本满意", "不满意", "回头看",
                "一岗双责", "关键少数", "急难愁盼"}
REFUSALS_FILE = PROMPTS_DIR / "template" / "refusals.yaml"
MIN_CHARS, MAX_CHARS = 20, 120
OWN_MIN_CHARS = 12  # the unit's own item titles (坚持问需为先，以走访调研为抓手) may serve as sentences
OWN_BONUS = 1.0  # the unit's own past summaries first
MIN_OVERLAP = 0.08  # share of a slot's search words another unit's sentence needs to serve the slot
OWN_ELSEWHERE_OVERLAP = 0.1  # share of a slot's search words an own sentence found for another slot needs
OWN_EXTRA = 2  # a slot takes up to this many more sentences from the unit's own past summary
RANK_COST = 0.01  # a passage retrieved lower for the slot counts a little less
PICK_FROM = 4  # a slot's wording is one of its best few sentences, picked by the unit
PERSON_TAGS, PLACE_TAGS = ("nr", "nrt", "nrfg"), ("ns", "nt")
PLACE_ENDS = "省市县区镇乡村街道社林"
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
            "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
            "龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞"
            "左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕"
            "屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧"
            "闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝")


class Borrowed(BaseModel):
    """One sentence of a draft and the passage whose wording shaped it."""

    slot: str = Field(description="Slot of the draft the sentence fills, e.g. measures.scope")
    sentence: str = Field(description="The sentence as the draft has it")
    passage: Passage


class Refusals(BaseModel):
    """Cues of borrowed sentences a draft refuses, as prompts/template/refusals.yaml gives them."""

    deeds: list[str] = Field(description="Practices, meetings and bodies the facts must name to be borrowed")
    outcomes: list[str] = Field(description="What befalls the dissatisfied: never borrowed")
    levels: dict[str, list[str]] = Field(description="Words a unit of each level never uses")
    meetings: list[str] = Field(description="Kinds of meeting: one named before it is borrowed only if held")
    meeting_verbs: list[str] = Field(description="Words before a kind of meeting that name no meeting")
    slogans: list[str] = Field(description="Set phrases and self-praise: never borrowed")

    def named_meetings(self, sentence: str) -> list[str]:
        """The named meetings of a sentence: 企业座谈会, 党政联席会议 (not 召开座谈会)."""
        kinds = "|".join(map(re.escape, self.meetings))
        return [m.group(0) for m in re.finditer(rf"([\u4e00-\u9fff]{{2}})(?:{kinds})", sentence)
                if m.group(1) not in self.meeting_verbs]


@lru_cache
def refusals() -> Refusals:
    """The refusal cues of prompts/template/refusals.yaml."""
    return Refusals(**yaml.safe_load(REFUSALS_FILE.read_text(encoding="utf-8")))


def unit_level(unit: str, voice: Voice) -> str:
    """The unit's level for refusals.yaml: committee (区委, 县委), branch (a single 党支部) or other."""
    if voice.kind == "committee":
        return "committee"
    return "branch" if unit.endswith("支部") and not unit.endswith("总支部") else "other"


def refused(sentence: str, facts_text: str, level: str) -> bool:
    """Whether a borrowed sentence asserts a practice or body the facts do not hold, an outcome for the
    dissatisfied, or a word of another level than the unit's."""
    cues = refusals()
    held = [*cues.deeds, *cues.named_meetings(sentence)]
    return (any(cue in sentence and cue not in facts_text for cue in held)
            or any(cue in sentence for cue in [*cues.outcomes, *cues.slogans, *cues.levels.get(level, [])]))


def _names(sentence: str) -> bool:
    """Whether the sentence names a person (a surname and a word jieba does not know) or a place or body
    (a proper noun jieba does not know, or one before 县/市/镇/村…)."""
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    known = jieba.dt.FREQ
    words = list(jieba.posseg.cut(sentence))
    for i, (word, flag) in enumerate(words):
        after = words[i + 1].word if i + 1 < len(words) else ""
        if flag in PERSON_TAGS and 2 <= len(word) <= 3 and word[0] in SURNAMES and not known.get(word):
            return True
        if flag in PLACE_TAGS and len(word) > 1 and (not known.get(word) or after[:1] in PLACE_ENDS):
            return True
    return False


def _place_words(unit: str) -> list[str]:
    """The name parts of a unit (青溪县柳湾镇桃林村 -> 青溪, 柳湾, 桃林): never borrowed."""
    parts = re.split(r"省|市|县|区|镇|乡|村|街道|社区|党|人民|中共|国家|总局|税务|公安|"
                     r"分局|支部|医院|学校|小学|中学", unit)
    return [part[:2] for part in parts if len(part) >= 2]


def _quotes_ok(sentence: str) -> bool:
    if sentence.count("“") != sentence.count("”"):
        return False
    return all(q in GENRE_QUOTES for q in re.findall(r"“([^”]*)”", sentence)) and "”" not in \
        re.sub(r"“[^”]*”", "", sentence)


def _fact_bearing(clause: str, place_words: list[str]) -> bool:
    """Whether a clause holds a figure, a title, a named practice, a person, place or time of its own unit."""
    bare = WHOLE.sub("", clause)
    return bool(re.search(r"[0-9０-９%％《》〔〕【】<>\[\]()（）A-Za-z]", clause) or CN_COUNT.search(clause)
                or CLAIMS.search(bare) or not _quotes_ok(clause) or any(p in clause for p in place_words)
                or figures_in(clause))


def _without_facts(sentence: str, place_words: list[str]) -> str:
    """The sentence with its fact-bearing clauses dropped (the wording around them may still serve)."""
    clauses = [c for c in re.split(r"(?<=，)", sentence.rstrip("。；！？")) if c.strip("，")]
    kept = [c for c in clauses if not _fact_bearing(c, place_words)]
    if not kept or (len(kept) < len(clauses) and DANGLING.match(kept[-1])):
        return ""
    return "".join(kept).rstrip("，") + "。"


def clean_sentence(sentence: str, source_unit: str, min_chars: int = MIN_CHARS) -> str | None:
    """The sentence with its lead marker and fact-bearing clauses dropped, or None when too little is left
    or it leans on its context or names someone."""
    sentence = ORGAN.sub("我院", LEADS.sub("", sentence.strip()).strip("，,：: "))
    # the unit's own past summary may lend its own practices' wording (its names and figures never)
    if CONTEXTUAL.search(sentence) or min_chars == MIN_CHARS and DEEDS.search(sentence) or "：" in sentence:
        return None
    sentence = _without_facts(sentence, _place_words(bare_unit(source_unit)))
    body = sentence[:-1]
    if PURPOSE_ONLY.match(sentence) or not min_chars <= len(body) <= MAX_CHARS or _fact_bearing(body, []):
        return None
    return None if _names(body) else sentence


def adapt(sentence: str, voice: Voice, we: str) -> str:
    """Self-words in the exemplar's voice turned into the unit's own: 我院 -> 我局, 全院 -> 全局."""
    sentence = re.sub(r"^(?:党支部|党总支|党委)(?!书记)", we, SELF.sub(we, sentence))
    return WHOLE.sub(voice.whole, sentence)


@lru_cache(maxsize=4096)
def _cleaned(text: str, source_unit: str, min_chars: int) -> tuple[str, ...]:
    found = (clean_sentence(s, source_unit, min_chars) for s in SENTENCE.findall(text))
    return tuple(s for s in found if s)


def usable_sentences(passage: Passage, voice: Voice, *, own: bool = False) -> list[str]:
    """The passage's sentences a draft in this voice may borrow (no facts, no other kind's words, no
    heading of the passage unless the passage is the unit's own)."""
    unit = passage.unit or passage.title
    return [sentence for sentence in _cleaned(passage.text, unit, OWN_MIN_CHARS if own else MIN_CHARS)
            if all(voice.kind == kind or kind in voice.also for kind in kinds_named(sentence))
            and (own or not any(sentence[:-1] in heading for heading in passage.heading_path))]


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1)}


class Phrasebook:
    """Borrows sentences for each slot of one draft, never the same sentence twice, and records them.

    Only passages of the unit's own kind (or its sector) lend wording: the unit's own past summaries first,
    then the closest in words to the slot, one of the best few picked by a stable hash of the unit."""

    def __init__(self, slots: dict[str, list[Passage]], cues: dict[str, str], musts: dict[str, str], *,
                 topics: dict[str, str] | None = None,
                 unit: str, sector: str, activity: str, voice: Voice, we: str, seed: str,
                 facts_text: str = "") -> None:
        self._slots, self._cues, self._musts, self._activity = slots, cues, musts, activity
        self._topics = topics or {}
        self._facts_text, self._level = facts_text, unit_level(unit, voice)
        self._unit, self._sector, self._voice, self._we, self._seed = unit, sector, voice, we, seed
        self._used: set[str] = set()
        self.borrowed: list[Borrowed] = []

    def _kin(self, passage: Passage) -> bool:
        kind = voice_for(passage.unit or passage.title, passage.sector or None)
        generic = self._voice.kind in ("office", "other")  # a kind of its own borrows from its kind only
        same_sector = bool(self._sector) and passage.sector == self._sector
        return kind.kind == self._voice.kind or generic and same_sector

    def _off_slot(self, slot: str, sentence: str) -> bool:
        """A plan outside the next steps, or another campaign than the draft's."""
        plan = re.search(r"^(?:下一步|今后)|将(?:继续|坚持|进一步|始终)", sentence) is not None
        other_campaign = any(c in sentence and c not in self._activity for c in CAMPAIGNS)
        return other_campaign or plan and not slot.startswith("next.")

    def _own(self, passage: Passage) -> bool:
        return bool(passage.unit) and bare_unit(passage.unit) == bare_unit(self._unit)

    def _candidates(self, slot: str) -> list[tuple[float, str, Passage]]:
        cue = _bigrams(self._cues.get(slot, ""))
        must = re.compile(self._musts.get(slot) or "")
        topic = re.compile(self._topics.get(slot) or "")
        found = self._slots.get(slot, [])
        # the unit's own passages found for any slot may serve this one, when they share its words
        own_elsewhere = {p.id: p for ps in self._slots.values() for p in ps if self._own(p)}
        passages = [*found, *(p for pid, p in own_elsewhere.items() if pid not in {q.id for q in found})]
        out = []
        for rank, passage in enumerate(passages):
            own = self._own(passage)
            if not own and not self._kin(passage):
                continue
            for sentence in usable_sentences(passage, self._voice, own=own):
                off_topic = not must.search(sentence) or not own and (
                    not topic.search(sentence) or PARTICULARS.search(sentence) is not None)
                if sentence[:10] in self._used or off_topic or self._off_slot(slot, sentence):
                    continue
                if refused(adapt(sentence, self._voice, self._we), self._facts_text, self._level):
                    continue
                overlap = len(cue & _bigrams(sentence)) / (len(cue) or 1)
                needed = (OWN_ELSEWHERE_OVERLAP if rank >= len(found) else 0.0) if own else MIN_OVERLAP
                if overlap < needed:
                    continue
                out.append((overlap + OWN_BONUS * own - RANK_COST * min(rank, len(found)), sentence, passage))
        return sorted(out, key=lambda c: -c[0])

    def say(self, slot: str, fallback: str, *, count: int = 1) -> str:
        """Up to `count` borrowed sentences for the slot (OWN_EXTRA more from the unit's own summary),
        else the bundled fallback phrasing."""
        candidates = self._candidates(slot)
        chosen: list[str] = []
        while len(chosen) < count + OWN_EXTRA:
            top = [c for c in candidates if c[1][:10] not in self._used]
            own = [c for c in top if c[0] >= OWN_BONUS / 2]
            if not top or (len(chosen) >= count and not own):
                break
            pool = own[:PICK_FROM] or top[:PICK_FROM]
            digest = hashlib.sha256(f"{self._seed}|{slot}|{len(chosen)}".encode()).digest()
            _, sentence, passage = pool[digest[0] % len(pool)]
            text = adapt(sentence, self._voice, self._we)
            self._used.add(sentence[:10])
            self.borrowed.append(Borrowed(slot=slot, sentence=text, passage=passage))
            chosen.append(text)
        return "".join(chosen) if chosen else fallback
