"""Turn `Settings` into JupyterHub traitlets.

Each `apply_*` function only sets traits on the `Config` it is given and can be called twice with the same
result; they are unit-tested against a bare `traitlets.config.Config()`. Side effects (state folder,
secrets, database migration) live in `hub.runtime.prepare`, which `jupyterhub_config.py` calls first and
whose result (`Runtime`) is passed in here as plain data.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hub.assets import USER_DATA_DIR
from hub.quiet import logging_config
from hub.runtime import Runtime
from hub.settings import REPO_ROOT, Settings

HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
USER_CONFIG_DIR = HERE / "user_config"
FORMGRADER_CONFIG_DIR = HERE / "formgrader_config"
CULLER_CONFIG_FILE = HERE / "culler_config.py"
TEMPLATES_DIR = HERE / "templates"
PROXY_COMMAND = REPO_ROOT / "node_modules" / ".bin" / "configurable-http-proxy"

# Platform groups (DESIGN.md "People and what they do").
PLATFORM_GROUPS = ("teachers", "trainers", "studio-leaders", "school-admins", "admins", "district-staff")
RECORDS_SERVICE = "records"
EXCHANGE_SERVICE = "exchange"
ADMIN_SERVICE = "mentorhub-admin"
# Scopes only the project's own admin service holds: renaming or creating users, changing group membership.
PLATFORM_ADMIN_NEVER = ("admin:users", "users", "admin:groups", "groups", "delete:users", "tokens")
# Cookies that the records service, the formgraders and users' servers set after the hub's OAuth
# (JupyterHub's HubOAuth.cookie_options): not sent with requests that another site makes, except links.
COOKIE_OPTIONS = {"JUPYTERHUB_COOKIE_OPTIONS": '{"samesite": "Lax"}'}

# What a user's server token may do: JupyterHub's own defaults for the `server` role, plus calling the
# records service with the user's identity and reading which courses (services) and groups exist; the
# user's own model in full, whose `created` the records service checks on every new token.
SERVER_TOKEN_SCOPES = [
    "users:activity!user",
    "access:servers!server",
    "read:users!user",
    "read:users:name!user",
    "read:users:groups!user",
    "list:services",
    "read:services",
    f"access:services!service={RECORDS_SERVICE}",
    f"access:services!service={EXCHANGE_SERVICE}",
]


def apply_hub(settings: Settings, c, runtime: Runtime) -> None:
    """Addresses, database, cookie secret, restart behaviour."""
    c.JupyterHub.bind_url = f"{settings.public_url}/"
    c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{settings.hub_port}"
    c.JupyterHub.db_url = settings.hub_db_url
    c.JupyterHub.cookie_secret_file = str(settings.secrets_dir / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(settings.state_dir / "jupyterhub.pid")
    # A hub restart (SIGTERM: an upgrade, a config change) must not kill the work in users' servers; in demo
    # mode Ctrl-C on `make run` (SIGINT) stops everything the hub started (hub.app).
    c.JupyterHub.cleanup_servers = False
    c.MentorHub.stop_servers_on_interrupt = settings.mode == "demo"
    # Users land on the Chinese home page, not straight in JupyterLab.
    c.JupyterHub.default_url = "/hub/home"
    c.JupyterHub.shutdown_on_logout = False
    # No log line that asks nothing of the operator (hub.quiet); TLS is theirs to add unless on loopback.
    c.JupyterHub.logging_config = logging_config(loopback=settings.public_ip in ("127.0.0.1", "::1", "localhost"))


def apply_proxy(settings: Settings, c, runtime: Runtime) -> None:
    """The npm configurable-http-proxy from the project's own node_modules (never a global one), with its own
    Chinese error pages instead of asking the hub for them (hub.proxy)."""
    c.ConfigurableHTTPProxy.command = [sys.executable, "-m", "hub.proxy", str(PROXY_COMMAND)]
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.auth_token = runtime.proxy_token
    c.ConfigurableHTTPProxy.pid_file = str(settings.state_dir / "proxy.pid")


def apply_templates(settings: Settings, c, runtime: Runtime) -> None:
    """The Chinese front door: our templates first, the role-aware links as a template variable."""
    from hub.frontdoor import DistrictInfo, HomeSections
    from hub.localize.admin import AdminApp

    c.JupyterHub.template_paths = [str(TEMPLATES_DIR)]
    c.JupyterHub.template_vars = {
        "mentorhub_mode": settings.mode,
        "mentorhub_sections": HomeSections(runtime.course_titles, DistrictInfo(settings.records_db_url)),
        "mentorhub_admin_app": AdminApp(),  # the admin page's React app in Chinese (hub/templates/admin.html)
    }


def single_user_environment(settings: Settings) -> dict[str, str]:
    """Environment of every user server: Chinese Lab, the shared config folder, no database secrets."""
    return {
        "LANG": "C.UTF-8",
        "JUPYTER_CONFIG_PATH": str(USER_CONFIG_DIR),
        # Voilà's template without CDN links (hub.assets), JupyterLab's Assignments panel in Chinese
        "JUPYTER_PATH": str(USER_DATA_DIR),
        "MENTORHUB_APPS_DIR": str(settings.apps_dir),
        "PATH": f"{VENV_BIN}{os.pathsep}/usr/local/bin:/usr/bin:/bin",
        **COOKIE_OPTIONS,
    }


def apply_spawner(settings: Settings, c, runtime: Runtime) -> None:
    """Demo: one Unix user, a home folder per hub user. Server: a Unix account per hub user."""
    c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
    c.Spawner.args = ["--allow-root"] if runtime.running_as_root else []
    c.Spawner.default_url = "/lab"
    c.Spawner.server_token_scopes = list(SERVER_TOKEN_SCOPES)
    c.Spawner.environment = single_user_environment(settings)
    c.Spawner.http_timeout = 60
    c.Spawner.start_timeout = settings.spawner["start_timeout_seconds"]
    # A cohort's starts wait in order in the start queue (hub.spawners), each with its place shown; JupyterHub's
    # own limit of pending starts (100) refused the rest of a 200-teacher cohort with 429.
    c.JupyterHub.concurrent_spawn_limit = settings.spawner["max_pending_starts"]
    if settings.mode in ("demo", "server"):
        c.LocalServerSpawner.cpu_nice = settings.spawner["cpu_nice"]
        c.LocalServerSpawner.start_nice = settings.spawner["start_nice"]
        c.LocalServerSpawner.start_concurrency = settings.spawner["start_concurrency"]
        c.LocalServerSpawner.warm_start = settings.spawner["warm_start"]
        c.LocalServerSpawner.kernel_queue_dir = str(settings.kernel_queue_dir)
        c.LocalServerSpawner.page_concurrency = settings.spawner["page_concurrency"]
        c.LocalServerSpawner.page_backpressure_seconds = settings.spawner["page_backpressure_seconds"]
        c.LocalServerSpawner.term_timeout = 20  # a stopping server shuts its kernels down first (hub.spawners)
    if settings.mode == "demo":
        c.JupyterHub.spawner_class = "hub.spawners.DemoSpawner"
        c.DemoSpawner.home_dir_template = str(settings.users_dir / "{username}")
        c.DemoSpawner.apps_dir = str(settings.apps_dir)
    elif settings.mode == "server":
        c.JupyterHub.spawner_class = "hub.spawners.UnixAccountSpawner"
        c.UnixAccountSpawner.user_prefix = settings.server["user_prefix"]
        c.UnixAccountSpawner.home_root = settings.server["home_root"]
        c.UnixAccountSpawner.apps_dir = str(settings.apps_dir)
        c.UnixAccountSpawner.uid_min = settings.server["uid_min"]
        c.UnixAccountSpawner.uid_max = settings.server["uid_max"]
        # Users' processes may open no connection to the internal ports (hub.netpolicy): their servers and
        # kernels reach the hub, the records service and the exchange through the public port.
        public = public_connect_url(settings)
        c.UnixAccountSpawner.hub_connect_url = public
        records = f"{public}/services/{RECORDS_SERVICE}/api/v1/"
        c.Spawner.environment = {**c.Spawner.environment, "MENTORHUB_RECORDS_URL": records}
    else:
        c.JupyterHub.spawner_class = "kubespawner.KubeSpawner"


def apply_authenticator(settings: Settings, c, runtime: Runtime) -> None:
    auth = settings.authenticator
    kind = auth["kind"]
    # Users that exist only because a group lists them must not slip in.
    c.Authenticator.allow_existing_users = False
    # Nobody gets JupyterHub's all-powerful admin flag; platform admins get a narrower role (apply_roles).
    c.Authenticator.admin_users = set()
    if kind == "roster":
        c.JupyterHub.authenticator_class = "hub.auth.RosterAuthenticator"
        c.RosterAuthenticator.db_url = settings.records_db_url
        c.RosterAuthenticator.max_failed_logins = auth["max_failed_logins"]
        c.RosterAuthenticator.lockout_seconds = auth["lockout_seconds"]
        c.RosterAuthenticator.ip_attempts_per_minute = auth["ip_attempts_per_minute"]
    elif kind == "ldap":
        ldap = auth["ldap"]
        c.JupyterHub.authenticator_class = "ldapauthenticator.LDAPAuthenticator"
        c.LDAPAuthenticator.server_address = ldap["server_address"]
        c.LDAPAuthenticator.server_port = ldap.get("server_port", 636 if ldap.get("use_ssl", True) else 389)
        c.LDAPAuthenticator.tls_strategy = "on_connect" if ldap.get("use_ssl", True) else "before_bind"
        c.LDAPAuthenticator.bind_dn_template = list(ldap["bind_dn_template"])
        c.LDAPAuthenticator.allowed_users = set(runtime.roster_usernames)
    else:
        oauth = auth["oauth"]
        c.JupyterHub.authenticator_class = "oauthenticator.generic.GenericOAuthenticator"
        c.GenericOAuthenticator.client_id = oauth["client_id"]
        c.GenericOAuthenticator.client_secret = Path(oauth["client_secret_file"]).read_text().strip()
        c.GenericOAuthenticator.authorize_url = oauth["authorize_url"]
        c.GenericOAuthenticator.token_url = oauth["token_url"]
        c.GenericOAuthenticator.userdata_url = oauth["userdata_url"]
        c.GenericOAuthenticator.username_claim = oauth.get("username_claim", "preferred_username")
        c.GenericOAuthenticator.login_service = oauth.get("login_service", "统一身份认证")
        c.GenericOAuthenticator.oauth_callback_url = f"{settings.public_url}/hub/oauth_callback"
        c.GenericOAuthenticator.allowed_users = set(runtime.roster_usernames)


def hub_roles(culler_enabled: bool = True) -> list[dict]:
    """Roles for people and the project's own services (course roles are added by hub.courses)."""
    roles = [
        # Every user: their own things, and the records service with their own identity.
        {
            "name": "user",
            "scopes": ["self", f"access:services!service={RECORDS_SERVICE}",
                       f"access:services!service={EXCHANGE_SERVICE}", "list:services", "read:services"],
        },
        # Platform admins see accounts and groups and manage servers, but cannot open other people's servers
        # (`access:servers`); reading records needs the records service's audited break-glass instead. No
        # `admin:users` (renaming an account would make it someone else) and no `groups`/`admin:groups`
        # (joining `formgrade-<course>` would open its formgrader): names come from the roster, memberships
        # from the project's own commands (PLATFORM_ADMIN_NEVER).
        {
            "name": "platform-admin",
            "groups": ["admins"],
            "scopes": ["admin-ui", "list:users", "read:users", "admin:servers", "list:groups", "read:groups",
                       "list:services", "read:services", "read:hub", "proxy"],
        },
        {
            "name": "records-service",
            "services": [RECORDS_SERVICE],
            "scopes": ["list:users", "read:users", "read:users:groups", "list:groups", "read:groups"],
        },
        {
            "name": "mentorhub-admin-service",
            "services": [ADMIN_SERVICE],
            "scopes": ["admin:users", "admin:groups", "admin:servers", "read:hub", "list:services",
                       "tokens"],
        },
    ]
    if culler_enabled:
        roles.append({
            "name": "idle-culler",
            "services": ["idle-culler"],
            "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        })
    return roles


def apply_roles(settings: Settings, c, runtime: Runtime) -> None:
    """Groups from the roster (platform groups always exist) and the roles that go with them."""
    groups = {name: {"users": []} for name in PLATFORM_GROUPS}
    for name, members in runtime.memberships.items():
        groups[name] = {"users": sorted(members)}
    c.JupyterHub.load_groups = groups
    c.JupyterHub.load_roles = hub_roles(settings.culler["enabled"])


def apply_services(settings: Settings, c, runtime: Runtime) -> None:
    """Hub-managed services: the records service, the idle culler, the CLI's admin token."""
    import json

    from hub.privacy import field_key_file, privacy

    services = [
        {
            "name": RECORDS_SERVICE,
            "url": f"http://127.0.0.1:{settings.records_port}",
            "command": [sys.executable, "-m", "hub.records"],
            "environment": {
                "MENTORHUB_RECORDS_DB_URL": settings.records_db_url,
                "MENTORHUB_STATE_DIR": str(settings.state_dir),
                "MENTORHUB_FIELD_KEY_FILE": str(field_key_file(settings)),  # hub.store.crypto
                "MENTORHUB_PRIVACY": json.dumps({key: privacy(settings)[key]
                                                 for key in ("request_days", "copy_concern_details")}),
                **COOKIE_OPTIONS,
            },
            "oauth_no_confirm": True,
            "display": False,
        },
        {"name": ADMIN_SERVICE, "api_token": runtime.admin_token, "display": False},
    ]
    from hub.retention import retention_service

    if retention := retention_service(settings):  # minors' data: the daily retention run (hub/retention.py)
        services.append(retention)
    if settings.culler["enabled"]:
        services.append({
            "name": "idle-culler",
            "command": [sys.executable, "-m", "jupyterhub_idle_culler",
                        f"--timeout={settings.culler['timeout_seconds']}", f"--config={CULLER_CONFIG_FILE}"],
            "display": False,
        })
    c.JupyterHub.services = services


def apply_all(settings: Settings, c, runtime: Runtime) -> None:
    """Everything, in order; course services come last because they extend services, roles and groups."""
    for step in (apply_hub, apply_proxy, apply_templates, apply_spawner, apply_authenticator,
                 apply_roles, apply_services, apply_courses, apply_exchange):
        step(settings, c, runtime)
    if settings.mode == "cluster":
        from hub.cluster import apply_cluster

        apply_cluster(settings, c, runtime)


def exchange_url(settings: Settings) -> str:
    return f"http://127.0.0.1:{settings.exchange_port}/services/{EXCHANGE_SERVICE}/"


def public_connect_url(settings: Settings) -> str:
    """The proxy's public address as a process on this machine connects to it."""
    host = "127.0.0.1" if settings.public_ip in ("0.0.0.0", "::", "*") else settings.public_ip
    return f"http://{f'[{host}]' if ':' in host else host}:{settings.public_port}"


def user_exchange_url(settings: Settings) -> str:
    """The exchange as users' servers reach it: through the public port in server mode (hub.netpolicy)."""
    if settings.mode == "server":
        return f"{public_connect_url(settings)}/services/{EXCHANGE_SERVICE}/"
    return exchange_url(settings)


def apply_exchange(settings: Settings, c, runtime: Runtime) -> None:
    """The hub-authenticated nbgrader exchange (hub.exchange), and where servers and formgraders find it."""
    from hub.exchange.hubconfig import exchange_roles, exchange_service

    course_ids = {course.course_id for course in runtime.courses}
    services = []
    for service in c.JupyterHub.services:
        if service["name"] in course_ids:
            service = {**service, "environment": {**service["environment"],
                                                  "MENTORHUB_EXCHANGE_URL": exchange_url(settings)}}
        services.append(service)
    c.JupyterHub.services = [*services, exchange_service(settings, runtime.courses)]
    c.JupyterHub.load_roles = [*c.JupyterHub.load_roles, *exchange_roles(runtime.courses)]
    c.Spawner.environment = {**c.Spawner.environment, "MENTORHUB_EXCHANGE_URL": user_exchange_url(settings)}


def apply_courses(settings: Settings, c, runtime: Runtime) -> None:
    """One formgrader service per course, the course groups and roles, the teachers' nbgrader config."""
    from hub.courses.hubconfig import course_groups, course_roles, course_services, teacher_server_environment

    services = course_services(settings, runtime.courses, as_root=runtime.running_as_root)
    for service in services:
        service["command"] = [str(VENV_BIN / service["command"][0]), *service["command"][1:]]
        service["environment"] = {**service["environment"], "PATH": single_user_environment(settings)["PATH"],
                                  "JUPYTER_CONFIG_PATH": str(FORMGRADER_CONFIG_DIR), **COOKIE_OPTIONS}
    c.JupyterHub.services = [*c.JupyterHub.services, *services]
    c.JupyterHub.load_roles = [*c.JupyterHub.load_roles, *course_roles(runtime.courses)]
    groups = dict(c.JupyterHub.load_groups)
    for name, group in course_groups(runtime.courses).items():
        roster_members = groups.get(name, {}).get("users", [])
        groups[name] = {"users": sorted(set(group["users"]) | set(roster_members))}
    c.JupyterHub.load_groups = groups
    environment = dict(c.Spawner.environment)
    teacher_path = teacher_server_environment(settings)["JUPYTER_CONFIG_PATH"]
    # The teachers' nbgrader folder first, then the shared Lab/Voilà settings.
    environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join([teacher_path, str(USER_CONFIG_DIR)])
    c.Spawner.environment = environment
