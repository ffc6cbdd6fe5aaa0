"""Settings → traitlets, for each mode, against a bare Config (no hub running)."""

from pathlib import Path

import pytest
from traitlets.config import Config

from hub.config import SERVER_TOKEN_SCOPES, apply_all, apply_authenticator, apply_roles, apply_spawner
from hub.runtime import Runtime
from hub.settings import Settings, SettingsError, load_settings

RUNTIME = Runtime(proxy_token="p" * 64, admin_token="a" * 64, running_as_root=True,
                  memberships={"teachers": ["teacher1", "teacher2"], "school-s1": ["teacher1"],
                               "admins": ["admin"]})


def applied(overrides=None, runtime=RUNTIME, base_dir=Path("/srv/mh")) -> Config:
    c = Config()
    apply_all(Settings.from_dict(overrides or {}, base_dir=base_dir), c, runtime)
    return c


def test_demo_defaults_point_everything_into_the_state_folder():
    c = applied()
    assert c.JupyterHub.bind_url == "http://127.0.0.1:8000/"
    assert c.JupyterHub.db_url == "sqlite:////srv/mh/state/jupyterhub.sqlite"
    assert c.JupyterHub.cookie_secret_file == "/srv/mh/state/secrets/jupyterhub_cookie_secret"
    assert c.JupyterHub.spawner_class == "hub.spawners.DemoSpawner"
    assert c.DemoSpawner.home_dir_template == "/srv/mh/state/users/{username}"
    assert c.JupyterHub.cleanup_servers is False
    assert c.RosterAuthenticator.db_url == "sqlite:////srv/mh/state/records.sqlite"
    assert c.ConfigurableHTTPProxy.command[-1].endswith("node_modules/.bin/configurable-http-proxy")
    assert c.ConfigurableHTTPProxy.auth_token == "p" * 64
    assert "--allow-root" in c.Spawner.args


def test_a_cohort_waits_in_the_queues_and_is_not_refused():
    """Issue 17, part 4: the page queue's folder and size reach users' servers; a 200-teacher cohort's starts
    wait in the start queue instead of being refused by JupyterHub's pending-start limit (100)."""
    c = applied()
    assert c.LocalServerSpawner.kernel_queue_dir == "/srv/mh/state/kernel-queue"
    assert c.LocalServerSpawner.page_concurrency == 0 and c.LocalServerSpawner.page_backpressure_seconds == 45
    assert c.JupyterHub.concurrent_spawn_limit == 500
    c = applied({"spawner": {"page_concurrency": 3, "max_pending_starts": 50}})
    assert c.LocalServerSpawner.page_concurrency == 3 and c.JupyterHub.concurrent_spawn_limit == 50


def test_applying_twice_gives_the_same_config():
    settings = Settings.from_dict({"mode": "server"}, base_dir=Path("/srv/mh"))
    once, twice = Config(), Config()
    apply_all(settings, once, RUNTIME)
    apply_all(settings, twice, RUNTIME)
    apply_all(settings, twice, RUNTIME)
    assert once == twice


def test_server_mode_uses_unix_accounts():
    c = applied({"mode": "server", "server": {"user_prefix": "mentor-", "home_root": "/data/home"}})
    assert c.JupyterHub.spawner_class == "hub.spawners.UnixAccountSpawner"
    assert c.UnixAccountSpawner.user_prefix == "mentor-"
    assert c.UnixAccountSpawner.home_root == "/data/home"


def test_cluster_mode_uses_kubespawner():
    c = Config()
    apply_spawner(Settings.from_dict({"mode": "cluster"}), c, RUNTIME)
    assert c.JupyterHub.spawner_class == "kubespawner.KubeSpawner"


def test_user_servers_get_records_scope_and_no_database_secret():
    c = applied({"database": {"records_url": "postgresql://mh:secret@db/records"}})
    assert "access:services!service=records" in c.Spawner.server_token_scopes
    assert c.Spawner.server_token_scopes == SERVER_TOKEN_SCOPES
    assert not any("secret" in value or "postgresql" in value for value in c.Spawner.environment.values())
    records = next(s for s in c.JupyterHub.services if s["name"] == "records")
    assert records["environment"]["MENTORHUB_RECORDS_DB_URL"] == "postgresql://mh:secret@db/records"


def test_admins_cannot_open_other_peoples_servers():
    c = applied()
    admin_role = next(r for r in c.JupyterHub.load_roles if r["name"] == "platform-admin")
    assert admin_role["groups"] == ["admins"]
    assert not any(scope.startswith("access:servers") for scope in admin_role["scopes"])
    assert not any(scope in ("admin", "inherit") for scope in admin_role["scopes"])
    assert c.Authenticator.admin_users == set()


def test_only_the_admin_service_may_rename_users_or_change_groups():
    """Issue 16: a rename makes an account someone else, a membership of formgrade-<course> opens its
    formgrader; names and memberships come from the roster and the project's own commands."""
    from hub.config import ADMIN_SERVICE, PLATFORM_ADMIN_NEVER

    c = applied()
    for role in c.JupyterHub.load_roles:
        if role.get("services") == [ADMIN_SERVICE]:
            continue
        held = {scope.split("!")[0] for scope in role["scopes"]}
        unfiltered = {scope for scope in role["scopes"] if "!" not in scope}
        assert not held & {"admin:users", "admin:groups", "users", "delete:users"}, role["name"]
        assert not unfiltered & set(PLATFORM_ADMIN_NEVER), role["name"]  # groups!group=nbgrader-<c>: formgraders


def test_groups_come_from_the_roster_and_platform_groups_always_exist():
    c = Config()
    apply_roles(Settings.from_dict({}), c, RUNTIME)
    groups = c.JupyterHub.load_groups
    assert groups["teachers"] == {"users": ["teacher1", "teacher2"]}
    assert groups["school-s1"] == {"users": ["teacher1"]}
    for name in ("trainers", "studio-leaders", "school-admins"):
        assert groups[name] == {"users": []}


@pytest.mark.parametrize("kind, authenticator_class", [
    ("ldap", "ldapauthenticator.LDAPAuthenticator"),
    ("oauth", "oauthenticator.generic.GenericOAuthenticator"),
])
def test_other_authenticators_are_selectable(tmp_path, kind, authenticator_class):
    secret = tmp_path / "client-secret"
    secret.write_text("s3cret\n")
    options = {
        "ldap": {"ldap": {"server_address": "ldap.example.org", "bind_dn_template": ["uid={username},ou=t"]}},
        "oauth": {"oauth": {"client_id": "mh", "client_secret_file": str(secret),
                            "authorize_url": "https://sso/authorize", "token_url": "https://sso/token",
                            "userdata_url": "https://sso/userinfo"}},
    }[kind]
    c = Config()
    apply_authenticator(Settings.from_dict({"authenticator": {"kind": kind, **options}}), c, RUNTIME)
    assert c.JupyterHub.authenticator_class == authenticator_class
    section = c[authenticator_class.rsplit(".", 1)[1]]
    assert section.allowed_users == {"admin", "teacher1", "teacher2"}
    if kind == "oauth":
        assert section.client_secret == "s3cret"


@pytest.mark.parametrize("overrides, named", [
    ({"mode": "cloud"}, "mode"),
    ({"colour": "blue"}, "colour"),
    ({"public_port": 0}, "public_port"),
    ({"public_port": "8000"}, "public_port"),
    ({"database": {"records": "sqlite://"}}, "database.records"),
    ({"authenticator": {"kind": "ldap", "ldap": {"server_address": "x"}}}, "authenticator.ldap"),
    ({"culler": {"timeout_seconds": 60}}, "culler.timeout_seconds"),
    ({"server": {"user_prefix": "Bad Prefix"}}, "server.user_prefix"),
])
def test_schema_refuses_bad_settings_naming_the_key(overrides, named):
    with pytest.raises(SettingsError) as excinfo:
        Settings.from_dict(overrides)
    assert named in str(excinfo.value)


def test_settings_file_is_found_from_the_environment(tmp_path):
    path = tmp_path / "site.yaml"
    path.write_text("mode: server\nstate_dir: /var/lib/mentorhub\npublic_port: 8443\n")
    settings = load_settings(environ={"MENTORHUB_SETTINGS": str(path)})
    assert settings.mode == "server"
    assert settings.state_dir == Path("/var/lib/mentorhub")
    assert settings.public_url == "http://127.0.0.1:8443"


def test_missing_or_broken_settings_file_fails_loudly(tmp_path):
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(tmp_path / "nope.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("mode: [demo\n")
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_settings(broken)
    listed = tmp_path / "list.yaml"
    listed.write_text("- demo\n")
    with pytest.raises(SettingsError, match="mapping"):
        load_settings(listed)


def test_each_course_gets_a_formgrader_service_groups_and_roles():
    from hub.courses.catalog import load_catalog
    from hub.settings import REPO_ROOT

    courses = tuple(load_catalog(REPO_ROOT / "courses").values())
    runtime = Runtime(memberships={"nbgrader-foundations": ["teacher1"]}, courses=courses)
    c = applied(runtime=runtime)
    services = {s["name"]: s for s in c.JupyterHub.services}
    assert {"foundations", "psychology", "family-guidance"} <= set(services)
    foundations = services["foundations"]
    assert foundations["command"][0].endswith("/bin/jupyterhub-singleuser")
    assert foundations["environment"]["JUPYTERHUB_USER"] == "grader-foundations"
    assert "user" not in foundations  # demo mode: no Unix account switch
    ports = [int(services[c.course_id]["url"].rsplit(":", 1)[1]) for c in courses]
    assert len(set(ports)) == len(ports)
    groups = c.JupyterHub.load_groups
    assert "grader-foundations" in groups["formgrade-foundations"]["users"]
    assert groups["nbgrader-foundations"]["users"] == ["teacher1"]
    role = next(r for r in c.JupyterHub.load_roles if r["name"] == "formgrade-foundations")
    assert "access:services!service=foundations" in role["scopes"]
    assert c.Spawner.environment["JUPYTER_CONFIG_PATH"].endswith("hub/user_config")


def test_the_exchange_runs_as_a_service_every_server_can_reach_with_its_own_token():
    from hub.courses.catalog import load_catalog
    from hub.settings import REPO_ROOT

    courses = tuple(load_catalog(REPO_ROOT / "courses").values())
    c = applied({"exchange_port": 10555}, runtime=Runtime(courses=courses))
    services = {s["name"]: s for s in c.JupyterHub.services}
    assert services["exchange"]["url"] == "http://127.0.0.1:10555"
    assert services["exchange"]["environment"]["MENTORHUB_EXCHANGE_DIR"] == "/srv/mh/state/exchange-store"
    url = "http://127.0.0.1:10555/services/exchange/"
    assert c.Spawner.environment["MENTORHUB_EXCHANGE_URL"] == url
    assert services["psychology"]["environment"]["MENTORHUB_EXCHANGE_URL"] == url
    assert "access:services!service=exchange" in c.Spawner.server_token_scopes
    user_role = next(r for r in c.JupyterHub.load_roles if r["name"] == "user")
    assert "access:services!service=exchange" in user_role["scopes"]
    course_role = next(r for r in c.JupyterHub.load_roles if r["name"] == "exchange-course-services")
    assert set(course_role["services"]) == {"foundations", "psychology", "family-guidance"}


def test_without_the_culler_there_is_no_culler_service_or_role():
    c = applied({"culler": {"enabled": False}})
    assert "idle-culler" not in {s["name"] for s in c.JupyterHub.services}
    assert "idle-culler" not in {r["name"] for r in c.JupyterHub.load_roles}


def test_cookies_set_after_the_hubs_oauth_are_samesite():
    """Issue 16, finding 4: the records service, each formgrader and users' servers set their OAuth cookies
    with SameSite (JupyterHub reads JUPYTERHUB_COOKIE_OPTIONS into HubOAuth.cookie_options)."""
    import json

    from hub.courses.catalog import load_catalog
    from hub.settings import REPO_ROOT

    courses = tuple(load_catalog(REPO_ROOT / "courses").values())
    c = applied(runtime=Runtime(courses=courses))
    services = {s["name"]: s for s in c.JupyterHub.services}
    for environment in (services["records"]["environment"], services["foundations"]["environment"],
                        c.Spawner.environment):  # fmt: skip
        assert json.loads(environment["JUPYTERHUB_COOKIE_OPTIONS"]) == {"samesite": "Lax"}
