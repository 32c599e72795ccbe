"""How commands print: JSON with plain values, and tables with shares and counts made readable.

pandas is imported when a table is printed, not when the CLI starts.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    import pandas as pd


def _plain(value: Any) -> Any:
    """Make a value JSON-friendly: NaN -> null, dates -> ISO strings, numpy -> Python."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        try:
            return _plain(value.item())
        except (ValueError, AttributeError):
            pass
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if _is_frame(value):
        return [_plain(r) for r in value.to_dict(orient="records")]
    return value


def _is_frame(value: Any) -> bool:
    """A pandas DataFrame, without importing pandas for values that cannot be one."""
    if type(value).__module__.partition(".")[0] != "pandas":
        return False
    import pandas as pd

    return isinstance(value, pd.DataFrame)


def to_json(data: Any) -> str:
    return json.dumps(_plain(data), indent=2, ensure_ascii=False)


def emit(data: pd.DataFrame | Sequence[Mapping[str, Any]] | Mapping[str, Any], fmt: str) -> None:
    """Print a table (DataFrame or records) as an aligned table, CSV or JSON."""
    if fmt == "json":
        click.echo(to_json(data))
        return
    import pandas as pd

    if isinstance(data, pd.DataFrame):
        frame = data
    else:
        frame = pd.DataFrame([data] if isinstance(data, Mapping) else list(data))
    if fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    elif frame.empty:
        click.echo("(no rows)")
    else:
        with pd.option_context("display.max_colwidth", 80, "display.width", 200):
            click.echo(frame.to_string(index=False))


def _shown(frame: pd.DataFrame, columns: Sequence[str], show: Callable[[Any], str]) -> pd.DataFrame:
    """A copy for the table view with the named columns (those present) passed through show."""
    out = frame.copy()
    for c in columns:
        if c in out:
            out[c] = out[c].map(show)
    return out


def percent(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """A copy for the table view with fractions shown as percentages."""
    import pandas as pd

    return _shown(frame, columns, lambda v: "" if pd.isna(v) else f"{v:.1%}")


def thousands(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """A copy for the table view with counts as '1,234' and missing values as '-'."""
    import pandas as pd

    return _shown(frame, columns, lambda v: "-" if pd.isna(v) else f"{v:,.0f}")


def blank_missing(frame: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """Blank rather than NaN for missing values (and plain dates) in the aligned-table output."""
    if fmt != "table":
        return frame
    import pandas as pd

    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    frame = frame.astype(object)
    return frame.where(frame.notna(), "")
