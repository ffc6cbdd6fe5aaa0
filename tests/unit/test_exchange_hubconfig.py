"""The exchange's hub wiring is plain data built from the settings."""

from __future__ import annotations

from hub.exchange.__main__ import configure, listen_address
from hub.exchange.hubconfig import EXCHANGE_ACCESS_SCOPE, exchange_roles, exchange_service
from hub.settings import Settings


def test_service_definition_uses_state_folder_and_next_port(tmp_path):
    settings = Settings.from_dict({"state_dir": str(tmp_path / "state"), "exchange_port": 12001})
    service = exchange_service(settings, ["foundations", "psychology"], python="/venv/bin/python")
    assert service["name"] == "exchange" and service["url"] == "http://127.0.0.1:12001"
    assert service["command"] == ["/venv/bin/python", "-m", "hub.exchange"]
    assert service["environment"]["MENTORHUB_EXCHANGE_DIR"] == str(tmp_path / "state" / "exchange-store")
    assert service["environment"]["MENTORHUB_EXCHANGE_COURSES"] == "foundations,psychology"
    assert "user" not in service


def test_roles_let_the_service_read_groups_and_course_services_call_it():
    roles = {role["name"]: role for role in exchange_roles(["foundations"])}
    assert roles["exchange-service"]["services"] == ["exchange"]
    assert "read:users:groups" in roles["exchange-service"]["scopes"]
    assert roles["exchange-course-services"]["scopes"] == [EXCHANGE_ACCESS_SCOPE]
    assert roles["exchange-course-services"]["services"] == ["foundations"]


def test_entry_point_configuration_from_environment(tmp_path):
    store, policy = configure({"MENTORHUB_EXCHANGE_DIR": str(tmp_path / "x"), "MENTORHUB_EXCHANGE_MAX_BYTES": "1000",
                               "MENTORHUB_EXCHANGE_COURSES": "foundations, psychology"})
    assert store.max_bytes == 1000 and policy.known_courses == {"foundations", "psychology"}
    assert listen_address({"JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:9999",
                           "MENTORHUB_SERVICE_BIND_URL": "http://0.0.0.0:8888"}) == ("0.0.0.0", 8888)
    assert listen_address({"JUPYTERHUB_SERVICE_URL": "http://127.0.0.1:9999"}) == ("127.0.0.1", 9999)
    for bad in ({}, {"MENTORHUB_EXCHANGE_DIR": str(tmp_path), "MENTORHUB_EXCHANGE_MAX_BYTES": "lots"}):
        try:
            configure(bad)
        except ValueError as error:
            assert "MENTORHUB_EXCHANGE" in str(error)
        else:
            raise AssertionError(f"{bad} was accepted")
