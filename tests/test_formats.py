"""Dates and numbers read as the file means them: one format per column, from all its values."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from leadscore.data.formats import (
    DateFormat,
    decide_date_format,
    decide_number_format,
    parse_as_of,
    parse_date_column,
    parse_numbers,
)
from leadscore.errors import ConfigError, InputError, LeadscoreError
from leadscore.io.tables import read_table

T = pd.Timestamp


def _dates(values: list[str | None], path: str = "log.csv", **options: object) -> list:
    frame = pd.DataFrame({"when": pd.Series(values, dtype=object)})
    return parse_date_column(frame, "when", path, **options).tolist()


def _date_error(values: list[str], **options: object) -> str:
    with pytest.raises(InputError) as caught:
        _dates(values, **options)
    message = str(caught.value)
    assert "\n" not in message
    return message


# -- dates: what decides the order ---------------------------------------------------------
def test_a_day_above_12_makes_the_whole_column_day_first():
    # given 01/02/2025, which alone could be 2 January, next to 13/02/2025
    # then both are read day-first: 1 February and 13 February
    assert _dates(["01/02/2025", "13/02/2025"]) == [T("2025-02-01"), T("2025-02-13")]


def test_a_month_field_above_12_makes_the_whole_column_month_first():
    assert _dates(["02/13/2025", "01/02/2025"]) == [T("2025-02-13"), T("2025-01-02")]


def test_dashes_follow_the_same_rule_and_the_why_names_the_deciding_row():
    fmt = decide_date_format(pd.Series(["05-01-2025", "25-12-2024"]), column="when", path="a.csv")
    assert fmt.format == "%d-%m-%Y"
    assert "row 3" in fmt.why and "'25-12-2024'" in fmt.why


def test_a_column_both_day_first_and_month_first_stops():
    message = _date_error(["13/02/2025", "05/01/2025", "02/13/2025"])
    assert message.startswith("log.csv, column 'when', row 4:")
    assert "'13/02/2025'" in message and "'02/13/2025'" in message
    assert 'date_format = "%d/%m/%Y"' in message and "dayfirst = true" in message


def test_an_undecidable_column_stops_naming_the_keys_that_settle_it():
    message = _date_error(["05/01/2025", None, "06/01/2025 "], section="activities")
    assert message.startswith("log.csv, column 'when', row 2:")
    assert "'05/01/2025'" in message
    assert '[activities] date_format = "%d/%m/%Y"' in message and "dayfirst = true" in message


def test_the_suggested_format_carries_the_columns_time_part():
    message = _date_error(["05/01/2025 09:30", "06/01/2025 17:05"])
    assert 'date_format = "%d/%m/%Y %H:%M"' in message


def test_dayfirst_or_date_format_settle_an_undecidable_column():
    assert _dates(["05/01/2025"], dayfirst=True) == [T("2025-01-05")]
    assert _dates(["05/01/2025"], dayfirst=False) == [T("2025-05-01")]
    assert _dates(["05/01/2025"], date_format="%m/%d/%Y") == [T("2025-05-01")]


def test_an_explicit_choice_wins_and_a_value_that_does_not_fit_it_names_its_row():
    message = _date_error(["05/01/2025", "02/13/2025"], dayfirst=True)
    assert "row 3" in message and "'02/13/2025'" in message and "dayfirst = true" in message
    message = _date_error(["13/02/2025"], date_format="%m/%d/%Y")
    assert "row 2" in message and "date_format = '%m/%d/%Y'" in message


def test_a_malformed_date_format_is_a_config_error():
    with pytest.raises(ConfigError, match=r"\[contacts\] date_format = '%Q'"):
        _dates(["05/01/2025"], date_format="%Q")


def test_dotted_dates_are_day_first():
    assert _dates(["05.01.2025", "06.01.2025"]) == [T("2025-01-05"), T("2025-01-06")]


def test_year_first_and_month_names_need_no_decision():
    assert _dates(["2025/01/05"]) == [T("2025-01-05")]
    assert _dates(["05-Jan-2025", "6-May-2025"]) == [T("2025-01-05"), T("2025-05-06")]
    assert _dates(["January 5, 2025", "May 6, 2025"]) == [T("2025-01-05"), T("2025-05-06")]


def test_two_digit_years_follow_strptime():
    assert _dates(["13/01/25", "05/01/70"]) == [T("2025-01-13"), T("1970-01-05")]


def test_us_exports_with_a_12_hour_clock():
    got = _dates(["5/1/2025 9:05 PM", "5/13/2025 12:30 am", "12/31/2024 10:00 AM"])
    assert got == [T("2025-05-01 21:05"), T("2025-05-13 00:30"), T("2024-12-31 10:00")]


def test_a_day_first_activity_log_reads_as_the_same_dates_written_iso(tmp_path):
    # given one activity log written twice: day-first with times, and ISO 8601
    rng = np.random.default_rng(7)
    seconds = rng.integers(0, 400 * 86_400, 2_000) // 60 * 60
    stamps = pd.Series(T("2024-03-01") + pd.to_timedelta(seconds, unit="s"))
    for name, fmt in (("dayfirst.csv", "%d/%m/%Y %H:%M"), ("iso.csv", "%Y-%m-%dT%H:%M:%S")):
        frame = pd.DataFrame({"contact_id": range(len(stamps)), "at": stamps.dt.strftime(fmt)})
        frame.to_csv(tmp_path / name, index=False)
    # when both files are read as a user's export would be
    dayfirst = parse_date_column(read_table(tmp_path / "dayfirst.csv"), "at", "dayfirst.csv")
    iso = parse_date_column(read_table(tmp_path / "iso.csv"), "at", "iso.csv")
    # then they are the same times, and the same as written
    pd.testing.assert_series_equal(dayfirst, iso)
    assert (dayfirst == stamps).all()


# -- dates: the ISO path and the contract kept from io.parse_dates -------------------------
def test_iso_with_times_fractions_and_offsets_becomes_naive_utc():
    got = _dates(
        ["2025-01-05", "2025-01-05T10:30", "2025-01-05 10:30:15.250", "2025-01-05T10:30:00Z",
         "2025-01-05T10:30:00+02:00"]
    )  # fmt: skip
    assert got == [
        T("2025-01-05"),
        T("2025-01-05 10:30"),
        T("2025-01-05 10:30:15.250"),
        T("2025-01-05 10:30"),
        T("2025-01-05 08:30"),
    ]


def test_blanks_are_missing_unless_required_and_rows_count_the_header():
    # given a batch whose index holds the rows' file positions (the 11th row onwards)
    frame = pd.DataFrame({"when": ["2025-01-05", "", None, " "]}, index=[10, 11, 12, 13])
    parsed = parse_date_column(frame, "when", "c.csv")
    assert parsed.dtype == "datetime64[ns]" and list(parsed.index) == [10, 11, 12, 13]
    assert parsed.isna().tolist() == [False, True, True, True]
    # then errors name the file's row: the header is row 1 of a CSV
    with pytest.raises(InputError, match=r"^c\.csv, column 'when', row 13: date is empty$"):
        parse_date_column(frame, "when", "c.csv", required=True)
    with pytest.raises(InputError, match=r"^c\.parquet, column 'when', row 12: date is empty$"):
        parse_date_column(frame, "when", "c.parquet", required=True)


def test_a_later_batch_names_its_file_row_and_an_unreadable_value_says_so():
    fmt = decide_date_format(pd.Series(["13/01/2025"]), column="when")
    batch = pd.DataFrame(
        {"when": ["05/01/2025", "soon", "05/01/2025 10:00"]}, index=[500, 501, 502]
    )
    with pytest.raises(InputError, match=r"row 503: cannot read 'soon' as a date$"):
        parse_date_column(batch, "when", "c.csv", date_format=fmt)
    with pytest.raises(InputError, match=r"row 504: '05/01/2025 10:00' does not fit .*dayfirst"):
        parse_date_column(batch.drop(index=501), "when", "c.csv", date_format=fmt)


def test_a_year_outside_the_nanosecond_range_is_an_error():
    message = _date_error(["13/01/2025", "05/01/3025"])
    assert "row 3" in message and "out of range" in message


def test_columns_mixing_forms_or_holding_text_stop():
    message = _date_error(["05/01/2025", "2025-01-06"])
    assert "row 3" in message and "one form" in message
    message = _date_error(["13/01/2025", "13/01/2025 10:30"])
    assert "row 3" in message and "one form" in message
    message = _date_error(["2025-01-05", "soon"])
    assert "row 3" in message and "'soon'" in message


def test_parsed_datetimes_pass_through_as_naive_utc():
    aware = pd.Series(pd.to_datetime(["2025-01-05 10:00"]).tz_localize("Europe/Berlin"))
    assert _dates_frame(aware) == [T("2025-01-05 09:00")]
    assert _dates_frame(pd.Series(pd.to_datetime(["2025-01-05"]))) == [T("2025-01-05")]


def _dates_frame(series: pd.Series) -> list:
    return parse_date_column(pd.DataFrame({"when": series}), "when", "a.parquet").tolist()


def test_a_format_decided_once_reads_later_batches_alike():
    fmt = decide_date_format(pd.Series(["13/01/2025"]), column="when")
    assert isinstance(fmt, DateFormat) and fmt.format == "%d/%m/%Y"
    assert _dates(["05/01/2025"], date_format=fmt) == [T("2025-01-05")]


# -- --as-of -------------------------------------------------------------------------------
def test_as_of_is_strict_iso():
    assert parse_as_of("2026-07-01") == T("2026-07-01")
    assert parse_as_of("2026-07-01T09:30") == T("2026-07-01 09:30")
    assert parse_as_of("2026-07-01T09:30+02:00") == T("2026-07-01 07:30")
    with pytest.raises(LeadscoreError, match=r"--as-of: '01/07/2026' .*2026-07-01"):
        parse_as_of("01/07/2026")


# -- numbers -------------------------------------------------------------------------------
def _numbers(values: list[object], **options: str) -> list[float]:
    series = pd.Series(values, dtype=object)
    fmt = decide_number_format(series, column="amount", **options)
    return parse_numbers(series, fmt).tolist()


def test_european_thousands_with_a_semicolon_file_hint():
    assert _numbers(["53.900"], hint=",") == [53900.0]


def test_an_undecidable_column_without_a_hint_says_so():
    fmt = decide_number_format(pd.Series(["53.900", "1,200"]), column="amount")
    assert fmt.decimal == "." and fmt.ambiguous
    assert "ambiguous" in fmt.why and "'53.900'" in fmt.why and "decimal" in fmt.why


def test_both_separators_decide_the_last_is_the_decimal():
    assert _numbers(["1.234,56", "53.900"]) == [1234.56, 53900.0]
    assert _numbers(["1,234.56", "53.900"]) == [1234.56, 53.9]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["12,5", "1.200"], [12.5, 1200.0]),  # a comma not followed by 3 digits is a decimal
        (["1,2345", "1.200"], [1.2345, 1200.0]),
        (["0,500", "1.200"], [0.5, 1200.0]),  # nor is 0 a first thousands group
        (["1,234,567", "1.200"], [1234567.0, 1.2]),  # equal separators are thousands
        (["1.234.567", "1,200"], [1234567.0, 1.2]),
    ],
)
def test_one_deciding_value_sets_the_whole_column(values, expected):
    assert _numbers(values) == expected


def test_spaces_no_break_spaces_and_narrow_no_break_spaces_group_thousands():
    values = ["1 234,56", "1\u00a0234,56", "1\u202f234,56", "12\u00a0345\u00a0678"]
    assert _numbers(values) == [1234.56, 1234.56, 1234.56, 12345678.0]


def test_currency_percent_and_signs():
    assert _numbers(["$1,200,000", "-3", "$-5", "(1,234)", "12.5 %"]) == [
        1200000.0,
        -3.0,
        -5.0,
        -1234.0,
        12.5,
    ]
    assert _numbers(["€ 12.500"], hint=",") == [12500.0]
    assert _numbers(["12,5 %", "−7"]) == [12.5, -7.0]


def test_phone_numbers_ids_and_dates_are_not_numbers():
    not_numbers = [
        "+49 173 4150540",
        "+33 612 345 678",
        "0049-173-4150540",
        "0173 4150540",
        "173 4150540",
        "030 123 456",
        "AB-1234",
        "12a",
        "05.01.2025",
        "2025-01-05",
        "1,2,3",
    ]
    for hint in (",", "."):
        assert np.isnan(_numbers(not_numbers, hint=hint)).all()


def test_the_decimal_from_the_config_wins():
    fmt = decide_number_format(pd.Series(["1,234.56", "53.900"]), column="amount", decimal=",")
    assert fmt.decimal == ","
    assert parse_numbers(pd.Series(["1,234.56", "53.900"]), fmt).iloc[1] == 53900.0


def test_a_disagreeing_minority_becomes_missing_and_the_why_says_so():
    fmt = decide_number_format(pd.Series(["12,5", "3,25", "1,234.56"]), column="amount")
    assert fmt.decimal == "," and "'1,234.56'" in fmt.why
    assert _numbers(["12,5", "3,25", "1,234.56"])[:2] == [12.5, 3.25]
    assert np.isnan(_numbers(["12,5", "3,25", "1,234.56"])[2])


def test_numbers_and_blanks_pass_through():
    assert _numbers([1.5, 2]) == [1.5, 2.0]
    got = _numbers(["42", None, "", " 7 "])
    assert got[0] == 42.0 and np.isnan(got[1]) and np.isnan(got[2]) and got[3] == 7.0


def test_a_bad_decimal_setting_is_a_config_error():
    with pytest.raises(ConfigError, match=r"\[features\] decimal"):
        decide_number_format(pd.Series(["1"]), column="amount", decimal=";")


def test_a_sample_tells_a_long_text_column_from_numbers_as_the_full_rule_does(monkeypatch):
    from leadscore.config import load_config
    from leadscore.data import attributes
    from leadscore.data.reading import Reading

    rng = np.random.default_rng(2)
    n = 60_000
    digits = rng.integers(0, 10, (n, 7)).astype(str)
    phones = pd.Series(["+1 555-" + "".join(d) for d in digits], dtype="string[pyarrow]")
    amounts = pd.Series([f"{v:.2f}" for v in rng.normal(1000, 300, n)], dtype="string[pyarrow]")
    amounts[rng.random(n) < 0.03] = "n/a"  # 97 % numbers: a number column, the junk missing
    mostly = amounts.copy()
    mostly[rng.random(n) < 0.45] = "call me"  # about 55 % numbers: not a number column
    frame = pd.DataFrame({"phone": phones, "budget": amounts, "note": mostly})

    def convert(sample: int) -> pd.DataFrame:
        monkeypatch.setattr(attributes, "SAMPLE", sample)
        reading = Reading.of(load_config(None), "contacts")
        return attributes.convert_numbers(frame, list(frame.columns), reading, "leads.csv")

    fast, full = convert(20_000), convert(10**9)  # with the sample's shortcut and without
    pd.testing.assert_frame_equal(fast, full)
    assert fast["budget"].dtype == float and fast["budget"].isna().mean() < 0.05
    assert fast["phone"].dtype != float and fast["note"].dtype != float


# -- dates: a column of few distinct values, read once per value, reads as value by value --
POOL = [
    "2026-06-25 00:00:00", "2025-01-05", "2025-01-05T10:30:00+02:00", "01/02/2025",
    "13/02/2025", "02/13/2025", "05/01/2025", "05.01.2025", "05-Jan-2025", "no date",
    "2025-13-45", "3000-01-01", "1500-01-01", "  ", None, "06/01/2025 09:30",
]  # fmt: skip


def _read_or_error(values: list[str | None], options: dict) -> tuple:
    from leadscore.data.dates import read_date_column

    frame = pd.DataFrame({"when": pd.Series(values, dtype=object)}, index=range(5, 5 + len(values)))
    try:
        parsed, fmt = read_date_column(frame, "when", "log.csv", **options)
    except LeadscoreError as error:
        return type(error), str(error)
    return parsed.index.tolist(), parsed.to_numpy(), fmt


def test_a_column_of_few_distinct_dates_reads_and_stops_as_value_by_value(monkeypatch):
    from leadscore.data import dates

    rng = np.random.default_rng(3)
    stops = 0
    for trial in range(300):
        values = [POOL[i] for i in rng.integers(0, len(POOL), rng.integers(1, 4))]
        column = [values[i] for i in rng.integers(0, len(values), 40)]
        options = [{}, {"required": True}, {"dayfirst": False}, {"date_format": "%d/%m/%Y"}]
        option = options[trial % 4]
        once = _read_or_error(column, option)
        with monkeypatch.context() as patched:
            patched.setattr(dates, "_HEAD", 0)  # every value parsed
            each = _read_or_error(column, option)
        if isinstance(each[1], str):
            stops += 1
            assert once == each, column
        else:
            assert once[0] == each[0] and once[2] == each[2], column
            assert np.array_equal(once[1], each[1], equal_nan=True), column
    assert 50 < stops < 250  # both answers are exercised
