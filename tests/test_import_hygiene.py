"""The arrows point one way: kb never loads the dashboard's libraries, and `kb --help` stays fast
because the CLI imports the heavy libraries only when a command needs them.

Each check runs in a fresh interpreter, so modules imported by other tests cannot hide a leak."""

from __future__ import annotations

import json
import subprocess
import sys

LOADED = """
import importlib, json, pkgutil, sys
import kb
names = sorted(m.name for m in pkgutil.walk_packages(kb.__path__, "kb."))
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names, "loaded": sorted(sys.modules)}))
"""

CLI_LOADED = """
import json, sys
import kb.cli
print(json.dumps({"modules": ["kb.cli"], "loaded": sorted(sys.modules)}))
"""


def _loaded(script: str) -> tuple[list[str], set[str]]:
    """The kb modules the script imported and the top-level packages loaded afterwards."""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    return answer["modules"], {name.split(".")[0] for name in answer["loaded"]}


def test_no_kb_module_loads_streamlit_or_altair() -> None:
    modules, loaded = _loaded(LOADED)
    assert "kb.cli" in modules and "kb.store" in modules  # the walk found the package
    assert not {"streamlit", "altair"} & loaded


def test_cli_does_not_import_analysis_libraries_at_start() -> None:
    _, loaded = _loaded(CLI_LOADED)
    assert not {"pandas", "duckdb", "networkx"} & loaded
