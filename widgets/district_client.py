"""Calls of the district's endpoints (issue 22) on a ``widgets.client.RecordsClient``: schools' plans, the
district dashboard and its exports, portfolios, milestones. Each returns decoded JSON or a file's bytes;
error answers raise ``RecordsError``."""

from __future__ import annotations

from urllib.parse import quote


def _school(school_id: str) -> str:
    return f"school-plans/{quote(school_id, safe='')}"


def school_plans(client, year: str | None = None) -> list[dict]:
    return client.request("GET", "school-plans", params={"year": year})["plans"]


def school_plan(client, school_id: str, year: str | None = None) -> dict:
    return client.request("GET", _school(school_id), params={"year": year})


def save_school_plan(client, school_id: str, sections: dict) -> dict:
    return client.request("PUT", _school(school_id), json={"sections": sections})


def submit_school_plan(client, school_id: str) -> dict:
    return client.request("POST", _school(school_id) + "/submit", json={})


def review_school_plan(client, school_id: str, action: str, text: str = "") -> dict:
    return client.request("POST", _school(school_id) + "/reviews", json={"action": action, "text": text})


def school_plan_docx(client, school_id: str, version: int | None = None) -> bytes:
    return client.request("GET", _school(school_id) + "/plan.docx", params={"version": version}, raw=True)


def district_dashboard(client, term: str | None = None) -> dict:
    return client.request("GET", "district/dashboard", params={"term": term})


def district_dashboard_xlsx(client, term: str | None = None) -> bytes:
    return client.request("GET", "district/dashboard.xlsx", params={"term": term}, raw=True)


def district_brief_docx(client, term: str | None = None) -> bytes:
    return client.request("GET", "district/brief.docx", params={"term": term}, raw=True)


def portfolio(client, staff_id: str | None = None, year: str | None = None) -> dict:
    return client.request("GET", "portfolio", params={"staff_id": staff_id, "year": year})


def portfolio_docx(client, staff_id: str | None = None, year: str | None = None) -> bytes:
    return client.request("GET", "portfolio.docx", params={"staff_id": staff_id, "year": year}, raw=True)


def portfolios(client, school: str | None = None, year: str | None = None) -> dict:
    return client.request("GET", "portfolios", params={"school": school, "year": year})


def portfolios_xlsx(client, school: str | None = None, year: str | None = None) -> bytes:
    return client.request("GET", "portfolios.xlsx", params={"school": school, "year": year}, raw=True)


def milestones(client, year: str | None = None) -> list[dict]:
    return client.request("GET", "milestones", params={"year": year})["milestones"]
