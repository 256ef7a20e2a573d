"""The one drawing vocabulary of netmap: what the command line's ``graph`` command and the
app's Network page draw, and how.

- :mod:`netmap.draw.view`: which people and ties are drawn (:func:`~netmap.draw.view.network_view`);
- :mod:`netmap.draw.index`: the whole network as arrays, to draw part of it (``DrawIndex``);
- :mod:`netmap.draw.page`: the pyvis page (``graph_html``, configured by ``DrawOptions``);
- :mod:`netmap.draw.layout`: the deterministic force layout;
- :mod:`netmap.draw.legend`: the palette and the legend beside the drawing;
- :mod:`netmap.draw.frame`: the sandboxed frame the app shows a drawing in;
- :mod:`netmap.draw.gephi`: GraphML/GEXF files for Gephi;
- :mod:`netmap.draw.vis_assets`: vis-network served once instead of inlined in every drawing.

The filters (:class:`netmap.queries.Filters`) belong to :mod:`netmap.queries`: they answer
"who passes", which the rankings ask as well.
"""
