"""What a line of an opinion list is, beside an answer: a meeting record's header and replies, what the
person typing the list added (date separators, headings, 说明/备注, signatures, staff notices), the
survey's own question, and 同上 / +1 / 同意楼上 agreeing with the answer above."""

import re
from typing import NamedTuple

# 会议时间：… 地点：… 主持人：… 记录人：… 参会人员：… 审核：… 会议结束时间：…
_RECORD_META = re.compile(r"^(?:会议)?(?:时间|地点|主持人?|记录人?|记录员|参会人员|参加人员|出席人员|"
                          r"列席人员|缺席人员|参会人|议题|议程|审核|审核人|结束时间|散会时间)\s*[：:]")
_RECORD_TITLE = re.compile(r"^[^：:]{0,60}(?:会议记录|会议纪要|座谈会记录|评议会记录|记录表)$")
_NOTE = re.compile(r"^[（(【\[][^（(）)】\]]*[）)】\]]$")  # （会场有人笑，记录不全）
_APPENDIX = re.compile(r"^附\s*[：:]")
# A cadre answering in the record (村会计孙立峰：…, 镇包村干部刘晓军：…): a reply, not the public's opinion.
_CADRE_SPEAKER = re.compile(r"^(?:村|镇|乡|街道|社区|县)?(?:包村)?(?:会计|书记|支书|主任|村长|镇长|乡长|文书|"
                            r"委员|干部|出纳)[^：:，。,]{0,6}[：:]")
# The survey's own question heading a typed-up file: 您对我院还有哪些意见和建议？（…录入：…）
_QUESTION = re.compile(r"^(?=[^？?]*[您你])(?=[^？?]*(?:哪些|有何|有什么|何种))"
                       r"[^？?]{0,60}(?:意见|建议)[^？?]{0,10}[？?](?:[（(][^）)]*[）)])?$")
_SPEAKER = re.compile(r"^([^：:。！？]{1,24}[：:])\s*")
# --- in any text: what the person who typed the list added around the answers
# —— 11月10日 ——, 2024年11月10日 星期日, ==========
_DATE = (r"(?:\d{2,4}\s*[年/.\-]\s*)?\d{1,2}\s*[月/.\-]\s*\d{1,2}\s*[日号]?"
         r"(?:\s*[（(]?(?:星期|周)[一二三四五六日天][）)]?)?(?:\s*\d{1,2}[:：]\d{2})?")
_RULE = r"[-—－=＝*＊~～_·•.。…\s]*"
_SEPARATOR = re.compile(rf"^{_RULE}(?:{_DATE})?{_RULE}$")
# —— 3月7日开箱 ——, ==== 以下为第二批问卷 ====, —— 12345工单导出完毕 ——: words framed by rules on both sides
_FRAME = r"\s*(?:[-—－=＝*＊~～_#]\s*){2,}"
_FRAMED = re.compile(rf"^{_FRAME}[^-—－=＝*＊~～_#]+?{_FRAME}$")
# a chat copied with its sender lines: 张三 2024/11/10 8:12:33, then the message on the next line
_SENDER_LINE = re.compile(rf"^[^\s，。：:]{{1,16}}\s+{_DATE}(?:\s+\d{{1,2}}[:：]\d{{2}}(?:[:：]\d{{2}})?)?$")
# 说明：… 备注：… 注：…
_REMARK = re.compile(r"^(?:说明|备注|附注|注|填表说明)\s*[：:]")
# …整理人：贺晓琳, （…录入人：王婷婷）, （共回收143份，录入：司马婧）, 以上共收集意见若干条
_TYPIST = r"(?:整理|记录|录入|填报|统计|汇总|审核|复核|导出|主持)"
_SIGNATURE = re.compile(rf"{_TYPIST}(?:人|员)\s*[：:]|[（(][^（()）]*{_TYPIST}\s*[：:][^（()）]*[）)]\s*$|"
                        r"^以上(?:共|合计|总计)")
# （主持人：大家的意见我们都记下来了，下面看意见箱）: the host's or the typist's words in brackets
_BRACKETED_REMARK = re.compile(rf"^[（(【\[]\s*(?:{_TYPIST}(?:人|员)?|编者|注|备注|说明)\s*[：:]"
                               r"[^（()）】\]]*[）)】\]]$")
# 工单号  来电时间  诉求内容: the column headings of a table pasted as text (cells apart by tabs or spaces)
_COLUMN_GAP = re.compile(r"\t+|\s{2,}")
_COLUMN_HEADING = re.compile(r"[^\s，,。；;！!？?：:（）()]{1,8}")
_HEADING_OF_COLUMN = re.compile(r"(?:号|编号|序号|时间|日期|内容|姓名|电话|方式|类别|来源|地址|部门|单位|"
                                r"意见|建议|诉求|问题|留言|备注|结果|状态)$")
# A heading: 一、意见箱意见（…）, …意见建议汇总表, 12366热线及来电记录（…）; its words name no complaint.
_SECTION_NUMBER = re.compile(r"^(?:[一二三四五六七八九十]{1,3}|\d{1,2})\s*[、.．]\s*|"
                             r"^[（(][一二三四五六七八九十\d]{1,3}[）)]|"
                             r"^第[一二三四五六七八九十\d]{1,3}(?:部分|批|组|类)\s*[：:、]?\s*")
_BORDER = "-—－=＝*＊~～_·•.。… 【】[]：:"  # ==== 意见汇总 ====, 【来电记录】
_TRAILING_NOTE = re.compile(r"\s*[（(【\[][^（(）)】\]]*[）)】\]]\s*$")
_HEADING_WORD = re.compile(r"(?:汇总表?|记录表?|纪要|统计表?|一览表|登记表|征集表?|台账|意见整理|建议整理)$")
# 意见箱意见, 评议表, 车厢意见簿, 工单导出 are headings only when numbered (一、) or followed by a note
_HEADING_PLAIN = re.compile(r"(?:意见|建议|意见建议|意见和建议|情况|留言|来电|纸条|问卷|评议表|意见表|意见簿|"
                            r"意见册|工单|导出)$")
_COMPLAINT = re.compile(r"[不没无太差慢难乱贵脏吵坏少应请吗呢啊吧]|希望|(?<!主)要|能否|能不能|怎么|"
                        r"为什么|投诉")
_SENTENCE = re.compile(r"[，,。！？!?；;]")
MAX_HEADING_CHARS = 40
# A member of staff addressing the group (社区小周：各位居民早上好…, [社区小周 10:55] 大家的意见都记下了…)
_STAFF = re.compile(r"^(?:社区|居委会?|村委会?|网格员?|物业客服|物业管家|管家|客服|群主|管理员|街道)")
_ADDRESSING = re.compile(r"各位|大家|收到|记下|记录下|欢迎|通知|提醒|(?:会|将)(?:整理|转|反馈|上报|报)")
# [昵称 08:12], ［昵称］ at the head of a line, before what was said: a chat export's sender, who wrote the
# line, not what they think. 【…】 is no sender: 【建议】 heads an answer, 【系统提示】 is someone's words.
_CHAT_SENDER = re.compile(r"^\s*[\[［]([^\[\]［］]{1,24}?)(?:\s+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?[\]］]"
                          r"\s*(?=\S)")
_NAME_PREFIX = re.compile(r"^([^：:。！？，,\s]{1,12})[：:]\s*")
# 同上 / 同意楼上 / 意见同上 / +1 (not +1+1): agreement with the answer above, bare or followed by the
# person's own words.
_AGREEMENT = re.compile(r"^(?:意见)?(?:同上|同意楼上|同楼上|同意上面|同意上条|同意上述|同前|同上面|"
                        r"[+＋]1(?![\d+＋]))(?:说的|的|意见|的意见|所说)?(?=$|[。.！!，,、；;：:\s])")
_FILLER = re.compile(r"[。.！!，,、\s]*(?:我也是|我也一样|我家也是|一样|非常同意|完全同意|同意|赞同|支持|"
                     r"说得对|太对了|对|顶|赞|加一)?[。.！!，,、\s]*")
RECORD_HEAD_LINES = 2  # this many 会议时间/地点/主持人… lines among the first ones make a meeting record
HEAD_WINDOW = 12  # the first lines looked at for a record's header


class Agreement(NamedTuple):
    """The opinion a 同上-type answer stands for, and whether it was copied from the answer above."""

    text: str
    copied: bool


def agreement(text: str, *, in_record: bool, above: str | None) -> Agreement | None:
    """The opinion a 同上 / 同意楼上 / +1 answer stands for: the answer above (its speaker replaced by this
    one's) when it only agrees, the person's own words when it goes on to name something (同上，态度问题);
    None when the answer is not an agreement, or agrees with nothing above."""
    prefix, body = _split_prefix(text, in_record=in_record)
    match = _AGREEMENT.match(body)
    if match is None or above is None:
        return None
    own = body[match.end():]
    if not _FILLER.fullmatch(own):
        return Agreement(prefix + own.lstrip("。.！!，,、；;：: "), copied=False)
    return Agreement(prefix + _split_prefix(above, in_record=in_record)[1], copied=True)


def is_agreement(text: str) -> bool:
    """A 同上 / 同意楼上 / +1 answer, whatever follows it."""
    return bool(_AGREEMENT.match(_split_prefix(text, in_record=False)[1]))


def without_chat_sender(line: str) -> str:
    """The line without the chat sender at its head ([昵称 08:12] 电梯又坏了 -> 电梯又坏了)."""
    sender = _CHAT_SENDER.match(line)
    return line[sender.end():] if sender else line


def _split_prefix(line: str, *, in_record: bool) -> tuple[str, str]:
    """A line's sender ([昵称 08:12], 意见卡：, a record's speaker) and what they said."""
    chat = _CHAT_SENDER.match(line)
    sender, rest = (line[:chat.end()], line[chat.end():]) if chat else ("", line)
    name = (_SPEAKER if in_record else _NAME_PREFIX).match(rest)
    return (sender + rest[:name.end()], rest[name.end():]) if name else (sender, rest)


def _aside(line: str) -> bool:
    """A line of any text that the person typing the list added: a date or rule line between the answers,
    a chat's sender line, a heading or title, a 说明/备注 note, a signature or closing count, a member of
    staff's notice."""
    return bool(_SEPARATOR.match(line) or _FRAMED.match(line) or _SENDER_LINE.match(line)
                or _REMARK.match(line) or _BRACKETED_REMARK.match(line) or _SIGNATURE.search(line)
                or _heading(line) or _staff_notice(line) or is_column_headings(line))


def is_column_headings(line: str) -> bool:
    """工单号  来电时间  诉求内容: two or more short headings apart by tabs or runs of spaces, each naming a
    column (…号, …时间, …内容, 意见, 诉求…), no complaint among them (not 排队时间  太长)."""
    cells = _COLUMN_GAP.split(line.strip())
    return (len(cells) >= 2 and not _COMPLAINT.search(line)
            and all(_COLUMN_HEADING.fullmatch(cell) and _HEADING_OF_COLUMN.search(cell) for cell in cells))


def column_cells(line: str, count: int = 0) -> list[str]:
    """A line of a table pasted as text, cut at its tabs or runs of spaces (into `count` cells at most, the
    last keeping its own spaces, when given)."""
    return _COLUMN_GAP.split(line.strip(), maxsplit=max(count - 1, 0))


def _heading(line: str) -> bool:
    """一、意见箱意见（…）, …意见建议汇总表, 12366热线及来电记录（…）: short, no sentence, no complaint."""
    line = line.strip(_BORDER)
    numbered = _SECTION_NUMBER.match(line)
    head = line[numbered.end():] if numbered else line
    noted = False
    while note := _TRAILING_NOTE.search(head):
        head, noted = head[:note.start()], True
    if not head or len(head) > MAX_HEADING_CHARS or _SENTENCE.search(head) or _COMPLAINT.search(head):
        return False
    return bool(_HEADING_WORD.search(head) or ((numbered or noted) and _HEADING_PLAIN.search(head)))


def _staff_notice(line: str) -> bool:
    """社区小周 telling the group the 评议 has begun, or thanking it: staff addressing all, no complaint."""
    chat = _CHAT_SENDER.match(line)
    named = chat or _NAME_PREFIX.match(line)
    if named is None:
        return False
    said = line[named.end():]
    return bool(_STAFF.match(named.group(1)) and _ADDRESSING.search(said) and not _COMPLAINT.search(said))


def looks_like_record(lines: list[str]) -> bool:
    """A meeting record: 会议时间/地点/主持人… lines among the first ones."""
    return sum(bool(_RECORD_META.match(line)) for line in lines[:HEAD_WINDOW]) >= RECORD_HEAD_LINES


def not_an_opinion(line: str, *, first: bool, in_record: bool) -> bool:
    """A line of text that is no one's answer: an aside of the typist in any text, the survey's question on
    the first line, a meeting record's header, notes and cadres' replies."""
    return bool(_aside(line) or (in_record and _record_aside(line)) or (first and _QUESTION.match(line)))


def _record_aside(line: str) -> bool:
    return bool(_RECORD_META.match(line) or _RECORD_TITLE.match(line) or _NOTE.match(line)
                or _APPENDIX.match(line) or _CADRE_SPEAKER.match(line))
