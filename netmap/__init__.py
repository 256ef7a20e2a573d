"""netmap: map a company's customer relationship network from its CRM exports.

The library under the app and the command line. Layers (each imports only the
ones below it)::

    cli, app pages          parse arguments / draw widgets, call the functions below
    importer                read -> map -> check -> resolve -> write, all or nothing
    store (+ tables)        the database: SQLite by default, any SQLAlchemy URL
    identity                who is who across files (pure)
    records, columns,       cells -> typed records; headers -> fields; bytes -> tables (pure)
    values, tabular
    network                 the graph and its measures (pure, over netmap.model)
    model, errors, config   plain data, exceptions, settings
"""

from .errors import (
    AmbiguousPerson, ImportNotFound, ImportRefused, NetmapError, Problem, StorageError, UndoRefused, UnknownPerson,
)
from .importer import ImportOptions, ImportReport, commit, import_files, import_paths, prepare
from .store import Store

__all__ = [
    "AmbiguousPerson", "ImportNotFound", "ImportOptions", "ImportRefused", "ImportReport", "NetmapError",
    "Problem", "StorageError", "Store", "UndoRefused", "UnknownPerson", "commit", "import_files", "import_paths", "prepare",
]
__version__ = "0.1.0"
