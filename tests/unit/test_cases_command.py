"""``mentorhub cases check`` through its own argparse registration."""

import argparse
from pathlib import Path

import yaml

from hub.cases import command

CASES = Path(__file__).resolve().parents[2] / "casestudies" / "cases"


def run(*argv):
    parser = argparse.ArgumentParser()
    command.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    return args.func(args)


def test_check_passes_on_the_shipped_library(capsys):
    assert run("cases", "check", "--folder", str(CASES)) == 0
    assert "全部通过" in capsys.readouterr().out


def test_check_fails_on_a_case_with_a_phone_number(tmp_path, capsys):
    folder = tmp_path / "cases"
    folder.mkdir()
    (tmp_path / "cases.schema.json").write_bytes((CASES.parent / "cases.schema.json").read_bytes())
    data = yaml.safe_load((CASES / "b01-new-student-alone.yaml").read_text(encoding="utf-8"))
    data["background"] += "联系电话13812345678。"
    (folder / "b01-new-student-alone.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert run("cases", "check", "--folder", str(folder)) == 1
    assert "电话号码" in capsys.readouterr().err
