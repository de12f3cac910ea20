"""Execution engines other than local processes (``engine = "ray"``)."""

from __future__ import annotations

from corpuslint.config import Settings
from corpuslint.errors import CorpuslintError


def check_engine_available(settings: Settings) -> None:
    raise CorpuslintError(
        f'engine {settings.engine!r} is not available in this version; use engine = "local"'
    )
