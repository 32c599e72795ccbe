"""Timeline page: the releases of early 2023 by organisation and date, lineage apart from
chronology, and a card for the selected release."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from app import cached
from app.charts import timeline as timeline_charts
from app.ui import errors_shown, store
from kb import vocabulary

EXTERNAL_LANE = "External (undated)"
RELEASE_KEY = "release"
CHART_KEY = "timeline_chart"
# Specification-like facts shown as one row per variant on the card (the rest stay in the list).
DEFAULT_RELEASE = "gpt-4"


def date_label(row: pd.Series) -> str:
    if pd.isna(row["date"]):
        return "undated (outside the timeline)"
    precision = row.get("date_precision") or "day"
    fmt = {"day": "%d %b %Y", "month": "%b %Y", "year": "%Y"}.get(precision, "%d %b %Y")
    return row["date"].strftime(fmt) + ("" if precision == "day" else f" ({precision} only)")


def place_externals(nodes: pd.DataFrame, edges: pd.DataFrame, shown: pd.DataFrame) -> pd.DataFrame:
    """External (undated) releases that a shown release builds on, in their own lane, placed at
    the date of the first shown release built from them (their own date is unknown)."""
    external = nodes[nodes["external"].fillna(False).astype(bool)]
    lineage = edges[
        (edges["edge_kind"] == "lineage")
        & edges["source"].isin(external["id"])
        & edges["target"].isin(shown["id"])
    ]
    first_use = lineage.merge(shown[["id", "date", "name"]], left_on="target", right_on="id")
    first_use = first_use.sort_values("date").drop_duplicates("source")
    placed = external.merge(
        first_use[["source", "date", "name"]].rename(
            columns={"source": "id", "date": "placed_at", "name": "first_user"}
        ),
        on="id",
    )
    placed["date"] = placed["placed_at"]
    placed["lane"] = EXTERNAL_LANE
    placed["date_label"] = "undated; drawn beside " + placed["first_user"]
    return placed.drop(columns=["placed_at", "first_user"])


def filters(nodes: pd.DataFrame) -> dict[str, Any]:
    dated = nodes[nodes["date"].notna()]
    first, last = dated["date"].min().date(), dated["date"].max().date()
    kinds = sorted(k for k in dated["kind"].unique())
    lanes = list(dict.fromkeys(dated.sort_values("date")["lane"]))
    cols = st.columns(2, gap="large")
    span = cols[0].slider(
        "Dates",
        min_value=first,
        max_value=last,
        value=(first, last),
        format="D MMM YYYY",
        key="date_range",
    )
    chosen_lanes = cols[1].multiselect(
        "Organisations", lanes, key="organisations", placeholder="All organisations"
    )
    chosen_kinds = (
        st.pills("Kinds", kinds, selection_mode="multi", default=kinds, key="kinds") or []
    )
    toggles = st.columns(3)
    show_external = toggles[0].toggle(
        "Show undated external sources",
        value=False,
        key="show_external",
        help="Models and methods outside the timeline that a "
        "release builds on, drawn in their own lane.",
    )
    show_chronology = toggles[1].toggle(
        "Show chronology (next in time)", value=True, key="show_chronology"
    )
    show_notes = toggles[2].toggle(
        "Show exposure data produced",
        value=True,
        key="show_notes",
        help="Label sets and usage measures made with a release "
        "(e.g. the GPT-4 task labels of 'GPTs are GPTs').",
    )
    return {
        "span": span,
        "kinds": chosen_kinds,
        "lanes": chosen_lanes,
        "external": show_external,
        "chronology": show_chronology,
        "notes": show_notes,
    }


def release_notes(annotations: pd.DataFrame) -> pd.DataFrame:
    """One note per release: which exposure label sets or measures it produced."""
    if annotations.empty:
        return pd.DataFrame(columns=["id", "note", "detail"])
    grouped = annotations.groupby("release_id", sort=False)
    return pd.DataFrame(
        {
            "id": list(grouped.groups),
            "note": ["exposure data: " + ", ".join(g["measure"]) for _, g in grouped],
            "detail": ["; ".join(g["label"]) for _, g in grouped],
        }
    )


def visible_nodes(tl: cached.TimelineData, chosen: dict[str, Any]) -> pd.DataFrame:
    nodes = tl.nodes
    start, end = (pd.Timestamp(d) for d in chosen["span"])
    shown = nodes[nodes["date"].between(start, end) & nodes["kind"].isin(chosen["kinds"])]
    if chosen["lanes"]:
        shown = shown[shown["lane"].isin(chosen["lanes"])]
    shown = shown.assign(date_label=shown.apply(date_label, axis=1))
    if chosen["external"]:
        shown = pd.concat([shown, place_externals(nodes, tl.edges, shown)], ignore_index=True)
    return shown


def chart_selection() -> str | None:
    """The release last clicked on the chart, if any."""
    state: Any = st.session_state.get(CHART_KEY)
    try:
        picked = state["selection"]["picked"]
    except (KeyError, TypeError):
        return None
    if not picked:
        return None
    chosen = picked[0].get("id")
    return str(chosen) if chosen is not None else None


def show_card(card: dict[str, Any]) -> None:
    st.subheader(card["name"])
    when = date_label(
        pd.Series(
            {
                "date": pd.Timestamp(card["date"]) if card["date"] else pd.NaT,
                "date_precision": card["date_precision"],
            }
        )
    )
    makers = ", ".join(card["organisations"]) or "no organisation recorded"
    st.markdown(
        f"**{makers}** · {when} · kind **{card['kind']}**"
        + (f" · modalities: {', '.join(card['modalities'])}" if card["modalities"] else "")
    )
    if card.get("summary"):
        st.write(card["summary"])
    details = {k: card.get(k) for k in ("access", "parameters") if card.get(k)}
    for key, value in details.items():
        st.markdown(f"**{key.capitalize()}:** {value}")

    facts = pd.DataFrame(card["facts"])
    if not facts.empty:
        variants = facts[facts["subject"] != card["name"]]
        if not variants.empty:
            st.markdown(
                "**Variants, context windows, prices and limits** "
                "(⚠ marks a value with a caveat, listed below)"
            )
            st.dataframe(variant_table(variants), hide_index=True)
        st.markdown(f"**Facts** ({card['caveats']} with caveats)")
        shown = facts.assign(
            value=facts["value"]
            + facts["unit"].fillna("").map(lambda u: f" {u}" if u and u not in ("date",) else "")
        )
        st.dataframe(
            shown[["subject", "attribute", "value", "as_of", "caveat", "source_url"]],
            hide_index=True,
            column_config={
                "source_url": st.column_config.LinkColumn("Source"),
                "caveat": st.column_config.TextColumn("Caveat", width="large"),
                "as_of": st.column_config.DateColumn("As of"),
            },
        )
    if card["sources"]:
        st.markdown("**Sources:** " + " · ".join(f"[{url}]({url})" for url in card["sources"]))
    cols = st.columns(2)
    for col, key, title in (
        (cols[0], "ancestors", "Built from (ancestors)"),
        (cols[1], "descendants", "Built on it (descendants)"),
    ):
        rows = pd.DataFrame(card[key])
        col.markdown(f"**{title}**")
        if rows.empty:
            col.caption("None in the timeline.")
            continue
        rows["relation_path"] = rows["relation_path"].map(lambda p: " → ".join(p))
        col.dataframe(
            rows[["name", "kind", "date", "depth", "relation_path"]],
            hide_index=True,
            column_config={"relation_path": "Relation", "name": "Release"},
        )
    if card["built_from"]:
        notes = [
            f"{r['name']}: {r['type']}"
            + (f" ({r['note']})" if r.get("note") else "")
            + (f" ⚠ {r['caveat']}" if r.get("caveat") else "")
            for r in card["built_from"]
        ]
        st.caption("Direct lineage as recorded: " + "; ".join(notes))


def variant_table(facts: pd.DataFrame) -> pd.DataFrame:
    """One row per variant (subject), one column per attribute: 'value unit', ⚠ if caveated."""
    cell = facts["value"] + facts["unit"].fillna("").map(
        lambda u: f" {u}" if u and u not in ("date",) else ""
    )
    cell = cell + facts["caveat"].map(lambda c: " ⚠" if isinstance(c, str) and c else "")
    table = facts.assign(cell=cell).pivot_table(
        index="subject", columns="attribute", values="cell", aggfunc="first", sort=False
    )
    table = table.reindex(
        index=list(dict.fromkeys(facts["subject"])), columns=list(dict.fromkeys(facts["attribute"]))
    )
    table.columns = [str(c).replace("_", " ") for c in table.columns]
    return table.fillna("").reset_index().rename(columns={"subject": "variant"})


def release_annotations(ref: cached.StoreRef, release_id: str | None = None) -> None:
    """Which exposure measures a release produced (all, or the selected one), so a label set
    shows on the release that produced it."""
    notes = cached.measures_by_release(ref)
    if notes.empty:
        return
    if release_id is None:
        parts = [
            f"**{name}** → {', '.join(group['label'])}"
            for name, group in notes.groupby("release_name", sort=False)
        ]
        st.caption(
            "Exposure measures produced by a release: "
            + " · ".join(parts)
            + " (see the Vintages page)."
        )
        return
    mine = notes[notes["release_id"] == release_id]
    for row in mine.itertuples():
        kind = vocabulary.SOURCE_KIND_NAMES[str(row.kind)]
        st.info(
            f"Produced the exposure measure **{row.measure}** ({kind}, "
            f"{row.date:%d %b %Y}). {row.note or ''}",
            icon=":material/label:",
        )


def render() -> None:
    st.title("LLM releases, February to April 2023")
    st.write(
        "Each point is a release, in the lane of its lead organisation. Coloured solid lines "
        "are lineage (what a release was built from), grey dashed lines only chronology (what "
        "came next). Click a point, or pick a release below, for its card."
    )
    ref = store()
    with errors_shown():
        tl = cached.timeline_data(ref)
        chosen = filters(tl.nodes)
        shown = visible_nodes(tl, chosen)

        ids = tl.nodes.sort_values(["date", "name"], na_position="last")["id"].tolist()
        names = dict(zip(tl.nodes["id"], tl.nodes["name"], strict=True))
        clicked = chart_selection()
        if clicked and clicked != st.session_state.get("_last_clicked"):
            st.session_state[RELEASE_KEY] = clicked
        st.session_state["_last_clicked"] = clicked
        if st.session_state.get(RELEASE_KEY) not in names:
            st.session_state[RELEASE_KEY] = DEFAULT_RELEASE if DEFAULT_RELEASE in names else ids[0]
        selected = st.session_state[RELEASE_KEY]

        if shown.empty:
            st.info("No release matches these filters.")
        else:
            layout = timeline_charts.timeline_layout(shown)
            drawn = layout["id"]
            edges = tl.edges[tl.edges["source"].isin(drawn) & tl.edges["target"].isin(drawn)]
            notes = release_notes(cached.measures_by_release(ref)) if chosen["notes"] else None
            key = (
                ref,
                chosen["span"],
                tuple(chosen["kinds"]),
                tuple(chosen["lanes"]),
                chosen["external"],
                chosen["notes"],
            )
            spec = cached.timeline_spec(key, layout, edges, selected, chosen["chronology"], notes)
            st.vega_lite_chart(spec, on_select="rerun", key=CHART_KEY, selection_mode="picked")
        clusters = [
            f"**{day:%d %b %Y}**: " + ", ".join(names[i] for i in ids_) for day, ids_ in tl.same_day
        ]
        if clusters:
            st.caption("Same-day releases (stacked within their lane): " + " · ".join(clusters))
        release_annotations(ref)  # exposure measures a release produced

        st.selectbox(
            "Release", ids, key=RELEASE_KEY, format_func=lambda rid: f"{names[rid]} ({rid})"
        )
        release_annotations(ref, selected)
        show_card(cached.release_card(ref, selected))


if __name__ == "__main__":
    render()
