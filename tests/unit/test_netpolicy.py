"""Server mode's network policy (hub/netpolicy.py) and the addresses users' servers are given for it.

The policy's effect on a real hub is tested in ``tests/server/test_isolation.py``; here the ruleset and
the configuration, without a hub."""

import pytest
from traitlets.config import Config

from hub.config import apply_all
from hub.netpolicy import NetworkPolicyError, UserNetworkPolicy, database_servers
from hub.runtime import Runtime
from hub.settings import Settings


def server_settings(**overrides) -> Settings:
    return Settings.from_dict({"mode": "server", "public_port": 8443, **overrides})


def test_the_ruleset_lets_users_uids_open_only_the_public_port_here_and_no_database():
    settings = server_settings(server={"uid_min": 71000, "uid_max": 72000},
                               database={"records_url": "postgresql://mh:secret@127.0.0.1:6543/records"})
    ruleset = UserNetworkPolicy.from_settings(settings).ruleset()
    assert "meta skuid 71000-72000 tcp flags & (syn | ack) == syn jump users" in ruleset
    assert "ip daddr 127.0.0.1 tcp dport 6543 reject with tcp reset" in ruleset
    rules = ruleset.split("chain users {")[1].splitlines()
    accept = rules.index("        fib daddr type local tcp dport 8443 accept")
    assert rules[accept + 1] == "        fib daddr type local reject with tcp reset"
    # replaced whole at every start: the table is made, dropped and made anew in one transaction
    assert ruleset.startswith("table inet mentorhub\ndelete table inet mentorhub\n")


@pytest.mark.parametrize("url, expected", [
    ("sqlite:////var/lib/mentorhub/records.sqlite", set()),
    ("postgresql://mh:pw@/records?host=/var/run/postgresql", set()),
    ("postgresql+psycopg://mh:pw@127.0.0.1/records", {("127.0.0.1", 5432)}),
    ("postgresql://mh:pw@[::1]:5433/records", {("::1", 5433)}),
])
def test_database_servers_are_found_from_the_urls(url, expected):
    assert database_servers(url) == expected


def test_an_unusable_policy_is_refused_with_the_setting_named():
    with pytest.raises(NetworkPolicyError, match="server.uid_min"):
        UserNetworkPolicy(90000, 80000, 8000)
    with pytest.raises(NetworkPolicyError, match="does not resolve"):
        database_servers("postgresql://mh:pw@no-such-host.invalid/records")


def test_users_servers_reach_the_services_through_the_public_port_in_server_mode():
    c = Config()
    apply_all(server_settings(public_ip="0.0.0.0"), c, Runtime())
    assert c.UnixAccountSpawner.hub_connect_url == "http://127.0.0.1:8443"
    assert c.Spawner.environment["MENTORHUB_RECORDS_URL"] == "http://127.0.0.1:8443/services/records/api/v1/"
    assert c.Spawner.environment["MENTORHUB_EXCHANGE_URL"] == "http://127.0.0.1:8443/services/exchange/"
    assert (c.UnixAccountSpawner.uid_min, c.UnixAccountSpawner.uid_max) == (70000, 99999)
    # the services themselves keep their internal addresses
    services = {service["name"]: service for service in c.JupyterHub.services}
    assert services["exchange"]["url"] == "http://127.0.0.1:10102"
    assert services["records"]["url"] == "http://127.0.0.1:10101"


def test_demo_mode_keeps_the_internal_addresses():
    c = Config()
    apply_all(Settings.from_dict({}), c, Runtime())
    assert "MENTORHUB_RECORDS_URL" not in c.Spawner.environment
    assert c.Spawner.environment["MENTORHUB_EXCHANGE_URL"] == "http://127.0.0.1:10102/services/exchange/"
