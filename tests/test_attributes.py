"""Attribute columns read as the file means them: numbers in each column's one format,
negative sizes invalid, real answers such as "None" kept, reference columns as written."""

from __future__ import annotations

import numpy as np
import pandas as pd

from leadscore.config import load_config
from leadscore.data.crm import load_crm

HEADER = "contact_id;created_at;employees;annual_revenue;competitor;phone;zip\n"


def _load(tmp_path, rows: str, config: str = "", sep: str = ";"):
    path = tmp_path / "c.csv"
    path.write_text((HEADER + rows).replace(";", sep))
    (tmp_path / "cfg.toml").write_text(config)
    return load_crm(path, None, load_config(tmp_path / "cfg.toml"), require_outcome=False)


ROWS = (
    "c1;2025-01-02;53.900;1.234.567,50;None;+49 173 4150540;01234\n"
    "c2;2025-01-03;1.200;€ 12.500;Unknown;+491734150540;80331\n"
    "c3;2025-01-04;-5;;Acme;0173 4150540;01099\n"
    "c4;2025-01-05;12;900;;;\n"
)


def test_numbers_are_read_with_their_columns_format_from_a_semicolon_file(tmp_path):
    contacts = _load(tmp_path, ROWS).contacts
    # 53.900 is 53,900 employees (thousands dots), 1.234.567,50 has a decimal comma
    assert contacts["employees"].tolist()[:2] == [53900.0, 1200.0]
    assert contacts["annual_revenue"].tolist()[:2] == [1234567.5, 12500.0]


def test_the_config_settles_the_decimal_mark(tmp_path):
    rows = "c1;2025-01-02;53.900;1;;;\nc2;2025-01-03;1.200;2;;;\n"
    contacts = _load(tmp_path, rows, '[features]\ndecimal = "."\n').contacts
    assert contacts["employees"].tolist() == [53.9, 1.2]


def test_a_negative_size_is_missing_counted_and_reported(tmp_path):
    crm = _load(tmp_path, ROWS)
    assert np.isnan(crm.contacts["employees"].iloc[2])
    assert any(
        "column 'employees': negative, not a valid size, treated as missing: 1 row "
        "(first: row 4, '-5')" in note
        for note in crm.notes
    ), crm.notes


def test_phones_and_zip_codes_stay_text(tmp_path):
    contacts = _load(tmp_path, ROWS).contacts
    assert contacts["phone"].tolist()[:3] == ["+49 173 4150540", "+491734150540", "0173 4150540"]
    assert contacts["zip"].tolist()[:3] == ["01234", "80331", "01099"]


def test_none_and_unknown_are_answers_not_missing_values(tmp_path):
    contacts = _load(tmp_path, ROWS).contacts
    assert contacts["competitor"].tolist()[:3] == ["None", "Unknown", "Acme"]
    assert pd.isna(contacts["competitor"].iloc[3])


def test_values_that_are_not_numbers_in_a_number_column_are_counted(tmp_path):
    rows = "".join(f"c{i};2025-01-02;{i};;;;\n" for i in range(40)) + "c99;2025-01-02;many;;;;\n"
    crm = _load(tmp_path, rows, sep=",")
    assert np.isnan(crm.contacts["employees"].iloc[-1])
    assert any("not a number written with the decimal '.', treated as missing: 1 row" in n
               and "'many'" in n for n in crm.notes)  # fmt: skip


def test_kept_reference_columns_are_passed_as_written(tmp_path):
    contacts = _load(tmp_path, ROWS, '[predict]\nkeep = ["employees"]\n').contacts
    assert contacts["employees"].tolist() == ["53.900", "1.200", "-5", "12"]


def test_a_file_without_ids_names_rows_by_their_row_and_keeps_reference_columns(tmp_path):
    config = '[contacts]\nid = ""\n\n[predict]\nkeep = ["phone"]\n'
    contacts = _load(tmp_path, ROWS, config).contacts
    assert contacts["contact_id"].tolist() == ["row-2", "row-3", "row-4", "row-5"]
    assert contacts["phone"].tolist()[:2] == ["+49 173 4150540", "+491734150540"]
