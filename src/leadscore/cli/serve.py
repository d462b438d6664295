"""``leadscore serve``: score leads posted as JSON over HTTP, with the champion by default."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from leadscore.cli.common import ConfigOpt, user_errors


def serve(
    model: Annotated[
        str | None,
        typer.Option(
            "--model",
            "-m",
            help="Model folder or MLflow reference. Default: the champion when the MLflow "
            "store has one, else models/leadscore.",
            show_default=False,
        ),
    ] = None,
    config: ConfigOpt = None,
    host: Annotated[
        str, typer.Option(help="Interface to listen on; 0.0.0.0 exposes it to the network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free port).")] = 8000,
    quiet: Annotated[bool, typer.Option(help="No access log on stderr.")] = False,
) -> None:
    """Serve POST /score: leads (attributes + recent activities) in, probability, score, tier
    and reasons out, the same values as predict. Ctrl-C stops it."""
    with user_errors():
        from leadscore import api

        api.serve(model, config, host=host, port=port, quiet=quiet, ready=_ready)
        typer.echo("stopped", err=True)


LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def _ready(url: str, service: Any) -> None:
    typer.echo(f"model: {service.model}", err=True)
    typer.echo(f"serving POST {url}/score and GET {url}/health; Ctrl-C stops", err=True)
    host = url.removeprefix("http://").rsplit(":", 1)[0]
    if host not in LOOPBACK:
        typer.secho(
            f"warning: listening on {host}, not only this machine: anyone who reaches it can "
            "score leads (there is no authentication; put a proxy with one in front)",
            err=True, fg="yellow", bold=True,
        )  # fmt: skip
