"""The roster-backed authenticator: accounts come from the imported roster, passwords are bcrypt hashes
in the records store, a first login forces a password change, failures are rate-limited.

The login flow never leaves a half-logged-in user: an account that must change its password is not
logged in until it has chosen a new one (the change form asks for the current password again).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from functools import partial

import bcrypt
from jupyterhub.auth import Authenticator
from jupyterhub.handlers.login import LoginHandler
from jupyterhub.utils import url_path_join
from tornado import web
from traitlets import Integer, Unicode, default

from hub import texts

BCRYPT_ROUNDS = 12


def hash_password(password: str, rounds: int = BCRYPT_ROUNDS) -> str:
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(rounds)).decode("ascii")


def password_matches(password: str, password_hash: str) -> bool:
    if not password_hash:
        return False
    return bcrypt.checkpw(password.encode("utf-8"), password_hash.encode("ascii"))


@dataclass(frozen=True)
class Outcome:
    """Result of checking a username and password. `status`: ok, must_change, wrong, locked, throttled."""

    status: str
    message_zh: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"


class SlidingWindowLimiter:
    """At most `limit` events per `window` seconds per key (here: per client address)."""

    def __init__(self, limit: int, window: float = 60.0, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._events: dict[str, deque] = defaultdict(deque)

    def allow(self, key: str) -> bool:
        now = self.clock()
        events = self._events[key]
        while events and now - events[0] > self.window:
            events.popleft()
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True


def check_new_password(username: str, current: str, new: str, confirm: str, min_length: int) -> str | None:
    """Return the Chinese reason a new password is refused, or None when it is acceptable."""
    if new != confirm:
        return texts.PASSWORD_MISMATCH
    if len(new) < min_length:
        return texts.PASSWORD_TOO_SHORT.format(n=min_length)
    if new == current:
        return texts.PASSWORD_SAME_AS_OLD
    if username.lower() in new.lower() or new in texts.FORBIDDEN_PASSWORDS:
        return texts.PASSWORD_TOO_EASY
    return None


class RosterAuthenticator(Authenticator):
    """Authenticate against the accounts of the imported roster (see `mentorhub roster import`)."""

    db_url = Unicode(
        "", config=True,
        help="SQLAlchemy URL of the records store holding the accounts, e.g. sqlite:///state/records.sqlite.",
    )
    max_failed_logins = Integer(
        5, config=True, help="Wrong passwords in a row before the account is locked for `lockout_seconds`.",
    )
    lockout_seconds = Integer(300, config=True, help="How long a locked account stays locked (seconds).")
    ip_attempts_per_minute = Integer(
        30, config=True, help="Login attempts accepted per minute from one client address; more are refused.",
    )
    min_password_length = Integer(8, config=True, help="Shortest new password accepted at a password change.")

    @default("allow_all")
    def _allow_all_default(self):
        # Who may log in is decided by the roster: only accounts in it can ever authenticate.
        return True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._store = None
        self._limiter = SlidingWindowLimiter(self.ip_attempts_per_minute)

    @property
    def store(self):
        if self._store is None:
            if not self.db_url:
                raise ValueError("RosterAuthenticator.db_url is empty: set it to the records store's URL")
            from hub.store import open_store

            self._store = open_store(self.db_url)
        return self._store

    async def _in_thread(self, func, *args, **kwargs):
        return await asyncio.get_running_loop().run_in_executor(None, partial(func, *args, **kwargs))

    async def verify(self, username: str, password: str, client_ip: str) -> Outcome:
        if not self._limiter.allow(client_ip):
            self.log.warning("Login throttled for address %s", client_ip)
            return Outcome("throttled", texts.LOGIN_THROTTLED)
        account = await self._in_thread(self.store.find_account, username)
        if account is None or not account.get("active", True):
            # Spend the same time as a real check so that names cannot be probed by timing.
            await self._in_thread(password_matches, password, texts.DUMMY_HASH)
            return Outcome("wrong", texts.LOGIN_WRONG)
        locked_until = account.get("locked_until")
        if locked_until and locked_until > dt.datetime.now(dt.UTC).replace(tzinfo=None):
            self.log.warning("Login refused for locked account %s", username)
            return Outcome("locked", texts.LOGIN_LOCKED)
        if not await self._in_thread(password_matches, password, account["password_hash"]):
            failures = await self._in_thread(self.store.record_login_failure, username,
                                             self.max_failed_logins, self.lockout_seconds)
            self.log.warning("Wrong password for %s (%d in a row)", username, failures)
            if failures >= self.max_failed_logins:
                return Outcome("locked", texts.LOGIN_LOCKED)
            return Outcome("wrong", texts.LOGIN_WRONG)
        if account.get("failed_logins") or locked_until:  # a clean account needs no write at each login
            await self._in_thread(self.store.record_login_success, username)
        if account.get("must_change_password"):
            return Outcome("must_change", texts.MUST_CHANGE_PASSWORD)
        return Outcome("ok")

    async def authenticate(self, handler, data):
        username = self.normalize_username(data.get("username", ""))
        outcome = await self.verify(username, data.get("password", ""), handler.request.remote_ip)
        handler.mentorhub_outcome = outcome
        return {"name": username} if outcome.ok else None

    async def change_password(self, username: str, current: str, new: str, confirm: str,
                              client_ip: str) -> Outcome:
        outcome = await self.verify(username, current, client_ip)
        if outcome.status not in ("ok", "must_change"):
            return outcome
        problem = check_new_password(username, current, new, confirm, self.min_password_length)
        if problem:
            return Outcome("invalid", problem)
        new_hash = await self._in_thread(hash_password, new)
        await self._in_thread(self.store.set_password, username, new_hash, False)
        self.log.info("Password changed for %s", username)
        return Outcome("ok")

    def get_handlers(self, app):
        return [("/login", RosterLoginHandler), ("/change-password", ChangePasswordHandler)]


class RosterLoginHandler(LoginHandler):
    """The stock login page, in Chinese, sending must-change accounts to the change form."""

    async def post(self):
        data = {name: self.get_argument(name, strip=name == "username")
                for name in self.request.body_arguments if name != "_xsrf"}
        user = await self.login_user(data)
        if user:
            self._jupyterhub_user = user
            self.redirect(self.get_next_url(user))
            return
        outcome = getattr(self, "mentorhub_outcome", None) or Outcome("wrong", texts.LOGIN_WRONG)
        username = data.get("username", "")[:64]
        if outcome.status == "must_change":
            self.finish(await self.render_change_form(username, texts.MUST_CHANGE_PASSWORD))
            return
        self.set_status(429 if outcome.status == "throttled" else 403)
        self.finish(await self._render(login_error=outcome.message_zh, username=username))

    async def render_change_form(self, username: str, message: str, error: str = "") -> str:
        return await self.render_template(
            "change_password.html",
            username=username,
            message=message,
            change_error=error,
            next=self.get_argument("next", default=""),
            action_url=url_path_join(self.hub.base_url, "change-password"),
            xsrf=self.xsrf_token.decode("ascii"),
        )


class ChangePasswordHandler(RosterLoginHandler):
    """GET: the form. POST: check the current password, store the new hash, log the user in."""

    async def get(self):
        user = self.current_user
        self.finish(await self.render_change_form(user.name if user else "", texts.CHANGE_PASSWORD_INTRO))

    async def post(self):
        username = self.authenticator.normalize_username(self.get_argument("username", strip=True, default=""))
        outcome = await self.authenticator.change_password(
            username,
            self.get_argument("current_password", default=""),
            self.get_argument("new_password", default=""),
            self.get_argument("confirm_password", default=""),
            self.request.remote_ip,
        )
        if not outcome.ok:
            self.set_status(400 if outcome.status == "invalid" else 403)
            self.finish(await self.render_change_form(username[:64], texts.CHANGE_PASSWORD_INTRO,
                                                      outcome.message_zh))
            return
        user = await self.login_user({"username": username,
                                      "password": self.get_argument("new_password")})
        if not user:
            raise web.HTTPError(500, "password changed but login failed")
        self._jupyterhub_user = user
        self.redirect(self.get_next_url(user))
