"""The kb dashboard: `streamlit run dashboard.py` (or `make dashboard`) from the repository root.

Navigation only. Each page lives in app/pages/ and only lays out; it reads the store through the
cached wrappers in app/cached.py, which call kb.*, and draws the charts of app/charts/. There is
no SQL here or in the pages.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# `streamlit run` puts this folder on sys.path, AppTest and other launchers may not.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app import bootstrap, ui  # noqa: E402

st.set_page_config(page_title="kb: LLM releases and task exposure", layout="wide")

PAGES = [
    st.Page("app/pages/timeline.py", title="Timeline", icon=":material/timeline:", default=True),
    st.Page("app/pages/exposure.py", title="Exposure", icon=":material/bar_chart:"),
    st.Page("app/pages/explorer.py", title="Occupation explorer", icon=":material/search:"),
    st.Page("app/pages/vintages.py", title="Vintages", icon=":material/history:"),
    # The URL stays /sql_console, as before the pages moved into app/pages/.
    st.Page("app/pages/sql.py", title="SQL", icon=":material/terminal:", url_path="sql_console"),
    st.Page("app/pages/about.py", title="About the data", icon=":material/info:"),
]

# Pages along the top: the charts get the full width of a 1280-pixel window.
page = st.navigation(PAGES, position="top")
ui.responsive()
if bootstrap.ensure_store():
    page.run()

st.caption(
    "Task statements: O\\*NET 27.2 Database, U.S. Department of Labor, Employment and Training "
    "Administration, [CC BY 4.0](https://creativecommons.org/licenses/by/4.0/). Exposure labels: "
    "Eloundou, Manning, Mishkin & Rock (2023), "
    "[arXiv 2303.10130](https://arxiv.org/abs/2303.10130), "
    "data MIT. Employment and wages: U.S. Bureau of Labor Statistics (public domain)."
)
