"""Records-service handlers of the minors'-data workflows (issue 21): record history and one's own records,
guardians and consents.

Thin like ``handlers``: parse, call one store verb (which enforces every rule and writes the audit log),
write JSON. Routes in ``GUARDIAN_ROUTES``, their OpenAPI paths in ``guardian_openapi``.
"""

from __future__ import annotations

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


GUARDIAN_ROUTES = [
    ("records/{record_id}/history", RecordHistoryHandler, ("get",)),
    ("my-records", OwnRecordsHandler, ("get",)),
    ("consents", ConsentsHandler, ("get", "post")),
    ("consents/missing", MissingConsentsHandler, ("get",)),
    ("consents/{consent_id}/withdraw", ConsentWithdrawHandler, ("post",)),
    ("guardians", GuardiansHandler, ("post",)),
    ("students/{student_id}/guardians", StudentGuardiansHandler, ("get",)),
]
GUARDIAN_PATTERNS = {"consent_id": r"(?P<consent_id>\d+)"}
