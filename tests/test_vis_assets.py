"""vis-network's files served by netmap's server, for the app's drawings to link to."""

from __future__ import annotations

import hashlib
import re

import networkx as nx
import pytest

from netmap.draw import vis_assets
from netmap.draw.page import graph_html


def drawing() -> str:
    G = nx.path_graph(4)
    for v in G:
        G.nodes[v].update(name=f"Person {v}")
    return graph_html(G).html


def test_a_linked_drawing_is_the_drawing_with_two_links_instead_of_0_7_mb_inline():
    page = drawing()
    linked = vis_assets.linked(page, "/base/netmap-assets")
    srcs = re.findall(r'<script src="([^"]+)"></script>', linked)
    hrefs = re.findall(r'<link rel="stylesheet" href="([^"]+)">', linked)
    assert len(srcs) == 1 and len(hrefs) == 1
    assert srcs[0].startswith("/base/netmap-assets/vis-network-") and srcs[0].endswith(".min.js")
    assert hrefs[0].startswith("/base/netmap-assets/vis-network-") and hrefs[0].endswith(".css")
    assert len(page) > 690_000 and len(linked) < len(page) - 680_000
    assert not re.search(r"(?:src|href)\s*=\s*[\"']?(?:https?:)?//", linked)  # nothing from another host
    # everything else is untouched: putting the files back gives the drawing byte for byte
    for url in srcs + hrefs:
        body, media = vis_assets.asset(url.rsplit("/", 1)[1])
        text = body.decode().removesuffix("\n")
        tag = f"<script>{text}</script>" if media.startswith("text/javascript") else f"<style>{text}</style>"
        linked = linked.replace(f'<script src="{url}"></script>' if url in srcs else
                                f'<link rel="stylesheet" href="{url}">', tag)
    assert linked == page


def test_each_file_is_named_by_its_content_and_nothing_else_is_served():
    names = [n for n in vis_assets._assets()]
    assert len(names) == 2
    for name in names:
        body, media = vis_assets.asset(name)
        digest = re.search(r"-([0-9a-f]{16})\.", name).group(1)
        assert hashlib.sha256(body).hexdigest()[:16] == digest
        assert media.split(";")[0] in ("text/javascript", "text/css")
    for other in ("", "vis-network.min.js", "../network.py", names[0] + "x", "template.html"):
        assert vis_assets.asset(other) is None
    assert "immutable" in vis_assets.CACHE_CONTROL


def test_a_page_without_the_inlined_files_is_refused_not_half_linked():
    page = drawing()
    with pytest.raises(RuntimeError, match="exactly once"):
        vis_assets.linked("<html><body>no graph</body></html>", "/netmap-assets")
    js_name = next(n for n in vis_assets._assets() if n.endswith(".js"))
    inline = vis_assets._assets()[js_name][2]
    with pytest.raises(RuntimeError, match="exactly once"):
        vis_assets.linked(page.replace(inline, inline + inline), "/netmap-assets")
