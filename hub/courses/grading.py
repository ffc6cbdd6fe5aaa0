"""Autograding that a teacher's code cannot subvert: a step of nbgrader's own autograde pipeline.

``GradeFromAnswers`` takes the place of nbgrader's ``Execute`` in ``Autograde.autograde_preprocessors``
(``hub.courses.nbconfig``); nbgrader's sanitising steps before it and ``SaveAutoGrades`` after it are
unchanged, so the gradebook, the formgrader, manual grading and feedback work as before.

1. The test cells (their hidden tests restored by nbgrader) are blanked, so the teacher's kernel never
   receives them; the other cells run in a kernel inside the grading sandbox (``hub.courses.grading_kernel``),
   with nbgrader's executor, per-cell time limit and interrupts.
2. After each answer cell and at the end the kernel is asked for the answer values as plain JSON
   (``hub.courses.answers``). Its outputs are capped (``output_limit``).
3. The test cells run in a fresh interpreter, also in the sandbox, against those values
   (``hub/courses/answer_check.py``); their results become the test cells' outputs, from which
   ``SaveAutoGrades`` takes the points as usual.

Answers that cannot be taken out (not plain data, the kernel died or timed out) score zero on the items
whose tests read them; the reasons are logged and collected in ``REPORTS`` for the trainer's summary.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_output
from nbgrader import utils
from nbgrader.preprocessors import Execute
from traitlets import Bool, Integer, Unicode

from . import texts
from .answers import EXTRACT_SOURCE, Extraction, parse_extraction, referenced_names
from .errors import CourseError
from .grading_kernel import SandboxedKernelManager
from .sandbox import GradingSandbox

CHECKER = Path(__file__).with_name("answer_check.py")
CHECKER_IN_SANDBOX = "/sandbox/answer_check.py"
CHECK_OUTPUT_LIMIT = 4 << 20
EXTRACT_TIMEOUT = 15  # seconds for a kernel to hand over its answers (it takes milliseconds when it is well)


class KernelUnresponsive(Exception):
    """The teacher's kernel stopped answering; the message is the people-facing reason."""


class GradingError(CourseError):
    """The tests could not be run against the answers (a fault of the grading machinery, not the teacher)."""


@dataclass
class GradingReport:
    """What a trainer should know about one graded notebook (people-facing messages, Chinese)."""

    student: str
    notebook: str
    messages: list[str] = field(default_factory=list)


#: Reports of the notebooks graded in this process since it was last cleared (the pipeline's workers read it).
REPORTS: list[GradingReport] = []


def is_test_cell(cell) -> bool:
    return cell.cell_type == "code" and utils.is_grade(cell) and not utils.is_solution(cell)


def is_answer_cell(cell) -> bool:
    return cell.cell_type == "code" and utils.is_solution(cell)


def is_setup_cell(cell) -> bool:
    """Course code the teacher cannot change (nbgrader restores locked cells from the gradebook)."""
    return cell.cell_type == "code" and utils.is_locked(cell) and not utils.is_grade(cell) \
        and not utils.is_solution(cell)


def error_output(ename: str, evalue: str, traceback: list[str] | None = None) -> NotebookNode:
    return new_output("error", ename=ename, evalue=evalue, traceback=traceback or [f"{ename}: {evalue}"])


def result_outputs(result: dict) -> list[NotebookNode]:
    """A test cell's outputs from one result of ``answer_check``."""
    if result.get("status") == "error":
        return [error_output(str(result.get("ename", "Error")), str(result.get("evalue", "")),
                             [str(line) for line in result.get("traceback", [])])]
    if "value" in result:
        return [new_output("execute_result", data={"text/plain": str(result["value"])}, execution_count=None)]
    return []


class GradeFromAnswers(Execute):
    """nbgrader's ``Execute``, with the teacher's code in the sandbox and the tests in a fresh interpreter."""

    bwrap = Unicode("bwrap", help="The bubblewrap command (name on PATH or absolute path).").tag(config=True)
    scratch_dir = Unicode("", help=(
        "Folder for the kernels' throw-away copies of submissions (one sub-folder per kernel, removed with "
        "it). Empty: the system's temporary folder.")).tag(config=True)
    output_limit = Integer(1 << 20, help=(
        "Characters of output kept per notebook from the teacher's cells; the rest is dropped with a "
        "note. The answer values are not counted.")).tag(config=True)
    check_timeout = Integer(60, help="Seconds the tests of one notebook may take in the fresh interpreter.").tag(
        config=True)
    run_answers = Bool(True, help=(
        "False: do not run the submission at all (it could not be graded the normal way); every "
        "autograded item scores zero, with ``unavailable_reason``.")).tag(config=True)
    unavailable_reason = Unicode("", help="People-facing reason used when run_answers is False.").tag(config=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("kernel_manager_class", SandboxedKernelManager)
        super().__init__(**kwargs)
        self.sandbox = GradingSandbox(self.bwrap)

    # -- the kernel ----------------------------------------------------------------------------
    def create_kernel_manager(self):
        self.km = SandboxedKernelManager(kernel_name="python3", config=self.config, sandbox=self.sandbox,
                                         scratch_dir=self.scratch_dir or None)
        return self.km

    def output(self, outs, msg, display_id, cell_index):
        if not self._extracting:
            size = _output_size(msg)
            if self._output_used + size > self.output_limit:
                if not self._output_noted:
                    self._output_noted = True
                    outs.append(new_output("stream", name="stderr", text=texts.OUTPUT_TRUNCATED + "\n"))
                return None
            self._output_used += size
        return super().output(outs, msg, display_id, cell_index)

    def _extract(self) -> tuple[Extraction | None, str]:
        """Ask the kernel for its answer values, through a cell added for the moment and removed again."""
        cell = new_code_cell(EXTRACT_SOURCE)
        self.nb.cells.append(cell)
        self._extracting, timeout = True, self.timeout
        self.timeout = min(timeout or EXTRACT_TIMEOUT, EXTRACT_TIMEOUT)
        try:
            self.execute_cell(cell, len(self.nb.cells) - 1, store_history=False)
        finally:
            self._extracting, self.timeout = False, timeout
            self.nb.cells.pop()
        extraction = parse_extraction(cell.outputs)
        if extraction is not None:
            return extraction, ""
        if any(o.get("ename") == "CellTimeoutError" for o in cell.outputs):
            raise KernelUnresponsive(texts.REASON_TIMEOUT)
        return None, texts.REASON_NO_REPLY

    def _run_answers(self, resources) -> tuple[Extraction | None, str]:
        """Run the notebook's cells (tests blanked) in the sandboxed kernel; the answers taken out of it.

        Answers are taken after each answer cell as well, so that a kernel that stops half-way (killed,
        exited, no longer answering) keeps the answers it had given; the final values win otherwise."""
        self._output_used, self._output_noted, self._extracting = 0, False, False
        latest, reason = None, ""
        with self.setup_kernel():
            info = self.wait_for_reply(self.kc.kernel_info())
            self.nb.metadata["language_info"] = info["content"]["language_info"]
            try:
                for index, cell in enumerate(self.nb.cells):
                    self.preprocess_cell(cell, resources, index)
                    if is_answer_cell(cell):
                        latest = self._extract()[0] or latest
                final, reason = self._extract()
            except DeadKernelError:
                final, reason = None, texts.REASON_KERNEL_DIED
            except KernelUnresponsive as stopped:
                final, reason = None, str(stopped)
            except CellTimeoutError:  # replies but no output: the kernel's own machinery is broken; stop here
                final, reason = None, texts.REASON_NO_REPLY
        self.set_widgets_metadata()
        return (final, "") if final is not None else (latest, reason)

    # -- the tests -----------------------------------------------------------------------------
    def _check(self, setup: list[str], answers: dict, tests: list[dict]) -> dict[str, dict]:
        document = json.dumps({"setup": setup, "answers": answers, "tests": tests}, ensure_ascii=False)
        command = self.sandbox.command([sys.executable, "-I", CHECKER_IN_SANDBOX],
                                       ro_files={CHECKER_IN_SANDBOX: CHECKER})
        try:
            done = subprocess.run(command, input=document.encode(), capture_output=True, timeout=self.check_timeout,
                                  preexec_fn=self.sandbox.preexec)
            if done.returncode != 0 or len(done.stdout) > CHECK_OUTPUT_LIMIT:
                raise GradingError(f"answer check exited with {done.returncode}: {done.stderr[-500:]!r}")
            results = json.loads(done.stdout)["results"]
        except (subprocess.TimeoutExpired, ValueError, KeyError, OSError) as exc:
            raise GradingError(f"answer check failed: {exc}") from exc
        return {result["id"]: result for result in results}

    # -- the step ------------------------------------------------------------------------------
    def preprocess(self, nb, resources=None, km=None):
        self.sandbox.require()
        tests = [(index, cell) for index, cell in enumerate(nb.cells) if is_test_cell(cell)]
        hidden = [cell.source for _, cell in tests]
        for _, cell in tests:
            cell.source, cell.outputs = "", []
        try:
            if self.run_answers:
                NotebookClient.__init__(self, nb, km)  # as nbconvert's ExecutePreprocessor.preprocess does
                self.reset_execution_trackers()
                self._check_assign_resources(resources)
                extraction, reason = self._run_answers(resources)
            else:
                extraction, reason = None, self.unavailable_reason or texts.REASON_WORKER
        finally:
            for (_, cell), source in zip(tests, hidden, strict=True):
                cell.source = source
        test_documents = [{"id": cell.metadata.nbgrader["grade_id"], "source": cell.source} for _, cell in tests]
        setup = [cell.source for cell in nb.cells if is_setup_cell(cell)]
        messages = self._zero_reasons(extraction, reason, test_documents)
        blocked = self._blocked_tests(extraction, messages, test_documents)
        to_run = [t for t in test_documents if t["id"] not in blocked]
        results = self._check(setup, extraction.values if extraction else {}, to_run) if to_run else {}
        for _, cell in tests:
            grade_id = cell.metadata.nbgrader["grade_id"]
            if grade_id in blocked:
                cell.outputs = [error_output("AnswerUnavailable", blocked[grade_id])]
            else:
                cell.outputs = result_outputs(results.get(grade_id, {"status": "error", "ename": "AnswerUnavailable",
                                                                     "evalue": texts.REASON_NO_REPLY}))
        self._report(resources, messages)
        return nb, resources

    def _blocked_tests(self, extraction: Extraction | None, messages: list[str], tests: list[dict]) -> dict[str, str]:
        """Tests that score zero without running: no answers at all, or they read an answer that is not data."""
        if extraction is None:
            return {t["id"]: messages[0] for t in tests}
        blocked = {}
        for test in tests:
            unusable = sorted(referenced_names([test["source"]]) & set(extraction.skipped))
            if unusable:
                blocked[test["id"]] = texts.ANSWERS_NOT_DATA.format(names="、".join(unusable))
        return blocked

    def _zero_reasons(self, extraction: Extraction | None, reason: str, tests: list[dict]) -> list[str]:
        if extraction is None:
            return [texts.ANSWERS_UNAVAILABLE.format(reason=reason or texts.REASON_NO_REPLY)]
        messages = []
        if reason:  # answers of the cells before the kernel stopped were kept
            messages.append(texts.ANSWERS_PARTIAL.format(reason=reason))
        needed = referenced_names([t["source"] for t in tests])
        unusable = sorted(needed & set(extraction.skipped))
        if unusable:
            messages.append(texts.ANSWERS_NOT_DATA.format(names="、".join(unusable)))
        return messages

    def _report(self, resources, messages: list[str]) -> None:
        info = (resources or {}).get("nbgrader", {})
        report = GradingReport(str(info.get("student", "")), str(info.get("notebook", "")), messages)
        for message in messages:
            self.log.warning("Submission of %s, notebook %s: %s", report.student, report.notebook, message)
        REPORTS.append(report)


def _output_size(msg: dict) -> int:
    content = msg.get("content", {})
    if "text" in content:
        return len(str(content["text"]))
    if "data" in content:
        return sum(len(str(value)) for value in content["data"].values())
    if "traceback" in content:
        return sum(len(str(line)) for line in content["traceback"])
    return 0
