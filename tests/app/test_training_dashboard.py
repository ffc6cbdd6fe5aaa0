"""Training completion on a live hub (``running_hub``, seeded demo district): the administrator imports a
trainer's grade export with ``mentorhub training import`` (the hub's own settings file names the records
database), and ``GET dashboards`` on the records service then carries the training table: by school and
course, small groups blanked, no teacher named."""

from __future__ import annotations

import json
import time

import pytest

from hub.cli import main
from hub.courses import texts as course_texts
from hub.courses.export import write_rows
from widgets.client import RecordsClient

pytestmark = pytest.mark.app
API = "/services/records/api/v1/"
#: the service keeps a computed dashboard this long (``dashboard_verbs.CACHE_SECONDS``) plus a margin
CACHE_WAIT_SECONDS = 90
DONGHU = [f"teacher{n}" for n in range(1, 7)]  # 东湖初级中学: six teachers, four completed
XILING = ["teacher15", "teacher16", "teacher17"]  # 西岭小学: three, a group too small to show


COURSE_TITLE = "家庭教育指导"  # as the trainer's export names the course


def imported(board: dict) -> bool:
    return any(row["course"] == COURSE_TITLE for row in board["tables"].get("training", []))


def export_rows() -> list[dict]:
    rows = []
    for staff_id in DONGHU + XILING:
        passed = course_texts.NOT_SUBMITTED if staff_id in ("teacher5", "teacher6") else course_texts.PASSED_YES
        rows.append({"staff_id": staff_id, "name": "", "school": "", "course": COURSE_TITLE, "assignment": "第一单元",
                     "score": 9.0, "max_score": 10.0, "passed": passed, "hours": 2.0, "date": "2026-10-08"})  # fmt: skip
    return rows


def test_imported_training_results_reach_the_service_dashboard(running_hub, tmp_path, capsys):
    path = write_rows(export_rows(), tmp_path / "grades.xlsx")
    code = main(["training", "import", str(path), "--course", "family-guidance", "--settings",
                 str(running_hub.settings_file)])  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "9 名教师" in out

    client = RecordsClient(running_hub.url + API, running_hub.user_token("leader1"))
    deadline = time.monotonic() + CACHE_WAIT_SECONDS
    board = client.dashboards()
    while not imported(board) and time.monotonic() < deadline:  # an earlier answer may be cached
        time.sleep(2)
        board = client.dashboards()
    # the demo seed's own results of the other courses stay; the import replaced this course's
    training = {row["school"]: row for row in board["tables"]["training"] if row["course"] == COURSE_TITLE}
    assert training["东湖初级中学"]["teachers"] == 6 and training["东湖初级中学"]["completed"] == pytest.approx(4 / 6)
    assert training["西岭小学"]["suppressed"] is True and training["西岭小学"]["completed"] is None
    chart = [row for row in board["charts"]["training"] if row["course"] == COURSE_TITLE]
    assert len(chart) == 1 and chart[0]["teachers"] == 9
    payload = json.dumps(board, ensure_ascii=False)
    assert not any(f'"{staff}"' in payload for staff in DONGHU + XILING)
