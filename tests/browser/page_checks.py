"""What every page of a role's job must be, checked in the real browser (issue 19):

- ``Requests(page, hub_url)``: every request the page makes; ``other_hosts()`` lists those to any host but the
  hub's (a district intranet is often offline; a page must not need, or tell, anyone else);
- ``english_words(page)``: words in Latin letters among the text a person sees (ids such as ``teacher3`` or
  ``dh-601-01``, which hold digits, the file types ``xlsx`` and ``csv`` and the names of files the person
  uploaded are not words);
- ``cut_labels(page)``: labels, buttons, tab titles and table headers whose text does not fit (``scrollWidth >
  clientWidth``: drawn with "…" or clipped);
- ``off_screen(page)``: controls reaching past the right edge of the window (on a phone: one column, nothing to
  scroll sideways);
- ``check_page(page, where)``: the last three at once, with ``where`` in the message.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

LABELS = (".widget-label, .widget-label-basic, .lm-TabBar-tabLabel, .jupyter-button, .widget-toggle-button, th, "
          "label")  # fmt: skip
CONTROLS = "input:not([type=file]), select, textarea, button, .widget-checkbox, .widget-toggle-button"
NOT_WORDS = {"xlsx", "csv"}


class Requests:
    """Every request of ``page`` from now on."""

    def __init__(self, page, hub_url: str):
        self.hub = urlsplit(hub_url).netloc
        self.urls: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))

    def other_hosts(self) -> list[str]:
        hosts = {urlsplit(url).netloc for url in self.urls if urlsplit(url).scheme in ("http", "https", "ws", "wss")}
        return sorted(hosts - {self.hub})


def english_words(page) -> list[str]:
    text = page.evaluate("() => document.body.innerText")
    words = re.findall(r"[A-Za-z][A-Za-z0-9_.\-]*", text)
    return sorted({w for w in words if not re.search(r"\d", w) and w.lower() not in NOT_WORDS and len(w) > 2
                   and not re.search(r"\.(xlsx|csv)$", w, re.IGNORECASE)})  # a file the person named


def cut_labels(page) -> list[str]:
    return page.evaluate("""(selector) => [...document.querySelectorAll(selector)]
        .filter(e => e.getClientRects().length && e.innerText.trim() && e.scrollWidth > e.clientWidth + 1)
        .map(e => e.innerText.trim() + ' (' + e.scrollWidth + ' > ' + e.clientWidth + ')')""", LABELS)


def off_screen(page) -> list[str]:
    return page.evaluate("""(selector) => {
        const width = document.documentElement.clientWidth;
        const found = [...document.querySelectorAll(selector)]
            .filter(e => e.getClientRects().length && e.getBoundingClientRect().right > width + 1)
            .map(e => (e.innerText || e.value || e.tagName).trim().slice(0, 30) + ' @' +
                      Math.round(e.getBoundingClientRect().right));
        if (document.documentElement.scrollWidth > width + 1) found.push('page ' + document.documentElement.scrollWidth);
        return found; }""", CONTROLS)


def check_page(page, where: str) -> None:
    english, cut, outside = english_words(page), cut_labels(page), off_screen(page)
    assert english == [], f"{where}: English on the page: {english}"
    assert cut == [], f"{where}: labels cut: {cut}"
    assert outside == [], f"{where}: past the right edge: {outside}"
