"""The content package's exception."""

from __future__ import annotations

from pathlib import Path


class ContentError(ValueError):
    """A study page cannot be used; names the file, the line and the fix."""

    def __init__(self, path: Path | str, line: int, problem: str, fix: str) -> None:
        self.path = Path(path)
        self.line = line
        self.problem = problem
        self.fix = fix
        super().__init__(f"{self.path}:{line}: {problem}. {fix}")
