"""SQL page: read-only queries on the store, with examples, a table and a CSV download."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import cached
from app.ui import show_error, store
from kb import sandbox
from kb.errors import KBError

EXAMPLES_FILE = Path(__file__).with_name("sql_examples.sql")
QUERY_KEY = "sql_query"
EXAMPLE_KEY = "sql_example"


def load_examples(path: Path = EXAMPLES_FILE) -> dict[str, str]:
    """The example queries: blocks that start with a `-- name: ...` line, in file order."""
    examples: dict[str, str] = {}
    name = None
    lines: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), "-- name: <end>"]:
        if line.startswith("-- name:"):
            if name is not None:
                examples[name] = "\n".join(lines).strip()
            name, lines = line.removeprefix("-- name:").strip(), []
        elif name is not None:
            lines.append(line)
    return examples


def _use_example() -> None:
    st.session_state[QUERY_KEY] = load_examples()[st.session_state[EXAMPLE_KEY]]


def render() -> None:
    st.title("SQL on the store")
    st.write(
        "Any read-only DuckDB SQL on the store's tables and views. Writes, files, `ATTACH`, "
        "`COPY` and extensions are refused, and a query stops after 10 seconds. "
        "`SHOW TABLES` lists what there is; the same SQL works in the DuckDB CLI "
        "(`duckdb -readonly data/kb.duckdb`)."
    )
    examples = load_examples()
    names = list(examples)
    if QUERY_KEY not in st.session_state:
        st.session_state[QUERY_KEY] = examples[names[0]]
    st.selectbox("Example queries", names, key=EXAMPLE_KEY, on_change=_use_example)
    sql = st.text_area("Query", key=QUERY_KEY, height=160, help="Ctrl+Enter runs it.")
    st.button("Run query", type="primary")
    if not sql.strip():
        st.info("Type a query, or pick an example above.")
        return
    ref = store()
    try:
        result = cached.run_sql(ref, sql)
    except KBError as exc:
        show_error(exc)
        return
    if not result.returns_table:
        st.info("The statement ran and returned no table.")
        return
    st.caption(sandbox.describe(result))
    st.dataframe(result.frame, hide_index=True)
    st.download_button(
        "Download CSV",
        sandbox.to_csv(result.frame).encode("utf-8"),
        file_name="kb-query.csv",
        mime="text/csv",
    )


if __name__ == "__main__":
    render()
