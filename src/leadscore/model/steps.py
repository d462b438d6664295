"""Where a job's time goes: wall and CPU seconds per named step, and the peak memory so far.

``train`` records its steps (examples, leakage guard, features, candidates, calibration,
refit, baseline, report) and the job adds its own (load, save, MLflow); ``leadscore train
--verbose`` prints them and docs/scale.md quotes them for the 1 M-contact bench. A step
entered twice adds up. The peak resident memory is the process's (``getrusage``), read when a
step ends: the first step whose figure jumps is the one that raised the peak. Before a step
starts, the memory the steps before it freed is handed back to the system
(``leadscore.memory``; under a millisecond), so it does not sit under the next step's peak.
"""

from __future__ import annotations

import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from leadscore.memory import release_unused


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB (Linux counts KB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


@dataclass
class Steps:
    """Wall seconds, CPU seconds and peak RSS (MB, after the step) per step, in order."""

    wall: dict[str, float] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        """Time the block as ``name`` (added to the step's earlier time, if any)."""
        release_unused()
        wall, cpu = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[name] = self.wall.get(name, 0.0) + time.perf_counter() - wall
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - cpu
            self.peak_mb[name] = peak_rss_mb()

    def rows(self) -> list[dict[str, Any]]:
        """One plain row per step (``step``, ``wall_s``, ``cpu_s``, ``peak_mb``), then the total."""
        out = [
            {"step": name, "wall_s": round(self.wall[name], 2), "cpu_s": round(self.cpu[name], 2),
             "peak_mb": round(self.peak_mb[name])}
            for name in self.wall
        ]  # fmt: skip
        total = {"step": "total", "wall_s": round(sum(self.wall.values()), 2),
                 "cpu_s": round(sum(self.cpu.values()), 2),
                 "peak_mb": round(max(self.peak_mb.values(), default=0.0))}  # fmt: skip
        return out + [total]


def step_of(steps: Steps | None, name: str) -> Any:
    """``steps.step(name)``, or a block that records nothing when there are no steps."""
    from contextlib import nullcontext

    return steps.step(name) if steps is not None else nullcontext()
