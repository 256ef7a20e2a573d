"""netmap.storage: the database, and the only package in netmap/ that imports
SQLAlchemy or SQLModel (tests/test_layers.py holds it to that).

Modules, by job:

- ``store.py``   :class:`Store`, the way in: engine and SQLite/PostgreSQL settings,
                 the import writer and its undo journal, undo, erasure, reads and
                 the measures cache.
- ``tables.py``  every table, declared once (the audit log as a SQLModel model).
- ``schema.py``  creating and upgrading the tables (schema version, migrations)
                 and the PostgreSQL advisory lock ids, defined once.
- ``audit.py``   the append-only audit log: triggers, records, reads.

``Store`` is loaded on first use (``from netmap.storage import Store`` or
``from netmap import Store``), so importing a table or the schema does not pull
in the whole store.
"""

__all__ = ["Store"]


def __getattr__(name: str):
    if name == "Store":
        from .store import Store

        globals()["Store"] = Store
        return Store
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
