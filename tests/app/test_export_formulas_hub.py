"""Issue 16, finding 9, on the real hub: a staff name that is a formula comes out of the records service's
``exports/progress.xlsx`` as text, for a school admin downloading it through the proxy.

The name of teacher1 (a 东湖 mentor with mentees in the demo's current term) is set in the hub's own
database for the test and put back afterwards.
"""

from __future__ import annotations

import io

import openpyxl
import pytest
import requests

from hub.store.models import Staff

pytestmark = pytest.mark.app
HOSTILE = "=cmd|' /C calc'!A0"


@pytest.fixture
def hostile_teacher_name(store):
    with store.writing() as s:
        staff = s.get(Staff, "teacher1")
        original, staff.name = staff.name, HOSTILE
    try:
        yield
    finally:
        with store.writing() as s:
            s.get(Staff, "teacher1").name = original


def test_a_formula_in_a_staff_name_is_exported_as_text(running_hub, hostile_teacher_name):
    token = running_hub.user_token("schooladmin1")
    response = requests.get(f"{running_hub.url}/services/records/api/v1/exports/progress.xlsx",
                            headers={"Authorization": f"token {token}"}, timeout=120)  # fmt: skip
    assert response.status_code == 200, response.text
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
    assert not [(c.coordinate, c.value) for c in cells if c.data_type == "f"]
    named = [c for c in book["按导师"]["A"] if c.value == HOSTILE]
    assert named and all(c.data_type == "s" and c.quotePrefix for c in named)
