"""A hub-authenticated nbgrader exchange (issue 8).

Server: ``python -m hub.exchange``, a hub-managed service (``app``, ``handlers``) over a checksummed,
atomically written store (``store``); identity only from the hub token, course roles from hub groups
(``access``); names and paths validated before any filesystem use (``names``); hidden tests kept out of
feedback (``hidden``). Client: nbgrader 0.9 ``Exchange*`` classes (``nbexchange``) talking HTTP through
``client``. Wiring: ``hubconfig``.
"""
