"""netmap.storage: the database, and the only package in netmap/ that imports
SQLAlchemy or SQLModel (tests/test_layers.py holds it to that).

Modules, by job:

- ``store.py``    :class:`Store`, the way in: each method hands on to the module
                  below that owns its job.
- ``engine.py``   the engine, SQLite/PostgreSQL settings, write transactions.
- ``tables.py``   every table, declared once (the audit log as a SQLModel model).
- ``schema.py``   creating and upgrading the tables (schema version, migrations)
                  and the PostgreSQL advisory lock ids, defined once.
- ``writer.py``   the import writer and its undo journal.
- ``undo.py``     an import, merge or keep-apart decision taken back out.
- ``erasure.py``  a person erased down to the bytes of the database files.
- ``reads.py``    the data as plain values (dataset, neighbourhood, summary, people).
- ``cache.py``    the data version and the measures kept per data version.
- ``merge.py``    likely duplicates merged or kept apart.
- ``nurture_log.py`` the nurture log: an action logged by hand (audited), the log read back.
- ``audit.py``    the append-only audit log: triggers, records, reads.
- ``urls.py``     a database URL without its password.

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
