"""The `kb` command line. Each submodule registers one command group on kb.cli.app's `cli`.

The modules import only click and light kb modules at the top, so `kb --help` starts fast; each
command imports the library it wraps when it runs.
"""

from __future__ import annotations

from kb.cli import (  # noqa: F401  (importing a module registers its commands)
    agreement,
    dashboard,
    export,
    exposure,
    labels,
    living,
    provenance,
    query,
    releases,
    store,
    timeline,
    usage,
    verify,
)
from kb.cli.app import cli


def main() -> None:
    cli(prog_name="kb")


__all__ = ["cli", "main"]
