"""Cluster mode: the same hub configuration running under Zero to JupyterHub (KubeSpawner).

`apply_cluster(settings, c, runtime)` only sets traits (it may be called twice with the same result). It
runs after the other `hub.config.apply_*` steps and adjusts what differs on Kubernetes:

- the hub listens on all interfaces of its pod and is reached as the chart's `hub` Service; the proxy is the
  chart's own pod (`proxy-api` Service) with the chart's token, so the hub neither starts nor names it;
- KubeSpawner: the project's single-user image, a profile per role (teacher, trainer) with its resources,
  a persistent home per user, labels, and an environment with no database secret in it;
- hub-managed services (records service, exchange, formgraders) run inside the hub pod but listen on all
  of its interfaces and are routed by the proxy at `http://hub:<port>`; only they receive `PGPASSWORD`.

The chart-side half (images, PostgreSQL secret, network policy, storage) is `deploy/kubernetes/values.yaml`.
"""

from __future__ import annotations

import copy
import logging
import os
from collections.abc import Mapping
from urllib.parse import urlsplit

from hub.runtime import Runtime
from hub.settings import Settings

log = logging.getLogger("mentorhub")

# Layout of both images (deploy/Dockerfile.hub, deploy/Dockerfile.singleuser): the checkout lives here.
IMAGE_APP_ROOT = "/opt/mentorhub"
HOME_MOUNT_PATH = "/home/jovyan"
# Service names the z2jh chart creates (fullnameOverride: "").
HUB_SERVICE_HOST = "hub"
PROXY_API_URL = "http://proxy-api:8001"
PROXY_PUBLIC_URL = "http://proxy-public"
# Where a managed service must listen when it is reached from other pods (its `url` names the Service).
SERVICE_BIND_ENV = "MENTORHUB_SERVICE_BIND_URL"
# Database credentials: present in the hub pod only, handed to hub-managed services, never to user pods.
DATABASE_SECRET_ENV = ("PGPASSWORD", "PGPASSFILE")

USER_UID = 1000
USER_GID = 100

PROFILES = {
    "teacher": {
        "display_name": "教师工作环境",
        "description": "课程学习、导师工作台与案例研讨（1 核 / 1 GB 内存）",
        "resources": {"cpu_guarantee": 0.1, "cpu_limit": 1.0, "mem_guarantee": "512M", "mem_limit": "1G"},
    },
    "trainer": {
        "display_name": "培训师工作环境",
        "description": "发布、收取与自动评分课程作业（2 核 / 3 GB 内存）",
        "resources": {"cpu_guarantee": 0.25, "cpu_limit": 2.0, "mem_guarantee": "1G", "mem_limit": "3G"},
    },
}
# Hub groups that get the trainer profile; everybody else gets the teacher profile.
TRAINER_GROUPS = frozenset({"trainers", "admins"})
STORAGE_CAPACITY = "2Gi"


def profile_for_groups(groups) -> str:
    """The profile slug a user with these hub group names gets."""
    return "trainer" if TRAINER_GROUPS & set(groups) else "teacher"


def profile_entry(slug: str) -> dict:
    """One KubeSpawner `profile_list` entry."""
    profile = PROFILES[slug]
    return {
        "slug": slug,
        "display_name": profile["display_name"],
        "description": profile["description"],
        "default": True,
        "kubespawner_override": {
            **profile["resources"],
            "extra_labels": {"mentorhub.example/profile": slug},
        },
    }


def profiles_for_user(spawner) -> list[dict]:
    """KubeSpawner `profile_list` callable: exactly one profile, chosen by the user's hub groups.

    The profile follows the role, so no spawn form is shown and nobody can pick a bigger pod than their
    role allows.
    """
    groups = [group.name for group in getattr(spawner.user, "groups", [])]
    return [profile_entry(profile_for_groups(groups))]


def pod_environment() -> dict[str, str]:
    """Environment of every user pod. Paths are those inside the single-user image; no secrets."""
    return {
        "LANG": "C.UTF-8",
        "JUPYTER_CONFIG_PATH": f"{IMAGE_APP_ROOT}/hub/user_config",
        "MENTORHUB_APPS_DIR": f"{IMAGE_APP_ROOT}/casestudies",
        "MENTORHUB_MODE": "cluster",
        # Kernels call the records service through the proxy, the only route user pods have to it.
        "MENTORHUB_RECORDS_URL": f"{PROXY_PUBLIC_URL}/services/records/api/v1/",
        "MENTORHUB_EXCHANGE_URL": f"{PROXY_PUBLIC_URL}/services/exchange/",
    }


def cluster_labels() -> dict[str, str]:
    """Labels on every user pod. The two `hub.jupyter.org/network-access-*` labels are what the chart's
    network policies let through to the hub API and the proxy; nothing else is reachable from a user pod."""
    return {
        "hub.jupyter.org/network-access-hub": "true",
        "hub.jupyter.org/network-access-proxy-http": "true",
        "app.kubernetes.io/part-of": "mentorhub",
        "mentorhub.example/role": "user-server",
    }


def apply_cluster_hub(settings: Settings, c, runtime: Runtime) -> None:
    """The hub inside its pod: reachable by the proxy and user pods, the chart's proxy and token."""
    c.JupyterHub.hub_bind_url = f"http://0.0.0.0:{settings.hub_port}"
    c.JupyterHub.hub_connect_url = f"http://{HUB_SERVICE_HOST}:{settings.hub_port}"
    c.JupyterHub.bind_url = "http://:8000/"
    c.JupyterHub.cleanup_servers = False
    c.ConfigurableHTTPProxy.should_start = False
    c.ConfigurableHTTPProxy.api_url = PROXY_API_URL
    # The chart gives hub and proxy the same token in CONFIGPROXY_AUTH_TOKEN, the trait's default.
    for key in ("auth_token", "command", "pid_file"):
        c.ConfigurableHTTPProxy.pop(key, None)
    if settings.hub_db_url.startswith("sqlite") or settings.records_db_url.startswith("sqlite"):
        log.warning("Cluster mode with a SQLite database: set database.hub_url and database.records_url "
                    "to PostgreSQL URLs (deploy/README.md); SQLite is lost when the hub pod moves.")


def apply_cluster_spawner(settings: Settings, c, runtime: Runtime) -> None:
    """KubeSpawner: image, per-role profiles, home volume, labels, environment without secrets."""
    cluster = settings.cluster
    c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"
    k = c.KubeSpawner
    k.namespace = cluster["namespace"]
    k.image = cluster["singleuser_image"]
    k.cmd = ["jupyterhub-singleuser"]
    k.args = []
    k.default_url = "/lab"
    k.uid = USER_UID
    k.gid = USER_GID
    k.fs_gid = USER_GID
    k.allow_privilege_escalation = False
    k.start_timeout = 300
    k.http_timeout = 120
    k.environment = pod_environment()
    k.extra_labels = cluster_labels()
    k.profile_list = profiles_for_user
    k.options_form = ""
    # Teacher resources unless the profile says otherwise.
    for trait, value in PROFILES["teacher"]["resources"].items():
        k[trait] = value
    # A persistent home per user; everything else in the pod is the read-only image.
    k.pvc_name_template = "claim-{user_server}"
    k.storage_pvc_ensure = True
    k.storage_capacity = STORAGE_CAPACITY
    k.storage_access_modes = ["ReadWriteOnce"]
    k.storage_extra_labels = {"app.kubernetes.io/part-of": "mentorhub"}
    if cluster.get("storage_class"):
        k.storage_class = cluster["storage_class"]
    else:
        k.pop("storage_class", None)
    k.volumes = [{"name": "home", "persistentVolumeClaim": {"claimName": "claim-{user_server}"}}]
    k.volume_mounts = [{"name": "home", "mountPath": HOME_MOUNT_PATH}]
    k.working_dir = HOME_MOUNT_PATH
    # `~/apps` points at the read-only Voilà apps in the image, as the local spawners do.
    apps = f"{IMAGE_APP_ROOT}/casestudies"
    k.lifecycle_hooks = {"postStart": {"exec": {"command": [
        "sh", "-c", f'[ -e "$HOME/apps" ] || [ -L "$HOME/apps" ] || ln -s {apps} "$HOME/apps"']}}}


def cluster_service(service: dict, hub_environ: Mapping[str, str]) -> dict:
    """A hub-managed service as it runs in the hub pod: routed at `http://hub:<port>`, listening on all
    interfaces, with the database password it needs. Services without a local URL are unchanged."""
    service = copy.deepcopy(service)
    url = service.get("url")
    if not url or "command" not in service:
        return service
    parts = urlsplit(url)
    if parts.hostname not in ("127.0.0.1", "localhost", HUB_SERVICE_HOST, "0.0.0.0"):
        return service
    port = parts.port or 80
    service["url"] = f"http://{HUB_SERVICE_HOST}:{port}"
    environment = dict(service.get("environment") or {})
    environment[SERVICE_BIND_ENV] = f"http://0.0.0.0:{port}"
    for key in DATABASE_SECRET_ENV:
        if hub_environ.get(key):
            environment[key] = hub_environ[key]
    service["environment"] = environment
    return service


def apply_cluster_services(settings: Settings, c, runtime: Runtime,
                           hub_environ: Mapping[str, str] | None = None) -> None:
    """Make every hub-managed service with a local URL reachable inside the cluster."""
    hub_environ = os.environ if hub_environ is None else hub_environ
    services = c.JupyterHub.get("services")
    if not isinstance(services, list):
        return
    c.JupyterHub.services = [cluster_service(service, hub_environ) for service in services]


def apply_cluster(settings: Settings, c, runtime: Runtime, hub_environ: Mapping[str, str] | None = None) -> None:
    """Everything cluster mode changes, after `hub.config.apply_all`'s other steps.

    `hub_environ` is the hub pod's environment (default: this process's); only the database password
    variables are read from it, and they go to hub-managed services, never to user pods.
    """
    apply_cluster_hub(settings, c, runtime)
    apply_cluster_spawner(settings, c, runtime)
    apply_cluster_services(settings, c, runtime, hub_environ)

