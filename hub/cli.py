"""`mentorhub`: the administrator's and trainer's command line.

Each area of the project adds its own sub-command through a `register(subparsers)` function in its
module; this file only lists those modules and dispatches. Whatever a sub-command does not handle
itself ends here as one Chinese line on stderr and exit status 1, never as a Python traceback (which
``--verbose`` shows, for whoever has to look into it).
"""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import sys

from hub import texts

log = logging.getLogger("mentorhub")

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
    "term": "hub.store.term_command",
    "keys": "hub.keys",  # minors' data (issue 21): field keys, backups, retention, guardians' requests
    "backup": "hub.backup",
    "restore": "hub.restore",
    "retention": "hub.retention",
    "access-review": "hub.access_review",
    "guardians": "hub.guardians",
    "district": "hub.district_command",  # the district's side (issue 22): district accounts, the timeline
    "remind": "hub.reminders",  # issue 20: reminders of the 三个一 by e-mail and WeCom (off by default)
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
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(texts.CLI_INTERRUPTED, file=sys.stderr)
        return 130
    except Exception as error:  # the last line of defence: a message for people, the traceback for --verbose
        log.debug("mentorhub %s failed", " ".join(argv), exc_info=True)
        print(failure_message(error), file=sys.stderr)
        return 1


def failure_message(error: Exception) -> str:
    """One Chinese line about an exception no sub-command handled."""
    import requests

    from hub.settings import SettingsError

    if getattr(error, "message_zh", None):  # the records store's and the exchange's domain errors
        return texts.CLI_ERROR.format(message=error.message_zh)
    if isinstance(error, SettingsError):
        return texts.CLI_SETTINGS_ERROR.format(message=error)
    if isinstance(error, requests.RequestException):
        return texts.CLI_HUB_UNREACHABLE.format(error=type(error).__name__)
    if isinstance(error, OSError) and error.filename:
        reason = texts.CLI_FILE_REASONS.get(errno.errorcode.get(error.errno or 0, ""), error.strerror or str(error))
        return texts.CLI_FILE_ERROR.format(path=error.filename, reason=reason)
    return texts.CLI_INTERNAL_ERROR.format(kind=type(error).__name__, message=error)


if __name__ == "__main__":
    sys.exit(main())
