"""The customer relationship network and its structural measures.

Pure functions over plain data: no database, no clock, no environment.

* :func:`build_graph` -- the network of a :class:`~netmap.model.Dataset`, with
  :func:`tie_strength` on every tie;
* :func:`detect_communities`, :func:`label_communities` -- Leiden modularity
  communities and human labels;
* :func:`weak_ties` -- neighbourhood overlap, local bridges and their span,
  ties across communities, one weakness score per tie;
* :func:`bridge_measures` -- betweenness, Burt's constraint and effective size,
  participation coefficient, cut vertices, one bridge score per person.
"""

__all__ = [
    "build_graph",
    "tie_strength",
    "detect_communities",
    "label_communities",
    "weak_ties",
    "bridge_measures",
]

#: Imported on first use (PEP 562): answering from stored measures (paths, the
#: plan) imports ``netmap.network.paths`` without the measuring kernels. (So no
#: submodule may be named like a function here: importing it would rebind the name.)
_LAZY = {
    "bridge_measures": "bridges", "detect_communities": "communities", "label_communities": "communities",
    "build_graph": "graph", "tie_strength": "graph", "weak_ties": "ties",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f"netmap.network.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
