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

from netmap.network.bridges import bridge_measures
from netmap.network.communities import detect_communities, label_communities
from netmap.network.graph import build_graph, tie_strength
from netmap.network.weak_ties import weak_ties

__all__ = [
    "build_graph",
    "tie_strength",
    "detect_communities",
    "label_communities",
    "weak_ties",
    "bridge_measures",
]
