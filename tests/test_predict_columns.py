"""``predict`` and the list's columns: the model's columns the list lacks are named (more
than half missing is refused before scoring), and ``--keep`` passes columns through."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import leadscore
from engines_world import AS_OF, config_for
from leadscore.cli import app
from leadscore.errors import LeadscoreError

ENV = {"COLUMNS": "400"}


def _list(world: dict, tmp_path: Path, drop: list[str]) -> Path:
    contacts = pd.read_csv(world["root"] / "contacts.csv", dtype=str, keep_default_na=False)
    path = tmp_path / "list.csv"
    contacts.drop(columns=drop).to_csv(path, index=False)
    return path


def _predict(world: dict, contacts: Path, out: Path, **options: object) -> leadscore.Prediction:
    return leadscore.predict(
        contacts, world["root"] / "activities.csv", config_for("snapshots"), out=out,
        model=world["models"]["snapshots"], as_of=AS_OF, **options,
    )  # fmt: skip


def test_missing_model_columns_are_named_and_scored_as_missing(engines_world, tmp_path) -> None:
    # given a list without two of the columns the model uses
    contacts = _list(engines_world, tmp_path, ["industry", "country"])
    # when it is scored, then a note names them, and the rows are scored
    done = _predict(engines_world, contacts, tmp_path / "o.csv")
    note = next(n for n in done.notes if "the model uses are not in the list" in n)
    assert note.endswith("treated as missing: industry, country")
    assert done.scored > 500


def test_more_than_half_missing_is_refused_before_scoring(engines_world, tmp_path) -> None:
    # given a list holding the id, the dates and the outcome, but none of the attributes
    meta_columns = ["industry", "employees", "annual_revenue", "country", "job_title",
                    "lead_source", "budget"]  # fmt: skip
    contacts = _list(engines_world, tmp_path, meta_columns)
    out = tmp_path / "o.csv"
    # when it is scored, then it stops before scoring, naming the columns and the override
    with pytest.raises(LeadscoreError, match=r"7 of the 7 columns the model uses are not in the "
                       r"list \(industry, employees, .*--allow-missing-columns") as err:  # fmt: skip
        _predict(engines_world, contacts, out)
    assert err.value.file == str(contacts) and not out.exists()
    # and the flag scores it anyway, saying the columns were treated as missing
    done = _predict(engines_world, contacts, out, allow_missing_columns=True)
    assert done.scored > 500 and any("treated as missing" in n for n in done.notes)


def test_keep_errors_name_the_column(engines_world, tmp_path) -> None:
    contacts = pd.read_csv(engines_world["root"] / "contacts.csv", dtype=str)
    path = tmp_path / "with_tier.csv"
    contacts.assign(tier="A").to_csv(path, index=False)  # the list has its own "tier"
    cases = {
        "nickname": "no column 'nickname' in the list",
        "email,tier": "--keep 'tier': the output already has a column of that name",
        "created_at": r"--keep 'created_at': it is the \[contacts\] created_at column",
    }
    for keep, message in cases.items():
        with pytest.raises(LeadscoreError, match=message):
            _predict(engines_world, path, tmp_path / "o.csv", keep=keep)
    assert not (tmp_path / "o.csv").exists()


def test_keep_on_the_command_line_is_spreadsheet_safe(engines_world, tmp_path) -> None:
    root = engines_world["root"]
    out = tmp_path / "o.csv"
    res = CliRunner().invoke(app, [
        "predict", str(root / "contacts.csv"), "-a", str(root / "activities.csv"),
        "-m", str(engines_world["models"]["snapshots"]), "-o", str(out), "--as-of", AS_OF,
        "--keep", "email, phone",
    ], env=ENV)  # fmt: skip
    assert res.exit_code == 0, res.output
    written = pd.read_csv(out, dtype=str)
    raw = pd.read_csv(root / "contacts.csv", dtype=str)
    assert list(written.columns[:3]) == ["contact_id", "email", "phone"]
    assert written["email"].equals(raw["email"])
    assert (written["phone"] == "'" + raw["phone"]).all()  # "+44-…" could run as a formula
