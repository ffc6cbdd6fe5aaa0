"""Server mode: users' processes cannot open connections to the hub's internal ports or to the databases.

Every hub user's Unix account has a uid in ``server.uid_min``..``server.uid_max`` (the spawner makes the
accounts there and refuses others). One nftables table, ``inet mentorhub``, matches the owner of each
outgoing connection (``meta skuid``) and, for those uids, rejects

- every TCP connection to an address of this machine except to the proxy's public port: the hub's API, the
  proxy's API, the records service, the exchange, the formgraders, PostgreSQL on this machine, and whatever
  else listens here;
- every TCP connection to the database servers of the settings, wherever they are.

Users' servers reach the hub, the records service and the exchange through the public port, as people do
(``hub.config.user_server_urls``). The hub sets the table up at each start in server mode, replacing it in
one transaction (starting twice changes nothing), and keeps it when it stops, since users' servers outlive
a hub restart. A hub that cannot set it up does not start.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
from dataclasses import dataclass

TABLE = "mentorhub"
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306, "mariadb": 3306}


class NetworkPolicyError(RuntimeError):
    """The policy cannot be set up; the message says why and how to fix it."""


@dataclass(frozen=True)
class UserNetworkPolicy:
    uid_min: int
    uid_max: int
    public_port: int
    #: (address, port) of each database server, addresses as strings (IPv4 or IPv6)
    databases: tuple[tuple[str, int], ...] = ()

    def __post_init__(self):
        if not 0 < self.uid_min <= self.uid_max:
            raise NetworkPolicyError(f"server.uid_min ({self.uid_min}) must be at most server.uid_max "
                                     f"({self.uid_max})")

    @classmethod
    def from_settings(cls, settings) -> UserNetworkPolicy:
        urls = (settings.records_db_url, settings.hub_db_url)
        return cls(settings.server["uid_min"], settings.server["uid_max"], settings.public_port,
                   tuple(sorted({server for url in urls for server in database_servers(url)})))

    def ruleset(self) -> str:
        """The nftables script: drop any earlier version of the table and make it anew, in one transaction.
        Only the opening packet of a connection (SYN without ACK) is looked at: users' servers still answer
        the proxy and the hub, whose connections come in to them."""
        databases = [f"        {family_of(address)} daddr {address} tcp dport {port} reject with tcp reset"
                     for address, port in self.databases]
        return "\n".join([
            f"table inet {TABLE}",
            f"delete table inet {TABLE}",
            f"table inet {TABLE} {{",
            "    chain output {",
            "        type filter hook output priority filter; policy accept;",
            f"        meta skuid {self.uid_min}-{self.uid_max} tcp flags & (syn | ack) == syn jump users",
            "    }",
            "    chain users {",
            *databases,
            f"        fib daddr type local tcp dport {self.public_port} accept",
            "        fib daddr type local reject with tcp reset",
            "    }",
            "}",
            "",
        ])


def family_of(address: str) -> str:
    return "ip6" if ipaddress.ip_address(address).version == 6 else "ip"


def database_servers(url: str) -> set[tuple[str, int]]:
    """The (address, port) pairs a database URL's host resolves to; none for SQLite or a Unix socket."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite" or not parsed.host or parsed.host.startswith("/"):
        return set()
    port = parsed.port or DEFAULT_PORTS.get(backend, 5432)
    try:
        found = socket.getaddrinfo(parsed.host, port, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise NetworkPolicyError(f"database host {parsed.host!r} does not resolve ({error}): users' processes "
                                 "could not be kept away from it; check database.*_url in the settings") from None
    return {(info[4][0].split("%")[0], port) for info in found}


def nft_command() -> str:
    found = shutil.which("nft")
    if os.geteuid() != 0:
        raise NetworkPolicyError("server mode needs the hub to run as root: it makes users' accounts and the "
                                 "network policy that keeps their processes away from the hub's internal ports "
                                 "and the databases")
    if not found:
        raise NetworkPolicyError("nft (nftables) is not installed, so users' processes cannot be kept away from "
                                 "the hub's internal ports and the databases: apt-get install nftables")
    return found


def apply(policy: UserNetworkPolicy) -> None:
    """Set up (or replace) the table; raise NetworkPolicyError when that is not possible."""
    nft = nft_command()
    result = subprocess.run([nft, "-f", "-"], input=policy.ruleset(), capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise NetworkPolicyError(f"nft refused the users' network policy: {result.stderr.strip()} (does the "
                                 "kernel have nf_tables, and is the hub root in the machine's network namespace?)")


def remove() -> None:
    """Drop the table (when server mode is given up). Nothing happens when there is none."""
    nft = nft_command()
    subprocess.run([nft, "-f", "-"], input=f"table inet {TABLE}\ndelete table inet {TABLE}\n", check=True,
                   capture_output=True, text=True, timeout=60)
