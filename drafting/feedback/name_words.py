"""The words a Chinese name is read by (surnames, titles, cues and other tables) and what jieba's
dictionary says of a word (how often it has seen it, how it tags it)."""

from functools import lru_cache

# The commonest single-character surnames (about 98% of the population) and the compound ones.
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
    "柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古"
    "吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫"
    "寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻"
    "位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦"
    "戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但"
    "尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
    "傅萧洪赖阎贝钮荀邴糜隗宓郗仰韶蓟鄂莘逄郦璩濮郏庾暨殳夔厍訾蒯竺仉缑佴谯笪禤琚蹇甯庹"
    "滑暴寿贡籍宦咸禄墨沃蔚牧蓬苍汝钦"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文",
                     "司徒", "夏侯", "令狐", "端木", "西门", "南宫", "独孤", "轩辕", "澹台", "公冶", "呼延",
                     "万俟", "司空", "钟离", "宗政", "濮阳", "淳于", "申屠", "太叔", "仲孙", "亓官", "司寇",
                     "巫马", "公西", "漆雕", "乐正", "公良", "拓跋", "夹谷", "宰父", "谷梁", "百里", "东郭",
                     "羊舌", "微生", "梁丘", "左丘", "第五", "闻人", "赫连", "公羊", "单于", "鲜于", "闾丘",
                     "仉督", "子车", "颛孙", "壤驷", "段干", "东门", "南门", "归海", "完颜", "纳兰")

# A name right before one of these is a person; a bare surname before one (王书记) stays as it is.
TITLES = tuple("""书记 副书记 师傅 同志 老师 主任 副主任 医生 大夫 护士 校长 副校长 局长 副局长 科长 处长 所长
院长 部长 村长 镇长 乡长 县长 区长 市长 经理 总经理 厂长 队长 组长 班长 站长 馆长 行长 支书 委员 干事 会计
老板 先生 女士 阿姨 大姐 大哥 师父 教授 主席 警官 民警 律师 工程师 代表 社长 董事长 妈妈 爸爸 奶奶 爷爷
家长 同学 老汉 大爷 大妈 大娘 大叔 大婶 婶子 老太 老太太 婆婆 嫂子 老头 老爷子 小姐 小哥 姐姐 哥哥 姐 哥
叔 叔叔 婶 姨 伯 楼长 栋长 单元长 河长 路长 片长 网格长
""".split())
# The deputy of each head (副镇长, 副所长): a title after a name as the head's own is.
TITLES += tuple("副" + title for title in TITLES if title.endswith("长") and len(title) == 2)
# Words for people that make no given name after a surname-like character (熊孩子, 马大姐).
PERSON_NOUNS = set("孩子 小孩 老人 男人 女人 娃娃 大姐 大哥 姑娘 小伙 婆子 丫头".split())
# A name right after one of these is a person: 我叫、联系人：、村会计、民警、参会人员：、来电人、纳税人…
CUES = tuple("""我是 我叫 本人 姓名 名叫 叫做 联系人 举报人 反映人 来信人 签名 患者 司机 职工 员工 学生 家长
孩子 住户 业主 村民 居民 群众 党员 同事 丈夫 妻子 儿子 女儿 老伴 叫 俺叫 鄙人 户名 申请人 发言人 主持人 记录人
参会人员 与会人员 出席 列席 会计 出纳 保洁员 保洁 队员 专干 工人 工作人员 家属 护工 村医 网格员 门卫
主治医生 主治医师 医师 教师 护士 队长 军人 班主任 收款人 持卡人 开户名 当事人 责任人 经办人 填表人 提出人
爸爸 妈妈 老师 校长 医生 主任 民警 警官 书记 组长 班长 经理 厂长 会长 站长 所长 科长 院长 村长 代表 邻居
父亲 母亲 孙子 孙女 儿媳 女婿 哥哥 姐姐 弟弟 妹妹 舅舅 叔叔 伯伯 老乡 朋友 亲戚 室友 舍友 低保户 五保户
贫困户 户主 租户 商户 老公 老婆 媳妇 对象 干部 村干部 承包人 负责人 带头人 快递员 网格员 主讲人 讲解员
办事员 来电人 纳税人 缴费人 投诉人 咨询人 办事人 来访人 报修人 求助人 署名 具名 签字""".split())
# Last characters of a noun that names a job or a role: a name may follow it (协管员单雪峰, 厨师马强);
# not 工, which ends 理工 and 施工 as often as 电工.
ROLE_ENDS = tuple("员师")
# Nouns ending like a job that name a group, after which a verb comes (人员应享受).
GROUP_ROLES = ("人员", "成员", "动员")
# Cues after which the next word is a name whatever the dictionary says (我叫高峰, 联系人白雪).
STRONG_CUES = ("我是", "我叫", "本人", "姓名", "名叫", "叫做", "联系人", "举报人", "反映人", "来信人", "签名",
               "叫", "鄙人", "户名", "申请人", "主持人", "记录人", "收款人", "持卡人", "开户名", "参会人员",
               "与会人员", "出席人员", "列席人员", "来电人", "投诉人", "咨询人", "来访人",
               "报修人", "求助人", "署名", "具名", "签字")
# What comes before a bare 叫 that names someone (我叫, 名字叫, 他叫, 就叫).
CALLED_AFTER = tuple("我俺他她您你字就也都还人")
# What comes before a 叫 that asks what a thing means or calls it something (什么叫公摊费, 这叫服务): no cue.
TERM_BEFORE = ("什么", "啥", "怎么", "这", "那")
# Words that name the person after them only when a colon follows (整理：袁丽, but 整理成表格).
COLON_CUES = ("整理", "录入", "审核", "审批", "经办", "登记", "填表", "执笔")
# Who a line's speaker is said to be, right before their name and a colon (退休职工高峰：, 商户代表江河：,
# 个体户白雪：, 留言人金白雪：); a job ending in 员 or 师 (驾驶员向前：) is one too.
SPEAKER_ROLES = tuple("""职工 员工 居民 村民 市民 群众 业主 商户 住户 租户 个体户 代表 家长 学生 党员 乘客
旅客 患者 病人 老人 家属 农户 农民 工人 留言人 来电人 来信人 来访人 投诉人 反映人 咨询人 求助人 网友 老板 店主
车主 房东 志愿者 司机 保安 保洁 门卫 辅警 民警 协警 交警 社工 护工 村医 组长 队长 班长 会计""".split())
# Who made or checked a record, before a colon, the office and their name in a report's header or footer
# (录入：综合科司马婧, 导出人：司马婧, 汇总人：南宫雪，复核：宗丽华).
STAFF_CUES = tuple("""录入 录入人 导出 导出人 整理 整理人 汇总 汇总人 复核 复核人 审核 审核人 记录 记录人 统计
统计人 制表 制表人 填报 填报人 填表 填表人 执笔 执笔人 校对 校对人 经办 经办人 承办人 登记 登记人 审批 审阅
编写 编制 编制人 核对 核对人""".split())
# Words the tagger calls names whose next word or last character shows a place, an organisation or an object.
PLACE_SUFFIXES = tuple("村镇乡路街庄县区市省山河湖桥井港湾寺楼园堂店厂场站馆院所局委队社巷里屯营堡寨岭坡州"
                       "栏室厅箱库柜卡册会家科埠集铺坝塘圩沟洼")
# Words after a tagged "name" that show it is a place (向阳村委, 一号楼二单元, 鹿鸣路上).
PLACES_AFTER = tuple("""村委 社区 小区 大街 街道 公园 广场 大道 单元 栋 层 号 超市 商店 商行 公司 集团 饭店
酒店 宾馆 药店 诊所 学校 中学 小学 幼儿园 医院 银行 餐厅 酒楼 市场 工地 景区 附近 对面 旁边 周边 一带 边 畔
岸 路上 路口 路边 路段 路旁 街上 街口""".split())
# What follows a brand, not a person (海燕牌缝纫机).
THINGS_AFTER = ("牌",)
# Last characters of a three-character dictionary word that is a thing, a river or a feast, however jieba
# tags it (常青树, 孔明灯, 盖房子, 钱塘江, 母亲节, 许可证).
THING_ENDS = tuple("树灯子牌车机花草船桌椅床柜笔纸伞锅碗盆瓶杯箱网线管棚江河湖节证")
# Organisation words jieba may glue to the front of a name (信息科徐静 → 科徐静).
ORGANISATION_ENDS = set("科室处部组班队局院所站办")
# Surnames that are far more often a verb or a function word (修渠, 练习册, 全凭, 来坐, 成表格): a name
# starting with one needs a cue or a title.
AMBIGUOUS_SURNAMES = set("修练来全成和都向于时那占但由干相区练连应滑暴寿贡籍宦咸禄墨沃蔚牧蓬苍汝钦")
# Parts of speech of a character jieba leaves alone that may end a given name (宁德 彬: zg, 周丽 姣: z).
GIVEN_CHAR_FLAGS = {"zg", "z", "ng", "g", "n", "nr", "nrfg", "nrt"}
# Parts of speech that never make a given name (全 凭 班长: 凭 is a preposition).
NOT_GIVEN_FLAGS = ("p", "c", "u", "y", "e", "r", "f")
# Second characters that make a two-character "name" more likely a noun and its verb (钱花, 钱用, 时来,
# 多少钱才立案).
VERB_AFTER = set("花用给要是在说来去到把被让叫太很也都还就才更最得修交收退买卖付拿")
# Characters of function words that never end a given name found only by its cue (医生都很好, 主任说过).
# (来, 向, 和, 可, 再, 才, 太, 更 are also given names: 马春来, 石向前; they may end one only before a break.)
NOT_GIVEN = set("很都也还就不没的了着过与在是说把被让给对等们吗呢吧啊得地要会能可太更最又再才只已这那个些每"
                "各你您我他她它啥怎么和及或从向往到去来上下里外")
SOFT_GIVEN = set("来向和可再才太更")
# Parts of speech of a first token that is a function word rather than a surname (和 in 医生和病人).
FUNCTION_FLAGS = ("c", "p", "d", "r", "u", "y", "e", "f")
# A two-character word this frequent in jieba's dictionary is a common word (陈旧, 晋升, 黄牛, 高明, 普通)
# even when it is tagged as a name; with a cue (我叫) or a title (医生) after it, only a very common one is.
# (Three-character names in the dictionary are people: 彭德怀.)
COMMON_WORD = 100
VERY_COMMON_WORD = 5000
# After a weak cue (邻居, 会计), a dictionary word not tagged as a person this frequent is not a name (盖房),
# nor one this frequent however tagged (教师智慧, 党员荣誉: jieba tags both nr).
KNOWN_WORD = 50
CUED_WORD = 1000
NOT_NAMES = {"高度", "马路", "白天", "常常", "周末", "任务", "万一", "何时", "于是", "金融", "方便", "平安",
             "和平", "文明", "安全", "黄金", "明白", "江山", "花园", "海关", "宁可", "包括", "应当", "成都",
             "关心", "关于", "向阳", "华为", "乐观", "高兴", "高效", "田间", "齐全", "时间", "路灯", "孙悟空",
             "党建", "党员", "党委", "党风", "党课", "党务", "党性", "史料", "程序", "陆续", "成员", "韩国",
             "温暖", "康复", "龙头", "雷锋", "焦点", "石油", "武术", "严格", "万元", "连续", "阳光", "曲线",
             "保安", "麻醉", "麻醉师", "农忙", "安全鞋", "安全带", "安全帽", "护士长", "夜班", "白班", "班长",
             "李家庄", "金银花", "康师傅", "东方红", "黄梅", "江水", "诸多", "石头", "温度", "常规",
             "黄牛", "王老吉", "车间", "阿拉", "那口子", "黄梅天", "张榜", "海尔", "李宁",
             "格力", "美的", "安踏", "双星", "娃哈哈", "银行卡", "马路边",
             "宋体", "赖皮", "赖账", "巴扎"}
# Verbs a speaker's name comes right before (王伟建反映: 建 is the name's, not a second verb).
SPEECH_VERBS = {"反映", "说", "讲", "表示", "插话", "发言", "投诉", "举报", "提出", "认为", "建议", "要求",
                "咨询", "询问", "来电"}
# Ordinary words no name starts with, whatever follows them (马路边, 周末风, 安全帽).
KEEP_WORDS = ("马路", "周末", "保安", "农忙", "夜班", "白班", "班长", "护士长", "麻醉", "安全", "李家庄",
              "王主任", "井盖", "银杏", "扎西德勒")
# Adverbs of manner no given name starts with before a verb (车乱停, 瞎指挥).
MANNER_ADVERBS = set("乱瞎硬猛狂净")
# Characters common in given names (建国, 秀兰, 春生, 金花): two of them make a given name used alone.
GIVEN_CHARACTERS = set("建国华明军伟强勇平英兰秀芳珍桂凤玉梅霞红丽娟琴云春生庆福贵荣祥德胜利志海燕宝金花淑敏"
                       "静婷娜丹晓辉刚峰林成忠义良永兴旺喜顺健美香莲菊翠彩萍鹏飞涛波亮杰超斌磊鑫浩宇冰"
                       "秋冬月雨桃巧珠根柱栓满仁德才振立树保宏俊欣怡琳玲芬艳蓉慧洁")
# Verbs of ability, need and will: a verb follows them, not a name.
MODALS = {"能", "只能", "可以", "要", "得", "会", "想", "该", "应该", "需要", "必须", "不能", "不要"}
# Compound surnames that are also common words (东方红, 百里挑一): only a tagged given name follows them.
COMMON_COMPOUNDS = ("东方", "西门", "南宫", "百里", "第五", "东郭", "公西", "乐正", "左丘", "公羊", "单于",
                    "子车", "段干", "东门", "南门", "归海")
# Adverbs of degree: an adjective follows them, not a name (很麻利, 太温和).
DEGREE_ADVERBS = {"很", "太", "挺", "真", "最", "更", "非常", "特别", "比较", "十分", "相当", "有点", "不太"}
# 老吴, 小王: a surname after these is a nickname, not the start of a full name.
NICKNAME_HEADS = ("老", "小", "阿")
# A 3-character token whose first two characters are a word this frequent is that word and a suffix (练习册).
WORD_PREFIX = 1000

# Names of the Tibetan, Uyghur, Kazakh… peoples: two Tibetan name parts (扎西多吉, 尼玛次仁), or names
# written by their sounds joined by a middle dot (古丽米拉·买买提, not 三案·六环节).
TIBETAN_PARTS = """扎西 多吉 多杰 尼玛 次仁 卓玛 央金 达瓦 格桑 平措 顿珠 旺堆 拉姆 措姆 洛桑 丹增 白玛 次旦
普布 巴桑 边巴 索朗 德吉 强巴 益西 贡布 旦增 晋美 罗布 群培 仁增 曲珍 卓嘎 拉巴 米玛 次珍 旺姆 央宗 嘎玛 阿旺
琼达 斯朗 桑珠 才让 加措 嘉措 才旦 东珠 德庆 玉珍 桑吉 泽仁 泽郎 拉珍 白珍 次央 巴珠 朗杰 加央 土登 赤列 旺杰
欧珠 永珍 德央 仓拉 次丹 拉宗 普赤 贡觉 多布杰""".split()
# Parts of Mongolian names (乌云其木格, 巴特尔, 斯琴高娃).
MONGOLIAN_PARTS = """乌云 其木格 其其格 巴特尔 宝音 图雅 斯琴 高娃 萨仁 额尔敦 朝鲁 那日苏 格日勒 苏和 孟和
巴雅尔 阿拉坦 吉雅 满都拉 娜仁 敖敦 苏日娜 哈斯 布和 道尔吉 特木尔 乌日娜 其勒格尔 格根""".split()
# Characters that Uyghur, Kazakh and Tibetan names are written with by their sounds.
SOUND_CHARACTERS = set("阿依古丽热拉买提艾力尔努迪巴吐逊克木斯亚森帕塔玉素甫米娜汗孜卡哈尼扎吾曼"
                       "伊排合布都麦娅莎尕儿沙吉库勒妮萨玛达瓦次仁卓桑措姆珠旺堆德格则穆罕默江衣别夏西苏旦卜杜山")

# Words that join two people (石向前和石向东, 王强与李明).
PARTNER_JOINS = set("和与跟及、")
# Natural features that end given names as often as places (王长山, 韦保山, 李海).
NATURE_ENDS = tuple("山河江海林峰")


def surname_of(name: str) -> str:
    """The surname a name starts with (two characters for 欧阳, 上官…)."""
    return name[:2] if name.startswith(COMPOUND_SURNAMES) else name[:1]


@lru_cache
def tagger():
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    jieba.posseg.dt.tokenizer.check_initialized()  # the word frequencies load lazily, on the first cut
    return jieba.posseg


def verb_like(word: str) -> bool:
    """jieba's dictionary tags the word as a verb, an adjective, an adverb or a time (管理, 练习, 白天), not a
    noun."""
    return (tagger().dt.word_tag_tab.get(word) or "x")[0] in "vadt"


def plausible_name(text: str, places: bool = True, closed: bool = False) -> bool:
    """A full name whose given name has no function-word character (and, unless told, is not a place); a
    character like 来 or 向 may start a two-character given name, or end one that a break closes."""
    given = text[len(surname_of(text)):]
    allowed = SOFT_GIVEN & {given[:1] if len(given) == 2 else "", given[-1:] if closed else ""}
    adverb = len(given) == 2 and (tagger().dt.word_tag_tab.get(given) or "x")[0] in "dpcr" \
        and frequency(given) >= CUED_WORD  # 路终于: a frequent adverb is no given name
    return full_name(text) and not set(given) & (NOT_GIVEN - allowed) and not adverb \
        and not (places and text.endswith(PLACE_SUFFIXES))


def common(word: str, limit: int) -> bool:
    """A two-character word of jieba's dictionary at least this frequent, however tagged, unless it is
    tagged as a person's full name (李强)."""
    if len(word) != 2 or tagger().dt.word_tag_tab.get(word) in {"nrfg", "nrt"}:
        return False
    return frequency(word) >= limit


def frequency(word: str) -> int:
    """How often jieba's dictionary has seen the word (0 when it does not know it)."""
    return tagger().dt.tokenizer.FREQ.get(word) or 0


def full_name(word: str) -> bool:
    """A surname followed by a one- or two-character given name, and not a known common word."""
    surname = surname_of(word)
    return (is_surname_start(word) and 1 <= len(word) - len(surname) <= 2 and word not in NOT_NAMES
            and not word.startswith(KEEP_WORDS) and word not in TITLES and word not in CUES
            and word[0] != word[1] and not (len(word) == 3 and word[:2] in NOT_NAMES)
            and is_chinese(word) and not _verb_phrase(word) and not thing_word(word))


def _verb_phrase(word: str) -> bool:
    """A "name" that is a verb phrase: a repeated verb (查一查) or a noun, an adverb and a verb the dictionary
    does not know as one word (车乱停)."""
    if len(word) != 3:
        return False
    tags = tagger().dt.word_tag_tab
    given = word[1:]
    repeated = word[1] == "一" and word[0] == word[2]
    adverb_verb = given[0] in MANNER_ADVERBS and (tags.get(given[1]) or "x")[0] == "v" and given not in tags
    return repeated or adverb_verb


def given_pair(word: str) -> bool:
    """Two characters of given names that the dictionary does not know as a word (秀兰) or knows as a rare
    noun (建军, 春生)."""
    noun = (tagger().dt.word_tag_tab.get(word) or "n")[0] == "n"
    return len(word) == 2 and set(word) <= GIVEN_CHARACTERS \
        and (frequency(word) < KNOWN_WORD or noun and frequency(word) < CUED_WORD)


def thing_word(word: str) -> bool:
    """A three-character word of the dictionary that ends like a thing, a river or a feast (常青树)."""
    return len(word) == 3 and frequency(word) > 0 and word.endswith(THING_ENDS)


def is_surname_start(word: str) -> bool:
    return word.startswith(COMPOUND_SURNAMES) or word[:1] in SURNAMES


def is_chinese(word: str) -> bool:
    return bool(word) and all("\u4e00" <= ch <= "\u9fff" for ch in word)
