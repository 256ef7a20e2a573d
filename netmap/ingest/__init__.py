"""The import pipeline: CRM export files in, typed records and resolved people out.

Pure stages, each importing only the ones above it::

    tabular        bytes (CSV, Excel, JSON, zip) -> tables with a header row
    columns        a table's headers -> which field each column holds, which export it is
    values         one cell -> a date, a number, a name key, a company key
    satisfaction   a vendor's rating or ticket-status cell -> a rating, a status
    records        a mapped table -> typed person / relationship / feedback records
    identity       records from many files -> who is who (certain merges only)

and above them, writing through :class:`netmap.storage.store.Store`::

    importer       read -> map -> check -> resolve -> write, all or nothing
    upload         what the app's Import page needs that is not Streamlit
"""
