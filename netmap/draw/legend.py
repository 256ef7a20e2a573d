"""The drawing's colours and the legend beside it (HTML; every label escaped)."""

from __future__ import annotations

import html as _html
from collections.abc import Iterable, Mapping

from ..model import FEELINGS
from ..queries import NONE
from ..text import plain

__all__ = ["COMMUNITY_COLORS", "FEELING_COLORS", "add_legend", "legend_html"]

#: Node colour per feeling (consistent across the app).
FEELING_COLORS = {
    "promoter": "#2e7d32",
    "passive": "#f9a825",
    "detractor": "#c62828",
    "unknown": "#9e9e9e",
}
#: Colour per community, indexed by ``community % len`` (communities are numbered by size, so
#: the largest get the first colours). Okabe & Ito's colour-blind-safe set (without black, kept
#: for borders) for the seven largest, then colours of Paul Tol's muted, light, bright and
#: vibrant sets chosen one by one as the farthest from those already taken, in normal vision
#: and in simulated deuteranopia and protanopia (Machado et al. 2009): any two differ by at
#: least 16 in CIELAB (ΔE*ab; 2.3 is a just-noticeable difference) and by at least 9 for a
#: colour-blind reader.
COMMUNITY_COLORS = (
    "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7",  # Okabe-Ito
    "#225555", "#666633", "#ddcc77", "#ffaabb", "#ee6677", "#999933", "#aa3377", "#99ddff",
    "#ee8866", "#bbcc33", "#cc3311",  # Tol
)
NO_COMMUNITY_COLOR = "#cfcfcf"
_EDGE_COLOR = "#b0b0b0"
_BRIDGE_COLOR = "#37474f"


_SWATCH = ("display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:4px;"
           "vertical-align:-1px;background:{}")
_ITEM = '<span class="nl-item">{}</span>'
#: the legend's look: a column beside the drawing (netmap.draw.page's page puts an ``<aside>``
#: there), one item a line; a strip above it in a narrow frame
_LEGEND_STYLE = (
    "<style>#netmap-legend{font:12px/1.45 sans-serif;color:#333;padding:6px 8px;border-left:1px solid #e0e0e0;}"
    " #netmap-legend .nl-item{display:block;padding:1px 0 1px 16px;text-indent:-16px;}"
    " #netmap-legend .nl-marks{color:#555;margin-top:8px;}"
    " @media (max-width:720px){#netmap-legend{border-left:0;padding:2px 4px;}"
    " #netmap-legend .nl-item{display:inline-block;white-space:nowrap;margin-right:14px;padding:0;text-indent:0;}"
    " #netmap-legend .nl-marks{margin-top:0;}}</style>"
)


def legend_html(color_by: str, communities: Iterable[int] = (), *, labels: Mapping[int, str] | None = None,
                marked: bool = True, size_by: str = "spread", team: bool = False) -> str:
    """The legend (HTML; every label escaped) drawn beside the graph: the
    colours (feelings, or every community shown, largest first: a column beside the
    drawing that scrolls when longer than the drawing is tall), what a dashed or a dark
    tie means, and the bridge-customer diamond."""
    esc = _html.escape
    colours = []
    if color_by == "feeling":
        for f in FEELINGS:
            colours.append(_ITEM.format(f'<span style="{_SWATCH.format(FEELING_COLORS[f])}"></span>{esc(f)}'))
    else:
        comms = list(communities)
        names = labels or {}
        for c in comms:
            color = NO_COMMUNITY_COLOR if int(c) < 0 else COMMUNITY_COLORS[int(c) % len(COMMUNITY_COLORS)]
            name = plain(names.get(int(c))) or (NONE if int(c) < 0 else f"Community {int(c)}")
            colours.append(_ITEM.format(f'<span style="{_SWATCH.format(color)}"></span>{esc(name)}'))
        if sum(int(c) >= 0 for c in comms) > len(COMMUNITY_COLORS):
            colours.append(_ITEM.format(f"(colours repeat after {len(COMMUNITY_COLORS)} communities)"))
    marks = [
        _ITEM.format('<svg width="24" height="8"><line x1="0" y1="4" x2="24" y2="4" stroke="#9e9e9e" '
                     'stroke-width="2" stroke-dasharray="4 3"/></svg> weak tie (no shared friend, or across '
                     'communities)'),
        _ITEM.format('<svg width="24" height="8"><line x1="0" y1="4" x2="24" y2="4" stroke="#37474f" '
                     'stroke-width="4" stroke-dasharray="4 3"/></svg> only short link between two communities'),
    ]
    if marked:
        marks.append(_ITEM.format(
            '<svg width="12" height="12" style="vertical-align:-1px"><polygon points="6,0 12,6 6,12 0,6" '
            'fill="#bdbdbd" stroke="#212121" stroke-width="2"/></svg> bridge customer'))
    if team:
        marks.append(_ITEM.format(
            '<svg width="11" height="11" style="vertical-align:-1px"><rect width="11" height="11" '
            'fill="#bdbdbd"/></svg> your team (imported connections, support agents)'))
    bigger = "higher bridge score" if size_by == "bridge_score" else "wider spread"
    marks.append(_ITEM.format(f"larger: {bigger} · thicker line: stronger tie"))
    return (_LEGEND_STYLE + '<aside id="netmap-legend" aria-label="Legend">'
            '<div>' + "".join(colours) + '</div><div class="nl-marks">' + "".join(marks) + "</div></aside>")



def add_legend(page: str, legend: str) -> str:
    """Put the legend in the drawing's page, before the graph (below the page's title, if
    any); the page's style places it beside the graph."""
    at = page.find('<div class="card"')
    if at < 0:
        if "<body>" not in page:
            return page
        return page.replace("<body>", "<body>\n" + legend, 1)
    return page[:at] + legend + "\n" + page[at:]


