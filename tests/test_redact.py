"""Anonymisation: masks of every kind, ordinary words kept, accuracy floors on every labelled set, and
properties (random phones, IDs, plates, record numbers and names inside random text are always masked)."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.redact_accuracy import KEEP_WORDS, all_sets, score
from drafting.feedback.names import NOT_NAMES, find_names
from drafting.feedback.redact import Entity, find_entities, mask, redact, shown


@pytest.mark.parametrize("text, masked", [
    ("我是张晓明，电话13812345678", "我是张**，电话138****5678"),
    ("身份证320102198805061234", "身份证320***********1234"),
    ("老证号110105650101123", "老证号110********1123"),
    ("邮箱 zhangwei88@163.com", "邮箱 z***@163.com"),
    ("座机0571-87654321", "座机0571-****4321"),
    ("欧阳娜娜老师上课很生动", "欧阳**老师上课很生动"),
    ("司机王海涛态度很差", "司机王**态度很差"),
    ("住院号2023081517，费用清单不对", "住院号**********，费用清单不对"),
    ("我车牌苏G·8M2K6，停车收费乱", "我车牌苏G·*****，停车收费乱"),
    ("苏G8M2K6天天堵门口", "苏G*****天天堵门口"),
    ("新能源车苏GD56789停一天五十", "新能源车苏G******停一天五十"),
    ("家住人民路88号金城花园7栋2单元302，油烟大", "家住人民路***，油烟大"),
    ("七组28号门前的坑没人填", "***门前的坑没人填"),
    ("工号：A1024 宿舍太挤", "工号：***** 宿舍太挤"),
    ("退款请退到6225880123456783", "退款请退到************6783"),
    ("QQ 31415926 私聊", "QQ ******** 私聊"),
    ("微信号：Chen-Jie2020", "微信号：************"),
    ("订单号：20240518123456789 退款没到", "订单号：***************** 退款没到"),
    ("长乐坊17弄3号门口的下水道堵了", "长乐坊17弄***门口的下水道堵了"),
    ("我住在东大街128号2单元401室，楼上漏水", "我住在东大街***，楼上漏水"),
    ("住在永和里8号的老人没人照顾", "住在永和里***的老人没人照顾"),
    ("工农路12号附5号的下水道冒水", "工农路***的下水道冒水"),
    ("美林湾二期5栋1单元801室的空调外机", "美林湾***的空调外机"),
    ("和平里社区12号楼3门502的暖气不热", "和平里社区***的暖气不热"),
    ("寄到建设南路218号华府名都6幢902室", "寄到建设南路***"),
    ("纳税人识别号92320722MA1WQ8H25K，登录失败", "纳税人识别号******************，登录失败"),
    ("统一社会信用代码：91320722MA1Q3K8X2P", "统一社会信用代码：******************"),
    ("税号 91110108MA01A2B3C4 开票", "税号 ****************** 开票"),
])
def test_masks(text, masked):
    assert redact(text) == masked


@pytest.mark.parametrize("text, masked", [
    ("村会计孙立峰账目一直不公开", "村会计孙**账目一直不公开"),
    ("六组王长山：路灯坏了半年没人修", "六组王**：路灯坏了半年没人修"),
    ("主持人：李德胜（村党支部书记）", "主持人：李**（村党支部书记）"),
    ("记录人：孙立新", "记录人：孙**"),
    ("王秀兰（五组）：自来水一股漂白粉味", "王**（五组）：自来水一股漂白粉味"),
    ("参会人员：杨振东、朱立新、邱红梅", "参会人员：杨**、朱**、邱**"),
    ("我是四(3)班李子轩的妈妈", "我是四(3)班李**的妈妈"),
    ("谭德明说：路灯十点就灭了", "谭**说：路灯十点就灭了"),
    ("【潘玉珍】楼道里堆满了杂物", "【潘**】楼道里堆满了杂物"),
    ("请领导重视。——焦明远 3月5日", "请领导重视。——焦** 3月5日"),
    ("李桂芳（二组）：水渠堵了", "李**（二组）：水渠堵了"),
    ("冉光明，13755556666，低保的事没人管", "冉**，137****6666，低保的事没人管"),
    ("厨师马国强，菜做得太咸", "厨师马**，菜做得太咸"),
    ("收银员萧婷找错钱了", "收银员萧**找错钱了"),
    ("高峰医生态度冷淡", "高**医生态度冷淡"),
    ("我叫洪亮，车间工人", "我叫洪**，车间工人"),
    ("户主：濮光荣", "户主：濮**"),
    ("他的孩子江小河在三(2)班", "他的孩子江**在三(2)班"),
    ("吴桂花他爹去年走了", "吴**他爹去年走了"),
    ("石德来，电话13912345678", "石**，电话139****5678"),
    ("11/3 来电人薛长河，电话13951862074", "11/3 来电人薛**，电话139****2074"),
    ("纳税人高建设反映：排了两个半小时", "纳税人高**反映：排了两个半小时"),
    ("来电人苗海龙：电子税务局一直闪退", "来电人苗**：电子税务局一直闪退"),
    ("来电人包国庆（138-1518-6623）：社保缴费", "来电人包**（138****6623）：社保缴费"),
    ("来电人冼志强咨询小微企业减半政策", "来电人冼**咨询小微企业减半政策"),
    ("缴费人贾玉珍来电：医保断缴了", "缴费人贾**来电：医保断缴了"),
    ("投诉人钟晓燕反映窗口推诿", "投诉人钟**反映窗口推诿"),
    ("[欧阳振兴 09:45] 生育登记放了一个月", "[欧阳** 09:45] 生育登记放了一个月"),
])
def test_names_after_role_words_and_speaker_prefixes(text, masked):
    assert redact(text) == masked


@pytest.mark.parametrize("text, name", [
    ("帕提古丽在卫生院等了一上午。", "帕提古丽"), ("次仁卓玛老师很负责。", "次仁卓玛"),
    ("迪丽娜尔·艾力反映宿舍没有热水。", "迪丽娜尔·艾力"),
])
def test_names_of_minority_peoples_are_masked_whole(text, name):
    start = text.index(name)
    assert any(e.kind == "name" and e.start <= start and start + len(name) <= e.end
               for e in find_entities(text))


@pytest.mark.parametrize("text, masked", [
    ("刘海燕与丈夫陈国平都下岗了", "刘**与丈夫陈**都下岗了"),
    ("护工邓凤英和钱秀莲照顾得很好", "护工邓**和钱**照顾得很好"),
    ("320102198805061234,李娜,宿舍太挤", "320***********1234,李**,宿舍太挤"),
    ("名师工程、青蓝工程都办得好", "名师工程、青蓝工程都办得好"),
    ("白菜和萝卜都涨价了", "白菜和萝卜都涨价了"),
    ("人员应享受岗位待遇", "人员应享受岗位待遇"),
    ("李娜是我们班的班长，人很好", "李**是我们班的班长，人很好"),
    ("文明是我们城市的名片，安全是大家的责任", "文明是我们城市的名片，安全是大家的责任"),
    ("服务员是临时工，党员是先锋队员", "服务员是临时工，党员是先锋队员"),
])
def test_names_beside_a_name_a_number_or_a_job(text, masked):
    assert redact(text) == masked


@pytest.mark.parametrize("text, masked", [
    ("谭德明", "谭**"), ("萧文", "萧**"), ("满意", "满意"), ("宿舍", "宿舍"), ("支持", "支持"),
])
def test_a_line_that_is_only_a_name_is_masked(text, masked):
    assert redact(text) == masked


@pytest.mark.parametrize("text, masked", [
    ("来电人宁德彬反映：办税厅的人看不起人", "来电人宁**反映：办税厅的人看不起人"),
    ("市民宁德彬反映：大厅没有座位", "市民宁**反映：大厅没有座位"),
    ("市民周丽姣反映：大厅太冷", "市民周**反映：大厅太冷"),
])
def test_the_whole_given_name_is_masked_when_jieba_cuts_its_last_character_off(text, masked):
    assert redact(text) == masked


@pytest.mark.parametrize("text", [
    "王府井附近的停车位太少了。", "党支部书记要高度重视群众反映的问题。", "建议王书记多下基层走走。",
    "李师傅修水管很及时。", "石家庄到我们县的班车太少。", "拨打12345热线也没用。", "房租涨了1.5万元。",
    "向阳村村委会的账目不公开。", "2023年承诺的道路还没修。", "马路上的坑太多了。", "麻醉师很专业。",
    "农忙的时候没人管。", "安全鞋太硬，安全带也旧了。", "保安亭的大爷人很好。", "护士长每天查房。",
    "一号楼到五号楼都没有无障碍坡道。", "幸福小区的物业费一年涨了两次。", "住院号、病历号都在腕带上。",
    "老师来坐五分钟就走了。", "整理成表格发给我。", "每个月多少全凭班长一句话。", "主持人宣布会议开始。",
    "门卫老吴脾气大，快递都不让进。", "金鑫超市卖过期食品。", "黄金周景区门票涨价了。", "家里3号楼的灯坏了。",
    "只能付现金，不能扫码。", "熊孩子在楼道里放鞭炮。", "扎西德勒！祝大家新年快乐。", "院墙叫修路的推倒了。",
    "护士来换药不开灯。", "维修工说换个龙头要八十。", "技术员讲得太快听不懂。", "门口的井盖丢了。",
    "早高峰的时候公交车挤不上去。", "江河湖泊的治理要加强。", "【建议】多开几个窗口。", "——一位老党员",
    "什么叫公摊费，具体多少", "这叫惠民政策吗？", "[9栋刘叔 09:15] 小区门禁坏了", "[向日葵 08:30] 电梯又坏了",
    "纳税人缴费人满意率为96.8%。", "群众满意率为93.4%。", "我是来向您投诉的。", "纳税人等着办业务。",
    "来电人称12366打不通。", "办事人员态度差。", "来电人反映两个问题。",
])
def test_ordinary_words_are_kept(text):
    assert find_entities(text) == [] and redact(text) == text


@pytest.mark.parametrize("text, masked", [
    ("那天是武立新接待的我。", "那天是武**接待的我。"),
    ("这件事是由明永福负责的。", "这件事是由明**负责的。"),
    ("请转告信访办的易水生，材料补齐了。", "请转告信访办的易**，材料补齐了。"),
    ("我被保安付海军推了一把。", "我被保安付**推了一把。"),
    ("楼长是项美华，人很热心。", "楼长是项**，人很热心。"),
    ("窗口的高峰态度很差。", "窗口的高**态度很差。"),
    ("我找了江河三次。", "我找了江**三次。"),
    ("网格员白雪每天都在群里通知。", "网格员白**每天都在群里通知。"),
    ("向前答应帮我们修路灯。", "向**答应帮我们修路灯。"),
    ("金花帮我把孩子送到了医院。", "金**帮我把孩子送到了医院。"),
    ("我跟国庆说过了。", "我跟国**说过了。"),
    ("审批科的建华说材料要重新盖章。", "审批科的建**说材料要重新盖章。"),
])
def test_names_in_a_sentences_frame(text, masked):
    """A name needs a person's frame; a word that is also a name needs one on both sides."""
    assert redact(text) == masked


@pytest.mark.parametrize("text", [
    "早晚高峰期公交车太挤了。", "领导说要向前走，不要老算旧账。", "创建文明城市不能只是刷墙。",
    "国庆节期间政务大厅能不能安排人值班？", "田野里的麦子快熟了。", "银行说没收到退款。",
    "公司答应给我们补偿。",
    "陈老师是个好老师。", "王阿姨每天在广场跳舞。", "李师傅修车又快又好。", "杨老师和李老师都很负责。",
    "是那几项检查。", "学校老师都挺负责任的。", "办事很麻利。", "黄金周加班费没发。", "谢谢老师",
])
def test_words_outside_a_persons_frame_are_kept(text):
    assert find_entities(text) == []


@pytest.mark.parametrize("text, masked", [
    ("交警苟建伟处理事故很公道。", "交警苟**处理事故很公道。"),
    ("饭馆老板覃德贵在门口杀鸡。", "饭馆老板覃**在门口杀鸡。"),
    ("民政办的汪春兰给我们讲了政策。", "民政办的汪**给我们讲了政策。"),
    ("我父亲葛长林今年八十了。", "我父亲葛**今年八十了。"),
    ("区里的鲍德明副区长来看过一次。", "区里的鲍**副区长来看过一次。"),
    ("卢德胜家的鸡跑到我家菜地里。", "卢**家的鸡跑到我家菜地里。"),
    ("桂芳他们家装修从早吵到晚。", "桂**他们家装修从早吵到晚。"),
    ("我问了秀珍三次都没回音。", "我问了秀**三次都没回音。"),
    ("修鞋的建军手艺不错。", "修鞋的建**手艺不错。"),
    ("值班医生高峰态度冷淡。", "值班医生高**态度冷淡。"),
    ("五保户杜秀芝奶奶一个人住。", "五保户杜**奶奶一个人住。"),
    ("司机向前主动帮我抬婴儿车。", "司机向**主动帮我抬婴儿车。"),
    ("表扬红梅、建华两位网格员。", "表扬红**、建**两位网格员。"),
    ("牧民斯琴高娃的草场被人占了。", "牧民斯**的草场被人占了。"),
    ("[阿依努尔] 社区医院几点开门？", "[阿**] 社区医院几点开门？"),
    ("社区主任邬丽萍到和顺家园5-2-301看望老人。", "社区主任邬**到和顺家园***看望老人。"),
])
def test_names_after_a_role_before_a_household_and_given_names_alone(text, masked):
    """A role, kin or a 的 before a whole name the dictionary does not know; a household's head; a given
    name in a person's frame; a list counted by 两位; Mongolian names and a chat sender without a time."""
    assert redact(text) == masked


@pytest.mark.parametrize("text", [
    "中秋节放孔明灯的人太多了。", "小区里的常青树被物业砍了。", "我爸的海鸥牌手表坏了。",
    "业主车乱停，通道堵死了。", "物业说要查一查监控。", "明年能不能把门口的路修一修。",
    "他在河边盖房子，没有手续。", "钱塘江大桥上天天堵车。", "派出所的老王说要等。", "我们楼的楼长很负责。",
    "司机师傅开车很稳。", "家长和教职工都同意。", "交警来疏导一下。", "上官村的路终于修好了。",
    "收银员找错钱了。", "亲戚家的孩子来借住了。", "大家的意见都一样。", "美国家庭的孩子也学中文吗？",
    "我家在村东头，路灯一直不亮。", "我们村西头的池塘边上有人钓鱼。",
])
def test_things_verb_phrases_places_and_titles_are_kept(text):
    """X牌, X树, X灯 and rivers are things and places; 查一查, 车乱停 are verb phrases; 老王 and 楼长 are no
    names; a role and a conjunction or a verb after it are no name (家长和教职工, 交警来疏导)."""
    assert find_entities(text) == []


@pytest.mark.parametrize("text, masked", [
    ("我家在杨树沟村西头第二家，门口的路是泥。", "我家在杨树沟村***，门口的路是泥。"),
    ("前进屯北头大槐树边上那户人家养狗。", "前进屯***那户人家养狗。"),
    ("我住在安华里8号楼，楼下油烟大。", "我住在安华里***，楼下油烟大。"),
    ("东风坊17号的下水道堵了。", "东风坊***的下水道堵了。"),
    ("我家在星河2046小区3栋，电梯老坏。", "我家在星河2046小区***，电梯老坏。"),
    ("工资卡号6217 0012 3456 7890 123，没发。", "工资卡号***************0123，没发。"),
    ("有事QQ联系：51238470", "有事QQ联系：********"),
    ("黄家屯36号的老人一个人住。", "黄家屯***的老人一个人住。"),
    ("我住在纺织厂宿舍4号楼302，暖气不热。", "我住在纺织厂宿舍***，暖气不热。"),
    ("家住泰和园8号楼3单元502室。", "家住泰和园***。"),
    ("病案号0087263，请核对。", "病案号*******，请核对。"),
    ("浙（2021）杭州市不动产权第0123456号", "*" * 23),  # the whole string is the certificate's number
    ("[阿不都热合曼 21:03] 清真食堂什么时候开门？", "[阿** 21:03] 清真食堂什么时候开门？"),
])
def test_addresses_records_and_senders_of_new_shapes(text, masked):
    assert redact(text) == masked


@pytest.mark.parametrize("text, masked", [
    ("退休教师高峰：活动室没有暖气。", "退休教师高**：活动室没有暖气。"),
    ("商户代表黄河：管理费涨了两次。", "商户代表黄**：管理费涨了两次。"),
    ("居民文明：楼道堆满了杂物。", "居民文**：楼道堆满了杂物。"),
    ("驾驶员向前：夜班车没有热饭。", "驾驶员向**：夜班车没有热饭。"),
    ("留言人金秀峰：房东回不来。", "留言人金**：房东回不来。"),
    ("个体户仇建军：照片格式不对。", "个体户仇**：照片格式不对。"),
])
def test_a_word_between_a_role_and_a_speakers_colon_is_a_name(text, masked):
    assert redact(text) == masked


@pytest.mark.parametrize("text, masked", [
    ("（录入：综合科司马婧）", "（录入：综合科司马**）"),
    ("（导出人：信息科钟晓燕）", "（导出人：信息科钟**）"),
    ("汇总人：南宫雪，复核：宗丽华", "汇总人：南宫**，复核：宗**"),
    ("（记录人：以上意见已转各科室，章丽娜）", "（记录人：以上意见已转各科室，章**）"),
    ("来电人 闻人秀梅", "来电人 闻人**"),
    ("（驾驶员赫连志刚来电）", "（驾驶员赫连**来电）"),
    ("东方秀芬  QQ 2745193086", "东方**  QQ **********"),
])
def test_staff_in_a_reports_header_compound_surnames_and_contact_cells(text, masked):
    assert redact(text) == masked


@pytest.mark.parametrize("text, masked", [
    ("报警回执号JJ4401062025020300122，没回音。", "报警回执号*********************，没回音。"),
    ("受理回执号420106202503150027，说好半个月。", "受理回执号******************，说好半个月。"),
    ("购买的锦绣江南5幢2单元房子漏水。", "购买的***房子漏水。"),
])
def test_receipts_are_records_and_a_building_and_unit_mark_an_estate(text, masked):
    assert redact(text) == masked


@pytest.mark.parametrize("text", [
    "职工宿舍：空调坏了一个月没人修。", "驾驶员培训：新司机培训时间太短。", "社工方案：下周一开会讨论。",
    "录入完成后请各科室核对。", "（记录：以上意见供参考）", "（整理人：综合科，2025年3月）",
    "那到底交多少钱才能办下来？", "凤鸣路上的红绿灯时间太短。", "我是来咨询社保的。",
    "烟草专卖许可证要等一个月。", "我是出租车司机，每天在车站排队。", "其中第3幢2单元的住户意见最大。",
    "司空见惯的事情就不要再说了。", "濮阳市的公交车太少了。", "污水里的微生物的含量超标。",
])
def test_headings_sums_streets_permits_and_jobs_are_kept(text):
    assert find_entities(text) == []


@pytest.mark.parametrize("entity", [
    Entity("name", 0, 3, "王长山"), Entity("name", 0, 4, "欧阳娜娜"),
    Entity("mobile", 0, 13, "150-5128-7766"),
    Entity("idcard", 0, 18, "32072119850612044X"), Entity("plate", 0, 8, "苏G·8M2K6"),
    Entity("bankcard", 0, 16, "6225880123456783"), Entity("email", 0, 12, "ab@yahoo.com"),
])
def test_a_mask_shows_only_what_shown_names(entity):
    visible = [ch for k, ch in enumerate(entity.text) if k in shown(entity) and ch.isalnum()]
    assert [ch for ch in mask(entity) if ch.isalnum()] == visible


@pytest.fixture(scope="module")
def scores():
    return {name: score(rows) for name, rows in all_sets().items()}


# Floors sit just below what benchmarks/redact_accuracy.py measured (README, "Anonymisation").
FLOORS = {
    "development": (0.97, 0.97), "held-out": (0.95, 0.95), "blind-dev": (0.99, 0.99),
    "blind-heldout": (0.94, 0.96), "organiser": (0.99, 0.99), "blind2": (0.96, 0.99), "own-dev": (0.97, 0.98),
    "form-columns": (0.99, 0.99), "organiser-blind2": (0.99, 0.99), "blind3": (0.99, 0.99),
    "organiser-blind3": (0.99, 0.99), "form-columns-blind3": (0.99, 0.99),
}


@pytest.mark.parametrize("name", FLOORS)
def test_recall_and_precision_floors(scores, name):
    result = scores[name]
    recall, precision = FLOORS[name]
    assert result["recall"] >= recall and result["precision"] >= precision
    assert result["keep_lost"] == 0


def test_every_number_kind_is_masked_on_the_blind_lines(scores):
    for name in ("blind-dev", "blind-heldout", "blind2", "organiser-blind2"):
        by_kind = scores[name]["by_kind"]
        for kind in ("mobile", "idcard", "plate", "record", "bankcard", "email"):
            if kind in by_kind:
                assert by_kind[kind]["recall"] == 1.0, (name, kind)


def test_no_labelled_value_of_the_organiser_files_survives_verbatim(scores):
    assert scores["organiser"]["leaks"] <= 1 and scores["organiser"]["by_kind"]["name"]["n"] >= 150


def test_a_strong_cue_or_a_title_vouches_for_a_name_that_is_also_a_common_word():
    assert redact("联系人高峰，电话13812345678") == "联系人高**，电话138****5678"
    assert redact("高峰医生态度差") == "高**医生态度差"
    assert redact("普通医生与党员医生没有区别") == "普通医生与党员医生没有区别"
    assert redact("工号是12345") == "工号是*****"


def test_keep_words_are_the_organisers_list():
    assert {"马路", "麻醉师", "农忙", "安全鞋", "安全带", "保安", "护士长"} <= set(KEEP_WORDS)


# --- properties: generated personal data inside random Chinese text is always masked ----------------

_CHARS = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下"
          "过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都"
          "两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重"
          "新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想"
          "已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知"
          "较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造"
          "百规热领七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白"
          "教速花带安场身车例真务具万每目至达走积示议声报斗完类八离华名确才科张信马节话米整空元况今集"
          "温传土许步群广石记需段研界拉林律叫且究观越织装影算低持音众书布复容儿须际商非验连断深难近矿"
          "千周委素技备半办青省列习响约支般史感劳便团往酸历市克何除消构府称太准精值号率族维划选标写存"
          "候毛亲快效斯院查江型眼王按格养易置派层片始却专状育厂京识适属圆包火住调满县局照参红细引听该"
          "铁价严龙飞")
FILLER = st.text(alphabet=st.sampled_from(_CHARS), min_size=0, max_size=12)
DIGIT = "0123456789"


def _cjk(text: str) -> str:
    """Random filler that ends on a clause boundary, so the value after it starts a new word."""
    return text + "，" if text else ""


@st.composite
def mobiles(draw) -> str:
    digits = "1" + draw(st.sampled_from("3456789")) + draw(st.text(DIGIT, min_size=9, max_size=9))
    sep = draw(st.sampled_from(["", " ", "-"]))
    return f"{digits[:3]}{sep}{digits[3:7]}{sep}{digits[7:]}"


@st.composite
def id_numbers(draw) -> str:
    head = draw(st.sampled_from(["110105", "320102", "320721", "371302", "330206", "340104", "510129"]))
    birth = draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2020, 12, 31)))
    body = head + birth.strftime("%Y%m%d") + draw(st.text(DIGIT, min_size=3, max_size=3))
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


@st.composite
def plates(draw) -> str:
    province = draw(st.sampled_from("京津沪渝冀豫云辽黑湘皖鲁苏浙赣鄂桂甘晋蒙陕吉闽贵粤川琼"))
    letter = draw(st.sampled_from("ABCDEFGHJKLMNPQ"))
    digits = draw(st.text(DIGIT, min_size=3, max_size=3))
    tail = list(digits + draw(st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", min_size=2, max_size=2)))
    tail = draw(st.permutations(tail))
    energy = draw(st.sampled_from(["", "D", "F"]))
    return province + letter + draw(st.sampled_from(["", "·"])) + energy + "".join(tail)


@st.composite
def credit_codes(draw) -> str:
    """A unified social credit code: authority and kind, a six-digit region, then ten letters and digits."""
    region = draw(st.text(DIGIT, min_size=6, max_size=6))
    tail = draw(st.text(DIGIT + "ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9))
    return draw(st.sampled_from("159Y")) + draw(st.sampled_from("1239")) + region \
        + draw(st.sampled_from("ABCDEFGHJKMNPQ")) + tail


CODE_CUES = ["", "纳税人识别号", "识别号：", "税号", "统一社会信用代码："]


@st.composite
def records(draw) -> tuple[str, str]:
    cue = draw(st.sampled_from(["住院号", "病历号", "门诊号", "就诊卡号", "学号", "工号", "警号", "饭卡号"]))
    value = draw(st.text("ABNG", max_size=2)) + draw(st.text(DIGIT, min_size=4, max_size=12))
    return cue + draw(st.sampled_from(["", "：", "是", " "])), value


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛超秀霞刚桂英玉兰萍建辉斌宇浩凯鹏琳晨雪梅欣怡婷淑德福贵永振立志红春国"


@st.composite
def names(draw, given_length: int = 1) -> str:
    given = draw(st.text(GIVEN, min_size=given_length, max_size=2).filter(lambda g: len(set(g)) == len(g)))
    return draw(st.sampled_from(SURNAMES).map(lambda surname: surname + given).filter(
        lambda name: name not in NOT_NAMES))  # 韩国 is a country


# After these any name is masked; after a role word or before a title (村会计王国, 王国医生) a two-character
# name that is also a common word (王国, 高明) is not, so those frames get three-character names.
STRONG_FRAMES = ["我叫{}，", "联系人：{}，", "六组{}：", "主持人：{}。", "记录人：{}。", "姓名：{} ",
                 "户名：{}。", "申请人{}，", "参会人员：{}、", "反映人：{}。", "来电人{}反映：", "投诉人{}，"]
WEAK_FRAMES = ["村会计{}，", "民警{}，", "{}医生", "{}老师", "患者{}反映", "纳税人{}来电：", "缴费人{}（"]
CUED = st.one_of(st.tuples(st.sampled_from(STRONG_FRAMES), names()),
                 st.tuples(st.sampled_from(WEAK_FRAMES), names(given_length=2)))


def _masked(text: str, value: str) -> bool:
    """The value, found in the text, is masked: none of the characters its kind's mask hides survive."""
    start = text.index(value)
    for entity in find_entities(text):
        if entity.start <= start and start + len(value) <= entity.end:
            return True
    return False


@settings(max_examples=150, deadline=None, database=None, derandomize=True)
@given(before=FILLER, after=FILLER, phone=mobiles())
def test_property_mobiles_are_masked(before, after, phone):
    text = _cjk(before) + phone + after
    assert phone not in redact(text) and _masked(text, phone)


@settings(max_examples=150, deadline=None, database=None, derandomize=True)
@given(before=FILLER, after=FILLER, number=id_numbers())
def test_property_id_numbers_are_masked(before, after, number):
    text = _cjk(before) + "身份证" + number + after
    assert number not in redact(text) and _masked(text, number)


@settings(max_examples=150, deadline=None, database=None, derandomize=True)
@given(before=FILLER, after=FILLER, plate=plates())
def test_property_plates_are_masked(before, after, plate):
    text = _cjk(before) + plate + after
    assert plate not in redact(text) and _masked(text, plate)


@settings(max_examples=150, deadline=None, database=None, derandomize=True)
@given(before=FILLER, after=FILLER, record=records())
def test_property_record_numbers_are_masked(before, after, record):
    cue, value = record
    text = _cjk(before) + cue + value + "，" + after
    assert value not in redact(text) and _masked(text, value)


@settings(max_examples=150, deadline=None, database=None, derandomize=True)
@given(before=FILLER, after=FILLER, code=credit_codes(), cue=st.sampled_from(CODE_CUES))
def test_property_credit_codes_are_masked(before, after, code, cue):
    text = _cjk(before) + cue + code + "，" + after
    assert code not in redact(text) and _masked(text, code)


@settings(max_examples=150, deadline=None, database=None, derandomize=True)
@given(before=FILLER, after=FILLER, cued=CUED)
def test_property_names_after_a_cue_or_before_a_title_are_masked(before, after, cued):
    frame, name = cued
    text = _cjk(before) + frame.format(name) + after
    start = text.index(frame.format(name)) + frame.index("{}")
    assert any(s <= start + 1 and start + len(name) <= e for s, e in find_names(text)), redact(text)


@settings(max_examples=150, deadline=None, database=None, derandomize=True)
@given(before=FILLER, after=FILLER, word=st.sampled_from(KEEP_WORDS), glue=st.sampled_from("，的上里都也要"))
def test_property_ordinary_words_are_never_masked(before, after, word, glue):
    text = _cjk(before) + word + glue + after  # 王主任务 or 吴医生产 would be other words
    assert redact(text).count(word) >= text.count(word)
