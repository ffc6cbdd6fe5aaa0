"""Hub wiring for courses: pure functions checked against a bare traitlets Config."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from jupyterhub.services.service import Service
from traitlets.config import Config

from hub.courses import hubconfig
from hub.courses.catalog import load_catalog
from hub.courses.errors import Invalid
from hub.courses.formgrader import FORMGRADER_SERVER_ARGS

COURSES = Path(__file__).resolve().parents[2] / "courses"


@pytest.fixture
def courses():
    return list(load_catalog(COURSES).values())


def settings(tmp_path, mode="demo", user_prefix="mh-"):
    return SimpleNamespace(mode=mode, state_dir=tmp_path / "state", courses_dir=COURSES,
                           formgrader_base_port=9600, public_url="http://127.0.0.1:8000",
                           server={"user_prefix": user_prefix, "home_root": "/home"})


def test_one_formgrader_service_per_course(tmp_path, courses):
    c = Config()
    c.JupyterHub.services = hubconfig.course_services(settings(tmp_path), courses, as_root=True)
    services = c.JupyterHub.services
    assert [s["name"] for s in services] == [course.course_id for course in courses]
    assert [s["url"] for s in services] == [f"http://127.0.0.1:{9600 + i}" for i in range(len(courses))]
    for service, course in zip(services, courses, strict=True):
        assert service["command"] == ["jupyterhub-singleuser", *FORMGRADER_SERVER_ARGS, "--allow-root"]
        assert "user" not in service
        assert service["environment"] == {"JUPYTERHUB_USER": f"grader-{course.course_id}",
                                          "JUPYTERHUB_DEFAULT_URL": "/formgrader"}
        assert service["cwd"] == str(tmp_path / "state" / "courses" / course.course_id)
        Service(name=service["name"])  # JupyterHub's own name validation accepts it


def test_services_outside_demo_run_as_the_grader_account(tmp_path, courses):
    services = hubconfig.course_services(settings(tmp_path, mode="server"), courses, as_root=False)
    assert [s["user"] for s in services] == [f"mh-grader_{c.course_id}" for c in courses]
    assert [s["environment"]["JUPYTERHUB_USER"] for s in services] == [f"grader-{c.course_id}" for c in courses]
    assert all(s["command"] == ["jupyterhub-singleuser", *FORMGRADER_SERVER_ARGS] for s in services)


def test_two_server_mode_hubs_give_a_course_two_grader_accounts(tmp_path, courses):
    """Two hubs on one machine, each with its own `server.user_prefix`, never share a formgrader's account."""
    first, second = (hubconfig.course_services(settings(tmp_path, "server", prefix), courses, as_root=True)
                     for prefix in ("mh-", "mh2-"))
    for one, other in zip(first, second, strict=True):
        assert one["user"] != other["user"]
        assert one["environment"]["JUPYTERHUB_USER"] == other["environment"]["JUPYTERHUB_USER"]
    assert hubconfig.grader_unix_account("mh2-", "foundations") == "mh2-grader_foundations"


def test_grader_accounts_fit_useradd_and_no_hub_user_maps_to_one():
    from hub.accounts import unix_account_name

    long_ids = ["a" * 38 + "-1", "a" * 38 + "-2"]
    names = {hubconfig.grader_unix_account("abcdefghijk", course) for course in long_ids}
    assert len(names) == 2 and all(len(name) <= 32 for name in names)
    grader = hubconfig.grader_unix_account("mh-", "foundations")
    for hub_name in ("grader_foundations", "grader-foundations", "Grader.Foundations"):
        assert unix_account_name("mh-", hub_name) != grader


@pytest.mark.parametrize("name", ["", "a/b", "a%20b", "..", " x"])
def test_bad_service_names_are_refused(name):
    with pytest.raises(Invalid):
        hubconfig.check_service_name(name)


def test_roles_and_groups(courses):
    c = Config()
    c.JupyterHub.load_roles = hubconfig.course_roles(courses)
    c.JupyterHub.load_groups = hubconfig.course_groups(courses)
    roles = {r["name"]: r for r in c.JupyterHub.load_roles}
    groups = c.JupyterHub.load_groups
    for course in courses:
        cid = course.course_id
        assert roles[f"formgrade-{cid}"]["groups"] == [f"formgrade-{cid}"]
        assert f"access:services!service={cid}" in roles[f"formgrade-{cid}"]["scopes"]
        assert roles[f"nbgrader-{cid}"]["scopes"] == ["list:services", f"read:services!service={cid}"]
        assert roles[f"service-{cid}"]["services"] == [cid]
        assert f"groups!group=nbgrader-{cid}" in roles[f"service-{cid}"]["scopes"]
        assert groups[f"formgrade-{cid}"]["users"] == [*course.trainers, f"grader-{cid}"]
        assert groups[f"nbgrader-{cid}"] == {"users": []}
    # the formgrader is reachable only through its course's formgrade role
    for name, role in roles.items():
        access = [s for s in role["scopes"] if s.startswith("access:services")]
        assert not access or name.startswith("formgrade-")


def test_teacher_environment_and_prepared_state(tmp_path, courses):
    s = settings(tmp_path)
    c = Config()
    c.Spawner.environment = hubconfig.teacher_server_environment(s)
    folder = Path(c.Spawner.environment["JUPYTER_CONFIG_PATH"])
    prepared = hubconfig.prepare_state(s, courses)
    assert prepared == [tmp_path / "state" / "courses" / course.course_id for course in courses]
    for course_dir, course in zip(prepared, courses, strict=True):
        config_text = (course_dir / "nbgrader_config.py").read_text(encoding="utf-8")
        assert "JupyterHubAuthPlugin" in config_text and repr(course.course_id) in config_text
        assert sorted(p.name for p in (course_dir / "source").iterdir()) == sorted(
            a.assignment_id for a in course.assignments)
    teacher = (folder / "nbgrader_config.py").read_text(encoding="utf-8")
    assert "CourseDirectory.student_id = os.environ['JUPYTERHUB_USER']" in teacher
    assert "path_includes_course = True" in teacher
    assert (folder / "labconfig" / "page_config.json").exists()
    assert (folder / "jupyter_server_config.json").exists()
    assert hubconfig.prepare_state(s, courses) == prepared  # idempotent
