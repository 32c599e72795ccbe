"""The arrows point one way: kb never loads the dashboard's libraries, and `kb --help` stays fast
because the CLI imports a command's module only when that command runs, and the heavy libraries
only inside the command that needs them.

Each check runs in a fresh interpreter, so modules imported by other tests cannot hide a leak."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

LOADED = """
import importlib, json, pkgutil, sys
import kb
names = sorted(m.name for m in pkgutil.walk_packages(kb.__path__, "kb."))
for name in names:
    importlib.import_module(name)
print(json.dumps({"modules": names, "loaded": sorted(sys.modules)}))
"""

# Run `kb ARGS...` in this interpreter (as the console script does) and list what it imported.
CLI_RUN = """
import json, sys
from kb.cli import cli
cli.main(sys.argv[1:], standalone_mode=False)
print(json.dumps({"modules": ["kb.cli"], "loaded": sorted(sys.modules)}))
"""

ANALYSIS = {"pandas", "numpy", "duckdb", "networkx", "yaml"}
# Light modules any command may import beside its own: the shared options and output helpers,
# the closed sets and defaults, and the error type the group turns into a message.
SHARED = {
    "kb",
    "kb.cli",
    "kb.cli.app",
    "kb.cli.options",
    "kb.cli.output",
    "kb.defaults",
    "kb.errors",
    "kb.vocabulary",
}


def _run(script: str, *args: str) -> tuple[list[str], set[str], set[str]]:
    """The kb modules the script imported, the top-level packages loaded afterwards, and every
    module of kb loaded."""
    result = subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    loaded = answer["loaded"]
    kb_modules = {name for name in loaded if name == "kb" or name.startswith("kb.")}
    return answer["modules"], {name.split(".")[0] for name in loaded}, kb_modules


def test_no_kb_module_loads_streamlit_or_altair() -> None:
    modules, loaded, _ = _run(LOADED)
    assert "kb.cli" in modules and "kb.store" in modules  # the walk found the package
    assert not {"streamlit", "altair"} & loaded


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_kb_help_and_version_import_no_command_module(flag: str) -> None:
    _, loaded, kb_modules = _run(CLI_RUN, flag)
    assert kb_modules == {"kb", "kb.cli", "kb.cli.app"}
    assert not ANALYSIS & loaded


@pytest.mark.parametrize(
    ("args", "modules"),
    [
        (["timeline", "--help"], {"kb.cli.timeline"}),
        (["exposure", "share", "--help"], {"kb.cli.exposure", "kb.cli.agreement"}),
        (["query", "--help"], {"kb.cli.query"}),
        (
            ["ingest", "--help"],
            {"kb.cli.labels", "kb.cli.releases", "kb.cli.living"},
        ),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_a_command_imports_only_its_own_module(args: list[str], modules: set[str]) -> None:
    """`kb <command> --help` imports that command's modules, no other command's, and none of
    the analysis libraries (the command imports those when it runs)."""
    _, loaded, kb_modules = _run(CLI_RUN, *args)
    assert kb_modules - SHARED == modules
    assert not ANALYSIS & loaded
