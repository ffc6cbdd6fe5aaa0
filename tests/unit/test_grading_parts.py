"""The pure parts of sandboxed grading: the sandbox's command line, the answers taken out of a kernel, the
names tests read, and the fresh-interpreter test runner (run here directly; in grading it runs sandboxed)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hub.courses import answer_check
from hub.courses.answers import ANSWERS_MIME, TOTAL_LIMIT, VALUE_LIMIT, parse_extraction, referenced_names
from hub.courses.grading import result_outputs
from hub.courses.sandbox import WORK_DIR, GradingSandbox, SandboxLimits


def test_the_sandbox_shares_nothing_but_what_it_is_given(tmp_path):
    argv = GradingSandbox("bwrap").command(["python3", "-c", "pass"], work_dir=tmp_path / "w",
                                           binds=(tmp_path / "s",))
    separator = argv.index("--")
    options, inner = argv[:separator], argv[separator + 1:]
    for flag in ("--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session",
                 "--clearenv"):
        assert flag in options
    assert "--share-net" not in options
    writable = [options[i + 1] for i, arg in enumerate(options) if arg == "--bind"]
    assert writable == [str(tmp_path / "s"), str(tmp_path / "w")]
    assert options[options.index("--chdir") + 1] == WORK_DIR
    usr = options.index("/usr")  # /usr read-only, but not /usr/local, where sites keep their configuration
    assert options[usr - 1] == "--ro-bind" and options[usr + 2:usr + 4] == ["--tmpfs", "/usr/local"]
    assert inner[0] == "prlimit" and inner[-3:] == ["python3", "-c", "pass"]


def test_limits_are_set_inside_the_sandbox():
    limits = SandboxLimits(memory_bytes=123, processes=7, open_files=9, file_bytes=11)
    assert limits.prlimit_args() == ["prlimit", "--as=123", "--nproc=7", "--nofile=9", "--fsize=11", "--core=0",
                                     "--"]


def answers_output(values: dict, skipped: dict | None = None) -> dict:
    document = {"values": {k: json.dumps(v, ensure_ascii=False) for k, v in values.items()},
                "skipped": skipped or {}}
    return {"output_type": "display_data", "data": {ANSWERS_MIME: document}}


def test_answers_are_read_back_as_plain_data():
    extraction = parse_extraction([answers_output({"答案1": "B", "归类": {"a": ["x", 1]}}, {"f": "function"})])
    assert extraction.values == {"答案1": "B", "归类": {"a": ["x", 1]}}
    assert extraction.skipped == {"f": "function"}


@pytest.mark.parametrize("outputs", [
    [],
    [{"output_type": "stream", "text": "答案1 = B"}],
    [{"output_type": "display_data", "data": {ANSWERS_MIME: "not a document"}}],
    [{"output_type": "display_data", "data": {ANSWERS_MIME: {"values": [], "skipped": {}}}}],
])
def test_no_answers_document_means_no_answers(outputs):
    assert parse_extraction(outputs) is None


def test_oversized_or_broken_values_are_dropped():
    document = {"values": {"big": json.dumps("x" * VALUE_LIMIT), "broken": "{not json", "ok": '"B"'},
                "skipped": {}}
    extraction = parse_extraction([{"output_type": "display_data", "data": {ANSWERS_MIME: document}}])
    assert extraction.values == {"ok": "B"}
    many = {f"v{i}": json.dumps("y" * (VALUE_LIMIT - 10)) for i in range(TOTAL_LIMIT // VALUE_LIMIT + 5)}
    capped = parse_extraction([{"output_type": "display_data", "data": {ANSWERS_MIME: {"values": many,
                                                                                      "skipped": {}}}}])
    assert sum(len(json.dumps(v)) for v in capped.values.values()) <= TOTAL_LIMIT


def test_names_the_tests_read():
    sources = ['_答 = str(globals().get("答案1") or "")\nassert _答 == "B"',
               'import re as _re\n_表 = globals()["归类"]\nassert 判断 and _re.match("x", "x")']
    assert referenced_names(sources) == {"答案1", "归类", "判断"}


def run_checker(document: dict) -> dict:
    done = subprocess.run([sys.executable, "-I", answer_check.__file__], input=json.dumps(document).encode(),
                          capture_output=True, check=True)
    return json.loads(done.stdout)


def test_the_runner_reports_each_test_on_its_own():
    results = run_checker({
        "setup": ["LETTERS = 'ABCDE'"],
        "answers": {"答案1": "B", "答案2": "Z"},
        "tests": [
            {"id": "q1", "source": 'assert globals().get("答案1") == "B"'},
            {"id": "q2", "source": 'assert 答案2 in LETTERS, "第2题未得分"'},
            {"id": "q3", "source": "0.5"},
            {"id": "q4", "source": "raise SystemExit(3)"},
            {"id": "q5", "source": "def broken(:"},
        ],
    })["results"]
    by_id = {r["id"]: r for r in results}
    assert by_id["q1"] == {"id": "q1", "status": "ok"}
    assert (by_id["q2"]["status"], by_id["q2"]["ename"], by_id["q2"]["evalue"]) == ("error", "AssertionError",
                                                                                    "第2题未得分")
    assert by_id["q3"] == {"id": "q3", "status": "ok", "value": "0.5"}
    assert by_id["q4"]["status"] == "error" and by_id["q4"]["ename"] == "SystemExit"
    assert by_id["q5"]["ename"] == "SyntaxError"


def test_results_become_the_outputs_nbgrader_scores():
    assert result_outputs({"status": "ok"}) == []
    [error] = result_outputs({"status": "error", "ename": "AssertionError", "evalue": "x", "traceback": ["t"]})
    assert (error.output_type, error.ename, error.evalue) == ("error", "AssertionError", "x")
    [partial] = result_outputs({"status": "ok", "value": "0.5"})
    assert partial.output_type == "execute_result" and partial.data["text/plain"] == "0.5"
