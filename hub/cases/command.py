"""``mentorhub cases check`` validates the case library and runs the PII check on every case;
``mentorhub cases load`` stores it in the records database (idempotent; all or nothing)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from hub.cases import library, texts
from hub.cases.errors import Invalid

log = logging.getLogger(__name__)
DEFAULT_FOLDER = Path("casestudies") / "cases"
#: the library shipped with the project (used by the demo seed whatever the working folder)
SHIPPED_FOLDER = Path(__file__).resolve().parents[2] / "casestudies" / "cases"


def check(args: argparse.Namespace) -> int:
    try:
        cases = library.load_library(Path(args.folder))
        for case in cases:
            library.ensure_shareable(case)
    except Invalid as error:
        log.error("case library check failed: %s", error)
        print(texts.CLI_CHECK_FAILED.format(message=error), file=sys.stderr)
        return 1
    print(texts.CLI_CHECK_OK.format(count=len(cases)))
    return 0


def load_into_store(store, folder: Path = SHIPPED_FOLDER) -> dict:
    """Validate the library in ``folder`` and store every case (PII-checked against the roster too)."""
    return store.put_cases(library.load_library(Path(folder)))


def load(args: argparse.Namespace) -> int:
    from hub.store import StoreError
    from hub.store.command import open_or_say_why

    store = open_or_say_why(args)
    if store is None:
        return 1
    try:
        counts = load_into_store(store, Path(args.folder))
    except Invalid as error:
        log.error("case library not loaded: %s", error)
        print(texts.CLI_LOAD_FAILED.format(message=error), file=sys.stderr)
        return 1
    except StoreError as error:
        log.error("case library not loaded: %s", error.message_en)
        print(texts.CLI_LOAD_FAILED.format(message=error.message_zh), file=sys.stderr)
        return 1
    finally:
        store.close()
    print(texts.CLI_LOAD_OK.format(**counts))
    return 0


def register(subparsers) -> None:
    parser = subparsers.add_parser("cases", help=texts.CLI_HELP)
    actions = parser.add_subparsers(dest="cases_command", required=True)
    check_parser = actions.add_parser("check", help=texts.CLI_CHECK_HELP)
    check_parser.add_argument("--folder", default=str(DEFAULT_FOLDER), help=texts.CLI_FOLDER_HELP)
    check_parser.set_defaults(func=check)
    load_parser = actions.add_parser("load", help=texts.CLI_LOAD_HELP)
    load_parser.add_argument("--folder", default=str(DEFAULT_FOLDER), help=texts.CLI_FOLDER_HELP)
    load_parser.add_argument("--db", metavar="URL", help="records database URL (default: from the site settings)")
    load_parser.add_argument("--settings", metavar="FILE", help="site settings file (default: mentorhub.yaml / env)")
    load_parser.set_defaults(func=load)
