"""``find_id_and_phone_numbers``: exactly what ``find_pii`` finds of the two kinds records must never hold.

Record validation calls the fast function on every free-text field; these tests hold it to the full
checker on the labelled corpus (tests/data/pii_labelled.txt) and on texts where an ID-card number, a
phone number and other identifiers overlap.
"""

from __future__ import annotations

import pytest

from hub import pii
from tests.unit.test_pii_labelled import load_labelled

NUMBER_KINDS = (pii.ID_CARD, pii.PHONE)

OVERLAPS = [
    "身份证号310101201001011234，电话13812345678",
    "号码 310101201001011234 已核对",  # a valid ID number right after a phone cue word
    "手机13812345678学号20230512",
    "家长电话021-64123456，住长宁路1234弄5号602室",
    "联系电话 6412 3456，2025年3月5日家访",
    "+86 138 1234 5678 是王晨阳妈妈的手机",
    "座机：6412-3456；(021)64123456；（021）6412 3456",
    "11010519491231002X 与 310101201001011238",  # the second: a bad check character, not an ID
    "谈话记录：学生近来情绪稳定，与同学相处融洽。",
    "",
]


def numbers_of(findings):
    return [f for f in findings if f.kind in NUMBER_KINDS]


def test_same_findings_as_find_pii_on_the_labelled_corpus():
    roster, schools, snippets = load_labelled()
    with_numbers = 0
    for snippet in snippets:
        expected = numbers_of(pii.find_pii(snippet.text))
        assert pii.find_id_and_phone_numbers(snippet.text) == expected, snippet.text
        with_numbers += bool(expected)
    assert with_numbers >= 10  # the corpus really exercises both detectors


@pytest.mark.parametrize("text", OVERLAPS)
def test_same_findings_where_identifiers_overlap(text):
    assert pii.find_id_and_phone_numbers(text) == numbers_of(pii.find_pii(text))


def test_finds_both_kinds():
    kinds = {f.kind for f in pii.find_id_and_phone_numbers(OVERLAPS[0])}
    assert kinds == {pii.ID_CARD, pii.PHONE}


def test_refuses_non_text():
    with pytest.raises(TypeError):
        pii.find_id_and_phone_numbers(None)
