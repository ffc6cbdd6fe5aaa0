"""Account administration verbs of the records store (the `mentorhub account` command's verbs).

No actor: these run on the command line of whoever holds the database (the platform administrator);
each change is audited in the same transaction as the change itself.
"""

from __future__ import annotations

from sqlalchemy import select, update

from .errors import Invalid, NotFound
from .messages import msg
from .models import Account, AuditLog, split_roles, utcnow


class AccountAdminVerbs:
    """Mixin for ``RecordStore``."""

    def reset_password(self, username: str, password_hash: str, *, by: str) -> dict:
        """Give ``username`` a new (temporary) password hash that must be changed at the next login, clear
        failed logins and any lock, and audit it as done ``by`` (e.g. ``cli:root``). All or nothing."""
        with self.writing() as s:
            account = s.get(Account, username)
            if account is None:
                english, chinese = msg("account_not_found", value=username)
                raise NotFound(english, chinese, "username")
            if not account.active:
                english, chinese = msg("account_inactive", value=username)
                raise Invalid(english, chinese, "username")
            was_locked = account.locked_until is not None and account.locked_until > utcnow()
            account.password_hash = password_hash
            account.must_change_password = True
            account.failed_logins = 0
            account.locked_until = None
            s.add(AuditLog(actor=by[:64], action="account.reset_password", entity="account", entity_id=username,
                           detail={"unlocked": was_locked}))  # fmt: skip
        return {"username": username, "unlocked": was_locked}

    def bind_hub_user(self, username: str, hub_created: str) -> bool:
        """Whether the hub user now called ``username``, known by its ``created`` timestamp (which a rename
        keeps), is the one this roster account belongs to. The first hub user seen with the name is bound to
        the account (audited); any other one is refused (audited too). A name without a roster account has
        nothing to bind: it gets no roles anyway."""
        with self.reading() as s:
            account = s.get(Account, username)
        if account is None or account.hub_created == hub_created:
            return True
        with self.writing() as s:
            if account.hub_created is None:
                bound = s.execute(update(Account).where(Account.username == username, Account.hub_created.is_(None))
                                  .values(hub_created=hub_created)).rowcount  # fmt: skip
                if bound:
                    s.add(AuditLog(actor=username[:64], action="account.bind_hub_user", entity="account",
                                   entity_id=username, detail={"hub_created": hub_created}))  # fmt: skip
                    return True
                account = s.get(Account, username)  # bound meanwhile by another request
                if account.hub_created == hub_created:
                    return True
            s.add(AuditLog(actor=username[:64], action="account.identity_refused", entity="account",
                           entity_id=username, detail={"bound_to": account.hub_created, "presented": hub_created}))
        return False

    def unbind_hub_user(self, username: str, *, by: str) -> bool:
        """Forget which hub user ``username`` is bound to (the next one seen with the name is bound), e.g. after
        the hub's own database was made anew; audited as done ``by``. Whether it was bound."""
        with self.writing() as s:
            account = s.get(Account, username)
            if account is None:
                english, chinese = msg("account_not_found", value=username)
                raise NotFound(english, chinese, "username")
            was = account.hub_created
            account.hub_created = None
            s.add(AuditLog(actor=by[:64], action="account.unbind_hub_user", entity="account", entity_id=username,
                           detail={"was": was}))  # fmt: skip
        return was is not None

    def find_account_summaries(self) -> list[dict]:
        """Every account by user name, without its password hash: whether it has a password, must change
        it, is locked now, and its roles."""
        now = utcnow()
        with self.reading() as s:
            accounts = list(s.scalars(select(Account).order_by(Account.username)))
        return [{
            "username": a.username, "display_name": a.display_name, "staff_id": a.staff_id,
            "platform_roles": split_roles(a.platform_roles), "has_password": bool(a.password_hash),
            "must_change_password": a.must_change_password, "failed_logins": a.failed_logins,
            "locked": a.locked_until is not None and a.locked_until > now, "active": a.active,
        } for a in accounts]  # fmt: skip
