"""Timeline page: every release of the curated records, Epoch AI and models.dev, filtered; views
over time, of training compute, of a focus window in organisation lanes, of a lineage family and
as a table; and the card of the selected release with each source's values and disagreements.

The filters, the view, the window and the selected release live in the URL (st.query_params),
so a link reproduces the view. The card is a fragment: choosing a release reruns only the card.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from typing import Any

import pandas as pd
import streamlit as st

from app import cached
from app.charts import timeline as timeline_charts
from app.ui import csv_download, errors_shown, panel_on_demand, store
from kb import vocabulary
from kb.timeline import TimelineFilter, source_credit

DEFAULT_RELEASE = "gpt-4"
DEFAULT_FAMILY = "llama"
# The focus window opens on the wave of February and March 2023 (LLaMA, GPT-4, Claude, ...).
DEFAULT_WINDOW = (date(2023, 2, 1), date(2023, 3, 31))
MAX_LANE_RELEASES = 150  # beyond this a lane chart is unreadable: the page asks for a narrower one
VIEWS = ["Over time", "Training compute", "Focus window", "Lineage family", "Table"]
GROUP_BY = {"organisation": "Organisation", "kind": "Kind", "access": "Accessibility"}
TOP_GROUPS = 10
# Without a From date the overview starts here: earlier decades hold few releases a year.
OVERVIEW_FROM = date(2012, 1, 1)
SOURCE_NAMES = {"curated": "Curated records", "epoch": "Epoch AI", "models.dev": "models.dev"}
RELEASE_KEY = "release"
FAMILY_KEY = "family"
# Chart and table selections that choose a release for the card.
PICKERS = ("compute_chart", "lane_chart", "family_chart", "release_table")
# The filter panel's key and its widgets' keys (each a URL parameter).
FILTERS_KEY = "filters"
FILTER_KEYS = ("q", "org", "since", "until", "kind", "source", "frontier", "open")


# --- filters --------------------------------------------------------------------------------


def filters(everything: pd.DataFrame) -> TimelineFilter:
    """The filter widgets (each bound to a URL parameter named by its key), in a panel drawn only
    when open: its eight widgets cost a fresh session's browser about a second. A link with a
    filter in it opens the panel; closing the panel removes the widgets, and with them their
    values (Streamlit drops the URL parameters of widgets no longer drawn): no filter."""
    if FILTERS_KEY not in st.session_state and any(k in st.query_params for k in FILTER_KEYS):
        st.session_state[FILTERS_KEY] = True
    panel = panel_on_demand(
        "Filter the releases: name, organisations, dates, kinds, sources, frontier, open weights",
        FILTERS_KEY,
        ":material/filter_list:",
    )
    if panel is None:
        return TimelineFilter()
    first, last = min(everything["date"]), max(everything["date"])
    orgs = everything["lead_organisation"].dropna().value_counts()
    kinds = everything["kind"].value_counts()
    with panel:
        st.caption("Closing this panel clears the filters.")
        top = st.columns([3, 2])
        text = top[0].text_input(
            "Search by name",
            key="q",
            bind="query-params",
            placeholder="e.g. llama, claude, gemini",
            help="Matches the release's name, id or organisation, ignoring case.",
        )
        chosen_orgs = top[1].multiselect(
            "Organisations",
            list(orgs.index),
            key="org",
            bind="query-params",
            placeholder="All organisations",
            help="Most releases first. A release counts for each of its makers.",
        )
        dates = st.columns(4)
        since, until = (
            col.date_input(
                label,
                value=None,
                min_value=first,
                max_value=last,
                key=key,
                bind="query-params",
                format="YYYY-MM-DD",
            )
            for col, label, key in ((dates[0], "From", "since"), (dates[1], "To", "until"))
        )
        chosen_kinds = dates[2].multiselect(
            "Kinds",
            list(kinds.index),
            key="kind",
            bind="query-params",
            placeholder="All kinds",
        )
        chosen_sources = dates[3].multiselect(
            "Sources",
            list(vocabulary.LIVING_SOURCES),
            key="source",
            bind="query-params",
            placeholder="All sources",
            format_func=lambda s: SOURCE_NAMES.get(s, s),
        )
        toggles = st.columns(2)
        frontier = toggles[0].toggle(
            "Frontier models only",
            key="frontier",
            bind="query-params",
            help="Epoch AI's flag: among the largest models by training compute when released.",
        )
        open_weights = toggles[1].toggle("Open weights only", key="open", bind="query-params")
    return TimelineFilter(
        since=since if isinstance(since, date) else None,
        until=until if isinstance(until, date) else None,
        organisations=tuple(chosen_orgs),
        kinds=tuple(chosen_kinds),
        sources=tuple(chosen_sources),
        frontier=True if frontier else None,
        open_weights=True if open_weights else None,
        text=text.strip() or None,
    )


def describe(flt: TimelineFilter) -> str:
    """The filter in words, for captions: 'OpenAI, frontier only, from 2023-01-01'."""
    parts = []
    if flt.text:
        parts.append(f"names matching '{flt.text}'")
    if flt.organisations:
        parts.append(", ".join(flt.organisations))
    if flt.kinds:
        parts.append("kinds " + ", ".join(flt.kinds))
    if flt.sources:
        parts.append("from " + ", ".join(SOURCE_NAMES.get(s, s) for s in flt.sources))
    if flt.frontier:
        parts.append("frontier models only")
    if flt.open_weights:
        parts.append("open weights only")
    if flt.since:
        parts.append(f"from {flt.since:%d %b %Y}")
    if flt.until:
        parts.append(f"to {flt.until:%d %b %Y}")
    return "; ".join(parts) if parts else "no filter"


# --- the selected release -------------------------------------------------------------------


def picked_release() -> str | None:
    """The release last clicked on a chart or chosen in the table, if any changed this run."""
    for key in PICKERS:
        state: Any = st.session_state.get(key)
        chosen: str | None = None
        try:
            if key == "release_table":
                rows = state["selection"]["rows"]
                frame = st.session_state.get("_table_ids", [])
                chosen = frame[rows[0]] if rows and rows[0] < len(frame) else None
            else:
                points = state["selection"]["picked"]
                chosen = points[0].get("id") if points else None
        except (KeyError, TypeError, IndexError):
            chosen = None
        last_key = f"_last_{key}"
        if chosen is not None and chosen != st.session_state.get(last_key):
            st.session_state[last_key] = chosen
            return str(chosen)
        st.session_state[last_key] = chosen
    return None


def settle_release(options: list[str]) -> None:
    """The release for the card: a click this run, else the widget's, else the URL's, else
    GPT-4 or the first; always one of the filtered releases (the card follows the filters)."""
    clicked = picked_release()
    if clicked in options:
        st.session_state[RELEASE_KEY] = clicked
    current = st.session_state.get(RELEASE_KEY)
    if current not in options:
        from_url = st.query_params.get(RELEASE_KEY)
        if from_url in options:
            current = from_url
        elif DEFAULT_RELEASE in options:
            current = DEFAULT_RELEASE
        else:
            current = options[0]
        st.session_state[RELEASE_KEY] = current


# --- views ----------------------------------------------------------------------------------


def over_time(ref: cached.StoreRef, flt: TimelineFilter, rows: pd.DataFrame) -> None:
    by = st.segmented_control(
        "Colour by",
        list(GROUP_BY),
        default="organisation",
        key="by",
        bind="query-params",
        format_func=lambda g: GROUP_BY[g],
        required=True,
    )
    by = by or "organisation"
    start = None if flt.since else OVERVIEW_FROM
    spec, drawn, credit = cached.overview_spec(ref, flt, by, GROUP_BY[by], TOP_GROUPS, start)
    if not spec:
        st.info("No release matches these filters.")
        return
    st.vega_lite_chart(spec, width="stretch")
    earlier = ""
    if start is not None:
        n = int((pd.to_datetime(rows["date"]) < pd.Timestamp(start)).sum())
        earlier = f" {n:,} releases before {start:%Y} are left out here (set From to see them)."
    st.caption(
        f"Releases by their first public date; the {TOP_GROUPS} largest groups by name, the "
        f"rest as 'Other'.{earlier} Filter: {describe(flt)}. {credit}."
    )
    csv_download("Download CSV", drawn, f"releases-per-period-by-{by}.csv", "csv_over_time")


def training_compute(ref: cached.StoreRef, flt: TimelineFilter) -> None:
    spec, drawn, credit = cached.compute_spec(ref, flt)
    if not spec:
        st.info("No release with a training-compute estimate matches these filters.")
        return
    st.vega_lite_chart(
        spec, width="stretch", on_select="rerun", key="compute_chart", selection_mode="picked"
    )
    st.caption(
        f"{len(drawn):,} models with a training-compute estimate. Red diamonds: frontier models "
        "(Epoch AI's flag). Click a point for its card. "
        f"Filter: {describe(flt)}. {credit}."
    )
    csv_download("Download CSV", drawn, "training-compute.csv", "csv_compute")


def jump_to_wave(waves: pd.DataFrame) -> None:
    """Callback: set the window to the chosen wave's week, with a week either side."""
    label = st.session_state.get("wave")
    match = waves[waves["label"] == label]
    if match.empty:
        return
    start = pd.Timestamp(match["week_start"].iloc[0])
    st.session_state["from"] = (start - pd.Timedelta(days=7)).date()
    st.session_state["to"] = (start + pd.Timedelta(days=13)).date()


def focus_window(ref: cached.StoreRef, flt: TimelineFilter) -> None:
    waves = cached.waves(ref).copy()
    waves["label"] = [
        f"week of {pd.Timestamp(w):%d %b %Y}: {n} releases, {o} organisations"
        for w, n, o in zip(
            waves["week_start"], waves["releases"], waves["organisation_count"], strict=True
        )
    ]
    cols = st.columns([1, 1, 2])
    start = cols[0].date_input(
        "Window from", value=DEFAULT_WINDOW[0], key="from", bind="query-params"
    )
    end = cols[1].date_input("Window to", value=DEFAULT_WINDOW[1], key="to", bind="query-params")
    cols[2].selectbox(
        "Or jump to a wave (a week with unusually many releases)",
        list(waves["label"]),
        index=None,
        key="wave",
        placeholder=f"{len(waves)} waves found in the data",
        on_change=jump_to_wave,
        args=(waves,),
    )
    toggles = st.columns(3)
    options = cached.LaneOptions(
        chronology=toggles[0].toggle(
            "Chronology lines", value=True, key="chronology", bind="query-params"
        ),
        outside=toggles[1].toggle(
            "What they build on, from before",
            value=False,
            key="outside",
            bind="query-params",
            help="Releases outside the window that a release in it was built from, drawn "
            "in their own lane at the window's start with their own date.",
        ),
        notes=toggles[2].toggle(
            "Exposure data tied to a release",
            value=True,
            key="notes",
            bind="query-params",
            help="Task labels made with a release (GPT-4's), or usage data of it measured "
            "later (Bing Chat, later Copilot: 2024 conversations).",
        ),
    )
    if not isinstance(start, date) or not isinstance(end, date) or start > end:
        st.info("Choose a window: a start date before its end date.")
        return
    window = dataclasses.replace(
        flt,
        since=max(start, flt.since) if flt.since else start,
        until=min(end, flt.until) if flt.until else end,
    )
    rows = cached.releases(ref, window)
    if rows.empty:
        st.info("No release in this window matches the filters.")
        return
    if len(rows) > MAX_LANE_RELEASES:
        st.info(
            f"{len(rows):,} releases in this window: too many to label. Narrow the window or "
            f"the filters to at most {MAX_LANE_RELEASES} (the overview shows them all)."
        )
        return
    spec, layout, credit = cached.lane_spec(ref, window, options)
    st.markdown(
        f"**{len(rows)} releases from {start:%d %b %Y} to {end:%d %b %Y}**, in the lanes of "
        "their lead organisations (the smaller ones share the last lane)."
    )
    st.vega_lite_chart(
        spec, width="stretch", on_select="rerun", key="lane_chart", selection_mode="picked"
    )
    same_day = same_day_clusters(layout)
    notes = [f"Filter: {describe(flt)}.", credit + "."]
    if same_day:
        notes.insert(0, "Same day: " + " · ".join(same_day) + ".")
    st.caption(" ".join(notes))
    csv_download(
        "Download CSV",
        layout[["id", "name", "lane", "date", "kind", "date_label"]].rename(
            columns={"date_label": "date_note"}
        ),
        f"releases-{start}-{end}.csv",
        "csv_window",
    )


def same_day_clusters(layout: pd.DataFrame) -> list[str]:
    """Days with two or more drawn releases (the window's own, day-precision dates only)."""
    dated = layout[
        (layout["lane"] != timeline_charts.OUTSIDE_LANE)
        & ~layout["date_label"].str.contains("only", regex=False)
    ]
    out = []
    for day, group in dated.groupby("date", sort=True):
        if len(group) >= 2:
            out.append(f"**{pd.Timestamp(day):%d %b}**: " + ", ".join(group["name"]))
    return out


def lineage_family(ref: cached.StoreRef) -> None:
    roots = cached.family_roots(ref)
    names = cached.timeline_data(ref).nodes.set_index("id")["name"].to_dict()
    ids = [rid for rid, _ in roots]
    children = dict(roots)
    if st.session_state.get(FAMILY_KEY) not in ids:
        wanted = st.query_params.get(FAMILY_KEY)
        st.session_state[FAMILY_KEY] = (
            wanted if wanted in ids else DEFAULT_FAMILY if DEFAULT_FAMILY in ids else ids[0]
        )
    root = st.selectbox(
        "Family of",
        ids,
        key=FAMILY_KEY,
        format_func=lambda r: f"{names.get(r, r)} ({children[r]} built on it directly)",
    )
    st.query_params[FAMILY_KEY] = root
    spec, members, credit = cached.family_spec(ref, root)
    if not spec:
        st.info("No dated release in this family.")
        return
    st.vega_lite_chart(
        spec, width="stretch", on_select="rerun", key="family_chart", selection_mode="picked"
    )
    st.caption(
        f"{members['id'].nunique()} releases: {names.get(root, root)} and everything built from "
        f"it, directly or not, one lane per generation. The family ignores the filters. {credit}."
    )
    csv_download("Download CSV", members, f"family-{root}.csv", "csv_family")


TABLE_COLUMNS = {
    "name": st.column_config.TextColumn("Release", width="medium"),
    "date": st.column_config.DateColumn("First public date", format="YYYY-MM-DD"),
    "date_event": st.column_config.TextColumn("Which date"),
    "lead_organisation": st.column_config.TextColumn("Lead organisation", width="medium"),
    "organisations": st.column_config.TextColumn("All organisations"),
    "kind": st.column_config.TextColumn("Kind"),
    "access": st.column_config.TextColumn("Access"),
    "frontier": st.column_config.CheckboxColumn("Frontier"),
    "open_weights": st.column_config.CheckboxColumn("Open weights"),
    "training_compute_flop": st.column_config.NumberColumn(
        "Training compute (FLOP)", format="%.2e"
    ),
    "parameters": st.column_config.NumberColumn("Parameters", format="%.3g"),
    "country": st.column_config.TextColumn("Country"),
    "sources": st.column_config.TextColumn("Sources"),
    "id": st.column_config.TextColumn("Id"),
}


def table(ref: cached.StoreRef, flt: TimelineFilter, rows: pd.DataFrame) -> None:
    shown = rows[list(TABLE_COLUMNS)].assign(
        date_event=rows["date_event"].map(timeline_charts.term_name),
        access=rows["access"].map(
            lambda a: timeline_charts.term_name(a) if isinstance(a, str) else ""
        ),
    )
    shown = shown.fillna({"lead_organisation": "", "organisations": "", "country": ""})
    st.session_state["_table_ids"] = shown["id"].tolist()
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config=TABLE_COLUMNS,
        on_select="rerun",
        selection_mode="single-row",
        key="release_table",
        height=420,
    )
    credit = cached.releases_credit(rows)
    st.caption(
        f"{len(rows):,} releases; sort by clicking a column's header, choose a row for its card. "
        f"Filter: {describe(flt)}. {credit}."
    )
    st.download_button(
        "Download CSV",
        cached.releases_csv(ref, flt),
        file_name="releases.csv",
        mime="text/csv",
        key="csv_table",
        icon=":material/download:",
        on_click="ignore",
    )


# --- the card -------------------------------------------------------------------------------

ATTRIBUTE_NAMES = {
    "price_prompt": "Price, prompt",
    "price_completion": "Price, completion",
    "price_input": "Price, input",
    "price_output": "Price, output",
    "training_data_cutoff": "Training data cut-off",
    "knowledge_cutoff": "Knowledge cut-off",
    "release_date": "Release date",
    "training_compute": "Training compute",
    "hardware_utilization_mfu": "Hardware utilisation (MFU)",
}
DATE_UNITS = {"date", "day", "month", "year"}
# A value that is a bare number ("8192", "+40", "0.06", "24 of 26", "50+"): its unit follows.
NUMBERISH = re.compile(r"^[~+\-]?[\d.,]+(e[+-]?\d+)?%?(\s*(of|/)\s*[\d.,]+)?\+?$")


def attribute_name(attribute: str) -> str:
    """'context_window' -> 'Context window'; acronyms ('SAT_Math', 'MMLU') keep their case."""
    if attribute in ATTRIBUTE_NAMES:
        return ATTRIBUTE_NAMES[attribute]
    words = attribute.replace("_", " ").split()
    if words and words[0].islower():
        words[0] = words[0].capitalize()
    return " ".join(words)


def shown_value(value: Any, unit: Any) -> str:
    """A value with its unit printed once: numbers readable, dates without 'date' or 'month'
    after them, text values (which carry their own words) without the unit repeated."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value).strip()
    unit_text = str(unit).strip() if isinstance(unit, str) else ""
    try:
        number = float(text)
    except ValueError:
        number = None
    if number is not None and text.lower() not in ("nan", "inf"):
        if abs(number) >= 1e12 or (0 < abs(number) < 1e-3):
            text = f"{number:.3g}"
        elif number.is_integer():
            text = f"{number:,.0f}"
        else:
            text = f"{number:,.4g}"
    if not unit_text or unit_text in DATE_UNITS or not NUMBERISH.match(text):
        return text
    return f"{text} {unit_text}"


def variants_table(facts: pd.DataFrame) -> pd.DataFrame:
    """The curated facts about variants and products, one row each: variant, attribute (in
    words) and value with its unit once, ⚠ for a caveat; three columns, so nothing is cut."""
    return pd.DataFrame(
        {
            "Variant": facts["subject"],
            "Attribute": facts["attribute"].map(attribute_name),
            "Value": [
                shown_value(v, u) + (" ⚠" if isinstance(c, str) and c else "")
                for v, u, c in zip(facts["value"], facts["unit"], facts["caveat"], strict=True)
            ],
        }
    ).sort_values("Variant", kind="stable")


def disagreement_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per disputed attribute, one column per source with its value (and its name for
    the model when that is not the release's own)."""
    frame = pd.DataFrame(rows)
    frame["cell"] = [
        shown_value(v, None) + ("" if s == "curated" else f" ({k})")
        for v, s, k in zip(frame["value"], frame["source"], frame["source_key"], strict=True)
    ]
    table = frame.pivot_table(
        index="attribute", columns="source", values="cell", aggfunc=" / ".join, sort=False
    )
    table = table.reindex(columns=[s for s in SOURCE_NAMES if s in table.columns])
    table.columns = [SOURCE_NAMES[s] for s in table.columns]
    table.index = [attribute_name(a) for a in table.index]
    return table.fillna("").reset_index(names="Attribute")


def dates_table(rows: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    return pd.DataFrame(
        {
            "Event": frame["event"].map(lambda e: vocabulary.DATE_EVENTS.get(e, e)),
            "Date": [
                timeline_charts.date_label(pd.Timestamp(d), p)
                for d, p in zip(frame["date"], frame["date_precision"], strict=True)
            ],
            "Source": frame["source"].map(lambda s: SOURCE_NAMES.get(s, s)),
            "Name there": [
                (detail if isinstance(detail, str) else key)
                for detail, key in zip(frame["detail"], frame["source_key"], strict=True)
            ],
        }
    ).drop_duplicates()


def values_table(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Name there": rows["source_key"],
            "Attribute": rows["attribute"].map(attribute_name),
            "Value": [shown_value(v, u) for v, u in zip(rows["value"], rows["unit"], strict=True)],
            "Caveat": rows["caveat"].fillna(""),
            "As of": pd.to_datetime(rows["as_of"]).dt.date,
            "Source": rows["source_url"].fillna(""),
        }
    )


def show_card(card: dict[str, Any], annotations: pd.DataFrame) -> None:
    st.subheader(card["name"])
    makers = ", ".join(card["organisations"]) or "no organisation recorded"
    first = card["dates"][0] if card.get("dates") else None
    if first:
        when = timeline_charts.date_label(pd.Timestamp(first["date"]), first["date_precision"])
        source = SOURCE_NAMES.get(first["source"], first["source"])
        when += f" ({timeline_charts.term_name(first['event'])}; {source})"
    else:
        when = "undated"
    line = [f"**{makers}**", f"first public date {when}", f"kind **{card['kind']}**"]
    if card["modalities"]:
        line.append("modalities: " + ", ".join(card["modalities"]))
    st.markdown(" · ".join(line))
    if card.get("summary"):
        st.write(card["summary"])
    if card.get("access"):
        st.markdown(f"**Access:** {card['access']}")
    for row in annotations[annotations["release_id"] == card["id"]].itertuples():
        kind = vocabulary.SOURCE_KIND_NAMES.get(str(row.kind), str(row.kind))
        st.info(
            f"Exposure data tied to this release: **{row.measure}** ({kind}, dated "
            f"{pd.Timestamp(row.date):%d %b %Y}). {row.note or ''}",
            icon=":material/label:",
        )

    if card.get("disagreements"):
        st.markdown("**Where the sources disagree** (each value kept with its source)")
        st.dataframe(disagreement_table(card["disagreements"]), hide_index=True, width="stretch")
    if card.get("dates"):
        st.markdown("**Dates**")
        st.dataframe(dates_table(card["dates"]), hide_index=True, width="stretch")

    facts = pd.DataFrame(card["facts"])
    if not facts.empty:
        variants = facts[facts["subject"] != card["name"]]
        if not variants.empty:
            st.markdown(
                "**Variants, context windows, prices and limits** (curated; ⚠: a caveat, "
                "listed under Curated records below)"
            )
            st.dataframe(variants_table(variants), hide_index=True, width="stretch")
    values = pd.DataFrame(card.get("sources_values") or [])
    if not values.empty:
        present = [s for s in SOURCE_NAMES if s in set(values["source"])]
        st.markdown("**What each source says**")
        # Only the open tab's table is drawn (a rerun of the card when another tab is chosen):
        # each table is costly for the browser, on every release chosen.
        tabs = st.tabs(
            [f"{SOURCE_NAMES[s]} ({(values['source'] == s).sum()})" for s in present],
            key="card_source",
            on_change="rerun",
        )
        for tab, source in zip(tabs, present, strict=True):
            if tab.open is False:
                continue
            with tab:
                st.dataframe(
                    values_table(values[values["source"] == source]),
                    hide_index=True,
                    width="stretch",
                    column_config={
                        "Source": st.column_config.LinkColumn("Source", width="small"),
                        "Caveat": st.column_config.TextColumn("Caveat", width="large"),
                    },
                )
    if card.get("versions"):
        versions = pd.DataFrame(card["versions"])
        st.markdown("**Dated versions**")
        st.dataframe(
            pd.DataFrame(
                {
                    "Version": versions["version_id"],
                    "Name there": versions["name"],
                    "Date": pd.to_datetime(versions["date"]).dt.date,
                    "Access": versions["access"].fillna("").map(timeline_charts.term_name),
                    "Source": versions["source"].map(lambda s: SOURCE_NAMES.get(s, s)),
                    "Status": versions["status"],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    cols = st.columns(2)
    for col, key, title in (
        (cols[0], "ancestors", "Built from (ancestors)"),
        (cols[1], "descendants", "Built on it (descendants)"),
    ):
        rows = pd.DataFrame(card[key])
        col.markdown(f"**{title}**")
        if rows.empty:
            col.caption("None recorded.")
            continue
        rows["relation_path"] = rows["relation_path"].map(
            lambda p: " → ".join(timeline_charts.term_name(t) for t in p)
        )
        col.dataframe(
            rows[["name", "date", "depth", "relation_path"]],
            hide_index=True,
            width="stretch",
            column_config={
                "name": "Release",
                "date": st.column_config.DateColumn("Date"),
                "depth": "Steps",
                "relation_path": "Relation",
            },
        )
    if card["sources"]:
        st.markdown("**Sources:** " + " · ".join(f"[{url}]({url})" for url in card["sources"]))
    used = {str(v["source"]) for v in card.get("sources_values") or []} | {"curated"}
    st.caption(source_credit(sorted(used)) + ".")


@st.fragment
def card_section(ref: cached.StoreRef, flt: TimelineFilter) -> None:
    """The release chooser and the card: a fragment, so choosing a release reruns only this.
    It takes the filter, not the filtered rows: a fragment's arguments are kept and the rows
    would be copied on every run of the card."""
    labels = cached.release_labels(ref, flt)
    options = list(labels)
    settle_release(options)
    selected = st.selectbox(
        "Release",
        options,
        key=RELEASE_KEY,
        format_func=lambda rid: labels.get(rid, rid),
        help="Any release that matches the filters; or click one on a chart or in the table.",
    )
    st.query_params[RELEASE_KEY] = selected
    show_card(cached.release_card(ref, selected), cached.measures_by_release(ref))


# --- the page -------------------------------------------------------------------------------


def render() -> None:
    st.title("AI model releases")
    ref = store()
    with errors_shown():
        everything = cached.releases(ref, TimelineFilter())
        counts = everything["sources"].str.split(", ").explode().value_counts()
        st.write(
            f"{len(everything):,} dated releases: "
            + ", ".join(f"{counts.get(s, 0):,} from {SOURCE_NAMES[s]}" for s in SOURCE_NAMES)
            + " (a model named by several sources appears once, the curated record on top). "
            "Filter them here; the views below and the card follow the filters."
        )
        flt = filters(everything)
        rows = cached.releases(ref, flt)
        if rows.empty:
            st.info(f"No release matches these filters ({describe(flt)}).")
            return
        tabs = st.tabs(VIEWS, key="view", bind="query-params")
        views = {
            "Over time": lambda: over_time(ref, flt, rows),
            "Training compute": lambda: training_compute(ref, flt),
            "Focus window": lambda: focus_window(ref, flt),
            "Lineage family": lambda: lineage_family(ref),
            "Table": lambda: table(ref, flt, rows),
        }
        for tab, name in zip(tabs, VIEWS, strict=True):
            if tab.open is False:
                continue
            with tab:
                views[name]()
        st.divider()
        card_section(ref, flt)


if __name__ == "__main__":
    render()
