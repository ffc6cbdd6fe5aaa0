"""The PII checker reads text after normalisation (issue 16, finding 8): an ID-card or phone number written
with zero-width characters, full-width digits, spaces or Chinese numerals is still found, by ``find_pii``,
by ``find_id_and_phone_numbers`` and by the records store's validation; ordinary text holding such
characters is not flagged; findings name the span of the text as it was given, so ``redact`` works on it.
"""

from __future__ import annotations

import datetime as dt

import pytest

from hub import pii
from hub.store import Invalid, open_store
from hub.store.testing import build_small_world, new_database_url

PHONE = "13812345678"
ID_NUMBER = "11010519491231002X"  # a valid check character

# (trick, text holding a phone or ID number written that way, kind)
TRICKS = [
    ("plain", f"家长电话{PHONE}", pii.PHONE),
    ("zero-width space", "家长电话138\u200b1234\u200b5678", pii.PHONE),
    ("zero-width joiner and word joiner", "家长电话1\u200d3\u20608\u200c12345678", pii.PHONE),
    ("byte order mark and soft hyphen", "家长电话138\ufeff1234\u00ad5678", pii.PHONE),
    ("variation selector", "家长电话138\ufe0f12345678", pii.PHONE),
    ("full-width digits", "家长电话１３８１２３４５６７８", pii.PHONE),
    ("full-width digits and zero-width", "家长电话１３８\u200b１２３４\u200b５６７８", pii.PHONE),
    ("circled and superscript digits", "家长电话①③⑧¹²³⁴⁵⁶⁷⁸", pii.PHONE),
    ("a space between every digit", "家长电话 1 3 8 1 2 3 4 5 6 7 8", pii.PHONE),
    ("ideographic spaces", "家长电话138\u30001234\u30005678", pii.PHONE),
    ("irregular spaces and dashes", "家长电话 13 812-34 5678", pii.PHONE),
    ("dots", "家长电话138.1234.5678", pii.PHONE),
    ("Chinese numerals", "家长电话一三八一二三四五六七八", pii.PHONE),
    ("Chinese numerals with 幺 and spaces", "家长电话幺三八 一二三四 五六七八", pii.PHONE),
    ("capital numerals", "家长电话壹叁捌壹贰叁肆伍陆柒捌", pii.PHONE),
    ("numerals mixed with digits", "家长电话138一二三四5678", pii.PHONE),
    ("landline, full-width", "家里座机０２１－６４１２３４５６", pii.PHONE),
    ("landline, Chinese numerals after a cue", "家里电话六四一二三四五六", pii.PHONE),
    ("ID number, plain", f"身份证号{ID_NUMBER}", pii.ID_CARD),
    ("ID number, full-width", "身份证号１１０１０５１９４９１２３１００２Ｘ", pii.ID_CARD),
    ("ID number, zero-width", "身份证号110105\u200b19491231\u200b002X", pii.ID_CARD),
    ("ID number, in groups", "身份证号 110105 1949 1231 002X", pii.ID_CARD),
    ("ID number, Chinese numerals", "身份证号一一〇一〇五一九四九一二三一〇〇二X", pii.ID_CARD),
    ("ID number, 零 for zero", "身份证号一一零一零五一九四九一二三一零零二x", pii.ID_CARD),
]

ORDINARY = [
    "今天数学课上大家一起数数：一二三四五六七八九十，气氛很轻松。",
    "一五一十地说了事情经过，三三两两的同学围过来。",
    "全角数字１２３人参加了运动会，２０２４学年第一学期。",
    "2023 2024 2025 三个学年的变化；第1 3 5 7 9题做错了。",
    "家长发来👩\u200d👧表情，说谢谢老师。",
    "七年级二班的同学在四楼活动室排练了一个半小时。",
    "成绩从 92.5 提高到 95.0，进步明显。",
    "\u200b\u200b只有零宽字符\ufeff的一句普通话。",
    "⑴ 先肯定优点 ⑵ 再提出期望 ⑶ 约定下次谈话。",
]


@pytest.mark.parametrize("trick, text, kind", TRICKS, ids=[t[0] for t in TRICKS])
def test_each_trick_is_found_by_both_checkers(trick, text, kind):
    found = [f for f in pii.find_pii(text) if f.kind in (pii.ID_CARD, pii.PHONE)]
    assert [f.kind for f in found] == [kind], trick
    assert pii.find_id_and_phone_numbers(text) == found


@pytest.mark.parametrize("trick, text, kind", TRICKS, ids=[t[0] for t in TRICKS])
def test_findings_are_spans_of_the_text_as_given(trick, text, kind):
    [finding] = pii.find_id_and_phone_numbers(text)
    assert text[finding.start : finding.end] == finding.text
    redacted = pii.redact(text, [finding])
    assert redacted.endswith(pii.PLACEHOLDERS[kind]), redacted
    assert not pii.find_id_and_phone_numbers(redacted)


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_text_with_such_characters_is_not_flagged(text):
    assert pii.find_id_and_phone_numbers(text) == []
    assert [f for f in pii.find_pii(text) if f.kind in (pii.ID_CARD, pii.PHONE, pii.STUDENT_NUMBER)] == []


def test_normalise_maps_every_character_back():
    text = "电话１３８\u200b１２３４"
    normal = pii.normalise(text)
    assert normal.text == "电话1381234"
    assert [text[i] for i in normal.origin] == ["电", "话", "１", "３", "８", "１", "２", "３", "４"]


def test_numeral_runs_only_where_numerals_run():
    assert pii.read_numerals(pii.normalise("一三八一二三四五六七八")).text == "13812345678"
    assert pii.read_numerals(pii.normalise("三年二班一共四十五人")).text == "三年二班一共四十五人"


# --- the records store refuses every trick ----------------------------------------------------------
@pytest.fixture(scope="module")
def store(tmp_path_factory):
    url, _ = new_database_url("sqlite", tmp_path_factory.mktemp("pii-store"))
    st = open_store(url)
    build_small_world(st)
    yield st
    st.close()


def talk(summary):
    return {"student_id": "sa1", "kind": "talk", "date": dt.date.today().isoformat(), "talk_type": "例行关怀",
            "summary": summary}  # fmt: skip


@pytest.mark.parametrize("trick, text, kind", TRICKS, ids=[t[0] for t in TRICKS])
def test_the_store_refuses_each_trick_and_stores_nothing(store, trick, text, kind):
    before = store.count_records()
    with pytest.raises(Invalid) as refused:
        store.add_record(store.actor_for("m_a"), talk(text))
    assert refused.value.field == "summary" and pii.KIND_LABELS[kind] in refused.value.message_zh
    assert store.count_records() == before


@pytest.mark.parametrize("text", ORDINARY)
def test_the_store_keeps_ordinary_text(store, text):
    record = store.add_record(store.actor_for("m_a"), talk(text))
    assert record.fields["summary"] == text.strip()
