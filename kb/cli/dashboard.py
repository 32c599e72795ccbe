"""`kb dashboard`: build the store if needed, then serve the Streamlit dashboard on 127.0.0.1.

The dashboard is started as `python -m streamlit run ENTRY` in place of this process, so kb
itself never imports streamlit. ENTRY is the checkout's dashboard.py, or in an installed kb
the copy that setup.py put in the kb_dashboard package.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from typing import Final

import click

from kb.cli.app import cli
from kb.cli.options import db_option, raw_dir_option
from kb.errors import KBError

# The same settings as the checkout's .streamlit/config.toml (a test keeps them equal), passed
# as flags because Streamlit reads that file only from the folder it is started in.
STREAMLIT_SETTINGS: Final[dict[str, str]] = {
    "server.address": "127.0.0.1",
    "server.headless": "true",
    "browser.gatherUsageStats": "false",
    "browser.serverAddress": "localhost",
    "client.toolbarMode": "minimal",
}
# Opening the server to the network stays possible on purpose, as .streamlit/config.toml says.
ADDRESS_ENV: Final = "STREAMLIT_SERVER_ADDRESS"
DEFAULT_PORT: Final = 8501


def entry_file() -> Path:
    """The dashboard's entry script: the checkout's dashboard.py, else the installed copy."""
    from kb import config

    if config.in_checkout():
        return config.PROJECT_ROOT / "dashboard.py"
    spec = importlib.util.find_spec("kb_dashboard")
    if spec is None or not spec.submodule_search_locations:
        raise KBError(
            "The dashboard's files are not installed with this kb (no kb_dashboard package).",
            "Reinstall kb from its wheel or sdist, or run it from a checkout.",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "dashboard.py"


def streamlit_command(entry: Path, port: int) -> list[str]:
    """The command line that serves the dashboard."""
    settings = dict(STREAMLIT_SETTINGS, **{"server.port": str(port)})
    if os.environ.get(ADDRESS_ENV):
        del settings["server.address"]
    flags = [f"--{name}={value}" for name, value in settings.items()]
    return [sys.executable, "-m", "streamlit", "run", str(entry), *flags]


def store_to_build(db: str | None) -> str | None:
    """Why the store must be built before serving, or None (current, or not ours to replace:
    a store that is locked by a writer or unreadable is left for the dashboard to report)."""
    from kb import config, store

    path = config.db_path(db)
    if path.exists():
        try:
            with store.connect(path, check_schema=False):
                pass
        except KBError:
            return None
    return store.status(path)


@cli.command()
@db_option
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=DEFAULT_PORT,
    show_default=True,
    help="The port on 127.0.0.1 to serve on.",
)
@raw_dir_option("A local mirror of the upstream data files, if the store must be built.")
def dashboard(db: str | None, port: int, raw_dir: str | None) -> None:
    """At http://localhost:PORT; the store is built first if it is missing or out of date.

    The server listens on 127.0.0.1 only and sends no usage statistics. The dashboard has a
    read-only SQL page, so opening it to a network is a deliberate choice: set
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 to do so. Stop it with Ctrl+C.

    \b
    Example:
      kb dashboard
      kb dashboard --port 8600 --db /tmp/kb.duckdb
    """
    if importlib.util.find_spec("streamlit") is None:
        raise KBError(
            "The dashboard needs streamlit, which is not installed.",
            "Install kb with its dependencies: pip install gpts-kb",
        )
    entry = entry_file()
    reason = store_to_build(db)
    if reason is not None:
        from kb import build as kbbuild

        click.echo(f"Building the store first ({reason}); this happens once.", err=True)
        report = kbbuild.build(
            db, raw_dir=raw_dir, progress=lambda m: click.echo(f"  {m}", err=True)
        )
        click.echo(f"Built {report.db} in {report.seconds:.1f} s", err=True)
    env = dict(os.environ)
    if db:
        env["KB_DB"] = str(Path(db).resolve())
    if raw_dir:
        env["KB_RAW_DIR"] = str(Path(raw_dir).resolve())
    click.echo(f"Serving the dashboard at http://localhost:{port} (Ctrl+C stops it)", err=True)
    command = streamlit_command(entry, port)
    sys.stdout.flush()
    sys.stderr.flush()
    if os.name == "posix":
        # Become the server: a signal sent to `kb dashboard` reaches Streamlit itself.
        os.execve(sys.executable, command, env)
    try:
        sys.exit(subprocess.call(command, env=env))
    except KeyboardInterrupt:
        sys.exit(130)
