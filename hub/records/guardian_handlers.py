"""Records-service handlers of the minors'-data workflows (issue 21): record history and one's own records,
guardians and consents, guardians' requests and the .docx copy.

Thin like ``handlers``: parse, call one store verb (which enforces every rule and writes the audit log),
write JSON. Routes in ``GUARDIAN_ROUTES``, their OpenAPI paths in ``guardian_openapi``.
"""

from __future__ import annotations

import datetime as dt

from .handlers import BaseHandler, path_id


class RecordHistoryHandler(BaseHandler):
    async def get(self, record_id):
        self.send(await self.act("find_record_history", path_id(record_id)))


class OwnRecordsHandler(BaseHandler):
    async def get(self):
        self.send({"records": await self.act("find_own_records")})


class ConsentsHandler(BaseHandler):
    async def get(self):
        student_id = self.get_query_argument("student_id", None) or None
        self.send({"consents": await self.act("find_consents", student_id)})

    async def post(self):
        self.send((await self.act("add_consent", self.body())).to_dict(), 201)


class MissingConsentsHandler(BaseHandler):
    async def get(self):
        self.send({"students": await self.act("find_missing_consents")})


class ConsentWithdrawHandler(BaseHandler):
    async def post(self, consent_id):
        self.send((await self.act("withdraw_consent", path_id(consent_id), self.body())).to_dict())


class GuardiansHandler(BaseHandler):
    async def post(self):
        guardian = await self.act("add_guardian", self.body())
        self.send({**guardian.to_dict(), "contact_channel": guardian.contact_channel}, 201)


class StudentGuardiansHandler(BaseHandler):
    async def get(self, student_id):
        self.send({"guardians": await self.act("find_guardians", student_id)})


class GuardianRequestsHandler(BaseHandler):
    async def get(self):
        self.send({"requests": await self.act("find_guardian_requests", self.get_query_argument("status", None) or None)})

    async def post(self):
        self.send((await self.act("add_guardian_request", self.body())).to_dict(), 201)


class GuardianRequestAnswerHandler(BaseHandler):
    async def post(self, request_id):
        self.send((await self.act("answer_guardian_request", path_id(request_id), self.body())).to_dict())


class GuardianCopyHandler(BaseHandler):
    """The .docx copy, built on the server and audited by the store before a byte is sent."""

    async def get(self, request_id):
        from .export_handlers import content_disposition

        data, filename = await self.act("guardian_copy", path_id(request_id))
        self.set_header("Content-Type", DOCX_MIME)
        self.set_header("Content-Disposition", content_disposition(filename, f"guardian-copy-{request_id}.docx"))
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(data)


class AccessReviewHandler(BaseHandler):
    async def get(self):
        since, until = self.query_date("since"), self.query_date("until")
        if until is not None and until.time() == dt.time() and "T" not in self.get_query_argument("until"):
            until = until + dt.timedelta(days=1) - dt.timedelta(microseconds=1)  # a day: up to its end
        school = self.get_query_argument("school", None) or None
        self.send(await self.act("find_access_review", school, since, until))


DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

GUARDIAN_ROUTES = [
    ("records/{record_id}/history", RecordHistoryHandler, ("get",)),
    ("my-records", OwnRecordsHandler, ("get",)),
    ("consents", ConsentsHandler, ("get", "post")),
    ("consents/missing", MissingConsentsHandler, ("get",)),
    ("consents/{consent_id}/withdraw", ConsentWithdrawHandler, ("post",)),
    ("guardians", GuardiansHandler, ("post",)),
    ("students/{student_id}/guardians", StudentGuardiansHandler, ("get",)),
    ("guardian-requests", GuardianRequestsHandler, ("get", "post")),
    ("guardian-requests/{request_id}/answer", GuardianRequestAnswerHandler, ("post",)),
    ("guardian-requests/{request_id}/copy.docx", GuardianCopyHandler, ("get",)),
    ("access-review", AccessReviewHandler, ("get",)),
]
GUARDIAN_PATTERNS = {"consent_id": r"(?P<consent_id>\d+)", "request_id": r"(?P<request_id>\d+)"}
