"""netmap: map a company's customer relationship network from its CRM exports.

The library under the app and the command line. Layers (each imports only the
ones below it)::

    cli, app pages          parse arguments / draw widgets, call the functions below
    ingest.importer         read -> map -> check -> resolve -> write, all or nothing
    store (+ tables)        the database: SQLite by default, any SQLAlchemy URL
    ingest                  the pure import pipeline: tabular (bytes -> tables), columns
                            (headers -> fields), values (cells), records (typed rows),
                            identity (who is who across files), satisfaction (rating cells),
                            upload (the Import page's logic without Streamlit)
    network                 the graph and its measures (pure, over netmap.model)
    model, errors, config   plain data, exceptions, settings
"""

from .errors import (
    AmbiguousPerson, ImportNotFound, ImportRefused, NetmapError, Problem, StorageError, UndoRefused, UnknownPerson,
)

__all__ = [
    "AmbiguousPerson", "ImportNotFound", "ImportOptions", "ImportRefused", "ImportReport", "NetmapError",
    "Problem", "StorageError", "Store", "UndoRefused", "UnknownPerson", "commit", "import_files", "import_paths", "prepare",
]

#: Loaded on first use (PEP 562), so that ``python -m netmap`` answers a query
#: without first importing the import pipeline (pandas, the parsers, the schema).
_LAZY = {
    "ImportOptions": "ingest.importer", "ImportReport": "ingest.importer", "commit": "ingest.importer",
    "import_files": "ingest.importer",
    "import_paths": "ingest.importer", "prepare": "ingest.importer", "Store": "storage",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__version__ = "0.1.0"
