"""Finding people by what a user types: one search for every page and command.

The Network, Referral paths and Person pages each have a "find a person" box;
they all answer with :func:`search_people`, so the same words find the same
people everywhere:

- every word must begin a word of the person's name, email or company (in
  any order, any of them: ``"ann acme"`` finds Ann Lee at Acme, ``"lee"``
  finds Lee and Leena but not Fleet); case, accents and invisible characters
  do not matter (``"muller"`` finds Müller);
- the words are text, never a pattern (``"(.*"`` finds only what contains it);
- ``#42`` also finds the person whose netmap id is 42 (a bare ``42`` is text:
  pages try it as a CRM id when nobody's name, email or company matches);
- best first: the exact name, email or id; then names or emails that start
  with the query; then the rest; each group by name, then id. At most
  ``limit`` rows.

Pure: :class:`PeopleSearch` folds the table's text once (a second at a million
people), so an app can keep one per data version and answer each keystroke
with vectorised substring tests.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

from .errors import UnknownPerson
from .text import plain

__all__ = ["FINDER_COLUMNS", "PeopleSearch", "find_people", "fold", "search_people"]

FIELDS = ("name", "email", "company")


def fold(text: object) -> str:
    """``text`` as search compares it: one line, case-folded, accents removed ("Schröder" -> "schroder")."""
    decomposed = unicodedata.normalize("NFKD", plain(text).casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch) and unicodedata.category(ch) != "Cf")


def _folded(people: pd.DataFrame, column: str) -> pd.Series:
    if column not in people.columns:
        return pd.Series("", index=people.index, dtype=object)
    values = people[column]
    distinct = values.dropna().unique()  # a company or owner is shared by many: fold each value once
    table = dict(zip(distinct, map(fold, distinct)))
    return values.map(table).fillna("").astype(object)


def _starting_a_word(word: str) -> str:
    """A pattern (RE2, as pyarrow runs it) for ``word``, taken literally, at the start
    of a word: after the text's start or a character that is not a letter or digit of
    any script ("lee" in "ann lee", not in "fleet"; "etrov" not in "петров"). A word
    that starts with punctuation ("@acme") may stand anywhere."""
    escaped = re.escape(word)
    return rf"(?:^|[^\p{{L}}\p{{N}}]){escaped}" if word[0].isalnum() else escaped


class PeopleSearch:
    """The people table ready to search (``person_id``, ``name``, ``email``, ``company``; the other
    columns are returned as they are)."""

    def __init__(self, people: pd.DataFrame):
        self.people = people
        name, email, company = (_folded(people, c) for c in FIELDS)
        self._name = name.to_numpy(dtype=object)
        self._email = email.to_numpy(dtype=object)
        self._hay = (name + "\n" + email + "\n" + company).astype("string[pyarrow]")
        self._ids = people["person_id"].astype("int64").to_numpy() if "person_id" in people.columns else None

    def find(self, query: str, *, limit: int = 50) -> pd.DataFrame:
        """Rows of the people table that match ``query``, best first (see the module)."""
        q = " ".join(fold(query).split())
        if not q:
            return self.people.iloc[0:0]
        mask = np.ones(len(self.people), dtype=bool)
        for word in q.split():
            mask &= self._hay.str.contains(_starting_a_word(word), regex=True).to_numpy(dtype=bool, na_value=False)
        same_id = np.zeros(len(self.people), dtype=bool)
        number = q[1:] if q.startswith("#") else ""
        if self._ids is not None and number.isascii() and number.isdigit():
            same_id = self._ids == int(number)
            mask |= same_id
        hits = np.flatnonzero(mask)
        if not len(hits):
            return self.people.iloc[0:0]
        name, email = self._name[hits], self._email[hits]
        exact = (name == q) | (email == q) | same_id[hits]
        starts = np.array([n.startswith(q) or e.startswith(q) for n, e in zip(name, email)], dtype=bool)
        rank = np.where(exact, 0, np.where(starts, 1, 2))
        ids = self._ids[hits] if self._ids is not None else hits
        order = np.arange(len(hits))
        for key in (ids, name, rank):  # stable sorts, the most significant last
            order = order[np.argsort(key[order], kind="stable")]
        return self.people.iloc[hits[order[:limit]]]


def search_people(people: pd.DataFrame | PeopleSearch, query: str, *, limit: int = 50) -> pd.DataFrame:
    """Rows of ``people`` (a table, or a :class:`PeopleSearch` kept for it) that match ``query``,
    best first (see the module); at most ``limit``."""
    return (people if isinstance(people, PeopleSearch) else PeopleSearch(people)).find(query, limit=limit)


#: what a "find a person" box shows of each match
FINDER_COLUMNS = ("person_id", "name", "email", "company", "owner", "stage", "feeling")


def find_people(store, people: pd.DataFrame | PeopleSearch, query: str, *, limit: int = 50) -> pd.DataFrame:
    """Every "find a person" box's answer (Person, Network, Referral paths): the person whose
    CRM id or email ``query`` is exactly (:meth:`Store.find_person`, two index lookups; ids
    are not words the search indexes; skipped when ``store`` is None), first, then the people
    :func:`search_people` matches: at most ``limit`` rows of :data:`FINDER_COLUMNS`.

    Raises :class:`UnknownPerson` when nobody matches, naming the query and what to type.
    """
    found = search_people(people, query, limit=limit)
    found = found[[c for c in FINDER_COLUMNS if c in found.columns]].reset_index(drop=True)
    table = people.people if isinstance(people, PeopleSearch) else people
    pid = None
    if store is not None:
        try:
            pid = store.find_person(query, by_name=False)  # the names are the search's
        except UnknownPerson:
            pid = None
    if pid is not None:
        exact = table.loc[table["person_id"] == pid, list(found.columns)]
        found = pd.concat([exact, found[found["person_id"] != pid]]).head(limit).reset_index(drop=True)
    if found.empty:
        raise UnknownPerson(f"Nobody matches “{query.strip()}”: every word must begin a word of their name, "
                            "email or company; a CRM id or an email must be exact.")
    return found
