"""Execution engines: local processes (``engine = "local"``) or a Ray cluster (``"ray"``).

``make_runner`` is what commands call instead of building a ``Runner`` themselves;
with ``engine = "ray"`` it returns ``corpuslint.ray_engine.runner.RayRunner``, which
has the same interface and gives the same findings (docs/scaling.md). Ray is an
extra and is imported only then.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from corpuslint.config import Settings
from corpuslint.errors import CorpuslintError
from corpuslint.runner import Job, Runner

# Corpus rules (comma-separated codes) the Ray engine runs in the driver through a
# temporary index even when it has a distributed stage for them (debugging, tests).
FALLBACK_ENV = "CORPUSLINT_RAY_FALLBACK"


def check_engine_available(settings: Settings) -> None:
    """A one-line error now, before any work, when the engine cannot run."""
    if settings.engine == "local":
        return
    if settings.engine == "ray":
        from corpuslint.ray_engine.connect import INSTALL_HINT, ray_installed

        if not ray_installed():
            raise CorpuslintError(f'engine "ray" needs Ray, which is not installed: {INSTALL_HINT}')
        return
    raise CorpuslintError(f"unknown engine {settings.engine!r}")


def make_runner(
    job: Job,
    *,
    jobs: int | None = None,
    progress: Callable[[str, int], Callable[[int], None] | None] | None = None,
) -> Runner:
    """The runner for ``job.settings.engine``."""
    if job.settings.engine == "ray":
        check_engine_available(job.settings)
        from corpuslint.ray_engine.runner import RayRunner

        forced = tuple(
            c.strip().upper() for c in os.environ.get(FALLBACK_ENV, "").split(",") if c.strip()
        )
        return RayRunner(job, jobs=jobs, progress=progress, fallback_codes=forced)
    return Runner(job, jobs=jobs, progress=progress)
