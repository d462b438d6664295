"""Claims the README and docstrings make, each tested so that it fails when the claim breaks.

- A model file is checked against its checksum *before* anything unpickles it.
- The leakage guard decides from the data alone, never from a column's name.
- The time split keeps future outcomes out: a purge gap, no contact on both sides of the
  fit/calibration split, and the test part is the most recent snapshot dates.
"""

from __future__ import annotations

import pickle
import shutil
import string
from pathlib import Path

import joblib
import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from helpers import train
from leadscore.cli import app
from leadscore.config import load_config
from leadscore.data.crm import load_crm
from leadscore.errors import ModelError
from leadscore.features.activity import learn_activity_spec
from leadscore.features.snapshots import assemble_rows
from leadscore.io.store import load_model, read_metadata, save_model
from leadscore.model import leakage
from leadscore.model.examples import examples_of
from leadscore.model.spec import TrainSpec
from leadscore.model.split import order_split, snapshot_split, time_split
from leadscore.model.train import guard_leakage
from leadscore.sample import generate_crm, write_crm


@pytest.fixture(scope="module")
def small_crm(tmp_path_factory: pytest.TempPathFactory):
    """(CRM, config, folder) of a small sample CRM: 10 months x 200 contacts."""
    folder = tmp_path_factory.mktemp("crm")
    contacts, activities = generate_crm(months=10, contacts_per_month=200, seed=7)
    write_crm(contacts, activities, folder)
    cfg = load_config(None)
    crm = load_crm(folder / "contacts.csv", folder / "activities.csv", cfg, require_outcome=True)
    return crm, cfg, folder


# ----------------------------------------------------------------------------- checksum


@pytest.fixture(scope="module")
def model_folder(small_crm, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model trained on the small CRM and saved as a model folder."""
    crm, cfg, _ = small_crm
    return save_model(train(crm, cfg).scorer, tmp_path_factory.mktemp("model") / "model")


def _code_running_pickle(marker: Path) -> bytes:
    """A pickle whose unpickling creates ``marker`` (it calls ``open(marker, 'w')``)."""
    return f"cbuiltins\nopen\n(S'{marker}'\nS'w'\ntR.".encode()


@pytest.fixture
def tampered(model_folder: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the model folder whose model.joblib was replaced by a code-running pickle;
    and the marker file that pickle creates when it is unpickled."""
    folder = Path(shutil.copytree(model_folder, tmp_path / "model"))
    marker = tmp_path / "payload-ran"
    (folder / "model.joblib").write_bytes(_code_running_pickle(marker))
    return folder, marker


@pytest.fixture
def unpickler_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every unpickler, patched to record that it was reached (and then refuse)."""
    calls: list[str] = []

    def tripwire(name: str):
        def reached(*args, **kwargs):
            calls.append(name)
            raise AssertionError(f"{name} was reached before the checksum refused the file")

        return reached

    monkeypatch.setattr(joblib, "load", tripwire("joblib.load"))
    for name in ("load", "loads", "Unpickler", "_Unpickler"):
        monkeypatch.setattr(pickle, name, tripwire(f"pickle.{name}"))
    return calls


def test_the_payload_is_armed(tmp_path: Path) -> None:
    # the unpickler that store uses runs the payload: the tests below would notice it
    marker = tmp_path / "payload-ran"
    (tmp_path / "model.joblib").write_bytes(_code_running_pickle(marker))
    joblib.load(tmp_path / "model.joblib").close()
    assert marker.exists()


def test_an_untouched_model_folder_loads(model_folder: Path) -> None:
    # the control: the folder the tests below tamper with is a valid model folder
    assert load_model(model_folder).thresholds == read_metadata(model_folder)["thresholds"]


def test_a_replaced_model_file_is_refused_before_unpickling(tampered, unpickler_calls) -> None:
    folder, marker = tampered
    with pytest.raises(ModelError, match="checksum mismatch") as refused:
        load_model(folder)
    assert "model.joblib" in str(refused.value)
    assert unpickler_calls == []
    assert not marker.exists()


def test_predict_refuses_a_replaced_model_file_before_unpickling(
    tampered, unpickler_calls, small_crm, tmp_path: Path
) -> None:
    folder, marker = tampered
    _, _, crm_folder = small_crm
    out = tmp_path / "predictions.csv"
    args = ["predict", str(crm_folder / "contacts.csv"), "-a", str(crm_folder / "activities.csv")]
    args += ["-m", str(folder), "-o", str(out)]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "400"})
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "checksum mismatch" in errors[0], result.output
    assert "model.joblib" in errors[0]
    assert unpickler_calls == []
    assert not marker.exists()
    assert not out.exists()


# ----------------------------------------------------------------------------- leakage guard


def _random_names(columns: list[str], seed: int) -> dict[str, str]:
    """A new, unique, meaningless name per column (letters, digits, spaces, accents)."""
    rng = np.random.default_rng(seed)
    alphabet = list(string.ascii_letters + string.digits + " _-.éß")
    names: dict[str, str] = {}
    while len(names) < len(columns):
        name = "".join(rng.choice(alphabet, size=int(rng.integers(3, 16))))
        if name.strip() and name not in names.values() and name not in columns:
            names[columns[len(names)]] = name
    return names


def _shuffled_names(columns: list[str], seed: int) -> dict[str, str]:
    """The same names handed out to other columns (a leak may be called 'region')."""
    cycle = [columns[i] for i in np.random.default_rng(seed).permutation(len(columns))]
    return {c: cycle[(i + 1) % len(cycle)] for i, c in enumerate(cycle)}  # none keeps its own


def _decisions(report: leakage.LeakageReport, back: dict[str, str]) -> dict[str, object]:
    """The report with every column name mapped back through ``back``."""
    findings = report.findings.assign(column=report.findings["column"].map(back))
    return {
        "findings": findings.set_index("column").sort_index(),
        "excluded": [back[c] for c in report.excluded],
        "suspect": [back[c] for c in report.suspect],
        "kept": [back[c] for c in report.kept],
    }


def _assert_same_decisions(renamed: dict[str, object], original: dict[str, object]) -> None:
    pdt.assert_frame_equal(renamed["findings"], original["findings"])
    for key in ("excluded", "suspect", "kept"):
        assert renamed[key] == original[key], key


def planted_rows(n: int = 4000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    """Rows with honest columns and planted leaks of each kind, an outcome, a scoring time."""
    rng = np.random.default_rng(seed)
    signal = rng.normal(size=n)
    y = (rng.random(n) < 1 / (1 + np.exp(-(signal - 1)))).astype(int)
    as_of = pd.Series(pd.Timestamp("2025-06-01"), index=range(n))
    before = as_of - pd.to_timedelta(rng.integers(1, 400, n), unit="D")
    later = as_of + pd.to_timedelta(rng.integers(1, 90, n), unit="D")
    some_later = as_of + pd.to_timedelta(np.where(rng.random(n) < 0.05, 5, -30), unit="D")
    frame = pd.DataFrame(
        {
            "score_like": signal + rng.normal(scale=1.0, size=n),  # honest, AUC ~0.75
            "region": rng.choice(["north", "south", "east", "west"], n),  # honest, noise
            "first_seen": before.dt.strftime("%Y-%m-%d"),  # honest date, always before
            "stage_notes": np.where(y == 1, rng.choice(["PO signed", "contract back"], n), None),
            "final_amount": np.where(y == 1, rng.integers(1_000, 50_000, n), 0).astype(float),
            "last_modified": later.astype(str),  # written after the scoring time
            "reviewed_on": some_later.dt.strftime("%Y-%m-%d"),  # 5 % after: suspect
        }
    )
    return frame, y, as_of


@pytest.mark.parametrize("rename", [_random_names, _shuffled_names])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_guard_decides_the_same_under_any_column_names(rename, seed: int) -> None:
    frame, y, as_of = planted_rows()
    groups = np.arange(len(y)) // 2  # two snapshots per contact
    columns, keep = list(frame.columns), ["final_amount"]
    original = leakage.scan(frame, y, columns, as_of=as_of, groups=groups, keep=keep)
    levels = original.findings.set_index("column")["level"]
    # all four decisions are exercised (else renaming could not change one)
    assert set(levels) == {"excluded", "kept by config", "suspect", "ok"}, levels
    assert levels["stage_notes"] == "excluded" and levels["score_like"] == "ok"
    names = rename(columns, seed)
    report = leakage.scan(
        frame.rename(columns=names),
        y,
        [names[c] for c in columns],
        as_of=as_of,
        groups=groups,
        keep=[names[c] for c in keep],
    )
    back = {new: old for old, new in names.items()}
    _assert_same_decisions(_decisions(report, back), _decisions(original, {c: c for c in columns}))


def test_the_training_guard_decides_the_same_under_any_column_names(small_crm) -> None:
    # given the snapshot rows train scans, with two leaks planted among the CRM's columns
    crm, cfg, _ = small_crm
    examples, _ = examples_of(crm.contacts, crm.activities, TrainSpec.from_config(cfg))
    spec = learn_activity_spec(crm.activities, cfg.features.windows_days)
    rows = assemble_rows(crm.contacts, crm.activities, examples, spec)
    y = examples["label"].to_numpy(dtype=int)
    rng = np.random.default_rng(0)
    rows["deal_notes"] = np.where(y == 1, rng.choice(["signed", "PO back"], len(y)), "")
    rows["deal_value"] = np.where(y == 1, rng.integers(500, 9_000, len(y)), 0)
    split = snapshot_split(examples, cfg.training)
    original = guard_leakage(rows, y, split, TrainSpec.from_config(cfg))
    assert original.excluded == ["deal_notes", "deal_value"], original.warning()
    # when every candidate column is renamed (contact and time keys are the loader's own)
    candidates = [c for c in rows.columns if c not in ("contact_id", "as_of")]
    for names in (_random_names(candidates, 3), _shuffled_names(candidates, 3)):
        report = guard_leakage(rows.rename(columns=names), y, split, cfg)
        back = {new: old for old, new in names.items()}
        # then every column gets the same decision and the same evidence
        same = {c: c for c in candidates}
        _assert_same_decisions(_decisions(report, back), _decisions(original, same))


# ----------------------------------------------------------------------------- time split


def _assert_time_split(examples: pd.DataFrame, split, horizon_days: int, test_fraction: float):
    """The three promises of ``time_split`` (see its module docstring), on one split."""
    as_of = examples["as_of"].to_numpy()
    contacts = examples["contact_id"].to_numpy()
    fit, cal, test = split.fit, split.calibration, split.test
    parts = np.concatenate([fit, cal, test])
    assert len(np.unique(parts)) == len(parts), "a row is in two parts"
    # (c) the test rows are every row of the most recent snapshot dates, and only those
    dates = np.sort(np.unique(as_of))
    test_dates = np.unique(as_of[test])
    k = len(test_dates)
    assert k > 0, "no test rows"
    assert (test_dates == dates[len(dates) - k :]).all()
    assert np.array_equal(np.sort(test), np.flatnonzero(np.isin(as_of, test_dates)))
    assert split.test_start == pd.Timestamp(test_dates[0])
    # ... as few dates as hold test_fraction of the rows (one date is always left to learn from)
    tail = np.cumsum(pd.Series(as_of).value_counts().reindex(dates[::-1]).to_numpy())
    assert k < len(dates) or len(dates) == 1
    assert tail[k - 1] / len(as_of) >= test_fraction or k == len(dates) - 1
    assert k == 1 or tail[k - 2] / len(as_of) < test_fraction
    # (a) fit and calibration labels are known by the first test date; the gap is unused
    start = np.datetime64(split.test_start)
    window_end = as_of + np.timedelta64(horizon_days, "D")
    learned = np.concatenate([fit, cal])
    assert (window_end[learned] <= start).all()
    gap = np.setdiff1d(np.arange(len(as_of)), parts)
    assert ((as_of[gap] < start) & (window_end[gap] > start)).all()
    assert np.array_equal(np.sort(learned), np.flatnonzero(window_end <= start))
    # (b) no contact is in both fit and calibration
    assert not set(contacts[fit]) & set(contacts[cal])


@st.composite
def snapshot_frames(draw) -> pd.DataFrame:
    """Contacts each present at a run of consecutive snapshot dates, in a shuffled order."""
    n_dates = draw(st.integers(1, 12))
    every = draw(st.integers(1, 45))
    dates = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(n_dates) * every, unit="D")
    rows = []
    for i in range(draw(st.integers(1, 25))):
        first = draw(st.integers(0, n_dates - 1))
        last = draw(st.integers(first, n_dates - 1))
        rows += [(f"c{i}", dates[j]) for j in range(first, last + 1)]
    frame = pd.DataFrame(rows, columns=["contact_id", "as_of"])
    order = draw(st.permutations(range(len(frame))))
    return frame.iloc[list(order)].reset_index(drop=True)


@settings(max_examples=150, deadline=None)
@given(
    examples=snapshot_frames(),
    horizon_days=st.integers(1, 200),  # the config refuses 0
    test_fraction=st.floats(0.05, 0.6),
    calibration_fraction=st.floats(0.0, 0.6),
    seed=st.integers(0, 2**31),
)
def test_time_split_on_generated_snapshots(
    examples, horizon_days, test_fraction, calibration_fraction, seed
) -> None:
    split = time_split(
        examples,
        horizon_days=horizon_days,
        test_fraction=test_fraction,
        calibration_fraction=calibration_fraction,
        seed=seed,
    )
    _assert_time_split(examples, split, horizon_days, test_fraction)


def test_time_split_on_the_sample_crm_snapshots(small_crm) -> None:
    crm, cfg, _ = small_crm
    examples, _ = examples_of(crm.contacts, crm.activities, TrainSpec.from_config(cfg))
    split = snapshot_split(examples, cfg.training)
    # every part and the purge gap hold rows, so no promise below holds vacuously
    gap = len(examples) - len(split.fit) - len(split.calibration) - len(split.test)
    assert min(len(split.fit), len(split.calibration), len(split.test), gap) > 0
    _assert_time_split(examples, split, cfg.training.horizon_days, cfg.training.test_fraction)


@settings(max_examples=150, deadline=None)
@given(
    order=st.lists(st.integers(0, 30), min_size=2, max_size=200),
    test_fraction=st.floats(0.05, 0.6),
    seed=st.integers(0, 2**31),
)
def test_order_split_tests_the_last_rows_by_order(order, test_fraction, seed) -> None:
    order = np.array(order, dtype=float)  # many ties
    y = np.arange(len(order)) % 2
    split = order_split(
        order, y, test_fraction=test_fraction, calibration_fraction=0.2, seed=seed, order_name="n"
    )
    n_test = max(1, int(round(test_fraction * len(order))))
    assert len(split.test) == n_test
    earlier = np.setdiff1d(np.arange(len(order)), split.test)
    assert np.array_equal(np.sort(np.concatenate([split.fit, split.calibration])), earlier)
    if len(earlier):
        # every test row comes after every earlier row; a tie keeps the file order
        last_earlier = max(earlier, key=lambda i: (order[i], i))
        first_test = min(split.test, key=lambda i: (order[i], i))
        assert (order[last_earlier], last_earlier) < (order[first_test], first_test)
