"""Pure functions the hub configuration (``hub/config.py``) calls to wire the courses in.

Nothing here touches a running hub. ``course_services``, ``course_roles`` and ``course_groups`` return
plain data for ``JupyterHub.services``, ``load_roles`` and ``load_groups``; ``teacher_server_environment``
returns what teachers' servers add to ``Spawner.environment``; ``prepare_state`` writes the course folders
and configuration files under the state folder and is safe to call at every hub start.

``settings`` needs ``mode``, ``state_dir``, ``courses_dir`` and ``formgrader_base_port`` (outside demo mode
also ``server``, for the grader accounts' prefix).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from .catalog import Course
from .errors import Invalid
from .formgrader import FORMGRADER_SERVER_ARGS
from .nbconfig import write_teacher_config

FORMGRADER_URL = "/formgrader"
TEACHER_CONFIG_FOLDER = "jupyter-teachers"

# Scopes every user server's token needs for nbgrader's assignment and course lists (jupyter-notes §1.4);
# when the hub sets Spawner.server_token_scopes it must include these next to its other scopes.
SERVER_TOKEN_SCOPES = (
    "users:activity!user",
    "access:servers!server",
    "read:users:groups!user",
    "read:users:name!user",
    "list:services",
    "read:services",
)


def grader_account(course_id: str) -> str:
    """The hub user the course's formgrader runs as (nbgrader's grader)."""
    return f"grader-{course_id}"


def grader_unix_account(user_prefix: str, course_id: str) -> str:
    """Server mode: the Unix account of the course's formgrader and of ``mentorhub course``, one per hub
    instance (``<user_prefix>grader_<course>``: two hubs on one machine, each with its own ``server.user_prefix``,
    never run each other's formgraders). The underscore keeps it apart from every hub user's account, whose
    names have none (``hub.accounts.unix_account_name``)."""
    from hub.accounts import fit_unix_name

    return fit_unix_name(f"{user_prefix}grader_{course_id}", f"{user_prefix}:{course_id}")


def grader_unix_account_of(settings, course_id: str) -> str:
    """``grader_unix_account`` with the prefix of ``settings`` (``server.user_prefix``)."""
    return grader_unix_account(settings.server["user_prefix"], course_id)


def course_state_dir(settings, course_id: str) -> Path:
    return Path(settings.state_dir) / "courses" / course_id


def exchange_dir(settings) -> Path:
    return Path(settings.state_dir) / "exchange"


def teacher_config_dir(settings) -> Path:
    return Path(settings.state_dir) / TEACHER_CONFIG_FOLDER


def check_service_name(name: str) -> str:
    """JupyterHub's service-name rules (no '/', not empty, not escaped, not dots, no outer spaces)."""
    from urllib.parse import unquote

    if not name or "/" in name or unquote(name) != name or set(name) == {"."} or name != name.strip():
        raise Invalid(f"course id {name!r} cannot be a JupyterHub service name")
    return name


def course_services(settings, courses: Iterable[Course], *, as_root: bool | None = None) -> list[dict]:
    """One hub-managed formgrader per course, named exactly like the course id.

    Ports are ``formgrader_base_port + index`` in the order given. In demo mode there is no ``user``
    key (it would switch to a Unix account); in the other modes the service runs as the instance's grader
    account (``grader_unix_account``), with the hub identity ``grader-<course>``.
    """
    as_root = (os.geteuid() == 0) if as_root is None else as_root
    services = []
    for index, course in enumerate(courses):
        name = check_service_name(course.course_id)
        command = ["jupyterhub-singleuser", *FORMGRADER_SERVER_ARGS] + (["--allow-root"] if as_root else [])
        service = {
            "name": name,
            "url": f"http://127.0.0.1:{int(settings.formgrader_base_port) + index}",
            "command": command,
            "cwd": str(course_state_dir(settings, name)),
            "environment": {
                "JUPYTERHUB_USER": grader_account(name),
                "JUPYTERHUB_DEFAULT_URL": FORMGRADER_URL,
            },
            "oauth_no_confirm": True,
        }
        if settings.mode != "demo":
            service["user"] = grader_unix_account_of(settings, name)
        services.append(service)
    return services


def course_roles(courses: Iterable[Course]) -> list[dict]:
    """Trainers reach their course's formgrader; enrolled teachers see the course; the service manages
    its ``nbgrader-<course>`` group (jupyter-notes §1.4, §6.5)."""
    roles = []
    for course in courses:
        c = course.course_id
        roles += [
            {"name": f"formgrade-{c}", "groups": [f"formgrade-{c}"],
             "scopes": [f"access:services!service={c}", "list:services", f"read:services!service={c}"]},
            {"name": f"nbgrader-{c}", "groups": [f"nbgrader-{c}"],
             "scopes": ["list:services", f"read:services!service={c}"]},
            {"name": f"service-{c}", "services": [c],
             "scopes": ["read:users:groups", "list:groups", "read:groups", "list:users", "read:users:name",
                        f"groups!group=nbgrader-{c}"]},
        ]
    return roles


def course_groups(courses: Iterable[Course]) -> dict:
    """``formgrade-<c>`` (the course's trainers and its grader account) and ``nbgrader-<c>`` (enrolment,
    filled by ``mentorhub course sync-roster`` or the formgrader), created up front."""
    groups = {}
    for course in courses:
        c = course.course_id
        groups[f"formgrade-{c}"] = {"users": [*course.trainers, grader_account(c)]}
        groups[f"nbgrader-{c}"] = {"users": []}
    return groups


def teacher_server_environment(settings) -> dict:
    """Environment for teachers' servers: the Jupyter config folder written by ``prepare_state``.

    If the hub sets ``JUPYTER_CONFIG_PATH`` for another reason too, join both with ``os.pathsep``.
    """
    return {"JUPYTER_CONFIG_PATH": str(teacher_config_dir(settings))}


def prepare_state(settings, courses: Iterable[Course]) -> list[Path]:
    """Create the course folders (sources from the repository, nbgrader config, gradebook), the exchange
    and the teachers' Jupyter config folder. Idempotent; returns the course folders."""
    from .pipeline import CoursePipeline

    folders = []
    for course in courses:
        pipeline = CoursePipeline.from_settings(settings, course, hub_auth=True)
        folders.append(pipeline.prepare())
    write_teacher_config(teacher_config_dir(settings), exchange_dir(settings), hub_exchange=True)
    return folders
