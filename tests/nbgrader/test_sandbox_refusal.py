"""Where the grading sandbox cannot be made, autograding stops before any teacher's code runs, with a
Chinese message saying what to install; nothing is graded unconfined."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from hub.courses import texts
from hub.courses.pipeline import CoursePipeline
from hub.courses.sandbox import SandboxUnavailable
from tests.nbgrader.course_notebooks import COURSES_DIR, place_submission, with_answers

pytestmark = pytest.mark.nbgrader

AID, NOTEBOOK = "policy-basics", "policy-basics.ipynb"
MENTORHUB = Path(sys.executable).with_name("mentorhub")
# Would leave a file behind if it ever ran.
PROOF = "open({path!r}, 'w').write('ran')\n答案2 = ''"


@pytest.fixture
def submitted(catalog, tmp_path):
    course = catalog["foundations"]
    state = tmp_path / "state"
    pipeline = CoursePipeline(course, state / "courses" / "foundations", state / "exchange")
    pipeline.prepare()
    pipeline.generate(AID)
    released = nbformat.read(pipeline.course_dir / "release" / AID / NOTEBOOK, as_version=4)
    proof = tmp_path / "ran.txt"
    place_submission(pipeline.course_dir, "teacher1", AID,
                     {NOTEBOOK: with_answers(released, {"q2-answer": PROOF.format(path=str(proof))})})
    return course, state, proof


@pytest.mark.parametrize(("bwrap", "message"), [
    ("/nonexistent/bwrap", texts.SANDBOX_MISSING.format(tool="/nonexistent/bwrap")),
    ("/bin/false", texts.SANDBOX_BROKEN.split("详情")[0]),  # bubblewrap present but unable to make namespaces
])
def test_no_sandbox_no_grading(submitted, bwrap, message):
    course, state, proof = submitted
    pipeline = CoursePipeline(course, state / "courses" / "foundations", state / "exchange", bwrap=bwrap)
    with pytest.raises(SandboxUnavailable) as refused:
        pipeline.autograde(AID)
    assert message in str(refused.value)
    assert not proof.exists()
    assert not (pipeline.course_dir / "autograded").exists()


def test_the_command_says_what_to_install(submitted):
    _, state, proof = submitted
    env = {**os.environ, "PATH": str(MENTORHUB.parent)}  # no bubblewrap on this PATH
    done = subprocess.run([str(MENTORHUB), "course", "--state-dir", str(state), "--courses-dir", str(COURSES_DIR),
                           "autograde", "foundations", AID], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "apt-get install bubblewrap" in done.stderr
    assert "Traceback" not in done.stderr
    assert not proof.exists()
