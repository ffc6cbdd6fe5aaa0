"""The school's 三个一 summary as an audited .xlsx download: ``GET exports/progress.xlsx?term=&school=``.

For the school's admins (and district admins who belong to the school): the store decides who may
(``find_progress_export``, ``access.PROGRESS_EXPORT``), anyone else gets a 403 with a Chinese message.
The workbook is built here, on the server, by the same pure code the workbench uses
(``widgets.export_model``, imported inside the handler together with pandas and openpyxl, so the service
starts without them); the export is written to the audit log (term, school, row counts; no student
data) before a single byte is sent. Works with the token header and with the hub OAuth cookie, so a
plain link in a browser downloads the file.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from .handlers import BaseHandler

AUDIT_ACTION = "export.progress_summary"


def content_disposition(filename: str, fallback: str) -> str:
    """``attachment`` with an ASCII ``filename`` for old clients and the UTF-8 ``filename*`` (RFC 6266)."""
    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", fallback).strip("_") or "export.xlsx"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


class ProgressExportHandler(BaseHandler):
    async def get(self):
        from widgets.export_model import XLSX_MIME, export_filename, summary_xlsx

        term = self.get_query_argument("term", None) or None
        school = self.get_query_argument("school", None) or None
        progress = await self.act("find_progress_export", term, school)
        data = await self.call(summary_xlsx, progress)
        detail = {"school_id": progress["school_id"], "format": "xlsx",
                  "class_rows": len(progress["classes"]), "mentor_rows": len(progress.get("mentors", []))}  # fmt: skip
        await self.act("add_audit", AUDIT_ACTION, "term", progress["term_id"], detail=detail)
        filename = export_filename(progress["term_id"], progress.get("school_name", ""))
        fallback = f"progress-{progress['school_id']}-{progress['term_id']}.xlsx"
        self.set_header("Content-Type", XLSX_MIME)
        self.set_header("Content-Disposition", content_disposition(filename, fallback))
        self.set_header("X-Content-Type-Options", "nosniff")
        self.finish(data)
