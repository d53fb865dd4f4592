"""Column conversion (geo/layers/columns.py, shapes.py): a column of numbers gives exactly
what the same cells as text give (readers hand text or objects; numbers must not drift)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geo.layers import columns, shapes
from geo.layers.spec import layer

FIELDS = {f.name: f for f in layer("enterprise").all_fields()}


@pytest.mark.parametrize(
    "cells",
    [
        [5, 0, 120, 7],  # int64
        [5.0, -3.0, 2.5, np.nan, 1e20, 40.0],  # float64: below the minimum, not whole, blank, huge
    ],
    ids=["ints", "floats"],
)
@pytest.mark.parametrize("dtype", [None, object], ids=["numpy", "objects"])
def test_numbers_as_numbers_and_as_text_convert_alike(cells, dtype):
    # vector attributes and spreadsheet cells reach the validator as objects
    numeric = pd.Series(cells, dtype=dtype)
    as_text = pd.Series([columns.as_text(c) for c in cells], dtype=object)
    fld = FIELDS["employees_day"]
    assert columns.convert_column(fld, numeric) == columns.convert_column(fld, as_text)


def test_floats_with_misfits_are_refused_with_the_cells_text():
    values, errors = columns.convert_column(
        FIELDS["employees_day"], pd.Series([5.0, -3.0, 2.5, np.nan])
    )
    assert values == [5, None, None, None]
    assert "-3 is below the minimum" in errors[1] and "'2.5' is not a whole number" in errors[2]
    assert 3 not in errors  # blank: not a number given


@pytest.mark.parametrize("dtype", [None, object], ids=["numpy", "objects"])
def test_coordinates_as_numbers_and_as_text_read_alike(dtype):
    cells = [120.7, 31.3, np.nan, -1e-7, 180.0, 121]
    numeric = shapes._numbers(pd.Series(cells, dtype=dtype))
    text = shapes._numbers(pd.Series([columns.as_text(c) for c in cells], dtype=object))
    assert np.array_equal(numeric, text, equal_nan=True)


def test_a_column_of_objects_mixing_numbers_and_text_is_read_as_text():
    # a spreadsheet column where someone typed words among the numbers
    values, errors = columns.convert_column(
        FIELDS["employees_day"], pd.Series([12, "约30人", None, 7.0], dtype=object)
    )
    assert values == [12, None, None, 7]
    assert list(errors) == [1] and "约30人" in errors[1]


def test_infinite_cells_are_refused_as_numbers_and_as_text():
    for cells in ([float("inf"), 3.0], ["inf", "3"]):
        values, errors = columns.convert_column(
            FIELDS["employees_day"], pd.Series(cells, dtype=object)
        )
        assert values == [None, 3] and list(errors) == [0]


NUMBER_TEXTS = [
    "1", "+1", "-1.5", ".5", "1.", "1e5", "1E-5", "00012", "120.645656002522571234",
    "31.30000000000000071", "4.9e-324", "1e-400", "1e500", "inf", "-Infinity", "nan", None,
]  # fmt: skip
MISFITS = ["0x10", "1_000", "1,000", "１２", "abc", "12 个"]


@pytest.mark.parametrize("misfit", [None, *MISFITS])
def test_arrows_parser_reads_text_as_pandas_does(misfit):
    # text columns are parsed by Arrow when every cell is a number to it, else by pandas:
    # both roads give the same floats, and a misfit sends the whole column to pandas
    cells = [*NUMBER_TEXTS, *([misfit] if misfit else [])]
    parsed, given = columns.parse_numbers(pd.Series(cells, dtype=object))
    pandas = pd.to_numeric(pd.Series(cells, dtype=object), errors="coerce").to_numpy(float)
    np.testing.assert_array_equal(parsed, pandas)
    assert given.tolist() == [c is not None for c in cells]
    assert (columns._floats(cells) is None) == (misfit is not None)
