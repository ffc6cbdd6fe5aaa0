"""The course cycle of issue 4 on the hub exchange: the real nbgrader (NbGraderAPI through the courses
pipeline for the trainer, nbgrader's ExchangeFactory for teachers) with our exchange classes, against the
real exchange service in-process (only identity is supplied by a test token mapping)."""

from __future__ import annotations

import nbformat
import pytest
from nbgrader.auth import Authenticator
from nbgrader.coursedir import CourseDirectory
from nbgrader.exchange import ExchangeError, ExchangeFactory
from traitlets.config import Config

from hub.courses.pipeline import CoursePipeline
from hub.exchange.nbexchange import EXCHANGE_FACTORY_SETTINGS
from tests.exchange_support import ExchangeServer, caller_token, snapshot
from tests.nbgrader.course_notebooks import model_answers, with_answers

pytestmark = pytest.mark.nbgrader

COURSE, ASSIGNMENT = "foundations", "policy-basics"
TEACHERS = ("teacher1", "teacher2")


def exchange_config(server, **extra) -> Config:
    config = Config()
    for key, value in {**EXCHANGE_FACTORY_SETTINGS, "HubExchange.exchange_url": server.url,
                       "Exchange.path_includes_course": True, **extra}.items():
        section, trait = key.split(".")
        config[section][trait] = value
    return config


def as_teacher(operation, server, teacher, home, monkeypatch, assignment=ASSIGNMENT):
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", caller_token(teacher, f"nbgrader-{COURSE}"))
    config = exchange_config(server, **{"Exchange.assignment_dir": str(home), "CourseDirectory.course_id": COURSE,
                                        "CourseDirectory.assignment_id": assignment,
                                        "CourseDirectory.student_id": teacher})
    factory = ExchangeFactory(config=config)
    app = getattr(factory, operation)(coursedir=CourseDirectory(config=config),
                                      authenticator=Authenticator(config=config), config=config)
    return app.start()


def test_course_cycle_on_the_hub_exchange(catalog, tmp_path, monkeypatch):
    server = ExchangeServer(tmp_path / "exchange-store", courses={COURSE})
    try:
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", caller_token(COURSE, service=True))  # the formgrader service
        pipeline = CoursePipeline(catalog[COURSE], tmp_path / "course", tmp_path / "unused", cell_timeout=30)
        pipeline.settings.update({**EXCHANGE_FACTORY_SETTINGS, "HubExchange.exchange_url": server.url})
        pipeline.prepare(write_config=False)
        pipeline.release(ASSIGNMENT)
        assert [r["assignment"] for r in server.store.find_releases(COURSE)] == [ASSIGNMENT]
        assert server.store.hidden_fingerprints(COURSE, ASSIGNMENT), "hidden tests were fingerprinted"

        source = {p.name: nbformat.read(p, as_version=4)
                  for p in (catalog[COURSE].source_dir / ASSIGNMENT).glob("*.ipynb")}
        for teacher in TEACHERS:
            home = tmp_path / "home" / teacher
            listed = as_teacher("List", server, teacher, home, monkeypatch)
            assert [(i["assignment_id"], i["status"]) for i in listed] == [(ASSIGNMENT, "released")]
            as_teacher("FetchAssignment", server, teacher, home, monkeypatch)
            folder = home / COURSE / ASSIGNMENT
            if teacher == "teacher1":
                for name, nb in source.items():
                    fetched = nbformat.read(folder / name, as_version=4)
                    nbformat.write(with_answers(fetched, model_answers(nb)), str(folder / name))
            (folder / "timestamp.txt").write_text("2020-01-01 00:00:00.000000 UTC")  # ignored: server time
            as_teacher("Submit", server, teacher, home, monkeypatch)
        with pytest.raises(ExchangeError):
            as_teacher("FetchAssignment", server, "teacher1", tmp_path / "home" / "teacher1", monkeypatch,
                       assignment="matching")  # not released

        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", caller_token(COURSE, service=True))
        assert pipeline.collect(ASSIGNMENT) == sorted(TEACHERS)
        stamps = {s["student"]: s["timestamp"] for s in server.store.find_submissions(COURSE)}
        for teacher in TEACHERS:
            written = (tmp_path / "course" / "submitted" / teacher / ASSIGNMENT / "timestamp.txt").read_text()
            assert written.startswith(stamps[teacher][:10]) and not written.startswith("2020")
        outcomes = pipeline.autograde(ASSIGNMENT, jobs=1, timeout=120)
        assert all(o.ok for o in outcomes), [o.to_dict() for o in outcomes]
        with pipeline.gradebook() as gb:
            scores = {t: gb.find_submission(ASSIGNMENT, t).score for t in TEACHERS}
        assert scores["teacher1"] > scores["teacher2"] == 0
        pipeline.feedback(ASSIGNMENT)

        for teacher in TEACHERS:
            home = tmp_path / "home" / teacher
            as_teacher("FetchFeedback", server, teacher, home, monkeypatch)
            pages = list((home / COURSE / ASSIGNMENT / "feedback").rglob("*.html"))
            assert len(pages) == len(source)
            for page in pages:
                assert "BEGIN HIDDEN TESTS" not in page.read_text(encoding="utf-8")
            [group] = _submitted(server, teacher, home, monkeypatch)
            assert group["student_id"] == teacher and group["submissions"][0]["has_local_feedback"]

        before = snapshot(server.store.root)
        monkeypatch.setenv("JUPYTERHUB_API_TOKEN", caller_token("teacher2", f"nbgrader-{COURSE}"))
        refused = pipeline.api().collect(ASSIGNMENT)  # a teacher cannot collect
        assert refused["success"] is False and "403" in refused["log"]
        assert snapshot(server.store.root) == before
    finally:
        server.close()


def _submitted(server, teacher, home, monkeypatch):
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", caller_token(teacher, f"nbgrader-{COURSE}"))
    config = exchange_config(server, **{"Exchange.assignment_dir": str(home), "CourseDirectory.course_id": COURSE,
                                        "ExchangeList.cached": True})
    lister = ExchangeFactory(config=config).List(coursedir=CourseDirectory(config=config),
                                                 authenticator=Authenticator(config=config), config=config)
    return lister.start()
