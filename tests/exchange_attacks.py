"""The adversarial table of issue 8, shared by both layers that play it:

- ``tests/unit/test_exchange_api.py``: the in-process exchange app, callers named by a test header;
- ``tests/app/test_exchange_adversarial_hub.py``: the real hub, its proxy and real hub tokens.

A layer provides a ``world`` object with the names it set up and a ``send`` method:

- ``x`` (course of teachers A and B, trainer X), ``y`` (another course, trainer Y), ``assignment``
  (released in ``x``, with hidden-test fingerprints of ``HIDDEN_LINE``), ``other`` (released in ``y``),
  ``unreleased`` (never released in ``x``), ``a`` (teacher A's user name), ``sid`` (A's submission id,
  which has feedback);
- ``send(actor, method, path, json=None, data=None) -> requests.Response`` with ``actor`` one of ``"B"`` (a
  participant of ``x`` only), ``"trainer_x"``, ``"trainer_y"`` (trainer of ``y`` only) or ``"nobody"`` (no
  credentials at all), ``path`` below ``<exchange>/api/``, and ``data`` a body sent as it is (bytes that
  are no JSON a client library would write).

Every case must be refused with its status and leave the exchange's store byte-for-byte unchanged.
``post_raw`` sends a request by hand, for bodies far larger than what is really sent (the 200 MB upload).
"""

from __future__ import annotations

import select
import socket
from collections.abc import Callable
from dataclasses import dataclass

from hub.exchange.wire import encode_files

HIDDEN_LINE = 'assert 答案 == "B", "再想想政策原文"'


def files_payload(path: str = "a.ipynb", data: bytes = b"{}") -> dict:
    return {"files": encode_files({path: data})}


@dataclass(frozen=True)
class Attack:
    actor: str
    method: str
    path: str  # formatted with the world's names: {x} {y} {assignment} {other} {unreleased} {a} {sid}
    status: int
    body: Callable | None = None  # world -> JSON body
    raw: bytes | None = None  # a body sent as it is, instead of ``body``

    def play(self, world):
        path = self.path.format(x=world.x, y=world.y, assignment=world.assignment, other=world.other,
                                unreleased=world.unreleased, a=world.a, sid=world.sid)
        if self.raw is not None:
            return world.send(self.actor, self.method, path, data=self.raw)
        return world.send(self.actor, self.method, path, json=self.body(world) if self.body else None)


SUBMISSION = "courses/{x}/submissions/{a}/{assignment}/{sid}"
FEEDBACK = "courses/{x}/feedback/{a}/{assignment}/{sid}"
SUBMIT = "courses/{x}/assignments/{assignment}/submissions"
LEAKED_HTML = ('<pre><span class="k">assert</span> 答案 == &quot;B&quot;, '
               '&quot;再想想政策原文&quot;</pre>').encode()

ATTACKS = {
    "B reads A's submission": Attack("B", "GET", SUBMISSION, 403),
    "B lists A's submissions": Attack("B", "GET", "courses/{x}/submissions?student={a}", 403),
    "B overwrites A's submission": Attack("B", "PUT", SUBMISSION, 405, lambda w: files_payload()),
    "B deletes A's submission": Attack("B", "DELETE", SUBMISSION, 405),
    "B submits with A's name in the payload": Attack(
        "B", "POST", SUBMIT, 403, lambda w: {**files_payload(), "student": w.a}),
    "B sends a backdated timestamp": Attack(
        "B", "POST", SUBMIT, 400, lambda w: {**files_payload(), "timestamp": "2020-01-01T00:00:00+00:00"}),
    "B sends a backdated timestamp.txt": Attack(
        "B", "POST", SUBMIT, 400, lambda w: files_payload("timestamp.txt", b"2020-01-01 00:00:00 UTC")),
    "B uses a ../ file path": Attack(
        "B", "POST", SUBMIT, 400, lambda w: files_payload(f"../../submissions/{w.a}/x.ipynb")),
    "B uses an encoded ../ in the address": Attack(
        "B", "GET", "courses/{x}/submissions/..%2F{a}/{assignment}/x", 400),
    "B submits a file and a folder of the same name": Attack(
        "B", "POST", SUBMIT, 400, lambda w: {"files": encode_files({"a": b"1", "a/b": b"2"})}),
    "B sends JSON nested 200,000 deep": Attack("B", "POST", SUBMIT, 400, raw=b"[" * 200_000),
    "trainer releases a file and a folder of the same name": Attack(
        "trainer_x", "PUT", "courses/{x}/assignments/{assignment}?force=1", 400,
        lambda w: {"files": encode_files({"x.ipynb": b"{}", "x.ipynb/y": b"{}"})}),
    "B sends a wrong checksum": Attack(
        "B", "POST", SUBMIT, 400,
        lambda w: {"files": [{"path": "a.ipynb", "content_b64": "e30=", "sha256": "0" * 64}]}),
    "B fetches an unreleased assignment": Attack("B", "GET", "courses/{x}/assignments/{unreleased}", 404),
    "B submits an unreleased assignment": Attack(
        "B", "POST", "courses/{x}/assignments/{unreleased}/submissions", 404, lambda w: files_payload()),
    "B fetches another course's assignment": Attack("B", "GET", "courses/{y}/assignments/{other}", 403),
    "B submits to another course": Attack(
        "B", "POST", "courses/{y}/assignments/{other}/submissions", 403, lambda w: files_payload()),
    "B reads A's feedback": Attack("B", "GET", FEEDBACK, 403),
    "B releases an assignment": Attack(
        "B", "PUT", "courses/{x}/assignments/{assignment}?force=1", 403, lambda w: files_payload()),
    "B writes feedback": Attack("B", "PUT", FEEDBACK, 403, lambda w: files_payload("a.html", b"ok")),
    "trainer of y collects x": Attack("trainer_y", "GET", "courses/{x}/submissions", 403),
    "trainer of y downloads a submission of x": Attack("trainer_y", "GET", SUBMISSION, 403),
    "trainer of y unreleases x": Attack("trainer_y", "DELETE", "courses/{x}/assignments/{assignment}", 403),
    "a course unknown to the exchange": Attack("B", "GET", "courses/secret/assignments", 404),
    "no identity at all": Attack("nobody", "GET", "courses/{x}/assignments", 403),
    "re-release without force": Attack(
        "trainer_x", "PUT", "courses/{x}/assignments/{assignment}", 409, lambda w: files_payload()),
    "feedback showing the hidden-test marker": Attack(
        "trainer_x", "PUT", FEEDBACK, 422,
        lambda w: files_payload(f"{w.assignment}.html", b"<pre>### BEGIN HIDDEN TESTS</pre>")),
    "feedback quoting a hidden test line": Attack(
        "trainer_x", "PUT", FEEDBACK, 422, lambda w: files_payload(f"{w.assignment}.html", LEAKED_HTML)),
}


def check_refusal(response, status: int) -> None:
    """The status, and (except for a method the address does not have) a message for people and logs."""
    assert response.status_code == status, response.text
    if status != 405:
        error = response.json()["error"]
        assert error["message_zh"] and error["message_en"]


# --- requests sent by hand ----------------------------------------------------------------------------
@dataclass
class RawAnswer:
    status: int
    body: bytes
    bytes_sent: int


def post_raw(host: str, port: int, head: str, body_chunks, timeout: float = 60) -> RawAnswer:
    """Send ``head`` then body chunks until the server answers (or the chunks run out); read the answer.

    Never blocks on a full socket: a server or proxy that stops reading after refusing the request cannot
    hang the test, and nothing more is generated once an answer has started to arrive."""
    sent = 0
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.sendall(head.encode())
        sock.setblocking(False)
        pending = b""
        chunks = iter(body_chunks)
        try:
            while True:
                readable, writable, _ = select.select([sock], [sock], [], timeout)
                if readable or not writable:
                    break
                if not pending:
                    pending = next(chunks, b"")
                    if not pending:
                        break
                written = sock.send(pending)
                sent += written
                pending = pending[written:]
        except (BrokenPipeError, ConnectionResetError):
            pass
        sock.setblocking(True)
        answer = _read_response(sock)
    head_part, _, body = answer.partition(b"\r\n\r\n")
    status_line = head_part.split(b"\r\n", 1)[0].split()
    return RawAnswer(int(status_line[1]) if len(status_line) > 1 else 0, body, sent)


def _read_response(sock) -> bytes:
    """One HTTP response (by its Content-Length, else until the connection closes)."""
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return data
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = None
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while length is None or len(body) < length:
            chunk = sock.recv(65536)
            if not chunk:
                break
            body += chunk
        return head + b"\r\n\r\n" + body
    except ConnectionResetError:
        return data


def zeros(total: int, size: int = 65536):
    """``total`` bytes of body, generated lazily (nothing of that size is ever held in memory)."""
    chunk = b"0" * size
    for _ in range(total // size):
        yield chunk
