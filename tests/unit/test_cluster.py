"""Cluster mode: the hub configuration in mode `cluster`, and real KubeSpawner pod manifests built from it.

No cluster is needed: KubeSpawner only reads a kube config at construction (a minimal file naming an
address nothing contacts) and builds the manifest with its own code (`get_pod_manifest`).
"""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from traitlets.config import Config

from hub import cluster
from hub.config import RECORDS_SERVICE, apply_all
from hub.runtime import Runtime
from hub.settings import Settings

PG_PASSWORD = "pg-Secret-7f3a9c"
HUB_DB_URL = "postgresql+psycopg://mentorhub@mentorhub-postgresql:5432/jupyterhub"
RECORDS_DB_URL = "postgresql+psycopg://mentorhub@mentorhub-postgresql:5432/mentorhub_records"
MB, GB = 1024**2, 1024**3  # KubeSpawner turns "512M" / "1G" into bytes
HUB_ENVIRON = {"PGPASSWORD": PG_PASSWORD, "CONFIGPROXY_AUTH_TOKEN": "proxy-token-from-chart"}

KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters:
- name: offline
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: offline
  user: {token: not-a-real-token}
contexts:
- name: offline
  context: {cluster: offline, user: offline, namespace: mentorhub}
current-context: offline
"""


@pytest.fixture(scope="module")
def kubeconfig(tmp_path_factory):
    path = tmp_path_factory.mktemp("kube") / "config"
    path.write_text(KUBECONFIG)
    saved = os.environ.get("KUBECONFIG")
    os.environ["KUBECONFIG"] = str(path)
    yield path
    if saved is None:
        os.environ.pop("KUBECONFIG", None)
    else:
        os.environ["KUBECONFIG"] = saved


def cluster_config(overrides: dict | None = None) -> tuple[Settings, Config]:
    settings = Settings.from_dict({"mode": "cluster", **(overrides or {})})
    c = Config()
    runtime = Runtime(memberships={"teachers": ["teacher1"], "trainers": ["trainer1"]})
    apply_all(settings, c, runtime)
    cluster.apply_cluster(settings, c, runtime, hub_environ=HUB_ENVIRON)
    return settings, c


@pytest.fixture(scope="module")
def configured():
    return cluster_config({
        "cluster": {"singleuser_image": "registry.example/mentorhub/singleuser:1.2.3",
                    "namespace": "mentorhub", "storage_class": "district-ssd"},
        "database": {"hub_url": HUB_DB_URL, "records_url": RECORDS_DB_URL},
    })


def fake_user(name: str, groups: list[str]):
    return SimpleNamespace(name=name, escaped_name=name, id=7, url=f"/user/{name}/", server=None,
                           url_name=name, groups=[SimpleNamespace(name=g) for g in groups])


async def pod_for(config: Config, name: str, groups: list[str]):
    from kubernetes_asyncio.client import ApiClient
    from kubespawner import KubeSpawner

    spawner = KubeSpawner(config=config, _mock=True, user=fake_user(name, groups))
    await spawner.load_user_options()
    manifest = await spawner.get_pod_manifest()
    # The JSON body KubeSpawner would send to the Kubernetes API.
    pod = ApiClient().sanitize_for_serialization(manifest)
    pod["metadata"].setdefault("namespace", spawner.namespace)  # KubeSpawner sets it when creating
    return pod


def env_of(container: dict) -> dict[str, str]:
    return {item["name"]: item.get("value") for item in container["env"]}


async def test_teacher_pod_manifest(kubeconfig, configured):
    settings, c = configured
    pod = await pod_for(c, "teacher1", ["teachers"])
    container = pod["spec"]["containers"][0]

    assert container["image"] == "registry.example/mentorhub/singleuser:1.2.3"
    assert container["args"][0] == "jupyterhub-singleuser"
    assert pod["metadata"]["namespace"] == "mentorhub"
    assert container["resources"]["limits"] == {"cpu": 1.0, "memory": GB}
    assert container["resources"]["requests"] == {"cpu": 0.1, "memory": 512 * MB}

    labels = pod["metadata"]["labels"]
    assert labels["hub.jupyter.org/network-access-hub"] == "true"
    assert labels["hub.jupyter.org/network-access-proxy-http"] == "true"
    assert labels["mentorhub.example/profile"] == "teacher"
    assert labels["hub.jupyter.org/username"] == "teacher1"
    assert labels["component"] == "singleuser-server"

    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    assert volumes["home"]["persistentVolumeClaim"]["claimName"] == "claim-teacher1"
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    assert mounts == {"home": "/home/jovyan"}
    assert pod["spec"]["securityContext"]["fsGroup"] == 100
    assert container["securityContext"]["runAsUser"] == 1000
    assert container["securityContext"]["allowPrivilegeEscalation"] is False

    env = env_of(container)
    assert env["JUPYTER_CONFIG_PATH"] == "/opt/mentorhub/hub/user_config"
    assert env["MENTORHUB_RECORDS_URL"] == "http://proxy-public/services/records/api/v1/"
    assert env["JUPYTERHUB_USER"] == "teacher1"


async def test_no_database_secret_reaches_the_pod(kubeconfig, configured):
    settings, c = configured
    for name, groups in (("teacher1", ["teachers"]), ("trainer1", ["trainers"])):
        pod = await pod_for(c, name, groups)
        container = pod["spec"]["containers"][0]
        env = env_of(container)
        assert not {"PGPASSWORD", "PGPASSFILE", "MENTORHUB_RECORDS_DB_URL"} & set(env)
        everything = repr(pod)
        assert "secretKeyRef" not in everything
        for secret in (PG_PASSWORD, HUB_DB_URL, RECORDS_DB_URL, "mentorhub-postgresql",
                       HUB_ENVIRON["CONFIGPROXY_AUTH_TOKEN"]):
            assert secret not in everything, f"{secret!r} reached the pod of {name}"
        # No secret volume is mounted in a user pod, only the user's own home.
        assert [volume["name"] for volume in pod["spec"]["volumes"]] == ["home"]
        assert all(set(volume) == {"name", "persistentVolumeClaim"} for volume in pod["spec"]["volumes"])


async def test_trainer_gets_the_trainer_profile(kubeconfig, configured):
    settings, c = configured
    pod = await pod_for(c, "trainer1", ["trainers", "teachers"])
    container = pod["spec"]["containers"][0]
    assert container["resources"]["limits"] == {"cpu": 2.0, "memory": 3 * GB}
    assert container["resources"]["requests"] == {"cpu": 0.25, "memory": GB}
    assert pod["metadata"]["labels"]["mentorhub.example/profile"] == "trainer"
    assert pod["metadata"]["labels"]["hub.jupyter.org/network-access-hub"] == "true"


def test_records_service_runs_in_the_hub_pod_with_its_secret(configured):
    settings, c = configured
    services = {s["name"]: s for s in c.JupyterHub.services}
    records = services[RECORDS_SERVICE]
    assert records["url"] == f"http://hub:{settings.records_port}"
    assert records["environment"][cluster.SERVICE_BIND_ENV] == f"http://0.0.0.0:{settings.records_port}"
    assert records["environment"]["PGPASSWORD"] == PG_PASSWORD
    assert records["environment"]["MENTORHUB_RECORDS_DB_URL"] == RECORDS_DB_URL
    # Services without a command (tokens for the CLI) are left alone.
    assert "url" not in services["mentorhub-admin"]


def test_hub_uses_the_charts_proxy_and_listens_in_its_pod(configured):
    settings, c = configured
    assert c.JupyterHub.spawner_class == "kubespawner.KubeSpawner"
    assert c.JupyterHub.hub_bind_url == "http://0.0.0.0:8081"
    assert c.JupyterHub.hub_connect_url == "http://hub:8081"
    assert c.JupyterHub.cleanup_servers is False
    assert c.JupyterHub.db_url == HUB_DB_URL
    assert c.ConfigurableHTTPProxy.should_start is False
    assert c.ConfigurableHTTPProxy.api_url == "http://proxy-api:8001"
    assert "auth_token" not in c.ConfigurableHTTPProxy
    assert c.KubeSpawner.storage_class == "district-ssd"
    assert c.KubeSpawner.options_form == ""


def test_default_cluster_settings_load_and_apply_twice():
    settings, first = cluster_config()
    _, second = cluster_config()
    cluster.apply_cluster(settings, second, Runtime(), hub_environ=HUB_ENVIRON)
    assert first == second
    assert first.KubeSpawner.image == "mentorhub/singleuser:latest"
    assert "storage_class" not in first.KubeSpawner


@pytest.mark.parametrize("groups, slug", [
    ([], "teacher"), (["teachers"], "teacher"), (["studio-leaders", "teachers"], "teacher"),
    (["trainers"], "trainer"), (["admins"], "trainer"),
])
def test_profile_follows_the_role(groups, slug):
    assert cluster.profile_for_groups(groups) == slug
    spawner = SimpleNamespace(user=fake_user("u", groups))
    [profile] = cluster.profiles_for_user(spawner)
    assert profile["slug"] == slug and profile["default"] is True
