"""vis-network's script and stylesheet as files netmap's own server serves, for the
app's drawings to link to instead of carrying them inline.

Why: a drawing (:func:`netmap.draw.page.graph_html`) is one self-contained
page, and 0.69 MB of it is vis-network 9.1.2's script and stylesheet as pyvis
0.3.2 inlines them (an ego network of 30 people is 0.72 MB; the Network page's
1,000 people 1.3 MB). In the app, every draw sent those 0.69 MB through the
socket and the browser parsed them again in the new frame. Measured in headless
Chromium on this machine, one ego network in a frame of an otherwise idle page,
from the frame created to drawn: 0.33-0.77 s inline, 0.13-0.26 s linking the same
files once cached.

Still offline: the files are read from the installed pyvis package and served
by netmap's server (``serve.py``, below :data:`PATH`), never by a CDN. Each
name carries a hash of its content, so a browser may keep it for a year without
asking again (``immutable``), and another pyvis gives other names. Only the
app's frames link: a downloaded drawing and ``python -m netmap graph``
stay one self-contained file, and ``streamlit run app.py`` (no netmap route)
keeps every drawing inline.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from pathlib import Path

__all__ = ["PATH", "CACHE_CONTROL", "asset", "linked"]

#: where serve.py answers, below the server's base path: ``{base path}/netmap-assets/{name}``
PATH = "/netmap-assets"
#: the name changes with the content, so what a browser keeps never goes stale
CACHE_CONTROL = "public, max-age=31536000, immutable"

#: pyvis' template file -> (media type, the inline tag pyvis writes, the tag that links it)
_FILES = {
    "lib/vis-9.1.2/vis-network.min.js": ("text/javascript; charset=utf-8", "<script>{}</script>",
                                         '<script src="{}"></script>'),
    "lib/vis-9.1.2/vis-network.css": ("text/css; charset=utf-8", "<style>{}</style>",
                                      '<link rel="stylesheet" href="{}">'),
}


@functools.cache
def _assets() -> dict[str, tuple[bytes, str, str, str]]:
    """``{served name: (file bytes, media type, inline tag, link tag with {} for the URL)}``,
    read once from the installed pyvis (found without importing it)."""
    spec = importlib.util.find_spec("pyvis")
    if spec is None or spec.origin is None:
        raise RuntimeError("pyvis is not installed: `pip install -r requirements.txt`")
    templates = Path(spec.origin).parent / "templates"
    found = {}
    for file, (media, inline, link) in _FILES.items():
        text = (templates / file).read_text(encoding="utf-8")
        body = text.encode("utf-8")  # what is served, and what its name hashes
        stem, _, ext = Path(file).name.partition(".")
        name = f"{stem}-{hashlib.sha256(body).hexdigest()[:16]}.{ext}"
        # Jinja's include drops one trailing newline of the file: pyvis' page holds the text without it
        found[name] = (body, media, inline.format(text.removesuffix("\n")), link)
    return found


def asset(name: str) -> tuple[bytes, str] | None:
    """The file served as ``name`` and its media type; ``None`` for any other name."""
    found = _assets().get(name)
    return None if found is None else found[:2]


def linked(page: str, prefix: str) -> str:
    """``page`` (a drawing from :func:`~netmap.draw.page.graph_html`) with its
    inlined vis-network script and stylesheet replaced by links to ``{prefix}/{name}``.

    Raises ``RuntimeError`` if either is not in the page exactly once (another pyvis
    template): a drawing is never sent half linked.
    """
    for name, (_body, _media, inline, link) in _assets().items():
        if page.count(inline) != 1:
            raise RuntimeError(f"the drawing does not inline {name} exactly once; is pyvis 0.3.2 installed?")
        page = page.replace(inline, link.format(f"{prefix.rstrip('/')}/{name}"), 1)
    return page
