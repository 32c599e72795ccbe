"""Build hook: put the curated data and the dashboard inside the wheel.

In a checkout they stay where people look for them: data/ (the curated source of truth),
dashboard.py and app/ at the top. A wheel must not install top-level `data` or `app` packages
into site-packages, so the build copies them under names of their own:

    data/{*.yml, releases/*.yaml, examples/*}  ->  kb/_curated/      (kb.config.curated_dir)
    dashboard.py, app/**                       ->  kb_dashboard/     (`kb dashboard` runs it)

`streamlit run kb_dashboard/dashboard.py` puts kb_dashboard/ first on sys.path, so the
dashboard's `import app` works there as it does in a checkout. Only the listed kinds of files
are copied: a checkout's store, caches and ingested label sets never reach the wheel.
Everything else is declared in pyproject.toml; MANIFEST.in puts the same files in the sdist.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# (source folder, glob patterns inside it, destination inside the wheel)
BUNDLES: list[tuple[str, tuple[str, ...], str]] = [
    ("data", ("*.yml", "releases/*.yaml", "examples/*"), "kb/_curated"),
    (".", ("dashboard.py", "app/**/*"), "kb_dashboard"),
]
DASHBOARD_INIT = '"""The kb dashboard as installed: `kb dashboard` runs dashboard.py here."""\n'


def bundled_files() -> list[tuple[Path, str]]:
    """Every (source file, path inside the wheel) that the bundles add."""
    files: list[tuple[Path, str]] = []
    for folder, patterns, destination in BUNDLES:
        base = ROOT / folder
        for pattern in patterns:
            for path in sorted(base.glob(pattern)):
                if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                    files.append((path, f"{destination}/{path.relative_to(base).as_posix()}"))
    return files


class BuildPyWithBundles(build_py):
    """build_py, then the curated data and the dashboard copied into the build folder."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:  # an editable install runs from the checkout: nothing to copy
            return
        target = Path(self.build_lib)
        for source, inside in bundled_files():
            destination = target / inside
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, destination)
        (target / "kb_dashboard" / "__init__.py").write_text(DASHBOARD_INIT)


setup(cmdclass={"build_py": BuildPyWithBundles})
