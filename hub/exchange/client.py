"""HTTP client of the exchange API, used by the nbgrader classes in ``nbexchange``.

The address is ``MENTORHUB_EXCHANGE_URL`` when set (the hub config sets it for users' servers and course
services); otherwise the hub is asked where its ``exchange`` service listens. The token is the caller's own
``JUPYTERHUB_API_TOKEN``: a teacher's server token or a course service's token.
"""

from __future__ import annotations

import os
from urllib.parse import quote

import requests

from . import texts
from .wire import encode_files

SERVICE_NAME = "exchange"


class ExchangeRequestFailed(Exception):
    """The exchange refused or could not be reached; ``message_zh`` is for people."""

    def __init__(self, status: int, message_zh: str, message_en: str):
        super().__init__(f"{message_en} (HTTP {status})" if status else message_en)
        self.status, self.message_zh, self.message_en = status, message_zh, message_en

    def __str__(self) -> str:
        return f"{self.message_zh} / {self.message_en}" + (f" (HTTP {self.status})" if self.status else "")


def _q(value: str) -> str:
    return quote(value, safe="")


def service_url_from_hub(api_url: str, token: str, timeout: float = 10) -> str | None:
    try:
        response = requests.get(f"{api_url.rstrip('/')}/services/{SERVICE_NAME}",
                                headers={"Authorization": f"token {token}"}, timeout=timeout)
    except requests.RequestException:
        return None
    if response.status_code != 200:
        return None
    model = response.json()
    if not model.get("url"):
        return None
    return model["url"].rstrip("/") + (model.get("prefix") or f"/services/{SERVICE_NAME}/")


class ExchangeClient:
    def __init__(self, base_url: str, token: str, timeout: float = 120):
        self.base_url = base_url.rstrip("/") + "/api/"
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"token {token}"

    @classmethod
    def from_environment(cls, environ=None, url: str = "", **kwargs) -> ExchangeClient:
        environ = os.environ if environ is None else environ
        token = environ.get("JUPYTERHUB_API_TOKEN", "")
        if not token:
            raise ExchangeRequestFailed(0, texts.CLIENT_NO_TOKEN[1], texts.CLIENT_NO_TOKEN[0])
        url = url or environ.get("MENTORHUB_EXCHANGE_URL", "")
        if not url and environ.get("JUPYTERHUB_API_URL"):
            url = service_url_from_hub(environ["JUPYTERHUB_API_URL"], token) or ""
        if not url:
            raise ExchangeRequestFailed(0, texts.CLIENT_NO_URL[1], texts.CLIENT_NO_URL[0])
        return cls(url, token, **kwargs)

    # -- transport -------------------------------------------------------------------------------
    def request(self, method: str, path: str, *, params=None, json=None):
        try:
            response = self.session.request(method, self.base_url + path, params=params, json=json,
                                            timeout=self.timeout, allow_redirects=False)
        except requests.RequestException as error:
            english, chinese = texts.CLIENT_UNREACHABLE
            raise ExchangeRequestFailed(0, chinese.format(error=error), english.format(error=error)) from error
        if response.status_code >= 300:
            try:
                error = response.json().get("error", {})
            except ValueError:
                error = {}
            raise ExchangeRequestFailed(response.status_code,
                                        error.get("message_zh") or f"请求失败（{response.status_code}）",
                                        error.get("message_en") or response.reason or "")
        return response.json() if response.content else None

    # -- the API ----------------------------------------------------------------------------------
    def courses(self) -> dict[str, str]:
        return self.request("GET", "courses")["courses"]

    def releases(self, course: str) -> list[dict]:
        return self.request("GET", f"courses/{_q(course)}/assignments")["assignments"]

    def fetch_release(self, course: str, assignment: str) -> dict:
        return self.request("GET", f"courses/{_q(course)}/assignments/{_q(assignment)}")

    def release(self, course: str, assignment: str, files: dict[str, bytes], fingerprints=(),
                force: bool = False) -> dict:
        return self.request("PUT", f"courses/{_q(course)}/assignments/{_q(assignment)}",
                            params={"force": "1" if force else "0"},
                            json={"files": encode_files(files), "fingerprints": list(fingerprints)})

    def unrelease(self, course: str, assignment: str) -> None:
        self.request("DELETE", f"courses/{_q(course)}/assignments/{_q(assignment)}")

    def submit(self, course: str, assignment: str, files: dict[str, bytes]) -> dict:
        return self.request("POST", f"courses/{_q(course)}/assignments/{_q(assignment)}/submissions",
                            json={"files": encode_files(files)})

    def submissions(self, course: str, assignment: str | None = None, student: str | None = None) -> list[dict]:
        params = {k: v for k, v in (("assignment", assignment), ("student", student)) if v}
        return self.request("GET", f"courses/{_q(course)}/submissions", params=params)["submissions"]

    def fetch_submission(self, course: str, student: str, assignment: str, submission_id: str) -> dict:
        return self.request("GET", f"courses/{_q(course)}/submissions/{_q(student)}/{_q(assignment)}/"
                                   f"{_q(submission_id)}")

    def release_feedback(self, course: str, student: str, assignment: str, submission_id: str,
                         files: dict[str, bytes]) -> dict:
        return self.request("PUT", f"courses/{_q(course)}/feedback/{_q(student)}/{_q(assignment)}/"
                                   f"{_q(submission_id)}", json={"files": encode_files(files)})

    def feedback(self, course: str, assignment: str | None = None) -> list[dict]:
        params = {"assignment": assignment} if assignment else None
        return self.request("GET", f"courses/{_q(course)}/feedback", params=params)["feedback"]

    def fetch_feedback(self, course: str, student: str, assignment: str, submission_id: str) -> dict:
        return self.request("GET", f"courses/{_q(course)}/feedback/{_q(student)}/{_q(assignment)}/"
                                   f"{_q(submission_id)}")
