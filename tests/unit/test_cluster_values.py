"""deploy/kubernetes/values.yaml, checked the way helm checks it, and against the project's own settings.

Helm deep-merges the chart's defaults with a deployment's values (maps key by key, everything else
replaced) and validates the result against the chart's values schema; both files of the chart's 4.x line
are kept in tests/data/z2jh/ (its README names the chart version, source and licence).
"""

from __future__ import annotations

import copy

import jsonschema
import pytest
import yaml
from traitlets.config import Config

from hub.cluster import apply_cluster
from hub.config import apply_all
from hub.runtime import Runtime
from hub.settings import REPO_ROOT, Settings

VALUES = REPO_ROOT / "deploy" / "kubernetes" / "values.yaml"
CHART_DIR = REPO_ROOT / "tests" / "data" / "z2jh"


def deep_merge(defaults: dict, values: dict) -> dict:
    """Helm's coalescing of a values file onto chart defaults: maps merge, other values replace."""
    merged = copy.deepcopy(defaults)
    for key, value in values.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


@pytest.fixture(scope="module")
def chart():
    defaults = yaml.safe_load((CHART_DIR / "values.yaml").read_text(encoding="utf-8"))
    schema = yaml.safe_load((CHART_DIR / "values.schema.yaml").read_text(encoding="utf-8"))
    return defaults, schema


@pytest.fixture(scope="module")
def values():
    return yaml.safe_load(VALUES.read_text(encoding="utf-8"))


def schema_errors(schema: dict, instance: dict) -> list[str]:
    validator = jsonschema.Draft7Validator(schema)
    return [f"{'.'.join(str(p) for p in error.absolute_path)}: {error.message}"
            for error in validator.iter_errors(instance)]


def test_values_merged_with_chart_defaults_pass_the_chart_schema(chart, values):
    defaults, schema = chart
    assert schema_errors(schema, deep_merge(defaults, values)) == []


def test_the_schema_check_catches_a_misspelled_key(chart, values):
    defaults, schema = chart
    broken = deep_merge(values, {"singleuser": {"netwrokPolicy": {"enabled": True}}})
    errors = schema_errors(schema, deep_merge(defaults, broken))
    assert any("netwrokPolicy" in error for error in errors)


def settings_in(values: dict) -> dict:
    return values["hub"]["extraFiles"]["mentorhub-settings"]["data"]


def test_hub_runs_the_projects_configuration_with_a_valid_settings_file(values):
    assert 'load_subconfig("/opt/mentorhub/jupyterhub_config.py")' in values["hub"]["extraConfig"]["00-mentorhub"]
    mount = values["hub"]["extraFiles"]["mentorhub-settings"]["mountPath"]
    assert values["hub"]["extraEnv"]["MENTORHUB_SETTINGS"] == mount
    settings = Settings.from_dict(settings_in(values))
    assert settings.mode == "cluster"
    c = Config()
    apply_all(settings, c, Runtime())
    apply_cluster(settings, c, Runtime(), hub_environ={})
    image = values["singleuser"]["image"]
    assert c.KubeSpawner.image == f"{image['name']}:{image['tag']}"


def test_postgresql_for_hub_and_records_with_the_password_from_a_secret(values):
    settings = Settings.from_dict(settings_in(values))
    assert values["hub"]["db"]["type"] == "postgres"
    assert values["hub"]["db"]["url"] == settings.hub_db_url
    assert settings.records_db_url.startswith("postgresql")
    assert "password" not in values["hub"]["db"]
    for url in (settings.hub_db_url, settings.records_db_url):
        assert ":" not in url.split("://", 1)[1].split("@", 1)[0], "no password inside a database URL"
    assert values["hub"]["extraEnv"]["PGPASSWORD"]["valueFrom"]["secretKeyRef"]["name"] == "mentorhub-db"
    # The secret goes to the hub pod only: nothing in singleuser names it.
    assert "mentorhub-db" not in yaml.safe_dump(values["singleuser"])


def test_network_policy_user_pods_reach_only_hub_and_proxy(values):
    settings = Settings.from_dict(settings_in(values))
    egress = values["singleuser"]["networkPolicy"]["egressAllowRules"]
    assert values["singleuser"]["networkPolicy"]["enabled"] is True
    assert egress["privateIPs"] is False and egress["nonPrivateIPs"] is False
    assert egress["cloudMetadataServer"] is False
    assert not values["singleuser"]["networkPolicy"].get("egress")
    # The hub-managed services are open to the proxy (and the hub) only, on the hub Service's extra ports.
    [rule] = values["hub"]["networkPolicy"]["ingress"]
    components = {peer["podSelector"]["matchLabels"]["component"] for peer in rule["from"]}
    assert components == {"proxy", "hub"}
    opened = [range(p["port"], p.get("endPort", p["port"]) + 1) for p in rule["ports"]]
    assert any(settings.records_port in ports for ports in opened)
    assert any(settings.formgrader_base_port in ports for ports in opened)
    service_ports = {p["port"] for p in values["hub"]["service"]["extraPorts"]}
    assert settings.records_port in service_ports


def test_culling_is_on_once(values):
    settings = Settings.from_dict(settings_in(values))
    assert settings.culler["enabled"] is True
    assert values["cull"]["enabled"] is False, "the project's culler runs; the chart's would be a second one"
