"""Personal data never leaves the input: a HubSpot-shaped export with names in nine
languages (four scripts) and phones in seven formats is trained (logged to MLflow) and
scored; the product's own scanner finds none of its personal values in the predictions, the
reasons, the model folder, any MLflow artifact or parameter, or the messages, unless the
user asks to ``--keep`` them in the output."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from crm_shapes import PEOPLE, PHONE_FORMATS, hubspot, personal_values
from leadscore.cli import app
from leadscore.data.pii import find_pii, scan_folder

RUN = CliRunner()
KEEP = ["First Name", "Email", "Phone Number", "Company Name"]


def _ok(*args: object) -> str:
    res = RUN.invoke(app, [str(a) for a in args], env={"COLUMNS": "400"})
    assert res.exit_code == 0, res.output + repr(res.exception)
    return res.output


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, _empty_mlflow_store: Path) -> dict:
    """The export, a config drafted for it without its personal list (the values alone must
    be enough), one training logged to MLflow and one prediction without --keep."""
    root = tmp_path_factory.mktemp("personal")
    shutil.copyfile(_empty_mlflow_store, root / "mlflow.db")  # a new store, tables made
    with pytest.MonkeyPatch.context() as mp:
        uri = f"sqlite:///{root}/mlflow.db"
        mp.setenv("MLFLOW_TRACKING_URI", uri)
        mp.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        mp.chdir(root)
        paths = hubspot(root / "export")
        export = [paths["contacts"], "-a", paths["activities"]]
        cfg = root / "leadscore.toml"
        _ok("init-config", *export, "-o", cfg)
        text = re.sub(r"(?m)^personal = .*$", "personal = []", cfg.read_text())
        cfg.write_text(text)
        trained = _ok("train", *export, "-c", cfg, "--model-dir", root / "model")
        meta = json.loads((root / "model" / "metadata.json").read_text())
        as_of = meta["data"]["export_end"][:10]
        predicted = _ok("predict", *export, "-c", cfg, "-m", root / "model", "-o",
                        root / "scores.csv", "--as-of", as_of)  # fmt: skip
        yield {"root": root, "uri": uri, "export": export, "cfg": cfg, "meta": meta,
               "as_of": as_of, "messages": trained + predicted}  # fmt: skip


def _known(world: dict) -> list[str]:
    contacts = pd.read_csv(world["export"][0], dtype=str)
    return personal_values(world["root"] / "export", contacts["Company Name"])


def test_the_scanner_sees_every_language_and_phone_format_in_the_input(world: dict) -> None:
    people = pd.read_csv(world["root"] / "export" / "people.csv", dtype=str)
    found = set(find_pii(Path(world["export"][0]).read_bytes(), _known(world)))
    assert len(PEOPLE) >= 6 and len(PHONE_FORMATS) >= 5
    for language in PEOPLE:
        theirs = people.loc[people["language"] == language, ["full", "first", "last"]]
        assert set(theirs.to_numpy().ravel()) & found, language
    layouts = {re.sub(r"\d", "9", p) for p in people["phone"] if p in found}
    assert len(layouts) >= 5


def test_personal_columns_are_recognised_from_values_and_never_features(world: dict) -> None:
    meta = world["meta"]
    excluded = meta["data"]["excluded_columns"]
    expected = {"First Name": "names of people", "Last Name": "names of people",
                "Email": "e-mail addresses", "Phone Number": "phone numbers",
                "Street Address": "street addresses", "Company Name": "names of companies"}  # fmt: skip
    said = " ".join(world["messages"].split())  # the console wraps long lines
    for column, kind in expected.items():
        assert excluded[column].startswith(f"personal data: {kind}"), column
        assert not [f for f in meta["features"] if f.startswith(column)]
        assert f"{column} (personal data: {kind}" in said  # the report says which and why


def test_no_personal_value_in_predictions_reasons_model_or_messages(world: dict) -> None:
    known = _known(world)
    root = world["root"]
    scores = (root / "scores.csv").read_text()
    assert "reason_up_1" in scores and pd.read_csv(root / "scores.csv")["probability"].notna().any()
    assert find_pii(scores, known) == []
    assert scan_folder(root / "model", known) == {}
    assert find_pii(world["messages"], known) == []


def test_no_personal_value_in_any_mlflow_artifact_or_parameter(world: dict) -> None:
    import mlflow

    known = _known(world)
    client = mlflow.tracking.MlflowClient(tracking_uri=world["uri"])
    experiment = client.get_experiment_by_name("leadscore").experiment_id
    runs, models = client.search_runs([experiment]), client.search_logged_models([experiment])
    assert len(runs) == 1 and len(models) == 1
    run = runs[0]
    dst = world["root"] / "artifacts"
    mlflow.artifacts.download_artifacts(run_id=run.info.run_id, dst_path=str(dst / "run"),
                                        tracking_uri=world["uri"])  # fmt: skip
    mlflow.artifacts.download_artifacts(f"models:/{models[0].model_id}", dst_path=str(dst / "model"),
                                        tracking_uri=world["uri"])  # fmt: skip
    assert (dst / "run" / "model_folder" / "model.joblib").exists()
    example = json.loads((dst / "model" / "input_example.json").read_text())
    assert "First Name" not in json.dumps(example)  # the signature asks for no personal column
    assert scan_folder(dst, known) == {}
    assert find_pii(json.dumps(run.data.params) + json.dumps(run.data.tags), known) == []
    # the scanner does see personal data when it is there (the check can fail)
    (dst / "leak.txt").write_text(f"call {known[0]}")
    assert scan_folder(dst, known) == {"leak.txt": [known[0]]}


def test_keep_passes_chosen_columns_through_unchanged(world: dict) -> None:
    # when the rep asks for names, e-mails, phones and companies beside the scores
    root = world["root"]
    out = root / "kept.parquet"
    _ok("predict", *world["export"], "-c", world["cfg"], "-m", root / "model", "-o", out,
        "--as-of", world["as_of"], "--keep", ",".join(KEEP))  # fmt: skip
    # then they are there, exactly as in the export, next to the id
    kept = pd.read_parquet(out)
    raw = pd.read_csv(world["export"][0], dtype=str, keep_default_na=False)
    assert list(kept.columns[: 1 + len(KEEP)]) == ["contact_id", *KEEP]
    for column in KEEP:
        assert kept[column].fillna("").tolist() == raw[column].tolist(), column
    assert kept["contact_id"].tolist() == raw["Record ID"].tolist()
    # and passing them through changed no score
    scores = pd.read_csv(root / "scores.csv")
    pd.testing.assert_series_equal(kept["probability"], scores["probability"], check_dtype=False)
