"""`mentorhub keys init | status | rotate [--retire]`: the keys of the encrypted fields (hub.store.crypto).

``rotate`` puts a new key in front of the key file, re-encrypts every sensitive value in the records
database with it (``RecordStore.reseal_sensitive_fields``; can be run again after an interruption) and,
with ``--retire``, drops the older keys from the file (only once no backup made under them is kept).
Run it with the hub stopped, or restart the records service afterwards so that it reads the new key file.
"""

from __future__ import annotations

import sys

from hub import privacy_texts as T


def key_file_of(args):
    from hub.privacy import field_key_file
    from hub.settings import load_settings

    return field_key_file(load_settings(args.settings))


def run_init(args) -> int:
    from hub.store.crypto import ensure_key_file

    path = key_file_of(args)
    if path.exists():
        print(T.KEYS_EXISTS.format(path=path))
        return 0
    ensure_key_file(path)
    print(T.KEYS_MADE.format(path=path))
    return 0


def open_with_keys(args, path):
    from hub.store import open_store
    from hub.store.command import resolve_db_url

    return open_store(resolve_db_url(args.db, args.settings), key_file=path)


def run_status(args) -> int:
    from hub.store.crypto import KeyRing

    path = key_file_of(args)
    if not path.exists():
        print(T.KEYS_NO_FILE.format(path=path), file=sys.stderr)
        return 1
    ring = KeyRing.from_file(path)
    store = open_with_keys(args, path)
    try:
        counts = store.count_sealed()
    finally:
        store.close()
    print(T.KEYS_STATUS_HEAD.format(path=path, current=ring.current_id, count=len(ring.keys)))
    for table, tally in counts.items():
        text = "，".join(f"{T.KEYS_PLAIN if k == 'plain' else k} {n}" for k, n in sorted(tally.items()))
        print(T.KEYS_STATUS_LINE.format(table=T.TABLE_NAMES.get(table, table), tally=text or T.KEYS_STATUS_NONE))
    return 0


def run_rotate(args) -> int:
    from hub.store.crypto import retire_old_keys, rotate_keys

    path = key_file_of(args)
    if not path.exists():
        print(T.KEYS_NO_FILE.format(path=path), file=sys.stderr)
        return 1
    ring = rotate_keys(path)
    store = open_with_keys(args, path)
    try:
        changed = store.reseal_sensitive_fields()
    finally:
        store.close()
    print(T.KEYS_ROTATED.format(key=ring.current_id))
    for table, count in changed.items():
        print(T.KEYS_CHANGED_LINE.format(table=T.TABLE_NAMES.get(table, table), count=count))
    if args.retire:
        print(T.KEYS_RETIRED.format(keys="、".join(retire_old_keys(path)) or "—"))
    else:
        print(T.KEYS_KEPT)
    return 0


def register(subparsers) -> None:
    from hub.store.command import add_db_option

    keys = subparsers.add_parser("keys", help="敏感字段的加密密钥 (field encryption keys)")
    actions = keys.add_subparsers(dest="keys_command", metavar="ACTION")
    for name, func, text in (("init", run_init, "生成密钥文件（若不存在）"), ("status", run_status, "各表敏感字段的加密情况"),
                             ("rotate", run_rotate, "生成新密钥并用它重新加密全部敏感字段")):  # fmt: skip
        action = actions.add_parser(name, help=text)
        add_db_option(action)
        action.set_defaults(func=func)
        if name == "rotate":
            action.add_argument("--retire", action="store_true", help="重新加密后从密钥文件中删除旧密钥")
    keys.set_defaults(func=lambda args: (keys.print_help(), 2)[1])
