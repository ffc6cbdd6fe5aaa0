"""Find and redact personal identifiers in Chinese free text.

Used before a case is shared (case library, discussion room) and by the records service to
validate free-text fields. Detection is rule based: regular expressions for numbers and dates,
the caller's roster for names and schools, and conservative patterns (common surname plus
given name next to a cue word; ``XX中学``; ``XX路12号``) for the rest.

Every detector reads the text after normalisation (``normalise``): NFKC (full-width digits and
letters become ASCII, ideographic spaces plain spaces), zero-width and other format characters
removed. The two number detectors (ID cards, phone numbers) also read Chinese numerals as digits
where they form a run of numerals (一三八一二三四五六七八 is a phone number), and a second time
with the spaces, dots and dashes between digits taken out (1 3 8 1 2 3 4 - 5 6 7 8). Findings
always name spans of the text as given, so ``redact`` works on the original.

Pure functions only: ``find_pii(text, names=(), schools=())`` returns non-overlapping
``PiiFinding`` objects sorted by position, and ``redact(text, findings)`` replaces each span
with a Chinese placeholder such as 【姓名】.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

ID_CARD = "id_card"
PHONE = "phone"
STUDENT_NUMBER = "student_number"
PERSON_NAME = "person_name"
SCHOOL = "school"
ADDRESS = "address"
EXACT_DATE = "exact_date"

#: Every kind, in priority order: when two findings overlap, the earlier kind wins.
KINDS = (ID_CARD, PHONE, STUDENT_NUMBER, EXACT_DATE, ADDRESS, SCHOOL, PERSON_NAME)

#: People-facing placeholders, one per kind (the only Chinese texts of this module).
PLACEHOLDERS = {
    ID_CARD: "【身份证号】",
    PHONE: "【电话】",
    STUDENT_NUMBER: "【学号】",
    PERSON_NAME: "【姓名】",
    SCHOOL: "【学校】",
    ADDRESS: "【地址】",
    EXACT_DATE: "【日期】",
}

#: Chinese labels of each kind, for messages such as "发现身份证号".
KIND_LABELS = {
    ID_CARD: "身份证号",
    PHONE: "电话号码",
    STUDENT_NUMBER: "学号",
    PERSON_NAME: "姓名",
    SCHOOL: "学校名称",
    ADDRESS: "地址",
    EXACT_DATE: "具体日期",
}


@dataclass(frozen=True)
class PiiFinding:
    """One identifier found in a text: its kind and its ``text[start:end]`` span."""

    kind: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict:
        return {"kind": self.kind, "start": self.start, "end": self.end, "text": self.text}


HAN = "\u4e00-\u9fff"

# --- normalisation -------------------------------------------------------------------------

#: Characters NFKC may change: everything but ASCII and the CJK unified ideographs (which it keeps).
_MAY_CHANGE = re.compile(r"[^\x00-\x7f\u4e00-\u9fff]")
#: Invisible characters that are not of category Cf (format) but are ignored when text is shown:
#: combining grapheme joiner, Hangul fillers, Khmer vowel inherents, Mongolian variation selectors,
#: variation selectors.
_INVISIBLE = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f\u3164\uffa0"
    + "".join(map(chr, range(0xFE00, 0xFE10)))
)
_CN_DIGITS = {"〇": "0", "零": "0", "一": "1", "幺": "1", "壹": "1", "二": "2", "贰": "2", "三": "3", "叁": "3",
              "四": "4", "肆": "4", "五": "5", "伍": "5", "六": "6", "陆": "6", "七": "7", "柒": "7",
              "八": "8", "捌": "8", "九": "9", "玖": "9"}  # fmt: skip
_NUMERAL = "0-9" + "".join(_CN_DIGITS)
#: A run of at least seven numerals (Chinese or Arabic), with at most one space or dash between two.
_NUMERAL_RUN = re.compile(rf"[{_NUMERAL}](?:[\s-]?[{_NUMERAL}]){{6,}}")
_CN_DIGIT = re.compile(f"[{''.join(_CN_DIGITS)}]")
#: Spaces, dots and dashes between two digits (taken out in the number detectors' second reading).
_DIGIT_SEPARATORS = re.compile(r"(?<=\d)[\s.\-]{1,3}(?=\d)")


@dataclass(frozen=True)
class NormalisedText:
    """A text as the detectors read it, and where each of its characters came from in the original."""

    text: str
    origin: tuple[int, ...]  # origin[i]: index in the original text of the character text[i] came from

    def finding(self, original: str, finding: PiiFinding) -> PiiFinding:
        """``finding`` (a span of ``self.text``) as the span of ``original`` it was read from."""
        start, end = self.origin[finding.start], self.origin[finding.end - 1] + 1
        return PiiFinding(finding.kind, start, end, original[start:end])

    def replace(self, pattern: re.Pattern, replacement) -> NormalisedText:
        """Each match of ``pattern`` replaced by ``replacement(match)``, which must keep its length or be ""."""
        pieces, origin, position = [], [], 0
        for match in pattern.finditer(self.text):
            new = replacement(match)
            if new and len(new) != match.end() - match.start():
                raise ValueError("a replacement must keep the length of what it replaces or remove it")
            pieces.append(self.text[position : match.start()] + new)
            origin.extend(self.origin[position : match.start() + len(new)])
            position = match.end()
        if not pieces:
            return self
        pieces.append(self.text[position:])
        origin.extend(self.origin[position:])
        return NormalisedText("".join(pieces), tuple(origin))


def _character_nfkc(character: str) -> str:
    if character in _INVISIBLE or unicodedata.category(character) == "Cf":
        return ""
    return unicodedata.normalize("NFKC", character)


def normalise(text: str) -> NormalisedText:
    """NFKC, character by character, without zero-width and other format or invisible characters."""
    pieces, origin, position = [], [], 0
    for match in _MAY_CHANGE.finditer(text):
        index = match.start()
        pieces.append(text[position:index])
        origin.extend(range(position, index))
        new = _character_nfkc(text[index])
        pieces.append(new)
        origin.extend([index] * len(new))
        position = index + 1
    pieces.append(text[position:])
    origin.extend(range(position, len(text)))
    return NormalisedText("".join(pieces), tuple(origin))


def read_numerals(text: NormalisedText) -> NormalisedText:
    """Chinese numerals read as digits inside runs of seven or more numerals (一三八一二三四五六七八)."""

    def as_digits(match: re.Match) -> str:
        return _CN_DIGIT.sub(lambda m: _CN_DIGITS[m.group()], match.group())

    return text.replace(_NUMERAL_RUN, as_digits)


def number_readings(text: str) -> tuple[NormalisedText, NormalisedText]:
    """The two readings the ID-card and phone detectors check: normalised with numerals read as digits,
    and the same with the separators between digits taken out."""
    numerals = read_numerals(normalise(text))
    return numerals, numerals.replace(_DIGIT_SEPARATORS, lambda match: "")

# --- numbers -------------------------------------------------------------------------------

_ID_CARD_RE = re.compile(
    r"(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx]"
    r"(?![0-9A-Za-z])"
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"


def id_card_checksum_ok(number: str) -> bool:
    """True when an 18-character PRC resident ID number has a valid check character."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11] == number[17].upper()


_PHONE_RES = (
    # mainland mobile, optionally with +86 and separators: 13812345678, 138-1234-5678, 138 1234 5678
    re.compile(r"(?<![0-9])(?:\+?86[-\s]?)?1[3-9]\d(?:[-\s]?\d{4}){2}(?![0-9])"),
    # landline with area code: 021-64123456, (021)64123456, 0571-8812345, 021 6412 3456
    re.compile(r"(?<![0-9])(?:\(0\d{2,3}\)|（0\d{2,3}）|0\d{2,3}[-\s])\s?\d{3,4}[-\s]?\d{4}(?![0-9])"),
    # local eight-digit number right after a phone cue: 电话64123456, 座机：6412-3456
    re.compile(r"(?<=电话|座机|手机|热线|号码|联系)[：:\s是为]{0,2}\d{4}[-\s]?\d{4}(?![0-9])"),
)

_STUDENT_NUMBER_RES = (
    # a cue word then the number: 学号：20230512, 学籍号G310101201001011234
    re.compile(
        r"(?<=学号|籍号|编号|考号|证号)[：:\s是为]{0,3}[A-Za-z]{0,2}\d[\dA-Za-z-]{4,20}(?![0-9A-Za-z])"
    ),
    # national 学籍号 shape: G + 17 digits + check character
    re.compile(r"(?<![0-9A-Za-z])[GLJ]\d{17}[\dXx](?![0-9A-Za-z])"),
    # any other long run of digits (8 to 18, an ID-shaped number with a bad check character too)
    re.compile(r"(?<![0-9A-Za-z.])\d{8,18}[Xx]?(?![0-9A-Za-z.])"),
)

# --- dates ---------------------------------------------------------------------------------

_CN_NUM = "一二三四五六七八九十〇零两"
_DATE_RES = (
    re.compile(r"(?<!\d)(?:19|20)\d{2}\s?年\s?\d{1,2}\s?月\s?\d{1,2}\s?[日号]"),
    re.compile(r"(?<!\d)(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}(?!\d)"),
    re.compile(r"(?<![\d.])\d{1,2}\s?月\s?\d{1,2}\s?[日号]"),
    re.compile(rf"(?:[{_CN_NUM}]{{4}}年)?[{_CN_NUM}]{{1,3}}月[{_CN_NUM}]{{1,3}}[日号]"),
    re.compile(r"(?<![\d.])\d{1,2}/\d{1,2}(?=[\s,，。、（(]|$)(?![\d/])"),
)

# --- places --------------------------------------------------------------------------------

# Words after which a place name starts ("住在", "来自"...); trimmed off the front of a match.
_LEAD_WORDS = (
    "家住在", "住在", "位于", "来自", "搬到", "搬进", "住进", "前往", "回到", "就读于", "就读",
    "转到", "转入", "转学到", "毕业于", "在读", "就在", "附近的", "旁边的", "对面的",
    "在", "于", "到", "的", "是", "从", "和", "与", "去", "往", "住", "回", "进", "读", "入", "由", "将",
    "了", "及", "、", "，", "。", "：", "；",
)
# A trimmed school name equal to one of these, or ending with one of these before the suffix, is
# a generic phrase ("这所学校", "本校"), not a name.
_GENERIC_SCHOOL_HEADS = (
    "这所", "那所", "一所", "某所", "该", "本", "我", "我们", "你们", "他们", "其他", "其它", "别的", "全区",
    "各", "各个", "所在", "同一", "原", "原来", "新", "多所", "几所", "两所", "市", "区", "县", "镇", "村",
    "公办", "民办", "普通", "重点", "区重点", "市重点", "示范性", "寄宿制", "一般", "附近", "某", "某某",
    "X", "XX", "A", "B", "C",
)

_SCHOOL_SUFFIX = (
    r"(?:实验学校|外国语学校|双语学校|高级中学|初级中学|完全中学|职业学校|中等职业学校|中学|(?<!中)小学|附属中学|附属小学|"
    r"附中|附小|幼儿园|职校)"
)
_SCHOOL_RE = re.compile(rf"[{HAN}A-Za-z0-9]{{2,10}}?{_SCHOOL_SUFFIX}(?![生段部们阶])")
# "市二中", "七宝二中", "育才中" is not matched: numbered schools need the numeral before 中.
_NUMBERED_SCHOOL_RE = re.compile(rf"[{HAN}]{{1,5}}?[一二三四五六七八九十]{{1,3}}[中小](?![学生文午间途国心层])")

_ROAD = r"(?:路|街|大道|公路|大街|巷|胡同)"
_ADDRESS_RES = (
    # road + number, maybe lane/building/room: 长宁路1234弄5号602室
    re.compile(
        rf"[{HAN}]{{1,8}}?{_ROAD}\s?\d+\s?(?:弄|号|支弄)(?:\s?\d+\s?(?:弄|号|支弄|幢|栋|号楼|楼))*"
        rf"(?:\s?\d+\s?(?:室|号房|单元))?"
    ),
    # housing estate, maybe with building and room: 金桥小区3号楼502室, 长青新村12号
    re.compile(
        rf"[{HAN}]{{1,8}}?(?:小区|新村|公寓|花园小区|家园|名苑|雅苑|苑|公馆|里弄)"
        rf"(?:\s?\d+\s?(?:号楼|幢|栋|号|弄|单元|楼|室|号房))*"
    ),
    # building / room numbers on their own: 3号楼502室, 12栋1单元301
    re.compile(r"(?<!\d)\d+\s?(?:号楼|幢|栋)\s?(?:\d+\s?单元\s?)?\d+\s?(?:室|号房|号)?"),
)
# Place heads that are common words, not names ("一条小路", "马路", "这条街").
_GENERIC_PLACE_HEADS = ("这条", "那条", "一条", "小", "马", "道", "上学", "回家", "走", "条", "同一", "某", "X", "XX")

# --- names ---------------------------------------------------------------------------------

_SINGLE_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫"
    "孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅"
    "童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车"
    "项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛"
    "仲虞敖巩明佘池查麻苑迟邝封"
)
_COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "慕容", "尉迟", "夏侯", "公孙", "端木")
# Characters that rarely appear in a given name but often follow a name in a sentence.
_NOT_GIVEN = (
    "的是在说和与了也都就把被对向跟同老妈爸家这那又还很最不没已去来从因为却便才曾将要会能让给等及或"
    "某们个位些者说讲问答道看听想觉得到过着地得吗呢吧啊呀哦嗯每各其此该本我你他她它谁校班级年届"
    "生师长主任导员科组室处部区市县镇村路街号楼元角分岁月日时点里外上下前后中内左右间第一二三四五六七八九十"
)
_SURNAME = rf"(?:{'|'.join(_COMPOUND_SURNAMES)}|[{_SINGLE_SURNAMES}])"
# Characters common in given names; a surname followed by two of them reads as a full name even
# without a cue word ("蒋晨阳", "范一凡"), and by one of them at a clause start before a particle.
_NAME_CHARS = (
    "一丹乐义书云亮仁伟佑佳俊修倩健伦兰冰凡凯刚创力勇华博卓可宁宇安宏宜宸实宣宵家容富峰崇川帆希平幸康"
    "建弘彤彦彬徐德心志忠思怡恒恩悦惠慧成扬承敏文斌斐新旭昊昌明昕星春昭晓晗晟晨晴晶智曦月朗杰林果梓森"
    "楠欣歆正武毅民永江沁泽洁洋浩海涛涵润淇清渊源溪滢潇瀚然煜熙燕琦琪琳琴瑜瑞瑶璇璐甜畅皓盈睿瞳硕磊"
    "祥祺福秀程立童竹笑筱semi紫红纯维婉婷媛嫣子孜学宁雅雨雪雯霏霖青静韵颖飞馨骏鸣鹏麟鑫钧铭锦锋阳雄"
    "梦莉萌萍萱蓉蕾薇诗诚语谦豪贝贤轩辉辰远逸道达邦郁金铎露韬顺颂怀珊珍玥玲玮珂璟彩彭微栋梁桐柔柏"
    "航舒若茜茹荣莹菲蔚蓝薰行西言谷豫远迪通遥钰铮镇雁雷霆震霄靖鸿鹤默龙天悠惜振泰洲沐涵舜宝嘉芸芳芮"
    "丽俐娜娇娟婕婧妍妙姗姝嫦奕好如媚依伊优亦仪以丰之乔乾亭京亿仕伯佩侃俞信倩傲儒元光克兆全冬凌凝"
    "函初则剑劲勤北千卉卫南博卿君启吟咏品哲唯嘉园圣坤垚城培基堂墨士声奇奥宁宛宜宪宾寒峻崧"
    "巍巧广庆庭延弈强影律徽忆念怡恬悠惟慈慕懿拓振敬斯方旺昀昊昱晋晔晖景暄曼朝木本杉杨松柯栩树桦楚"
    "槐檬欢歌殊毓汐汝池沛沫河泉波泓洛津洪浚浦涌淑淼渝湘湛溢滨漫澄澜灵灿炎烁烨焕然煦照熠燃爽牧犀玉"
    "王玫珏珑琛琼瑄瑛瑾璋璞环田甫留益皎真知石砚硕礼社祎祖禹禾秋秦稳穆章端笛策筠简粤精素紫絮继绍绪"
    "缘翊翔翠翰耀聪肖胜舟良艺芊芝芬花苏苒英茂茵荃莎莲菁萧蒙蓓蔓蕊蕙藤虹蝶衡袁裕襄观训许诺谊谨豆贞"
    "赫超越跃轶辛辞迎进连逍邵郡都醒采里野钊钦钧银锐锴镜长闻阁阔阿陶随隽雀雅集雍霞露韦音韶顾颢风飒"
    "飘馥驰骁高魁鲲鸥鹃鹭麒黎黛鼎儿桂国军强霞红梅新东山湘"
).replace("semi", "")
_GIVEN_CHAR = rf"(?:(?![{_NOT_GIVEN}])[{_NAME_CHARS}])"
_FULL_NAME = rf"{_SURNAME}{_GIVEN_CHAR}{{1,2}}"
# Cue words just before a full name (role or kinship, "名叫") or just after it (同学, 妈妈...).
_NAME_BEFORE = (
    "学生", "同学", "名叫", "叫做", "叫", "学员", "孩子", "儿子", "女儿", "班主任", "导师", "老师", "教师",
    "校长", "家长", "母亲", "父亲", "妈妈", "爸爸", "外婆", "奶奶", "爷爷", "外公", "姐姐", "哥哥", "弟弟",
    "妹妹", "姓名", "同桌", "室友", "联系人", "监护人", "负责人", "主持人", "男生", "女生", "队长", "班长", "课代表", "委员", "由", "找",
)
_NAME_AFTER = (
    "同学", "老师", "妈妈", "爸爸", "母亲", "父亲", "家长", "外婆", "奶奶", "爷爷", "外公", "的妈妈", "的爸爸",
    "的家长", "的母亲", "的父亲", "的外婆", "的奶奶", "的爷爷", "的班主任", "的导师", "班主任", "校长",
    "主任", "同学们", "和他", "和她", "说", "告诉", "表示", "认为", "觉得", "今年", "是", "在",
)
_NAME_CUED_RE = re.compile(
    rf"(?:(?<={')|(?<='.join(_NAME_BEFORE)}))[：:\s]?(?P<a>{_FULL_NAME})"
    rf"|(?<![{HAN}])(?P<c>{_FULL_NAME})(?={'|'.join(_NAME_AFTER)})"
    rf"|(?P<b>{_SURNAME}{_GIVEN_CHAR}{{2}})(?={'|'.join(_NAME_AFTER)})"
)
_NAME_SHAPE_RE = re.compile(
    rf"(?=(?P<d>{_SURNAME}[{_NAME_CHARS}]{{2}}))"
    rf"|(?<![{HAN}])(?P<e>{_SURNAME}[{_NAME_CHARS}])"
    rf"(?=[的和在说这去是从也都已被把向对跟与今上家]|同学|老师)"
)
_NAME_LABEL_RE = re.compile(rf"(?<=姓名|名字)[：:\s为是]{{0,2}}(?P<a>{_FULL_NAME})")
# Already de-identified forms are fine: 张某, 李某某, 小A, X同学.
_PSEUDONYM_GIVEN = ("某", "某某", "X", "XX", "Y", "A", "B")


def _span_findings(kind: str, pattern: re.Pattern, text: str, group: int | str = 0) -> list[PiiFinding]:
    found = []
    for match in pattern.finditer(text):
        start, end = match.span(group)
        if start < end:
            found.append(PiiFinding(kind, start, end, text[start:end]))
    return found


def _strip_span(kind: str, text: str, start: int, end: int) -> PiiFinding:
    while start < end and text[start] in " \t：:是为":
        start += 1
    while end > start and text[end - 1] in " \t":
        end -= 1
    return PiiFinding(kind, start, end, text[start:end])


def _trim_lead(text: str, start: int, head_end: int) -> int:
    """Move ``start`` past the last lead word in ``text[start:head_end]`` that leaves a head of 2+ chars."""
    head = text[start:head_end]
    best = 0
    for word in _LEAD_WORDS:
        position = head.rfind(word)
        while position >= 0:
            cut = position + len(word)
            if len(head) - cut >= 2 and cut > best:
                best = cut
                break
            position = head.rfind(word, 0, position)
    return start + best


def _find_id_cards(text: str) -> list[PiiFinding]:
    return [f for f in _span_findings(ID_CARD, _ID_CARD_RE, text) if id_card_checksum_ok(f.text)]


def _find_phones(text: str) -> list[PiiFinding]:
    found = []
    for pattern in _PHONE_RES:
        for match in pattern.finditer(text):
            found.append(_strip_span(PHONE, text, *match.span()))
    return found


def _find_student_numbers(text: str, student_numbers: Iterable[str]) -> list[PiiFinding]:
    found = []
    for pattern in _STUDENT_NUMBER_RES:
        for match in pattern.finditer(text):
            found.append(_strip_span(STUDENT_NUMBER, text, *match.span()))
    found += _literal_findings(STUDENT_NUMBER, text, student_numbers)
    return found


def _find_dates(text: str) -> list[PiiFinding]:
    found = []
    for pattern in _DATE_RES:
        found += _span_findings(EXACT_DATE, pattern, text)
    return found


# A place head ending with one of these is part of a sentence ("附近的小区", "以前在小学"), not a name.
_HEAD_BREAKERS = "的个这那该本此在于到是从和与去他她我你们前后时"


def _place_head_ok(head: str, generic_heads: tuple[str, ...]) -> bool:
    """True when ``head`` (the words before 路/小区/中学...) reads as a proper name."""
    if len(head) < 2 and not head.isdigit():
        return False
    return head[-1] not in _HEAD_BREAKERS and head not in generic_heads


def _find_places(kind: str, patterns, suffix_re: re.Pattern, text: str, generic_heads) -> list[PiiFinding]:
    found = []
    for pattern in patterns:
        for match in pattern.finditer(text):
            start, end = match.span()
            suffix = suffix_re.search(text, start, end)
            head_end = suffix.start() if suffix else end
            start = _trim_lead(text, start, head_end)
            head = text[start:head_end]
            if suffix is None and not head:
                continue
            if suffix is not None and not _place_head_ok(head, generic_heads):
                continue
            found.append(PiiFinding(kind, start, end, text[start:end]))
    return found


_SCHOOL_SUFFIX_RE = re.compile(rf"{_SCHOOL_SUFFIX}|[一二三四五六七八九十]{{1,3}}[中小]$")
_PLACE_SUFFIX_RE = re.compile(
    rf"{_ROAD}|小区|新村|公寓|家园|名苑|雅苑|苑|公馆|里弄|(?<=\d)(?:号楼|幢|栋)"
)


def _find_schools(text: str, schools: Iterable[str]) -> list[PiiFinding]:
    found = _find_places(SCHOOL, (_SCHOOL_RE,), _SCHOOL_SUFFIX_RE, text, _GENERIC_SCHOOL_HEADS)
    for match in _NUMBERED_SCHOOL_RE.finditer(text):
        start = _trim_lead(text, match.start(), match.end() - 2)
        numeral = re.search(r"[一二三四五六七八九十]{1,3}[中小]$", text[start : match.end()])
        head = text[start : start + numeral.start()]
        if len(head) >= 2 and head[-1] not in "高初年级第" and _place_head_ok(head, _GENERIC_SCHOOL_HEADS):
            found.append(PiiFinding(SCHOOL, start, match.end(), text[start : match.end()]))
    found += _literal_findings(SCHOOL, text, schools)
    return found


def _find_addresses(text: str) -> list[PiiFinding]:
    return _find_places(ADDRESS, _ADDRESS_RES, _PLACE_SUFFIX_RE, text, _GENERIC_PLACE_HEADS)


def _roster_name_forms(names: Iterable[str]) -> set[str]:
    forms = set()
    for name in names:
        name = name.strip()
        if len(name) < 2:
            continue
        forms.add(name)
        surname_length = 2 if name[:2] in _COMPOUND_SURNAMES else 1
        given = name[surname_length:]
        if len(given) >= 2:
            forms.add(given)
    return forms


def _find_names(text: str, names: Iterable[str]) -> list[PiiFinding]:
    found = _literal_findings(PERSON_NAME, text, _roster_name_forms(names))
    for pattern in (_NAME_CUED_RE, _NAME_LABEL_RE, _NAME_SHAPE_RE):
        for match in pattern.finditer(text):
            group = next(name for name, value in match.groupdict().items() if value)
            start, end = match.span(group)
            given = text[start + 1 : end]
            if given in _PSEUDONYM_GIVEN or text[start : start + 2] in _COMMON_WORDS:
                continue
            if text[max(start - 1, 0) : start + 1] in _WORDS_ENDING_IN_SURNAME:
                continue
            if text[start] in _CONJUNCTION_SURNAMES or (group == "d" and text[end - 1] == "一"):
                continue
            if end - start == 2 and text[start] in _FUNCTION_WORD_SURNAMES:
                continue
            found.append(PiiFinding(PERSON_NAME, start, end, text[start:end]))
    return found


# Surname-led words that are not names but can follow a cue word ("老师高度重视", "学生时代").
_COMMON_WORDS = frozenset(
    """
    高度 高兴 高中 高考 高三 高一 高二 方面 方法 方式 方向 方案 文化 文章 文字 时间 时候 时代 时常 时刻 时期
    时光 明天 明白 明显 明确 安全 安排 安静 安心 安慰 常常 常规 常识 成绩 成长 成功 成为 成员 成熟 成就 全部
    全体 全面 全班 全校 关心 关系 关注 关于 关键 向前 向往 和谐 和平 和睦 和好 包括 包容 连续 连忙 任何 任务
    任课 管理 管教 应该 应当 应对 单独 单亲 宁愿 宁可 尚未 尚且 将来 许多 于是 曾经 计划 平时 平静 严格 严重
    严厉 严肃 康复 温和 温暖 温度 简单 简短 查看 解决 解释 路上 路过 毛病 白天 冷静 冷淡 冷漠 师生 游戏 游泳
    季节 卫生 苗头 农村 童年 凌晨 毕业 毕竟 申请 范围 房间 符合 舒服 纪律 习惯 焦虑 焦急 祝福 祝愿 左右 颜色
    庄重 郑重 谢谢 陆续 顾及 顾虑 辛苦 尤其 阳光 古代 迟到 迟疑 商量 荣誉 巩固 麻烦 封闭 费用 项目 万一 齐心
    周末 周一 周二 周三 周四 周五 周六 周日 周天 周围 周边 周到 周年 周期 易怒 连接 边缘 师范 司法 全国 杜绝 程度 余下 付出 倪端 柳树 石头 金钱 黄昏 雷同 龙头 史上 黎明 贺卡
    """.split()
)


# Two-character words whose second character is a surname: "导师常常" is not a name "师常常".
_WORDS_ENDING_IN_SURNAME = frozenset(
    "导师 老师 教师 医师 律师 厨师 下周 上周 本周 每周 这周 一周 两周 不应 理应 反应 适应 相应 答应 回应 对应 "
    "效应 供应 照应 感应 总和 平和 温和 缓和 随和 饱和 讲和 日常 经常 平常 非常 正常 异常 反常 时常 通常 照常 "
    "往常 失常 有时 同时 及时 按时 准时 当时 平时 小时 随时 暂时 临时 届时 何时 定时 按期 安全 完全 健全 齐全 "
    "周全 双全 相关 有关 无关 机关 海关 难关 把关 过关 开关 攸关 一向 方向 面向 志向 走向 意向 倾向 偏向 转向 "
    "指向 取向 由于 对于 关于 至于 属于 等于 在于 善于 敢于 终于 便于 急于 位于 处于 勇于 忙于 过于 乐于 易于 "
    "免于 陷于 限于 出于 基于 鉴于 大方 地方 对方 双方 各方 比方 校方 家方 警方 前方 后方 东方 西方 南方 北方 "
    "成全 赞成 完成 形成 组成 构成 养成 变成 达成 促成 造成 生成 当成 做成 看成 合成 年成 高明 说明 表明 证明 "
    "聪明 光明 声明 分明 文明 透明 发明 鲜明 严明 简明 清明 阐明 注明 写明 查明 标明 任何 如何 为何 几何 奈何 "
    "提高 升高 增高 崇高 身高 最高 很高 较高 更高 太高 特高 调高 拔高 抬高".split()
)
# Surnames that are also function words; a two-character candidate starting with one is not a name.
_FUNCTION_WORD_SURNAMES = "和向于连常时应全关任方成明高安文平将单"
# Surnames so often a conjunction or preposition that only the roster can make them a name.
_CONJUNCTION_SURNAMES = "和于将连向商"


def _literal_findings(kind: str, text: str, literals: Iterable[str]) -> list[PiiFinding]:
    found = []
    for literal in {item.strip() for item in literals if item and item.strip()}:
        for match in re.finditer(re.escape(literal), text):
            found.append(PiiFinding(kind, match.start(), match.end(), literal))
    return found


def _resolve_overlaps(findings: list[PiiFinding]) -> list[PiiFinding]:
    """Keep non-overlapping findings: higher-priority kind first, then the longer span."""
    priority = {kind: index for index, kind in enumerate(KINDS)}
    ordered = sorted(findings, key=lambda f: (priority[f.kind], -(f.end - f.start), f.start))
    kept: list[PiiFinding] = []
    for finding in ordered:
        if all(finding.end <= other.start or finding.start >= other.end for other in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: f.start)


def find_pii(
    text: str,
    names: Iterable[str] = (),
    schools: Iterable[str] = (),
    *,
    student_numbers: Iterable[str] = (),
) -> list[PiiFinding]:
    """Return the identifiers found in ``text``, sorted by position and never overlapping.

    ``names`` are roster names (full names; the given name alone is matched too), ``schools``
    are school names to match literally, ``student_numbers`` are known student numbers.
    """
    if not isinstance(text, str):
        raise TypeError(f"find_pii expects str, got {type(text).__name__}")
    plain = normalise(text)
    findings = _find_numbers(text) + [plain.finding(text, f) for f in (
        _find_student_numbers(plain.text, student_numbers)
        + _find_dates(plain.text)
        + _find_addresses(plain.text)
        + _find_schools(plain.text, schools)
        + _find_names(plain.text, names)
    ) if f.start < f.end]  # fmt: skip
    return _resolve_overlaps(findings)


def _find_numbers(text: str) -> list[PiiFinding]:
    """ID-card and phone numbers in both number readings of ``text``, as spans of ``text``."""
    found = []
    for reading in number_readings(text):
        for finding in _find_id_cards(reading.text) + _find_phones(reading.text):
            if finding.start < finding.end:
                found.append(reading.finding(text, finding))
    return found


def find_id_and_phone_numbers(text: str) -> list[PiiFinding]:
    """The ID-card and phone-number findings of ``find_pii(text)``, without running the other detectors.

    The same findings, at a twentieth of the cost on a paragraph: these two kinds come first in KINDS, so
    no finding of another kind can displace them when overlaps are resolved. Used to validate every
    free-text field of every record written (hub.store.validation).
    """
    if not isinstance(text, str):
        raise TypeError(f"find_id_and_phone_numbers expects str, got {type(text).__name__}")
    return _resolve_overlaps(_find_numbers(text))


def redact(text: str, findings: Iterable[PiiFinding]) -> str:
    """Replace each finding's span in ``text`` with its placeholder (overlapping spans are merged)."""
    spans = sorted(findings, key=lambda f: (f.start, -f.end))
    pieces = []
    position = 0
    for finding in spans:
        if finding.end <= position:
            continue
        if finding.start >= position:
            pieces.append(text[position : finding.start])
            pieces.append(PLACEHOLDERS[finding.kind])
        position = max(position, finding.end)
    pieces.append(text[position:])
    return "".join(pieces)


def summarize(findings: Iterable[PiiFinding]) -> str:
    """A short Chinese sentence listing what was found, e.g. "发现 姓名 2 处、电话号码 1 处"."""
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.kind] = counts.get(finding.kind, 0) + 1
    if not counts:
        return "未发现可识别个人身份的信息"
    parts = [f"{KIND_LABELS[kind]} {counts[kind]} 处" for kind in KINDS if kind in counts]
    return "发现可识别个人身份的信息：" + "、".join(parts)
