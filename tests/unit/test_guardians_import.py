"""`mentorhub guardians import`: guardians and consents from a CSV or a workbook, refused whole with the
problems by row and column, idempotent, contacts encrypted at rest."""

from __future__ import annotations

import csv
import datetime as dt

import openpyxl
from sqlalchemy import text

from hub.cli import main as cli
from hub.store import open_store
from hub.store.crypto import ensure_key_file
from hub.store.testing import build_small_world, new_database_url

HEADER = ["student_id", "relation", "name", "contact_channel", "is_primary", "scopes", "policy_version", "given_via",
          "granted_on"]  # fmt: skip
GOOD = [["sa1", "母亲", "王某某", "13900001111", "是", "导师记录、家访", "2026-09", "书面签字", "2026-09-01"],
        ["sa2", "父亲", "李某某", "", "", "mentor_records;referral", "2026-09", "平台确认", ""],
        ["sa3", "外祖母", "张某某", "", "", "", "", "", ""]]  # fmt: skip


def world(tmp_path):
    url, _ = new_database_url("sqlite", tmp_path)
    ensure_key_file(tmp_path / "secrets" / "field-keys.json")  # found beside the database
    store = open_store(url)
    build_small_world(store)
    store.close()
    return url


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([HEADER, *rows])
    return path


def test_a_csv_is_imported_once_and_contacts_are_encrypted(tmp_path, capsys):
    url = world(tmp_path)
    path = write_csv(tmp_path / "guardians.csv", GOOD)
    assert cli(["guardians", "import", str(path), "--db", url]) == 0
    assert "新增监护人 3 名，新增同意 4 项" in capsys.readouterr().out
    assert cli(["guardians", "import", str(path), "--db", url]) == 0  # again: nothing new
    assert "新增监护人 0 名，新增同意 0 项，已有监护人 3 名" in capsys.readouterr().out
    store = open_store(url)
    try:
        office = store.actor_for("adm_a")
        [mother] = store.find_guardians(office, "sa1")
        assert mother["contact_channel"] == "13900001111" and mother["is_primary"] is True
        assert sorted(c["scope"] for c in mother["consents"]) == ["home_visit", "mentor_records"]
        assert mother["consents"][0]["granted_at"].startswith("2026-09-01")
        [father] = store.find_guardians(office, "sa2")
        assert sorted(c["scope"] for c in father["consents"]) == ["mentor_records", "referral"]
        assert father["consents"][0]["granted_at"][:10] == dt.date.today().isoformat()
        with store.engine.connect() as conn:
            stored = conn.execute(text("SELECT contact_channel FROM guardians WHERE student_id = 'sa1'")).scalar()
        assert stored.startswith("enc:v1:") and "13900001111" not in stored
    finally:
        store.close()


def test_a_workbook_with_problems_is_refused_whole_naming_rows_and_columns(tmp_path, capsys):
    url = world(tmp_path)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "guardians"
    for row in [HEADER, GOOD[0],
                ["sx9", "母亲", "某某", "", "", "", "", "", ""],
                ["sa2", "邻居", "", "", "", "导师记录、照片", "", "口头", "2999-01-01"]]:  # fmt: skip
        sheet.append(row)
    path = tmp_path / "guardians.xlsx"
    book.save(path)
    assert cli(["guardians", "import", str(path), "--db", url]) == 1
    err = capsys.readouterr().err
    assert "整个文件未导入" in err
    for expected in ("[第3行 student_id] 学生“sx9”不在花名册中", "[第4行 name] 此项不能为空", "[第4行 relation]",
                     "[第4行 scopes] 无法识别的同意范围“照片”", "[第4行 policy_version]", "[第4行 given_via]",
                     "[第4行 granted_on]"):  # fmt: skip
        assert expected in err, expected
    store = open_store(url)
    try:
        assert store.find_guardians(store.actor_for("adm_a"), "sa1") == []  # nothing of the file was written
    finally:
        store.close()


def test_an_unusable_file_is_refused_with_a_message(tmp_path, capsys):
    url = world(tmp_path)
    (tmp_path / "x.xlsx").write_bytes(b"not a workbook")
    assert cli(["guardians", "import", str(tmp_path / "x.xlsx"), "--db", url]) == 1
    assert "不是有效的 Excel 工作簿" in capsys.readouterr().err
    write = tmp_path / "no-name.csv"
    write.write_text("student_id,relation\nsa1,母亲\n", encoding="utf-8")
    assert cli(["guardians", "import", str(write), "--db", url]) == 1
    assert "缺少列“name”" in capsys.readouterr().err
