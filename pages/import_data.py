"""Import: upload exports, check the detected kind and columns, import all or nothing, undo."""

from __future__ import annotations

import streamlit as st

from netmap.config import Limits
from netmap.errors import ImportRefused, NetmapError, Problem
from netmap.ingest.importer import commit
from netmap.ui import confirm_undo, md, people_table, show_error, store
from netmap.ui.access import actor, audit_log, may_change
from netmap.ingest.upload import (
    ALIASES,
    KINDS,
    NOT_USED,
    field_choices,
    imports_frame,
    is_connections_export,
    list_sheets,
    mapping_conflicts,
    prepare_one,
    preview_frame,
    preview_note,
    problem_codes,
    problems_frame,
    report_frame,
    required_fields,
    reviews_frame,
    suggested_mapping,
)

from netmap.ui import ensure_navigation
from netmap.ui.remedies import DATE_ORDER_CODE, REMEDIES

ensure_navigation()

TYPES = ["csv", "tsv", "txt", "xlsx", "zip"]
DATE_ORDERS = {None: "Not needed", "dmy": "Day first (31/12/2024)", "mdy": "Month first (12/31/2024)"}
PROBLEM_COLUMNS = {"problem": st.column_config.TextColumn("problem", width="large")}
LOG_ROWS = 30  # imports listed with their own Undo button
NOBODY = "Nobody: a CRM or shared export"
SOMEONE_ELSE = "Someone else (type the name)..."

st.title("Import")
st.caption(
    "Upload the exports your CRM, survey and spreadsheet tools produce (CSV, TSV, XLSX, or a zip of CSVs), "
    "as they are. Check what netmap recognised, fix the mapping if needed, then import: all files together, "
    "all or nothing. Every import can be undone."
)

state = st.session_state
state.setdefault("upload_round", 0)
state.setdefault("prep_cache", {})

# ------------------------------------------------------------ last action --
if "import_done" in state:
    done = state.pop("import_done")
    st.success(done["message"])
    st.dataframe(done["report"], hide_index=True, width="stretch")
    if len(done["warnings"]):
        with st.expander(f"{len(done['warnings'])} warning(s) from this import"):
            st.dataframe(done["warnings"], hide_index=True, width="stretch")
if "undo_done" in state:
    st.success(state.pop("undo_done"))

# ----------------------------------------------------------------- upload --
limits = Limits.from_env()
can_change = may_change("Importing")  # with sign-in on: admins only (explains itself to others)
files = [] if not can_change else st.file_uploader(
    "CRM and survey exports",
    type=TYPES,
    accept_multiple_files=True,
    max_upload_size=max(1, limits.max_bytes // (1024 * 1024)),
    key=f"uploads_{state.upload_round}",
    help="People, referrals, relationships, meetings/deals and survey answers. Several files are imported together: "
         "a referral file may name people from a people file uploaded beside it.",
)

# options chosen below the files (read first: they change how files are read)
date_order = state.get("date_order")
skip_invalid = bool(state.get("skip_invalid", False))


def cached_prepare(fid: str, name: str, data: bytes, **kwargs):
    kwargs.update(date_order=date_order, skip_invalid=skip_invalid)
    key = (fid, *sorted((k, tuple(sorted(v.items())) if isinstance(v, dict) else v) for k, v in kwargs.items()))
    cache = state.prep_cache
    if key not in cache:
        cache[key] = prepare_one(name, data, **kwargs)
    return cache[key]


def kind_label(detected: str | None):
    return lambda k: f"{k} (detected)" if k == detected else k


def entry(uploaded, data: bytes, sheet: str | None, container) -> tuple[object, list[Problem]]:
    """One file (or sheet): kind, mapping, preview. Returns (prepared, extra problems)."""
    fid = uploaded.file_id
    auto = cached_prepare(fid, uploaded.name, data, sheet=sheet)
    if not auto.table.headers:  # unreadable: nothing to map
        return auto, []
    sheet = auto.table.sheet if sheet is None else sheet
    detected = auto.mapping.kind if auto.mapping is not None else None
    wkey = f"{fid}|{sheet}"
    left, right = container.columns([1, 3])
    kind = left.selectbox(
        "What this file holds", KINDS, index=KINDS.index(detected) if detected else None,
        format_func=kind_label(detected), key=f"kind|{wkey}", placeholder="Choose the kind",
        help="netmap recognises the kind from the headers; change it if it guessed wrong.",
    )
    rows = len(auto.table.rows)
    facts = [f"{rows:,} rows", f"{len(auto.table.headers)} columns"]
    if auto.table.encoding:
        facts.append(f"encoding {auto.table.encoding}")
    if auto.table.delimiter:
        facts.append("delimiter " + {"\t": "tab", ",": "comma", ";": "semicolon"}.get(auto.table.delimiter, repr(auto.table.delimiter)))
    right.caption(" · ".join(facts))
    if auto.mapping is not None:
        right.caption(f"Read as: {auto.mapping.reading}")
    if kind is None:
        right.info("netmap could not tell what this file holds from its headers: choose the kind.")
        return auto, []
    owner = whose_export(auto, kind, wkey, right)
    suggested = suggested_mapping(auto, kind)
    options = field_choices(auto.table.headers)
    needed = {f for group in required_fields(kind) for f in group}
    chosen: dict[str, str] = {}
    with right.expander("Column mapping", expanded=auto.mapping is None or kind != detected):
        st.caption("Which column holds each field. Fields marked * are needed (one of each group: "
                   + "; ".join(" / ".join(g) for g in required_fields(kind)) + ").")
        grid = st.columns(4)
        for i, fname in enumerate(ALIASES[kind]):
            default = suggested.get(fname, NOT_USED)
            chosen[fname] = grid[i % 4].selectbox(
                f"{fname}{' *' if fname in needed else ''}", options,
                index=options.index(default) if default in options else 0,
                key=f"map|{wkey}|{kind}|{fname}",
            )
    conflicts = mapping_conflicts(auto.table.label, chosen)
    if kind == detected and chosen == {f: suggested.get(f, NOT_USED) for f in ALIASES[kind]} and not owner:
        prepared = auto
    else:
        prepared = cached_prepare(fid, uploaded.name, data, sheet=sheet, kind=kind, mapping=chosen, from_person=owner)
    return prepared, conflicts


def whose_export(auto, kind: str, wkey: str, container) -> str | None:
    """For a people file: whose contacts or connections export it is (a team member), or None."""
    if kind != "people":
        return None
    connections = is_connections_export(auto)
    team = store().team_members()
    choice = container.selectbox(
        "Whose export is this?", [NOBODY, *team, SOMEONE_ELSE], key=f"whose|{wkey}",
        index=len(team) + 1 if connections and not team else 0,
        help="A LinkedIn connections or contacts export belongs to someone of your team: they join the network "
             "(drawn as a square), tied to each person of the file, so warm introductions can run through them.",
    )
    if choice == SOMEONE_ELSE:
        typed = container.text_input("Team member's name or email", key=f"whose_name|{wkey}").strip()
        if not typed and connections:
            container.info("This looks like someone's connections export: type whose it is to tie its people to them.")
        return typed or None
    if choice == NOBODY:
        if connections:
            container.info("This looks like someone's connections export: without saying whose, its people are "
                           "added with no tie to anyone.")
        return None
    return choice


entries: list[tuple[object, list[Problem]]] = []
if files:
    live = {f.file_id for f in files}
    for key in [k for k in state.prep_cache if k[0] not in live]:
        del state.prep_cache[key]
    for uploaded in files:
        data = uploaded.getvalue()
        with st.container(border=True):
            st.subheader(md(uploaded.name))
            sheets = state.prep_cache.get((uploaded.file_id, "sheets"))
            if sheets is None:
                sheets = state.prep_cache[(uploaded.file_id, "sheets")] = list_sheets(uploaded.name, data, limits)
            chosen_sheets: list[str | None] = [None]
            if len(sheets) > 1:
                names = [s.name for s in sheets]
                recognised = [s.name for s in sheets if s.kind] or names[:1]
                chosen_sheets = st.multiselect(
                    "Sheets to import" if uploaded.name.lower().endswith(".xlsx") else "Files in the archive to import",
                    names, default=recognised, key=f"sheets|{uploaded.file_id}",
                    format_func=lambda n, k={s.name: s.kind for s in sheets}: f"{n} ({k[n] or 'not recognised'})",
                )
                if not chosen_sheets:
                    st.info("Choose at least one sheet to import from this file.")
            for sheet in chosen_sheets:
                if sheet is not None:
                    st.markdown(f"**{md(sheet)}**")
                prepared, extra = entry(uploaded, data, sheet, st)
                entries.append((prepared, extra))
                if prepared.table.headers:
                    st.caption(preview_note(prepared))  # at most PREVIEW_COLUMNS columns, whatever the file's width
                    preview = preview_frame(prepared)
                    st.dataframe(preview, hide_index=True, width="stretch", height=min(38 + 35 * max(len(preview), 1), 390))

    # ------------------------------------------------------ validation --
    prepared_all = [p for p, _ in entries]
    problems = [x for p, extra in entries for x in (*p.problems, *extra)]
    warnings = [w for p in prepared_all for w in p.warnings]
    st.subheader("Validation")
    if not entries:
        st.info("Nothing to import: choose at least one sheet.")
    elif problems:
        st.error(f"{len(problems)} problem(s) must be fixed before importing. Nothing has been written.")
        st.dataframe(problems_frame(problems, REMEDIES), hide_index=True, width="stretch", key="problems", column_config=PROBLEM_COLUMNS)
    else:
        total = sum(len(p.table.rows) for p in prepared_all)
        st.success(f"Every row checked: {len(prepared_all)} file(s), {total:,} rows ready to import.")
    if warnings:
        with st.expander(f"{len(warnings)} warning(s): imported anyway, worth a look"):
            st.dataframe(problems_frame(warnings, REMEDIES), hide_index=True, width="stretch", key="warnings", column_config=PROBLEM_COLUMNS)

    left, right = st.columns(2)
    left.checkbox(
        "Skip invalid rows", key="skip_invalid",
        help="Import the valid rows and count the others as refused (by default one bad cell refuses the import).",
    )
    if DATE_ORDER_CODE in problem_codes(prepared_all) or date_order is not None:
        right.radio(
            "Dates like 01/02/2024 are", list(DATE_ORDERS), format_func=DATE_ORDERS.get, key="date_order",
            horizontal=True, help="Some dates could be read day-first or month-first: say which.",
        )

    if st.button("Import", type="primary", disabled=bool(problems) or not entries, key="import"):
        bar = st.progress(0.0, text="Checking the files...")
        try:
            bar.progress(0.3, text=f"Resolving who is who across {len(prepared_all)} file(s) and writing...")
            report = commit(store(), prepared_all, actor=actor())
            bar.progress(1.0, text="Done")
        except ImportRefused as exc:
            bar.empty()
            st.error(f"Refused: {len(exc.problems)} problem(s) found while matching people. Nothing was imported.")
            st.dataframe(problems_frame(exc.problems, REMEDIES), hide_index=True, width="stretch", key="refused")
        except NetmapError as exc:
            bar.empty()
            show_error(exc)
        else:
            added = sum(sum(f.added.values()) for f in report.files)
            updated = sum(sum(f.updated.values()) for f in report.files)
            message = (
                (f"Imported {len(report.files)} file(s): {added:,} rows added, {updated:,} updated."
                 if added or updated else f"Imported {len(report.files)} file(s): nothing new, every row was already in place.")
                + (f" {report.reviews} likely duplicate(s) to review below." if report.reviews else "")
            )
            state.import_done = {
                "message": message, "report": report_frame(report), "warnings": problems_frame(report.warnings, REMEDIES),
            }
            state.upload_round += 1
            state.prep_cache = {}
            for key in ("date_order", "skip_invalid"):
                state.pop(key, None)
            st.rerun()

# ------------------------------------------------------------- import log --
st.divider()
st.subheader("Import log")
log = store().imports()
if not log:
    st.write("Nothing imported yet.")
else:
    st.caption("Undo removes what an import added and restores what it changed. A later import that built on it "
               "must be undone first.")
    frame = imports_frame(log)
    head = st.columns([1, 5, 2, 3, 4, 2])
    for col, title in zip(head, ["#", "file", "kind", "imported", "added", ""]):
        col.markdown(f"**{title}**" if title else "")
    for rec in frame.head(LOG_ROWS).to_dict(orient="records"):
        cols = st.columns([1, 5, 2, 3, 4, 2], vertical_alignment="center")
        cols[0].text(str(rec["import"]))
        cols[1].text(rec["file"])
        cols[2].text(rec["kind"])
        cols[3].text(rec["imported"])
        cols[4].text(rec["added"])
        if rec["status"] == "in place" and can_change:
            if cols[5].button("Undo", key=f"undo_{rec['import']}", icon=":material/undo:"):
                state.confirm_undo = int(rec["import"])  # asks first, below the row
            if state.get("confirm_undo") == int(rec["import"]):
                confirm_undo(int(rec["import"]), pending="confirm_undo", done="undo_done")
        else:
            cols[5].text(rec["status"])
    with st.expander(f"The whole log ({len(frame)} imports)"):
        st.dataframe(frame, hide_index=True, width="stretch", key="log")
audit_log(store())  # admins (and the single local user) only

# ------------------------------------------------------------ duplicates --
reviews = store().reviews()
st.subheader("Likely duplicates to review")
if not reviews:
    st.write("None: every person was matched with certainty, or every likely duplicate was decided.")
else:
    st.page_link("pages/review.py", label=f"{len(reviews):,} likely duplicate{'s' if len(reviews) != 1 else ''} to "
                 "review: compare them side by side, merge them or keep them apart", icon=":material/difference:")
    st.caption("These pairs look like the same person but were not merged (a different id or email). "
               "Click a row to open the first person.")
    people_table(reviews_frame(reviews), key="reviews", id_column="a_id")
