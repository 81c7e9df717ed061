"""What query results come back as: pandas DataFrames whose nested values are plain Python objects."""
from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

from .output import json_text

if TYPE_CHECKING:
    import pandas as pd


def plain(value: Any, inner: bool = False) -> Any:
    """A nested value as plain, JSON-ready Python: arrays become lists, dicts keep their keys, and every element inside
    a list, STRUCT or MAP becomes what `jpkr-data sql --format json` writes for it (numbers, strings, booleans, None for
    NULL and NaN, ISO 8601 text for dates, times and intervals, base64 for blobs); recursively."""
    if isinstance(value, dict):
        return {_key(k): plain(v, True) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v, True) for v in value]
    if getattr(value, "ndim", 0) >= 1:  # numpy array (a masked array's masked cells are NULL)
        import numpy as np

        mask = np.ma.getmaskarray(value)
        return [None if mask[i] else plain(v, True) for i, v in enumerate(np.ma.getdata(value))]
    if not inner or value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    return json.loads(json_text(value))


def _key(k: Any) -> Any:
    """A MAP key json.dumps accepts: strings, numbers, booleans and None as they are, anything else as its JSON value."""
    return k if k is None or isinstance(k, (str, int, float, bool)) else plain(k, True)


def plain_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Turn LIST/ARRAY columns (numpy arrays per cell) into Python lists, and STRUCT/MAP dicts' insides too.

    Only object-dtype columns can hold nested values (strings are StringDtype, numbers and dates
    typed), so other columns are left untouched."""
    for i, dtype in enumerate(df.dtypes):
        if dtype.kind == "O":
            df.isetitem(i, df.iloc[:, i].map(plain, na_action="ignore"))
    return df
