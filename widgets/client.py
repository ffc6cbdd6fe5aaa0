"""``RecordsClient``: the small HTTP client every widget uses to talk to the records service.

In a kernel of a user's server, ``RecordsClient.from_environment()`` finds the service and the user's own
token (JUPYTERHUB_API_TOKEN); nothing here ever touches the database. Error responses become
``RecordsError`` carrying the service's Chinese message (``message_zh``) and the field it names.
"""

from __future__ import annotations

import os
from urllib.parse import quote

import requests

SERVICE_PATH = "services/records/api/v1/"
NO_SERVICE = "找不到记录服务：请在平台的个人服务器中运行，或设置 MENTORHUB_RECORDS_URL"
NO_CONNECTION = "无法连接记录服务，请稍后再试"


class RecordsError(Exception):
    """An error answer of the records service (or no answer at all: ``status`` 0)."""

    def __init__(self, status: int, message_zh: str, message_en: str = "", field: str | None = None):
        super().__init__(f"{status}: {message_en or message_zh}")
        self.status, self.message_zh, self.message_en, self.field = status, message_zh, message_en, field

    def __str__(self) -> str:
        where = f"（{self.field}）" if self.field else ""
        return f"{self.message_zh}{where}"


class RecordsClient:
    """Methods mirror the API under ``/services/records/api/v1/``; all return decoded JSON."""

    def __init__(self, base_url: str, token: str | None = None, *, timeout: float = 30,
                 session: requests.Session | None = None):  # fmt: skip
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.timeout = timeout
        self.session = session or requests.Session()
        if token:
            self.session.headers["Authorization"] = f"token {token}"

    @classmethod
    def from_environment(cls, environ=None, **kwargs) -> RecordsClient:
        """From a kernel's environment, with the user's own JUPYTERHUB_API_TOKEN. The service URL is
        MENTORHUB_RECORDS_URL when set; otherwise the hub is asked where its ``records`` service listens
        (``GET $JUPYTERHUB_API_URL/services/records``: url + prefix); failing that, it is derived from
        JUPYTERHUB_API_URL (``http://host/hub/api`` -> ``http://host/services/records/api/v1/``)."""
        environ = os.environ if environ is None else environ
        token = environ.get("JUPYTERHUB_API_TOKEN")
        url = environ.get("MENTORHUB_RECORDS_URL")
        if not url:
            api_url = environ.get("JUPYTERHUB_API_URL", "").rstrip("/")
            if not api_url:
                raise RecordsError(0, NO_SERVICE, "neither MENTORHUB_RECORDS_URL nor JUPYTERHUB_API_URL is set")
            url = service_url_from_hub(api_url, token) or derived_service_url(api_url)
        return cls(url, token, **kwargs)

    # --- transport ----------------------------------------------------------------------------
    def request(self, method: str, path: str, *, params=None, json=None, raw: bool = False):
        """Decoded JSON of the answer (``raw``: its bytes, e.g. a .docx); error answers raise RecordsError."""
        params = {k: v for k, v in (params or {}).items() if v not in (None, "")}
        try:
            response = self.session.request(method, self.base_url + path, params=params, json=json,
                                            timeout=self.timeout, allow_redirects=False)  # fmt: skip
        except requests.RequestException as error:
            raise RecordsError(0, NO_CONNECTION, str(error)) from error
        if response.status_code >= 300:
            raise self._error(response)
        if raw:
            return response.content
        return response.json() if response.content else None

    @staticmethod
    def _error(response) -> RecordsError:
        try:
            error = response.json().get("error", {})
        except ValueError:
            error = {}
        return RecordsError(response.status_code, error.get("message_zh") or f"请求失败（{response.status_code}）",
                            error.get("message_en", response.reason or ""), error.get("field"))  # fmt: skip

    # --- the API ------------------------------------------------------------------------------
    def health(self) -> dict:
        return self.request("GET", "health")

    def me(self) -> dict:
        return self.request("GET", "me")

    def students(self) -> list[dict]:
        return self.request("GET", "students")["students"]

    def student(self, student_id: str) -> dict:
        return self.request("GET", f"students/{quote(student_id, safe='')}")

    def staff(self, mentors_only: bool = True) -> list[dict]:
        """School admins: their school's active staff (``staff_id``, ``name``, ``roles``, ``classes``,
        ``max_mentees``, ...), by default only those who mentor, as the matching panel needs them."""
        staff = self.request("GET", "staff")["staff"]
        return [s for s in staff if s.get("mentor")] if mentors_only else staff

    def records_for(self, student_id: str) -> list[dict]:
        return self.request("GET", f"students/{quote(student_id, safe='')}/records")["records"]

    def break_glass(self, student_id: str, ground: str, reason: str) -> dict:
        """Platform admins, in an emergency: one student's file (``student``, ``records``, ``flags``), with a
        ground (``hub.store.access.BREAK_GLASS_GROUNDS``) and a reason saying what happened; always audited."""
        return self.request("POST", "break-glass", json={"student_id": student_id, "ground": ground,
                                                         "reason": reason})  # fmt: skip

    def add_record(self, student_id: str, kind: str, date: str, **fields) -> dict:
        """E.g. ``add_record("S1", "talk", "2025-03-05", talk_type="例行关怀", summary="...")``."""
        return self.request("POST", "records", json={"student_id": student_id, "kind": kind, "date": date, **fields})

    def record(self, record_id: int) -> dict:
        return self.request("GET", f"records/{int(record_id)}")

    def update_record(self, record_id: int, **changes) -> dict:
        return self.request("PATCH", f"records/{int(record_id)}", json=changes)

    def remove_record(self, record_id: int, reason: str = "") -> dict:
        return self.request("DELETE", f"records/{int(record_id)}", params={"reason": reason})

    def record_history(self, record_id: int) -> dict:
        """Every version of a record, oldest first (its author, and whoever may read it)."""
        return self.request("GET", f"records/{int(record_id)}/history")

    def own_records(self) -> list[dict]:
        """Every record the caller wrote, deleted ones included: what they recorded and when."""
        return self.request("GET", "my-records")["records"]

    def consents(self, student_id: str | None = None) -> list[dict]:
        """What may be recorded for each student the caller may read: consent status per scope."""
        return self.request("GET", "consents", params={"student_id": student_id})["consents"]

    def missing_consents(self) -> list[dict]:
        """School admins: their school's students who lack a guardian's consent."""
        return self.request("GET", "consents/missing")["students"]

    def add_guardian(self, student_id: str, relation: str, name: str, **fields) -> dict:
        return self.request("POST", "guardians", json={"student_id": student_id, "relation": relation, "name": name,
                                                       **fields})  # fmt: skip

    def guardians(self, student_id: str) -> list[dict]:
        return self.request("GET", f"students/{quote(student_id, safe='')}/guardians")["guardians"]

    def add_consent(self, student_id: str, guardian_id: int, scope: str, policy_version: str, given_via: str,
                    **fields) -> dict:  # fmt: skip
        return self.request("POST", "consents", json={"student_id": student_id, "guardian_id": guardian_id,
                                                      "scope": scope, "policy_version": policy_version,
                                                      "given_via": given_via, **fields})  # fmt: skip

    def withdraw_consent(self, consent_id: int, withdrawn_via: str) -> dict:
        return self.request("POST", f"consents/{int(consent_id)}/withdraw", json={"withdrawn_via": withdrawn_via})

    def add_guardian_request(self, student_id: str, kind: str, received_via: str, **fields) -> dict:
        """School admins: log a guardian's request (kind: access, copy, correct, delete)."""
        return self.request("POST", "guardian-requests", json={"student_id": student_id, "kind": kind,
                                                               "received_via": received_via, **fields})  # fmt: skip

    def guardian_requests(self, status: str | None = None) -> list[dict]:
        return self.request("GET", "guardian-requests", params={"status": status})["requests"]

    def answer_guardian_request(self, request_id: int, decision: str, answer: str) -> dict:
        return self.request("POST", f"guardian-requests/{int(request_id)}/answer",
                            json={"decision": decision, "answer": answer})  # fmt: skip

    def guardian_copy(self, request_id: int) -> bytes:
        """The .docx copy of the child's file for an access or copy request (built and audited by the service)."""
        return self.request("GET", f"guardian-requests/{int(request_id)}/copy.docx", raw=True)

    def access_review(self, school: str | None = None, since: str | None = None, until: str | None = None) -> dict:
        """School leaders (own school) and platform admins: who read which students' records in a period."""
        return self.request("GET", "access-review", params={"school": school, "since": since, "until": until})

    def progress(self, term: str | None = None) -> dict:
        return self.request("GET", "progress", params={"term": term})

    def progress_xlsx(self, term: str | None = None, school: str | None = None) -> bytes:
        """The school's 三个一 summary as .xlsx bytes, built (and audited) by the service; school admins."""
        return self.request("GET", "exports/progress.xlsx", params={"term": term, "school": school}, raw=True)

    def assignments(self, term: str | None = None) -> list[dict]:
        return self.request("GET", "assignments", params={"term": term})["assignments"]

    def save_assignments(self, term: str, rows: list[dict], replace: bool = True, basis: str | None = None) -> dict:
        """Save a term's matching (school admins): rows of {student_id, staff_id, kind, method}; with the
        ``basis`` of a preview, refused (409) when the pairings changed since."""
        body = {"term_id": term, "rows": rows, "replace": replace}
        if basis is not None:
            body["basis"] = basis
        return self.request("POST", "assignments", json=body)

    def preview_assignments(self, term: str, rows: list[dict]) -> dict:
        """What saving ``rows`` would change (who moves, whose records stay with whom); writes nothing."""
        return self.request("POST", "assignments/preview", json={"term_id": term, "rows": rows})

    def add_flag(self, student_id: str, level: int, **fields) -> dict:
        return self.request("POST", "flags", json={"student_id": student_id, "level": level, **fields})

    def flags(self, student_id: str | None = None, mine: bool = False) -> list[dict]:
        """Concern flags the caller may know of; ``mine``: only those they raised, status only."""
        return self.request("GET", "flags", params={"student_id": student_id, "mine": "1" if mine else None})["flags"]

    def update_flag(self, flag_id: int, **changes) -> dict:
        return self.request("PATCH", f"flags/{int(flag_id)}", json=changes)

    def flag_queue(self, status: str = "active") -> list[dict]:
        """Psychology teachers and school leaders: their school's concerns to handle (audited)."""
        return self.request("GET", "flags/queue", params={"status": status})["flags"]

    def flag(self, flag_id: int) -> dict:
        """One concern: details, handling steps and possible assignees where allowed (audited), else its status."""
        return self.request("GET", f"flags/{int(flag_id)}")

    def act_on_flag(self, flag_id: int, action: str, **fields) -> dict:
        """One step of a concern's handling: triage, assign, follow_up, refer, close or reopen."""
        return self.request("POST", f"flags/{int(flag_id)}/actions", json={"action": action, **fields})

    def audit(self, **filters) -> list[dict]:
        """Admins: filters who, action, since, until (ISO), limit."""
        return self.request("GET", "audit", params=filters)["audit"]

    # --- case studies (the discussion room's calls are in widgets/discussion_client.py) ---------
    def cases(self, stage: str | None = None, domain: str | None = None, tag: str | None = None,
              q: str | None = None) -> list[dict]:  # fmt: skip
        """The shared, de-identified case library (filters as in the case library app)."""
        return self.request("GET", "cases", params={"stage": stage, "domain": domain, "tag": tag, "q": q})["cases"]

    def case(self, case_id: str) -> dict:
        return self.request("GET", f"cases/{quote(case_id, safe='')}")

    def studios(self) -> list[dict]:
        """The mentor studios the caller belongs to; ``is_host`` marks those they lead."""
        return self.request("GET", "studios")["studios"]

    def dashboards(self, term: str | None = None) -> dict:
        """De-identified research aggregates (studio leaders, trainers, admins; small cells blanked)."""
        return self.request("GET", "dashboards", params={"term": term})


def service_url_from_hub(api_url: str, token: str | None, name: str = "records") -> str | None:
    """``<url><prefix>api/v1/`` of a hub service, from the hub's service model (needs read:services)."""
    try:
        response = requests.get(f"{api_url}/services/{name}", timeout=10,
                                headers={"Authorization": f"token {token}"} if token else {})  # fmt: skip
        model = response.json() if response.ok else {}
    except (requests.RequestException, ValueError):
        return None
    if not model.get("url") or not model.get("prefix"):
        return None
    return model["url"].rstrip("/") + "/" + model["prefix"].strip("/") + "/api/v1/"


def derived_service_url(api_url: str) -> str:
    base = api_url[: -len("hub/api")] if api_url.endswith("hub/api") else api_url.rsplit("/", 1)[0] + "/"
    return base + SERVICE_PATH
