"""Row-level reads that other modules need as plain values, kept here so that only
netmap/storage/ speaks SQL (tests/test_layers.py). netmap/crm_export.py uses
:func:`crm_id_rows` to write CRM ids back into an export."""

from __future__ import annotations

from sqlalchemy import Engine, select

from .tables import identifier, person


def crm_id_rows(engine: Engine) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """``(person.crm_id rows, other CRM identifier rows)`` as ``(person id, value)``:
    the first only where ``crm_id`` is set, the second in the order they were recorded."""
    with engine.connect() as conn:
        stored = [(int(p), v) for p, v in conn.execute(
            select(person.c.id, person.c.crm_id).where(person.c.crm_id.is_not(None)))]
        others = [(int(p), v) for p, v in conn.execute(
            select(identifier.c.person_id, identifier.c.value)
            .where(identifier.c.kind == "crm").order_by(identifier.c.id))]
    return stored, others
