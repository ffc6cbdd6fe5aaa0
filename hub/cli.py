"""`mentorhub`: the administrator's and trainer's command line.

Each area of the project adds its own sub-command through a `register(subparsers)` function in its
module; this file only lists those modules and dispatches.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

COMMAND_MODULES = (
    "hub.store.command",      # db upgrade
    "hub.roster",             # roster import
    "hub.demo",               # demo seed
    "hub.matching.command",   # match
    "hub.courses.command",    # course ...
    "hub.doctor",             # doctor
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mentorhub", description="Mentor Hub 管理命令 (administration commands)")
    parser.add_argument("--verbose", "-v", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
