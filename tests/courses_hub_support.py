"""Helpers for the course tests against a live hub (``tests/app/test_courses_hub.py`` and
``tests/browser/test_courses_browser.py``).

They only use the doors people use: the trainer's command line (``mentorhub course ...`` with the hub's
settings file), nbgrader's assignment-list API on a teacher's own server, the formgrader behind the hub's
OAuth, and the contents API that JupyterLab itself calls. Nothing here reads the exchange folder, so the
tests keep passing when the exchange underneath changes.

- ``course_cli(hub, *args, env=None, user=None, trainer="trainer1")``: run ``mentorhub course --settings
  <hub settings> ARGS`` with ``trainer``'s hub token (as Unix account ``user`` if given); its stdout.
- ``AssignmentList(hub, user)``: the "Assignment List" server extension of ``user``'s server (list, fetch,
  submit, fetch feedback) and the contents API to read and write the teacher's files.
- ``Formgrader(hub, trainer, course)``: a trainer's browser-like session on the course's formgrader.
- ``answered(notebook, course, assignment)``: the released notebook with the model answers typed in.
- ``expected_points(course, assignment)``: (autograded, manually graded) maximum points from the source.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import nbformat
import requests

from tests.helpers import VENV_BIN, HubHandle
from tests.nbgrader.course_notebooks import (
    COURSES_DIR,
    autograded_points,
    manual_points,
    model_answers,
    with_answers,
)

CLI_TIMEOUT = 300


def course_cli(hub: HubHandle, *args: str, env: dict | None = None, user: str | None = None,
               trainer: str = "trainer1") -> str:
    """The trainer's routine exactly as typed on the hub's machine; fails with the command's own output.

    ``trainer`` is the hub user whose token the command carries. ``user`` runs it as that Unix account
    (``runuser -u USER --``, as a trainer may in server mode); by default it runs as the test's own account
    (in server mode root, and the command then becomes the course's grader account itself)."""
    command = [str(VENV_BIN / "mentorhub"), "course", "--settings", str(hub.settings_file), *args]
    environment = {**os.environ}
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
        # the test's private Jupyter folders belong to root: the account uses its own
        for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR"):
            environment.pop(name, None)
    # A trainer's own hub token: the exchange service decides from it that this is the course's trainer.
    identity = {"JUPYTERHUB_API_TOKEN": hub.user_token(trainer), "JUPYTERHUB_API_URL": f"{hub.url}/hub/api",
                "MENTORHUB_EXCHANGE_URL": f"{hub.url}/services/exchange/"}
    result = subprocess.run(command, cwd=hub.settings_file.parent, env={**environment, **identity, **(env or {})},
                            capture_output=True, text=True, timeout=CLI_TIMEOUT)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n"
                             f"{result.stderr[-3000:]}")
    return result.stdout


def pending_feedback_score(auto_max: float, manual_max: float) -> str:
    """How the Chinese feedback page states the score of a notebook whose hand-graded parts are still 待评."""
    return f"目前得分 {auto_max:.1f} / {auto_max + manual_max:.1f}"


def source_notebook(course: str, assignment: str):
    return nbformat.read(COURSES_DIR / course / "source" / assignment / f"{assignment}.ipynb", as_version=4)


def expected_points(course: str, assignment: str) -> tuple[float, float]:
    source = source_notebook(course, assignment)
    return sum(autograded_points(source).values()), sum(manual_points(source).values())


def answered(notebook, course: str, assignment: str):
    """What a strong teacher hands in: the fetched notebook with the model answers in its answer cells."""
    return with_answers(notebook, model_answers(source_notebook(course, assignment)))


class AssignmentList:
    """nbgrader's assignment list on ``user``'s own server, called with the user's own hub token."""

    def __init__(self, hub: HubHandle, user: str):
        self.user = user
        self.base = f"{hub.url}/user/{user}"
        self.headers = {"Authorization": f"token {hub.user_token(user)}"}

    def _get(self, path: str, **kwargs) -> requests.Response:
        return requests.get(self.base + path, headers=self.headers, timeout=120, **kwargs)

    def _value(self, response: requests.Response) -> list:
        response.raise_for_status()
        body = response.json()
        assert body["success"], f"assignment list of {self.user} failed: {body['value']}"
        return body["value"]

    def courses(self) -> list[str]:
        return self._value(self._get("/courses"))

    def assignments(self, course: str) -> list[dict]:
        return self._value(self._get("/assignments", params={"course_id": course}))

    def entry(self, course: str, assignment: str, status: str) -> dict | None:
        """The list entry of ``assignment`` with ``status`` (released / fetched / submitted), if any."""
        for item in self.assignments(course):
            if item["assignment_id"] == assignment and item["status"] == status:
                return item
        return None

    def _action(self, action: str, course: str, assignment: str) -> list[dict]:
        response = requests.post(f"{self.base}/assignments/{action}", headers=self.headers, timeout=120,
                                 data={"course_id": course, "assignment_id": assignment})
        return self._value(response)

    def fetch(self, course: str, assignment: str) -> list[dict]:
        return self._action("fetch", course, assignment)

    def submit(self, course: str, assignment: str) -> list[dict]:
        return self._action("submit", course, assignment)

    def fetch_feedback(self, course: str, assignment: str) -> list[dict]:
        return self._action("fetch_feedback", course, assignment)

    # -- the teacher's files, as JupyterLab reads and saves them ---------------------------------
    def contents(self, path: str) -> requests.Response:
        return self._get(f"/api/contents/{path}")

    def read_notebook(self, path: str):
        response = self.contents(path)
        response.raise_for_status()
        return nbformat.from_dict(response.json()["content"])

    def save_notebook(self, path: str, notebook) -> None:
        response = requests.put(f"{self.base}/api/contents/{path}", headers=self.headers, timeout=60,
                                json={"type": "notebook", "format": "json", "content": notebook})
        response.raise_for_status()

    def read_text(self, path: str) -> str:
        response = self._get(f"/api/contents/{path}", params={"type": "file", "format": "text"})
        response.raise_for_status()
        return response.json()["content"]

    def list_folder(self, path: str) -> list[str]:
        response = self.contents(path)
        response.raise_for_status()
        return [item["name"] for item in response.json()["content"]]


class Formgrader:
    """A trainer's session on the formgrader of ``course`` (logged in through the hub, then OAuth)."""

    def __init__(self, hub: HubHandle, trainer: str, course: str):
        self.session = hub.login(trainer)
        self.base = f"{hub.url}/services/{course}/formgrader"

    def page(self, path: str = "") -> requests.Response:
        return self.session.get(self.base + path, timeout=120)

    def api(self, path: str):
        response = self.page(f"/api/{path}")
        response.raise_for_status()
        return response.json()

    def submission(self, assignment: str, student: str) -> dict | None:
        for item in self.api(f"submissions/{assignment}"):
            if item["student"] == student:
                return item
        return None


def feedback_file(item: dict) -> Path:
    """Relative path (in the teacher's home) of the feedback HTML of a submitted-assignment entry."""
    notebook = item["submissions"][-1]["notebooks"][0]
    return Path(notebook["local_feedback_path"])
