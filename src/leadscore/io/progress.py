"""Progress on long work: a rich bar on a terminal, a plain log line every few seconds otherwise."""

from __future__ import annotations

import sys
import time


class Progress:
    """A rich progress bar on a terminal; a plain log line every few seconds otherwise."""

    def __init__(self, label: str, total: int | None, enabled: bool = True) -> None:
        self.label, self.total, self.done = label, total, 0
        self.start = time.perf_counter()
        self.last_log = self.start
        self.enabled = enabled
        self.bar = None
        if enabled and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import (
                Progress as Bar,
            )

            self.bar = Bar(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]} rows/s"),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.task = self.bar.add_task(label, total=total, rate="-")
            self.bar.start()

    def advance(self, rows: int) -> None:
        """Count ``rows`` more rows done."""
        self.done += rows
        now = time.perf_counter()
        rate = self.done / max(now - self.start, 1e-9)
        if self.bar is not None:
            self.bar.update(self.task, advance=rows, rate=f"{rate:,.0f}")
        elif self.enabled and now - self.last_log >= 5:
            self.last_log = now
            self._log(rate, now)

    def _log(self, rate: float, now: float) -> None:
        of = f" of ~{self.total:,}" if self.total else ""
        eta = ""
        if self.total and rate > 0 and self.total > self.done:
            eta = f", ETA {(self.total - self.done) / rate:,.0f} s"
        print(
            f"{self.label}: {self.done:,}{of} rows, {rate:,.0f} rows/s, "
            f"{now - self.start:,.1f} s{eta}",
            file=sys.stderr,
            flush=True,
        )

    def close(self) -> None:
        """Stop the bar (or log the final line)."""
        if self.bar is not None:
            self.bar.stop()
        elif self.enabled:
            now = time.perf_counter()
            self._log(self.done / max(now - self.start, 1e-9), now)
