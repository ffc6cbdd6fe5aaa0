"""Pure checks for a 成长寄语 (growth message) while the mentor writes it. No ipywidgets here.

The helper advises and does not block, except for personal data that does not belong in the message
(ID or phone numbers, student numbers, addresses, other people's names): that blocks saving.

    check = check_growth_message(text, student_name="林小雨", other_names=["陈一鸣", ...])
    check.blocking, check.advice()
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .texts import t

LENGTH_RANGE = (80, 200)  # 字, the advised window (training module 9)

RANK_WORDS = (
    "排名", "名次", "第几名", "倒数", "前几名", "前十名", "前三名", "全班第", "年级第", "班里第", "考第",
    "不如别人", "不如其他同学", "比别人", "比不上", "赶不上", "别人家的孩子", "落后于", "拖后腿", "垫底",
)  # fmt: skip
LABEL_WORDS = (
    "差生", "问题学生", "后进生", "学困生", "坏孩子", "笨", "懒惰", "多动症", "抑郁症", "有病", "不正常",
    "没救", "屡教不改", "朽木",
)  # fmt: skip
STRENGTH_WORDS = (
    "认真", "坚持", "努力", "主动", "细心", "耐心", "勇敢", "善良", "热心", "乐于助人", "负责", "责任心",
    "专注", "诚实", "有礼貌", "幽默", "开朗", "自律", "守时", "好奇", "创意", "想象力", "勤奋", "踏实",
    "体贴", "包容", "合作", "领导力", "毅力", "进步", "用心", "担当", "友善", "独立", "执着", "乐观",
    "钻研", "动手", "组织",
)  # fmt: skip
CONCRETE_CUES = (
    "那次", "有一次", "那天", "记得", "看到你", "看见你", "当你", "每天", "每次", "运动会", "比赛", "课堂上",
    "课上", "值日", "实验", "演讲", "班会", "春游", "秋游", "作业本", "黑板报", "合唱", "社团",
)  # fmt: skip
EXPECTATION_CUES = ("希望", "期待", "期望", "相信你", "愿你", "祝你", "盼你", "加油", "继续")
BLOCKING_PII = ("id_card", "phone", "student_number", "address", "person_name")


@dataclass(frozen=True)
class GrowthCheck:
    length: int
    strengths: tuple[str, ...]
    concrete: bool
    expectation: bool
    rank_words: tuple[str, ...]
    label_words: tuple[str, ...]
    pii: tuple[str, ...] = field(default=())  # the offending spans, for the message

    @property
    def length_ok(self) -> bool:
        return LENGTH_RANGE[0] <= self.length <= LENGTH_RANGE[1]

    @property
    def names_strength(self) -> bool:
        """A concrete strength: a quality word together with a concrete moment or habit."""
        return bool(self.strengths) and self.concrete

    @property
    def blocking(self) -> bool:
        return bool(self.pii)

    def advice(self) -> list[tuple[str, str]]:
        """(level, text) pairs in reading order; level is "ok", "advice" or "block"."""
        lo, hi = LENGTH_RANGE
        out = [("ok" if self.length_ok else "advice", t("gm_length", length=self.length, lo=lo, hi=hi))]
        if self.length < lo:
            out.append(("advice", t("gm_length_short")))
        elif self.length > hi:
            out.append(("advice", t("gm_length_long")))
        if self.names_strength:
            out.append(("ok", t("gm_strength_yes", words="、".join(self.strengths))))
        else:
            out.append(("advice", t("gm_strength_no")))
        out.append(("ok", t("gm_expectation_yes")) if self.expectation else ("advice", t("gm_expectation_no")))
        if self.rank_words:
            out.append(("advice", t("gm_rank", words="、".join(self.rank_words))))
        if self.label_words:
            out.append(("advice", t("gm_label", words="、".join(self.label_words))))
        if not self.rank_words and not self.label_words:
            out.append(("ok", t("gm_clean")))
        if self.pii:
            out.append(("block", t("gm_pii", words="、".join(self.pii))))
        return out


def count_chars(text: str) -> int:
    """Length as a Chinese reader counts it: every character except white space."""
    return len(re.sub(r"\s", "", text))


def found(words, text: str) -> tuple[str, ...]:
    return tuple(w for w in words if w in text)


def _own_name_forms(student_name: str) -> set[str]:
    name = student_name.strip()
    forms = {name} if name else set()
    if len(name) >= 2:
        forms.add(name[1:])  # the given name, as a mentor would address the student
    if len(name) >= 3:
        forms.add(name[2:])
    return {f for f in forms if f}


def personal_data(text: str, student_name: str = "", other_names=()) -> tuple[str, ...]:
    """Spans of personal data that do not belong in a message to this student, with their kind."""
    # Imported here, at the first check of a message: its detectors cost some 40 ms of CPU to build, which
    # every workbench page's kernel would otherwise pay at start, when a cohort's pages start together.
    from hub.pii import KIND_LABELS, find_pii

    own = _own_name_forms(student_name)
    names = [n for n in other_names if n and n.strip() != student_name.strip()]
    spans = []
    for finding in find_pii(text, names=names):
        if finding.kind not in BLOCKING_PII:
            continue
        if finding.kind == "person_name" and (finding.text in own or any(finding.text in o for o in own)):
            continue
        spans.append(f"{KIND_LABELS.get(finding.kind, finding.kind)}“{finding.text}”")
    return tuple(dict.fromkeys(spans))


def check_growth_message(text: str, student_name: str = "", other_names=()) -> GrowthCheck:
    """All checks of one draft; ``other_names`` are names that must not appear (other students)."""
    text = text or ""
    rank = found(RANK_WORDS, text)
    labels = tuple(w for w in found(LABEL_WORDS, text) if not (w == "笨" and "笨鸟先飞" in text))
    return GrowthCheck(
        length=count_chars(text),
        strengths=found(STRENGTH_WORDS, text),
        concrete=bool(found(CONCRETE_CUES, text)),
        expectation=bool(found(EXPECTATION_CUES, text)),
        rank_words=rank,
        label_words=labels,
        pii=personal_data(text, student_name, other_names),
    )
