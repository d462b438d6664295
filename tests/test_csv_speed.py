"""CSV read by Arrow gives exactly pandas' cells, and plain numbers by Arrow exactly the rules'.

pandas' C parser with ``tables.csv_options`` is the reference: every file here is read both
ways and compared cell for cell (text, missing values, column names, row positions), whole
and in batches. Files with a trait Arrow reads otherwise must go to pandas, and the ordinary
ones must not (else the speed is lost without a test noticing).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from leadscore.config import Config
from leadscore.data.crm import load_contacts
from leadscore.data.numbers import (
    _from_values,
    _parse_distinct,
    decide_number_format,
    parse_numbers,
    read_numbers,
)
from leadscore.io import tables
from leadscore.io.batches import iter_table
from leadscore.io.csvarrow import read_frame
from leadscore.io.tables import arrow_spec, csv_errors, csv_options, read_table

MISSING = ("", "NA", "n/a")

_QUOTED_ALL = '"id","title","v"\n' + "".join(
    f'"{i}"," Title {i}","{"" if i % 7 else "NA"}"\n' for i in range(100)
)

# name -> (file text, read by Arrow?)
FILES: dict[str, tuple[str, bool]] = {
    "ids with zeros": ("id,amount\n007,1.5\n0257896,53.900\nA-01,\n", True),
    "opening spaces": ("id,title\n1, Project Manager \n2,  CTO\n3,   \n4, NA\n5,\tx\n", True),
    "quoted opening space": ('id,title\n1," Director, IT "\n2," Buyer "\n3, Owner\n', True),
    "missing values": ('id,v\n1,NA\n2,"NA"\n3,""\n4,n/a\n5,N/A\n6,\n', True),
    "quote then text": ('id,v\n1,"ab"c\n2,"x""y"\n', True),
    "line breaks": ('id,v\r\n1,"two\nlines"\r\n2,b\r\n\r\n3,c\r\n', True),
    "carriage returns": ("id,v\r1,a\r2,b\r", True),
    "semicolons": ("id;v;w\n1;12,5;x\n2;1.200;y\n", True),
    "tabs": ("id\tv\n1\t a\n2\tb\n", True),
    "byte order mark": ("\ufeffid,v\n1,ä\n2,€ 5\n", True),
    "header spaces": ("id ,v\n1,a\n", True),
    "one column": ("id\n1\n\n2\n", True),
    "short row": ("id,v,w\n1,a,b\n2,c\n3,d,e\n", False),
    "spaces before a quote": ('id,v\n1,  "a,b"\n2,c\n', False),
    "quoted and unquoted": ('id,v\n1," Buyer "\n2, Buyer \n', False),
    "whitespace line, one column": ("id\n1\n   \n2\n", False),
    "empty header cell": ("id,,v\n1,2,3\n", False),
    "header opening space": ("id, v\n1,2\n", False),
    # an export that quotes every field (Salesforce's do): opening spaces are all kept, however
    # many distinct ones (more than the values checked one by one)
    "every field quoted": (_QUOTED_ALL, True),
    "every field quoted but one": (_QUOTED_ALL + '"101", Buyer\n', False),
    "a stray quote": ('id,v\n1,ab"c\n2, d"e\n3," f"\n', True),
}


def _write(tmp_path, text: str):
    path = tmp_path / "list.csv"
    path.write_bytes(text.encode("utf-8"))
    return path


def _pandas(path, columns=None) -> pd.DataFrame:
    with csv_errors(path):
        frame = pd.read_csv(path, **csv_options(path, list(MISSING), columns))
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame


@pytest.mark.parametrize("name", FILES)
def test_every_file_reads_as_pandas_reads_it_whole_and_in_batches(tmp_path, name):
    path = _write(tmp_path, FILES[name][0])
    expected = _pandas(path)
    pd.testing.assert_frame_equal(read_table(path, missing_values=MISSING), expected)
    batches = list(iter_table(path, missing_values=MISSING, batch_rows=2))
    assert [offset for offset, _ in batches] == list(range(0, len(expected), 2))
    pd.testing.assert_frame_equal(pd.concat([frame for _, frame in batches]), expected)


@pytest.mark.parametrize("name", FILES)
def test_only_files_with_a_trait_arrow_reads_otherwise_go_to_pandas(tmp_path, name):
    text, by_arrow = FILES[name]
    path = _write(tmp_path, text)
    spec = arrow_spec(path, MISSING, None)
    try:
        assert spec is not None
        with path.open("rb") as handle:
            frame = read_frame(handle, spec)
    except Exception:
        assert not by_arrow, f"{name}: read by pandas, Arrow could have read it"
        return
    assert by_arrow, f"{name}: Arrow read what pandas reads otherwise"
    pd.testing.assert_frame_equal(frame, _pandas(path))


def test_a_column_subset_comes_in_file_order(tmp_path):
    path = _write(tmp_path, "id,a,b,c\n1,x,y,z\n")
    frame = read_table(path, missing_values=MISSING, columns=["c", "id"])
    pd.testing.assert_frame_equal(frame, _pandas(path, ["c", "id"]))
    assert list(frame.columns) == ["id", "c"]


@pytest.mark.parametrize("arrow", [True, False])
def test_a_column_is_asked_for_by_its_stripped_name(tmp_path, monkeypatch, arrow):
    """Every reader names a header cell ``"created_at "`` as ``created_at``: asking for it so
    reads it, whole and in batches (the streaming engine asks for its date columns so)."""
    if not arrow:
        from leadscore.io import batches

        for module in (tables, batches):
            monkeypatch.setattr(module, "arrow_spec", lambda *args: None)
    path = _write(tmp_path, "id,created_at ,v\n1,2025-01-02,a\n2,2025-01-03,b\n")
    frame = read_table(path, missing_values=MISSING, columns=["created_at"])
    assert list(frame.columns) == ["created_at"]
    assert frame["created_at"].tolist() == ["2025-01-02", "2025-01-03"]
    batches = [b for _, b in iter_table(path, missing_values=MISSING, columns=["created_at"],
                                        batch_rows=1)]  # fmt: skip
    pd.testing.assert_frame_equal(pd.concat(batches), frame)


def test_a_fault_late_in_a_stream_is_reported_by_pandas_with_its_row(tmp_path):
    rows = "".join(f"{i},v{i}\n" for i in range(7)) + "7,a,b\n"
    path = _write(tmp_path, "id,v\n" + rows)
    read = iter_table(path, missing_values=MISSING, batch_rows=3)
    assert next(read)[1]["id"].tolist() == ["0", "1", "2"]
    with pytest.raises(Exception, match="line 9"):
        list(read)


def test_a_batch_arrow_cannot_read_is_read_by_pandas_from_there(tmp_path):
    # the short row is in the third batch: the first two come from Arrow, the rest from pandas
    rows = [f"{i},a{i},b{i}" for i in range(9)]
    rows[7] = "7,a7"
    path = _write(tmp_path, "id,v,w\n" + "\n".join(rows) + "\n")
    batches = list(iter_table(path, missing_values=MISSING, batch_rows=3))
    assert [offset for offset, _ in batches] == [0, 3, 6]
    pd.testing.assert_frame_equal(pd.concat([f for _, f in batches]), _pandas(path))


def test_a_latin1_file_is_read_by_pandas(tmp_path):
    path = tmp_path / "list.csv"
    path.write_bytes("id;name\n1;Müller\n2;Ørsted\n".encode("latin-1"))
    assert arrow_spec(path, MISSING, None) is None
    assert read_table(path, missing_values=MISSING)["name"].tolist() == ["Müller", "Ørsted"]


def test_the_loader_gives_the_same_contacts_either_way(tmp_path, monkeypatch):
    text = (
        "contact_id;created_at;rating;revenue;title;zip\n"
        '007;13/01/2025;12,5;1.234.567,50;" Director; IT ";01234\n'
        "0042;14/01/2025;3;900; Project Manager ;80331\n"
        "A-9;15/01/2025;-0,5;;CTO;\n"
    )
    path = _write(tmp_path, text)
    by_arrow = load_contacts(path, Config(), require_outcome=False)
    monkeypatch.setattr(tables, "arrow_spec", lambda *args: None)
    by_pandas = load_contacts(path, Config(), require_outcome=False)
    pd.testing.assert_frame_equal(by_arrow, by_pandas)
    assert by_arrow["contact_id"].tolist() == ["007", "0042", "A-9"]
    assert by_arrow["rating"].tolist() == [12.5, 3.0, -0.5]


# -- plain numbers: the Arrow pass gives exactly what the full rules give -------------------
COLUMNS = [
    ["1.5", "-12.25", "0.5", "", None, "3"],
    ["12,5", "0,75", "-3", "  4,0 "],
    ["1.200", "53.900"],  # both ways: the full rules say why
    ["1.200", "0.5"],
    ["1", "-0", "0", "42"],
    ["007", "1.5"],  # a code: not a plain number
    ["007", "12", "0"],  # whole numbers with a leading zero: codes, not plain numbers either
    ["1e5", ".5", "1.", "+3", "1 234,5", "$12.50", "(5)", "12 %"],
    ["1234.567", "-999.999", "100.000"],
    ["9" * 30, "1" * 20 + ".25", "-" + "7" * 17],
    ["\u00a012.5", "3.25\t"],
    ["  1.5", "2.5", "", "   ", None],  # padded and blank: stripped before they are told
    ["1", "", "\t", None, "20"],
    ["-0", "-0.0", "0.0", "0"],
    ["1,5", "2", "-3,25", " 4,75"],  # a decimal comma file's column
    ["١٢٣", "1", "2"],  # Arabic-Indic digits are not plain numbers
    ["12", "1 200", "3"],  # a thousands space
    ["NaN", "1.5"],
    ["inf", "-inf", "2"],
    ["+3", "4"],
    ["1e5", "2"],
    [".5", "1.5"],
    ["5.", "1.5"],
    ["0.5", "1.200", "2.5"],  # the first with a separator reads both ways, the next does not
]


@pytest.mark.parametrize("values", COLUMNS)
@pytest.mark.parametrize("hint", [None, ",", "."])
def test_plain_numbers_decide_and_read_as_the_full_rules(values, hint):
    series = pd.Series(values, dtype="str")
    fmt = decide_number_format(series, column="amount", hint=hint)
    text = series.astype("string").str.strip(" \u00a0\u202f\t")
    distinct = pd.Series(pd.unique(text.mask(text == "").dropna()), dtype="string")
    rules = _from_values(distinct, "amount", hint)
    assert (fmt.decimal, fmt.thousands, fmt.ambiguous) == (
        rules.decimal,
        rules.thousands,
        rules.ambiguous,
    )
    example = re.search("such as ('[^']*')", fmt.why)
    assert example is None or example[1] in rules.why  # the same first value decides
    fast = parse_numbers(series, fmt).to_numpy()
    full = _parse_distinct(series, fmt).to_numpy()
    assert np.array_equal(fast, full, equal_nan=True)
    assert np.array_equal(np.signbit(fast), np.signbit(full))


@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.bz2", ".csv.zip"])
def test_a_compressed_file_reads_as_pandas_reads_it(tmp_path, suffix):
    frame = pd.DataFrame({"id": ["007", "8"], "title": [" Buyer ", "Director, IT"]})
    path = tmp_path / f"list{suffix}"
    frame.to_csv(path, index=False)
    assert arrow_spec(path, MISSING, None) is not None
    pd.testing.assert_frame_equal(read_table(path, missing_values=MISSING), _pandas(path))
    batches = [f for _, f in iter_table(path, missing_values=MISSING, batch_rows=1)]
    pd.testing.assert_frame_equal(pd.concat(batches), _pandas(path))


@pytest.mark.parametrize("name", FILES)
def test_the_quote_scan_says_the_same_in_chunks_of_any_size(name):
    from leadscore.io.csvarrow import opens_unquoted_with_space

    data = FILES[name][0].encode("utf-8")
    delimiter = ";" if name == "semicolons" else "\t" if name == "tabs" else ","
    whole = opens_unquoted_with_space(iter([data]), delimiter)
    for size in (1, 2, 5):
        parts = [data[i : i + size] for i in range(0, len(data), size)]
        assert opens_unquoted_with_space(iter(parts), delimiter) == whole, size
    if name in ("every field quoted", "line breaks", "missing values"):
        assert not whole  # no field outside quotes opens with a space
    if name in ("opening spaces", "every field quoted but one", "a stray quote"):
        assert whole


def _opens_unquoted_by_byte(data: bytes, delimiter: str) -> bool:
    """The quote scan's rule, byte by byte: a space opening a field outside quotes, a quote
    outside quotes that neither opens a field nor doubles one, a closing quote followed by
    other than a delimiter, a line break or a quote, or a quote never closed."""
    inside, before = False, "\n"
    for char in data.removeprefix(b"\xef\xbb\xbf").decode("latin-1"):
        start = before in (delimiter, "\n", "\r")
        if not inside and (
            (start and char == " ")
            or (char == '"' and not start and before != '"')
            or (char != '"' and before == '"' and char not in (delimiter, "\n", "\r"))
        ):
            return True
        inside ^= char == '"'
        before = char
    return inside


def _random_csv(rng: np.random.Generator, delimiter: str) -> bytes:
    """Rows of fields quoted or not, holding spaces, delimiters, quotes and line breaks; a
    fifth of them with one character put anywhere (stray quotes, opening spaces)."""
    chars = ["a", " ", delimiter, '"', "\n"]

    def field() -> str:
        text = "".join(rng.choice(chars[: 5 if rng.random() < 0.5 else 2], rng.integers(0, 6)))
        if rng.random() < 0.5 or any(c in text for c in chars[2:]):
            return '"' + text.replace('"', '""') + '"'
        return text if rng.random() < 0.1 else text.lstrip(" ")

    rows = [delimiter.join(field() for _ in range(rng.integers(1, 5))) for _ in range(4)]
    text = str(rng.choice(["\n", "\r\n", "\r"])).join(rows)
    if rng.random() < 0.2:
        at = int(rng.integers(0, len(text) + 1))
        text = text[:at] + str(rng.choice(['"', " ", delimiter, "\n"])) + text[at:]
    return text.encode()


def test_the_quote_scan_follows_its_rule_byte_by_byte():
    from leadscore.io.csvarrow import opens_unquoted_with_space

    rng = np.random.default_rng(7)
    answers = []
    for _ in range(600):
        delimiter = str(rng.choice([",", ";", "\t"]))
        data = _random_csv(rng, delimiter)
        expected = _opens_unquoted_by_byte(data, delimiter)
        for size in (1, 2, 3, 64):
            parts = iter([data[i : i + size] for i in range(0, len(data), size)] or [b""])
            assert opens_unquoted_with_space(parts, delimiter) == expected, (data, size)
        answers.append(expected)
    assert 50 < sum(answers) < 550  # both answers are exercised


# -- columns of plain numbers with a few other values: Arrow counts, the rules decide -------
EDGES = [
    "1e5", "1E-3", "+3", ".5", "5.", "-0", "-0.0", "0", "007", "00", "0,5", "-.5", "1.200",
    "-12.500", "1,234.5", "1.234,5", "1 234", "1\u00a0234,5", "1\u202f234", "NaN", "nan", "inf",
    "-inf", "Infinity", "١٢٣", "٣٫٥", "１２", "$12.50", "12 %", "(5)", "+49 173 4150540",
    "+491734150540", "abc", "", "   ", None, " 12.5", "3,25\t", "1.2.3", "--5", "−5", "12'345",
    "0.000", "100.000", "12,5 %", "€ 1.234,56",
]  # fmt: skip


def _plain_values(rng: np.random.Generator, kind: str, n: int) -> list[str | None]:
    if kind == "whole":
        return [str(v) for v in rng.integers(0, 10**6, n)]
    if kind == "point":
        return [repr(float(v)) for v in rng.normal(0, 1e4, n)]
    if kind == "comma":
        return [f"{v:.2f}".replace(".", ",") for v in rng.normal(0, 1e3, n)]
    if kind == "negative groups":  # each of them 8 characters, a thousands group or not
        return [f"{v:.3f}" for v in rng.uniform(-999, -100, n)]
    return [f"{v:.3f}" for v in rng.uniform(-999, 999, n)]  # one thousands group, or not


def _edge_columns() -> list[list[str | None]]:
    """Columns of plain numbers (whole, decimal point, decimal comma, three decimals) with
    one to five edge values after the first 100 rows (the fast path's look at the head
    passes: among them, the full rules decide)."""
    rng = np.random.default_rng(11)
    columns = []
    for kind in ("whole", "point", "comma", "three", "negative groups"):
        for edge in EDGES:
            values = _plain_values(rng, kind, 160)
            for at in rng.integers(100, 160, int(rng.integers(1, 6))):
                values[at] = edge
            columns.append(values)
    return columns


@pytest.mark.parametrize("hint", [None, ","])
def test_mostly_plain_columns_decide_and_read_as_the_full_rules(hint):
    for values in _edge_columns():
        series = pd.Series(values, dtype="str")
        fmt, numbers = read_numbers(series, column="amount", hint=hint)
        assert decide_number_format(series, column="amount", hint=hint) == fmt
        text = series.astype("string").str.strip(" \u00a0\u202f\t")
        distinct = pd.Series(pd.unique(text.mask(text == "").dropna()), dtype="string")
        rules = _from_values(distinct, "amount", hint)
        if "plain numbers such as" in fmt.why:  # every value plain: the why names an example
            assert (fmt.decimal, fmt.ambiguous) == (rules.decimal, rules.ambiguous), values
        else:
            assert fmt == rules, values  # the same why, counts and examples included
        full = _parse_distinct(series, fmt).to_numpy()
        assert np.array_equal(numbers.to_numpy(), full, equal_nan=True), values
        assert np.array_equal(np.signbit(numbers.to_numpy()), np.signbit(full)), values


def test_a_few_other_values_among_plain_numbers_are_counted_as_the_rules_count_them():
    values = [f"{i}.25" for i in range(150)] + ["1.2e+10", "1,5", "2,5", "1.5", "n/a", " 7,5 "]
    fmt, numbers = read_numbers(pd.Series(values, dtype="str"), column="amount")
    assert fmt.decimal == "." and fmt.ambiguous
    assert fmt.why == (
        "decimal '.': 151 distinct values such as '0.25' read only so; 3 distinct values "
        "such as '1,5' read only with ',', so NaN"
    )
    assert numbers.iloc[149] == 149.25 and numbers.iloc[150:].isna().tolist() == [
        True, True, True, False, True, True,
    ]  # fmt: skip


def test_filled_cells_are_told_alike_in_arrow_and_in_python_strings():
    from leadscore.data.attributes import _filled

    values = ["1", "", " ", "\t", "\u00a0", "\u2003\u3000", "\n", " a ", None, "\u200b", "0"]
    arrow = _filled(pd.Series(values, dtype="str"))
    python = _filled(pd.Series(values, dtype=object))
    assert arrow.tolist() == python.tolist()
    assert arrow.tolist() == [True] + [False] * 6 + [True, False, True, True]


# -- plain numbers told by Arrow's cast: the columns the regex calls plain, the same floats --
SHAPES = [
    "1.5", "-12.25", "0.5", "3", "-0", "0", "42", "10", "100.5", "0.000", "-0.0", "9" * 30,
    "1,5", "-0,25", "007", "00", "05", "-05", "00.5", "0,5", "1.", "-1.", "0.", ".5", "-.5",
    "1e5", "1E5", "+3", "1.2.3", "1..2", "--5", "-", "5-", "1-2", "nan", "inf", " 1", "1 ",
    "", "١٢٣", "1,234.5", "1.200", "1/2",
]  # fmt: skip


@pytest.mark.parametrize("block", [1 << 16, 1, 2])  # values looked at together
def test_a_column_told_plain_by_the_cast_is_one_the_regex_calls_plain(block, monkeypatch):
    import pyarrow as pa
    import pyarrow.compute as pc

    from leadscore.data import plainnumbers
    from leadscore.data.plainnumbers import PLAIN, Scan, cast_scan, floats

    monkeypatch.setattr(plainnumbers, "BLOCK", block)
    rng = np.random.default_rng(5)
    told = 0
    for trial in range(3000):
        column = [SHAPES[i] for i in rng.integers(0, len(SHAPES), rng.integers(1, 5))]
        column += [None] * int(rng.integers(0, 2))
        at = int(rng.integers(0, len(column) + 1))  # chunks as a CSV reader hands them
        parts = [p for p in (column[:at], column[at:]) if p] if trial % 2 else [column]
        raw = pa.chunked_array([pa.array(p, pa.large_string()) for p in parts])
        for mark in (",", "."):
            plain = pc.match_substring_regex(raw, PLAIN[mark])
            every = pc.all(plain).as_py() is True
            scan = cast_scan(raw, mark)
            commas = any(v is not None and "," in v for v in column)
            assert (scan is not None) == (every and not (mark == "," and commas)), (column, mark)
            if scan is not None:
                told += 1
                assert scan.plain.to_pylist() == plain.to_pylist(), column
                by_regex = floats(Scan(mark, raw, plain, every=True))
                assert np.array_equal(scan.numbers, by_regex, equal_nan=True), column
                assert np.array_equal(np.signbit(scan.numbers), np.signbit(by_regex)), column
    assert told > 300  # the cast tells many columns
