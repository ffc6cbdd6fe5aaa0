"""One stylesheet for Mentor Hub's widget apps (workbench, concern queue, matching panel, research dashboards).

ipywidgets' own styles cut what does not fit: a description longer than its column ("家庭情况（教养方…"), a
button's text ("生成三个一汇总…"), a tab's title. Teachers log home visits on their phones, so below 600 px
every app is one column: labels above full-width inputs, rows of buttons and check boxes wrapping, and the
tables (``table.mh-cards``, each cell with a ``data-label``) shown as one card per row.

    root = w.VBox([stylesheet(), ...])
    root.add_class(APP_CLASS)

The rules apply only inside an element with ``APP_CLASS``; ``!important`` overrides the widths that layouts
set inline.
"""

from __future__ import annotations

import ipywidgets as w

APP_CLASS = "mh-app"
PHONE_MAX_WIDTH = 600

CSS = f"""
.{APP_CLASS} {{ max-width: 100%; box-sizing: border-box; }}
.{APP_CLASS} .widget-inline-hbox {{ height: auto; min-height: var(--jp-widgets-inline-height); }}
.{APP_CLASS} .widget-inline-hbox > .widget-label {{
  white-space: normal; overflow: visible; text-overflow: clip; overflow-wrap: anywhere;
  height: auto; line-height: 1.4; padding-top: 4px; padding-bottom: 4px; }}
.{APP_CLASS} .widget-inline-hbox > select, .{APP_CLASS} .widget-inline-hbox > input {{
  min-height: var(--jp-widgets-inline-height); }}
.{APP_CLASS} .widget-html:has(> .widget-html-content:empty) {{ min-height: 0; height: 0; margin-top: 0;
  margin-bottom: 0; }}
.{APP_CLASS} .jupyter-button {{
  width: auto; min-width: 5em; max-width: 100%; white-space: normal; overflow: visible; text-overflow: clip;
  height: auto; min-height: var(--jp-widgets-inline-height); line-height: 1.4; padding: 4px 12px; }}
.{APP_CLASS} .widget-vbox > .jupyter-button {{ align-self: flex-start; }}
.{APP_CLASS} .widget-toggle-buttons {{ overflow: visible; height: auto; }}
.{APP_CLASS} .widget-toggle-buttons .widget-toggle-button {{ margin-bottom: 4px; }}
.{APP_CLASS} .lm-TabBar-content {{ flex-wrap: wrap; }}
.{APP_CLASS} .lm-TabBar {{ min-height: fit-content; height: auto; }}
.{APP_CLASS} .lm-TabBar-tab {{ flex: 0 0 auto !important; width: auto !important; min-width: fit-content !important;
  max-width: none !important; }}
.{APP_CLASS} .lm-TabBar-tabLabel {{ overflow: visible; text-overflow: clip; flex: 0 0 auto !important; }}
.{APP_CLASS} .widget-checkbox {{ width: auto; max-width: 100%; }}
.{APP_CLASS} .widget-checkbox .widget-label-basic span {{ white-space: normal; }}
.{APP_CLASS} a.mh-link, .{APP_CLASS} .mh-link a {{ color: #0b57d0; text-decoration: underline; cursor: pointer; }}
.{APP_CLASS} a.mh-link:visited {{ color: #6a1b9a; }}
.{APP_CLASS} table {{ max-width: 100%; }}
.{APP_CLASS} .mh-scroll {{ overflow-x: auto; max-width: 100%; }}
@media (max-width: {PHONE_MAX_WIDTH}px) {{
  .{APP_CLASS} .widget-inline-hbox, .{APP_CLASS} .widget-hbox {{ flex-wrap: wrap; }}
  .{APP_CLASS} .widget-inline-hbox {{ width: 100% !important; max-width: 100%; box-sizing: border-box;
    margin-left: 0; margin-right: 0; }}
  .{APP_CLASS} .widget-inline-hbox > .widget-label {{
    width: 100% !important; flex: 0 0 100% !important; text-align: left; margin: 0; }}
  .{APP_CLASS} .widget-inline-hbox > input, .{APP_CLASS} .widget-inline-hbox > select,
  .{APP_CLASS} .widget-inline-hbox > textarea, .{APP_CLASS} .widget-inline-hbox > .widget-input {{
    flex: 1 1 100% !important; width: 100% !important; max-width: 100%; min-height: 36px; font-size: 16px; }}
  .{APP_CLASS} .widget-textarea {{ height: auto !important; }}
  .{APP_CLASS} .widget-textarea > textarea {{ min-height: 5em; }}
  .{APP_CLASS} .widget-hbox > *, .{APP_CLASS} .widget-vbox > * {{ max-width: 100%; }}
  .{APP_CLASS} .mh-stack-on-phone > * {{ width: 100% !important; padding-left: 0 !important; }}
  .{APP_CLASS} .widget-checkbox {{ width: auto !important; margin-right: 12px; }}
  .{APP_CLASS} .jupyter-button {{ min-height: 36px; }}
  .{APP_CLASS} .mh-error {{ display: block; }}
  .{APP_CLASS} .widget-html, .{APP_CLASS} .widget-html-content {{ max-width: 100%; }}
  .{APP_CLASS} table.mh-cards, .{APP_CLASS} table.mh-cards tbody, .{APP_CLASS} table.mh-cards tr,
  .{APP_CLASS} table.mh-cards td {{ display: block; width: 100%; box-sizing: border-box; }}
  .{APP_CLASS} table.mh-cards tr:has(th) {{ display: none; }}
  .{APP_CLASS} table.mh-cards tr {{ border: 1px solid #ccc; border-radius: 6px; margin: 0 0 8px 0; padding: 4px 0; }}
  .{APP_CLASS} table.mh-cards td {{ border: none !important; padding: 2px 8px !important; }}
  .{APP_CLASS} table.mh-cards td[data-label]::before {{ content: attr(data-label) "："; color: #555; }}
}}
"""


def stylesheet() -> w.HTML:
    """The stylesheet as a widget: put it first in an app's root (it takes no room)."""
    sheet = w.HTML(f"<style>{CSS}</style>", layout=w.Layout(height="0px", margin="0", overflow="hidden"))
    sheet.add_class("mh-stylesheet")
    return sheet


def styled(root: w.Box) -> w.Box:
    """``root`` with the stylesheet as its first child and ``APP_CLASS`` on it; returns ``root``."""
    root.children = (stylesheet(), *root.children)
    root.add_class(APP_CLASS)
    return root


LINK_STYLE = "color:#0b57d0;text-decoration:underline;cursor:pointer"


def download_link_html(filename: str, mime: str, data: bytes, text: str, css_class: str = "") -> str:
    """An ``<a download>`` holding ``data`` (a ``data:`` URL: the file goes from the kernel to the person's
    browser, never through a folder others can read), styled as a link (Lab's styles reset anchors)."""
    import base64
    import html

    encoded = base64.b64encode(data).decode("ascii")
    return (f'<a class="mh-link {html.escape(css_class)}" style="{LINK_STYLE}" download="{html.escape(filename)}" '
            f'href="data:{mime};base64,{encoded}">{html.escape(text)}</a>')  # fmt: skip
