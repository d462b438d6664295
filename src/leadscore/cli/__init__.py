"""The ``leadscore`` command line: one typer app, each command registered here explicitly.

Every command parses its options, calls one function of ``leadscore.api`` and renders the
result; no command module imports another, so there are no import cycles.
"""

from __future__ import annotations

from typing import Annotated

import typer

from leadscore.cli import data, monitor, predict, registry, serve, train

app = typer.Typer(
    name="leadscore",
    help=(
        "Calibrated lead conversion scoring for CRM exports: learn from closed contacts, "
        "score open ones, sort them into lead / prospect / opportunity."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    threads: Annotated[
        int | None,
        typer.Option(
            min=1,
            envvar="LEADSCORE_THREADS",
            help="Threads for model fitting and scoring (default: the physical cores). One "
            "is faster when other work keeps the cores busy: see docs/scale.md.",
        ),
    ] = None,
) -> None:
    """Settings shared by every command (given before the command's name)."""
    from leadscore.threads import configure

    configure(threads)


app.command("sample-data")(data.sample_data)
app.command("train")(train.train)
app.command("predict")(predict.predict)
app.command("init-config")(data.init_config)
app.command("evaluate")(predict.evaluate)
app.command("propose-scorecard")(data.propose_scorecard)
app.command("runs")(registry.runs)
app.command("promote")(registry.promote)
app.command("retrain")(registry.retrain)
app.command("monitor")(monitor.monitor)
app.command("serve")(serve.serve)

if __name__ == "__main__":
    app()
