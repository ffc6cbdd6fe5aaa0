"""``mentorhub cases check``: validate the case library and run the PII check on every case."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from hub.cases import library, texts
from hub.cases.errors import Invalid

log = logging.getLogger(__name__)
DEFAULT_FOLDER = Path("casestudies") / "cases"


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


def register(subparsers) -> None:
    parser = subparsers.add_parser("cases", help=texts.CLI_HELP)
    actions = parser.add_subparsers(dest="cases_command", required=True)
    check_parser = actions.add_parser("check", help=texts.CLI_CHECK_HELP)
    check_parser.add_argument("--folder", default=str(DEFAULT_FOLDER), help=texts.CLI_FOLDER_HELP)
    check_parser.set_defaults(func=check)
