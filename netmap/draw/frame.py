"""The sandboxed frame the app shows a drawing in, and the script that opens a
clicked person's profile from it (no Streamlit here: :mod:`netmap.ui` puts the
page on screen)."""

from __future__ import annotations

import html as _html
import json
import re

__all__ = ["DRAWING_SANDBOX", "PERSON_URL", "sandboxed", "unsandboxed"]


#: the sandbox of a drawing's own frame: scripts run (vis-network draws), but in an opaque
#: origin, so nothing in a drawing can reach the app's page, cookies or storage
DRAWING_SANDBOX = "allow-scripts"
#: the Person page's address, relative to the page a drawing is on (app.py: ``pages/person.py``)
PERSON_URL = "person"

#: The script of the page around a drawing that opens profiles (static: no data in it). A click on a person
#: in the drawing (netmap.draw.page's view script) posts ``{netmap: "open-person", id}``;
#: this accepts it only from its own drawing's frame and only as a non-negative integer, and
#: opens ``person?id=<id>`` (relative to the app page's address, so any base path works) by a
#: link it adds to the app's page and clicks: Streamlit's own frame may not navigate the page
#: (its sandbox has no allow-top-navigation) but a link of the page itself may. Ctrl/Cmd-click:
#: a new tab.
_OPEN_PERSON = """<script>
(function () {
  var frame = document.querySelector("iframe");
  addEventListener("message", function (e) {
    var d = e.data;
    if (!frame || e.source !== frame.contentWindow || !d || d.netmap !== "open-person") return;
    if (typeof d.id !== "number" || !Number.isSafeInteger(d.id) || d.id < 0) return;
    var url = new URL(PERSON + "?id=" + d.id, document.baseURI).href;
    try {
      var doc = window.parent.document, a = doc.createElement("a");
      if (!d.newTab && url === window.parent.location.href) return;
      a.href = url;
      if (d.newTab) { a.target = "_blank"; a.rel = "noopener"; }
      a.style.display = "none";
      doc.body.appendChild(a);
      a.click();
      a.remove();
    } catch (err) {
      window.open(url, "_blank", "noopener");
    }
  });
})();
</script>"""


#: With ``sandboxed(..., fill_window=True)``: the page's frame (Streamlit's, same-origin with the
#: app) makes itself end at the bottom of the app's window - at least ``MIN`` px tall - when it
#: loads and whenever the window is resized, so the whole drawing is in view on any screen.
_FILL_WINDOW = """<script>
(function () {
  var frame = window.frameElement, MIN = 400, GAP = 24;
  if (!frame) return;
  function scroller() {
    for (var e = frame.parentElement; e; e = e.parentElement) {
      var o = window.parent.getComputedStyle(e).overflowY;
      if ((o === "auto" || o === "scroll") && e.clientHeight) return e;
    }
    return null;
  }
  function fill() {
    try {
      var s = scroller(), r = frame.getBoundingClientRect();
      var top = s ? r.top - s.getBoundingClientRect().top + s.scrollTop : r.top + window.parent.scrollY;
      var room = s ? s.clientHeight : window.parent.innerHeight;
      var h = Math.max(MIN, Math.round(room - top - GAP));
      if (Math.abs(h - r.height) < 2) return;
      /* the frame, and the wrappers Streamlit sized to it (else the next element would overlap it) */
      for (var e = frame; e && Math.abs(e.getBoundingClientRect().height - r.height) < 1.5; e = e.parentElement) {
        e.style.height = h + "px";
      }
    } catch (err) { /* not in the app's page: keep the height it was given */ }
  }
  fill();
  window.parent.addEventListener("resize", fill);
  addEventListener("pagehide", function () { window.parent.removeEventListener("resize", fill); });
})();
</script>"""


def sandboxed(page: str, *, title: str = "Network drawing", person_url: str = PERSON_URL,
              fill_window: bool = False) -> str:
    """``page`` (a drawing) inside a frame of its own, sandboxed with
    :data:`DRAWING_SANDBOX` only: the page the app puts in Streamlit's frame, which allows
    scripts *and* same-origin (so that a slip in escaping a drawing would run with the app's
    origin). The drawing is the inner frame's ``srcdoc``, escaped as an attribute; it fills
    the outer frame exactly. :func:`unsandboxed` gives it back.

    A click on a person opens their profile (``{person_url}?id=<id>``) without loosening
    that sandbox: the drawing cannot navigate anything itself (no ``allow-top-navigation``,
    which would let a drawing gone wrong send the app's window to any address; and
    Streamlit's frame, lacking it too, would block it anyway). It posts the person's id to
    this page, whose own static script (:data:`_OPEN_PERSON`) accepts an integer from that
    frame alone and opens the app's own Person page. So the property stands: even a drawing
    running a script an escaping slip let in reaches no cookie, storage or page of the app,
    and can at most open some person's profile.

    ``fill_window``: the frame ends at the bottom of the app's window (:data:`_FILL_WINDOW`;
    the Network page's drawing), instead of keeping the height Streamlit gave it."""
    return (
        '<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;height:100%;'
        'overflow:hidden}iframe{border:0;width:100%;height:100%;display:block}</style></head><body>'
        f'<iframe title="{_html.escape(title, quote=True)}" sandbox="{DRAWING_SANDBOX}" '
        f'srcdoc="{_html.escape(page, quote=True)}"></iframe>'
        + _OPEN_PERSON.replace("PERSON", json.dumps(str(person_url)).replace("<", "\\u003c"))
        + (_FILL_WINDOW if fill_window else "") + "</body></html>"
    )


_SANDBOXED = re.compile(r'<iframe title="[^"]*" sandbox="[^"]*" srcdoc="([^"]*)"></iframe>')


def unsandboxed(page: str) -> str:
    """The drawing inside a :func:`sandboxed` page (``page`` itself when it is not one)."""
    m = _SANDBOXED.search(page)
    return _html.unescape(m.group(1)) if m else page
