"""`mentorhub`: the administrator's and trainer's command line.

Each area of the project adds its own sub-command through a `register(subparsers)` function in its
module; this file only lists those modules and dispatches.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

# sub-command name -> module with its `register(subparsers)`
COMMAND_MODULES = {
    "db": "hub.store.command",
    "roster": "hub.roster",
    "demo": "hub.demo",
    "match": "hub.matching.command",
    "course": "hub.courses.command",
    "cases": "hub.cases.command",
    "training": "hub.cases.training",
    "doctor": "hub.doctor",
    "account": "hub.accounts",
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only`, just that sub-command's module is imported (a quick start for scripts)."""
    parser = argparse.ArgumentParser(prog="mentorhub", description="Mentor Hub 管理命令 (administration commands)")
    parser.add_argument("--verbose", "-v", action="store_true", help="log debug messages")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    names = [only] if only in COMMAND_MODULES else list(COMMAND_MODULES)
    for name in names:
        importlib.import_module(COMMAND_MODULES[name]).register(subparsers)
    return parser


def chosen_command(argv: list[str]) -> str | None:
    return next((arg for arg in argv if not arg.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser(only=chosen_command(argv))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
