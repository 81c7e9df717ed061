"""What query results come back as: pandas DataFrames whose nested values are plain Python objects."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd


def plain(value: Any) -> Any:
    """A nested value as plain Python: numpy arrays and lists become lists, dicts keep their keys; recursively."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    tolist = getattr(value, "tolist", None)
    if tolist is not None and getattr(value, "ndim", 0) >= 1:  # numpy array
        return [plain(v) for v in value]
    return value


def plain_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Turn LIST/ARRAY columns (numpy arrays per cell) into Python lists, and STRUCT/MAP dicts' insides too.

    Only object-dtype columns can hold nested values (strings are StringDtype, numbers and dates
    typed), so other columns are left untouched."""
    for i, dtype in enumerate(df.dtypes):
        if dtype.kind == "O":
            df.isetitem(i, df.iloc[:, i].map(plain, na_action="ignore"))
    return df
