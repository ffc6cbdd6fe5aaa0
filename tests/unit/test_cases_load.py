"""``mentorhub cases load``: the shipped library goes into the records database once (a second run
changes nothing); a library with a case that fails the PII check is refused whole."""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

import yaml

from hub.cases import command
from hub.store import open_store
from hub.store.testing import new_database_url
from tests.unit.test_studio_store import build_world

CASES = command.SHIPPED_FOLDER


def run(*argv):
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.func(args)


def stored_ids(url):
    store = open_store(url)
    try:
        return [case.id for case in store.find_cases(store.actor_for("m_c", groups=["teachers"]))]
    finally:
        store.close()


def test_load_is_idempotent(tmp_path, capsys):
    url, _ = new_database_url("sqlite", tmp_path)
    store = open_store(url)
    build_world(store)
    store.close()
    assert run("cases", "load", "--folder", str(CASES), "--db", url) == 0
    assert "新增 13 个" in capsys.readouterr().out
    assert run("cases", "load", "--folder", str(CASES), "--db", url) == 0
    assert "未变 13 个" in capsys.readouterr().out
    assert stored_ids(url) == sorted(path.stem for path in CASES.glob("*.yaml"))


def test_a_case_naming_a_roster_teacher_is_refused_whole(tmp_path, capsys):
    url, _ = new_database_url("sqlite", tmp_path)
    store = open_store(url)
    build_world(store)  # its roster has a teacher named 何文清
    store.close()
    folder = tmp_path / "cases"
    shutil.copytree(CASES, folder)
    shutil.copy(CASES.parent / "cases.schema.json", tmp_path / "cases.schema.json")
    path = folder / "b03-grandparent-homework.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["process"] += "何文清老师每周联系一次。"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert run("cases", "load", "--folder", str(folder), "--db", url) == 1
    error = capsys.readouterr().err
    assert "姓名" in error and data["title"] in error and "未做改动" in error
    assert stored_ids(url) == []


def test_load_names_an_unmigrated_database(tmp_path, capsys):
    assert run("cases", "load", "--folder", str(CASES), "--db", f"sqlite:///{Path(tmp_path) / 'empty.sqlite'}") == 1
    assert "mentorhub db upgrade" in capsys.readouterr().err
