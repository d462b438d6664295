"""The thread setting: ``--threads`` / ``LEADSCORE_THREADS`` reach the model libraries while a
job runs, and the process's own limits come back after it."""

from __future__ import annotations

import pytest
from threadpoolctl import threadpool_info
from typer.testing import CliRunner

import leadscore
from leadscore.cli import app
from leadscore.errors import ConfigError
from leadscore.model.scorer import LeadScorer
from leadscore.threads import ENV, physical_cores, thread_count


def openmp_threads() -> int:
    """The OpenMP pool size scikit-learn's trees would use now."""
    return min(i["num_threads"] for i in threadpool_info() if i["user_api"] == "openmp")


def blas_threads() -> int:
    """The largest BLAS pool now (numpy's matrix products)."""
    return max(i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas")


@pytest.fixture
def seen(monkeypatch) -> list[int]:
    """The OpenMP pool size at each model call (the scorer is spied on, not changed)."""
    calls: list[int] = []
    original = LeadScorer.predict_frame

    def spy(self, rows):
        calls.append(openmp_threads())
        return original(self, rows)

    monkeypatch.setattr(LeadScorer, "predict_frame", spy)
    return calls


def predict_small(small_model, tmp_path, **kwargs) -> None:
    leadscore.predict(small_model["contacts"], small_model["activities"],
                      model=small_model["model"], as_of="2025-12-20",
                      out=tmp_path / "scored.csv", reasons=False, **kwargs)  # fmt: skip


def test_the_count_comes_from_the_option_then_the_variables_then_the_cores(monkeypatch) -> None:
    monkeypatch.setenv(ENV, "3")
    monkeypatch.setenv("OMP_NUM_THREADS", "5")
    assert thread_count(2) == 2
    assert thread_count() == 3
    monkeypatch.delenv(ENV)
    assert thread_count() == 5
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert thread_count() == physical_cores() >= 1


@pytest.mark.parametrize("value", ["0", "two", "-1"])
def test_a_bad_thread_count_is_an_error_naming_the_variable(monkeypatch, value) -> None:
    monkeypatch.setenv(ENV, value)
    with pytest.raises(ConfigError, match=ENV):
        thread_count()


def test_predict_scores_with_the_threads_set_and_gives_the_process_its_own_back(
    small_model, tmp_path, monkeypatch, seen
) -> None:
    before = openmp_threads()  # 1: the test session's own limit
    monkeypatch.setenv(ENV, "2")
    predict_small(small_model, tmp_path)
    assert seen and set(seen) == {2}
    assert openmp_threads() == before == 1


def test_the_cli_option_sets_the_threads_of_the_command(small_model, tmp_path, monkeypatch,
                                                        seen) -> None:  # fmt: skip
    monkeypatch.delenv(ENV, raising=False)  # restored after the test: the CLI sets it
    args = ["--threads", "2", "predict", str(small_model["contacts"]), "-a",
            str(small_model["activities"]), "-m", str(small_model["model"]), "--as-of",
            "2025-12-20", "-o", str(tmp_path / "out.csv"), "--no-reasons"]  # fmt: skip
    result = CliRunner().invoke(app, args, env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    assert seen and set(seen) == {2}


def test_the_cli_refuses_zero_threads(monkeypatch) -> None:
    result = CliRunner().invoke(app, ["--threads", "0", "predict", "x.csv"],
                                env={"COLUMNS": "400"})  # fmt: skip
    assert result.exit_code == 2
    assert "--threads" in result.output


def test_blas_keeps_one_thread_whatever_the_setting(monkeypatch) -> None:
    from leadscore.threads import limited

    monkeypatch.setenv(ENV, "2")
    with limited():  # a second BLAS thread only doubled the CPU of leadscore's products
        assert openmp_threads() == 2 and blas_threads() == 1
