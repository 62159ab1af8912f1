"""The learner's review data in one SQLite file: cards, review log, settings.

The file is opened through :class:`ReviewStore`. Every change is one
``BEGIN IMMEDIATE`` transaction, so an answer lands whole or not at all, and two
app tabs (or two processes) take turns instead of overwriting each other. The
database runs in WAL mode so readers never wait for a writer.

Tables:
    cards: one row per card: its content and when that last changed, its FSRS
        state and its place in the queue (new, learning, review, suspended or
        retired).
    review_log: one row per answer, with the state before and after it and the
        scheduler settings it was made with; rows are never updated, and only
        "undo" removes the newest one.
    schedulers: the distinct FSRS settings answers were scheduled with.
    settings: the learner's study settings.
    meta: small bookkeeping values (which answer can be undone).
    personal_cards: cards the learner wrote themselves.

Classes:
    ReviewStore: the store.
    QueuedCard, AnswerResult, UndoResult, SyncReport, QueueCounts, LogEntry.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from content.model import Flashcard
from settings import Settings
from spaced_repetition.errors import (
    InvalidValueError,
    NewerSchemaError,
    NotADatabaseError,
    UnknownCardError,
)
from spaced_repetition.schedule import (
    NEW_CARD,
    CardState,
    Choice,
    Phase,
    Rating,
    SchedulerConfig,
    StudySettings,
    as_utc,
    next_study_day_start,
    preview,
    review_card,
    study_day,
    study_day_start,
)

if TYPE_CHECKING:
    import sqlite_utils

logger = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_FILENAME",
    "SCHEMA_VERSION",
    "AnswerResult",
    "LogEntry",
    "QueueCounts",
    "QueuedCard",
    "ReviewStore",
    "SyncReport",
    "UndoResult",
]

DEFAULT_FILENAME = "review.sqlite3"
SCHEMA_VERSION = 3
# Written to the file header so the app recognises its own databases.
APPLICATION_ID = 0x44505250
SQLITE_MAGIC = b"SQLite format 3\x00"

# Learning cards due this soon are shown when nothing else is left, as Anki
# does, so a session does not stall for the last few minutes of a step.
LEARN_AHEAD = timedelta(minutes=20)
# Personal cards come after every page card in the new-card order.
PERSONAL_ORDER = 1_000_000_000
# How long a writer waits for another tab's transaction before giving up.
BUSY_TIMEOUT_S = 30.0

QUEUE_NEW, QUEUE_LEARNING, QUEUE_REVIEW = 0, 1, 2
QUEUE_SUSPENDED, QUEUE_RETIRED = -1, -3

_STATE_COLUMNS = (
    "phase",
    "step",
    "stability",
    "difficulty",
    "due",
    "last_review",
    "reps",
    "lapses",
)


class QueueCounts(TypedDict):
    """Cards left in today's queue, as on Anki's deck screen."""

    new: int
    learning: int
    review: int


@dataclass(frozen=True)
class QueuedCard:
    """The card to show next, with its state and why it is in the queue.

    Attributes:
        card: the flashcard.
        state: its scheduling state.
        queue: ``"learning"``, ``"review"`` or ``"new"``.
    """

    card: Flashcard
    state: CardState
    queue: str


@dataclass(frozen=True)
class AnswerResult:
    """What one answer did.

    Attributes:
        card_id: the card answered.
        rating: the answer given.
        before: the card's state before.
        after: its state after; ``after.due`` is when it comes back.
        log_id: the review log row written.
    """

    card_id: str
    rating: Rating
    before: CardState
    after: CardState
    log_id: int


@dataclass(frozen=True)
class UndoResult:
    """The answer that was taken back; the card is back in ``state``."""

    card_id: str
    rating: Rating
    state: CardState


@dataclass(frozen=True)
class SyncReport:
    """What syncing the content's cards changed, as lists of card ids."""

    added: tuple[str, ...]
    updated: tuple[str, ...]
    retired: tuple[str, ...]
    restored: tuple[str, ...]


@dataclass(frozen=True)
class LogEntry:
    """One row of the review log."""

    id: int
    card_id: str
    rating: Rating
    reviewed_at: datetime
    day: str
    duration_ms: int | None
    config: SchedulerConfig
    before: CardState
    after: CardState


def _ts(moment: datetime | None) -> str | None:
    # One fixed-width UTC form, so text order is time order in SQL.
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _dt(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


def _state_values(state: CardState) -> tuple[Any, ...]:
    return (
        int(state.phase),
        state.step,
        state.stability,
        state.difficulty,
        _ts(state.due),
        _ts(state.last_review),
        state.reps,
        state.lapses,
    )


def _state_from(values: Iterable[Any]) -> CardState:
    phase, step, stability, difficulty, due, last, reps, lapses = values
    return CardState(
        Phase(phase), step, stability, difficulty, _dt(due), _dt(last), reps, lapses
    )


def _queue(phase: int, suspended: int, retired: int) -> int:
    if retired:
        return QUEUE_RETIRED
    if suspended:
        return QUEUE_SUSPENDED
    if phase == Phase.New:
        return QUEUE_NEW
    if phase == Phase.Review:
        return QUEUE_REVIEW
    return QUEUE_LEARNING


def _top_level(path: tuple[str, ...]) -> str:
    if not path:
        return ""
    return path[1] if len(path) > 1 else path[0]


_CARD_COLUMNS = (
    "id, page, kind, front, back, section_path, tags, ord, level, key_points, "
    + ", ".join(_STATE_COLUMNS)
)


def _shown(card: Flashcard) -> tuple[Any, ...]:
    """The parts of a card a learner sees, in ``cards`` column form.

    Wording, section path, tags, kind and level end up on the card (and in an
    Anki note's fields and tags); order and key points do not, so a page that
    only moves a card does not make its content "changed".
    """
    return (
        card.kind,
        card.front,
        card.back,
        json.dumps(list(card.section_path)),
        json.dumps(list(card.tags)),
        card.level,
    )


_SHOWN_COLUMNS = "kind, front, back, section_path, tags, level"


def _card_from(row: tuple[Any, ...]) -> tuple[Flashcard, CardState]:
    card = Flashcard(
        id=row[0],
        page=row[1],
        kind=row[2],
        front=row[3],
        back=row[4],
        section_path=tuple(json.loads(row[5])),
        tags=tuple(json.loads(row[6])),
        order=row[7],
        level=row[8],
        key_points=tuple(json.loads(row[9])),
    )
    return card, _state_from(row[10:18])


# Migrations: each takes the store's database at the version before it and
# brings it to the next; they run in one transaction with the version bump.
# ``now`` is the moment of the upgrade, for a migration that must date rows.


def _migrate_to_1(db: sqlite_utils.Database, now: datetime) -> None:
    db["cards"].create(
        {
            "id": str,
            "page": str,
            "kind": str,
            "front": str,
            "back": str,
            "section_path": str,  # JSON list of headings
            "section": str,  # top-level section title, for mastery
            "tags": str,  # JSON list
            "ord": int,
            "level": str,
            "key_points": str,  # JSON list
            "phase": int,
            "step": int,
            "stability": float,
            "difficulty": float,
            "due": str,
            "last_review": str,
            "reps": int,
            "lapses": int,
            "queue": int,
            "suspended": int,
            "retired": int,
            "buried_until": str,
            "added_at": str,
        },
        pk="id",
        not_null={
            "page",
            "kind",
            "front",
            "back",
            "section_path",
            "section",
            "tags",
            "ord",
            "key_points",
            "phase",
            "reps",
            "lapses",
            "queue",
            "suspended",
            "retired",
            "added_at",
        },
        defaults={
            "phase": 0,
            "reps": 0,
            "lapses": 0,
            "queue": 0,
            "suspended": 0,
            "retired": 0,
        },
    )
    db["cards"].create_index(["queue", "due"], index_name="cards_by_queue_due")
    db["cards"].create_index(["queue", "ord"], index_name="cards_by_queue_ord")
    db["schedulers"].create({"id": int, "config": str}, pk="id", not_null={"config"})
    db["schedulers"].create_index(["config"], unique=True)
    log_columns: dict[str, type] = {
        "id": int,
        "card_id": str,
        "rating": int,
        "reviewed_at": str,
        "day": str,  # the learner's study day, for per-day counts
        "duration_ms": int,
        "scheduler_id": int,
    }
    for when in ("before", "after"):
        for name, kind in zip(
            _STATE_COLUMNS, (int, int, float, float, str, str, int, int), strict=True
        ):
            log_columns[f"{when}_{name}"] = kind
    db["review_log"].create(
        log_columns,
        pk="id",
        not_null={"card_id", "rating", "reviewed_at", "day", "scheduler_id"},
        foreign_keys=[("scheduler_id", "schedulers", "id")],
    )
    db["review_log"].create_index(["card_id", "id"], index_name="log_by_card")
    db["review_log"].create_index(["day", "before_phase"], index_name="log_by_day")
    db["review_log"].create_index(
        ["reviewed_at", "before_phase", "rating", "card_id"], index_name="log_by_time"
    )
    db.execute(
        "CREATE TRIGGER review_log_append_only BEFORE UPDATE ON review_log "
        "BEGIN SELECT RAISE(ABORT, 'the review log is append-only'); END"
    )
    db["settings"].create({"key": str, "value": str}, pk="key", not_null={"value"})
    db["meta"].create({"key": str, "value": str}, pk="key")


def _migrate_to_2(db: sqlite_utils.Database, now: datetime) -> None:
    db["personal_cards"].create(
        {
            "id": str,
            "front": str,
            "back": str,
            "section_path": str,
            "created_at": str,
        },
        pk="id",
        not_null={"front", "back", "section_path", "created_at"},
    )


def _migrate_to_3(db: sqlite_utils.Database, now: datetime) -> None:
    # When each card's shown content last changed, so that an Anki export can
    # date each note by it and Anki updates only the notes that changed.
    db["cards"].add_column("content_changed_at", str)
    # Personal cards cannot be edited, so their creation time is exact. For
    # page cards the store kept no such time, and `added_at` is too early for
    # a card reworded since: Anki takes a note only when it is dated after its
    # own copy, so wording changed after the learner's last import would
    # never reach Anki, without a sign. The upgrade's moment is never too
    # early. Its cost: the first import after the upgrade updates every page
    # card's note once more (as every import did before), overwriting edits
    # the learner made in Anki before then.
    db.execute(
        "UPDATE cards SET content_changed_at = coalesce("
        "(SELECT created_at FROM personal_cards p WHERE p.id = cards.id), ?)",
        (_ts(now),),
    )


MIGRATIONS: dict[int, Callable[[sqlite_utils.Database, datetime], None]] = {
    1: _migrate_to_1,
    2: _migrate_to_2,
    3: _migrate_to_3,
}


def _check_header(path: Path) -> None:
    """Refuse a file that is not SQLite before SQLite touches it."""
    if not path.exists() or path.stat().st_size == 0:
        return
    if path.is_dir():
        raise NotADatabaseError(
            f"{path} is a folder, not a review database. Point PREP_DATA_DIR at "
            "another folder or remove it."
        )
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_MAGIC))
    if header != SQLITE_MAGIC:
        raise NotADatabaseError(
            f"{path} is not an SQLite database (its first bytes are "
            f"{header[:8]!r}), so it cannot hold review data. It was left "
            "untouched: move it aside, or set PREP_DATA_DIR to another folder."
        )


class ReviewStore:
    """A learner's cards, review log and study settings in one SQLite file.

    Open it with :meth:`open`. One object may be shared by the threads of one
    process (its methods take turns); separate processes or tabs open their
    own and see each other's committed answers.
    """

    def __init__(self, path: Path, conn: sqlite3.Connection, defaults: StudySettings):
        self.path = path
        self._conn = conn
        self._defaults = defaults
        self._lock = threading.RLock()
        self._settings_cache: tuple[str | None, StudySettings] | None = None
        self._scheduler_ids: dict[str, int] = {}

    # Opening and closing

    @classmethod
    def open(
        cls,
        path: Path | str,
        settings: Settings | None = None,
        *,
        now: datetime | None = None,
    ) -> ReviewStore:
        """Open the review database at ``path``, creating or upgrading it.

        Args:
            path: the database file, such as ``data_dir / "review.sqlite3"``;
                missing folders are created.
            settings: the app settings; their study settings are the defaults
                until the learner saves their own.
            now: the moment of opening, recorded where an upgrade must date
                existing rows. Defaults to the current time.

        Returns:
            The open store.

        Raises:
            NotADatabaseError: the file is not SQLite, or is another program's
                database. The file is not modified.
            NewerSchemaError: a newer version of the app wrote the file. The
                file is not modified.
        """
        path = Path(path)
        defaults = StudySettings.from_settings(settings or Settings())
        _check_header(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_S
        )
        try:
            cls._prepare(path, conn, as_utc(now or datetime.now(UTC)))
        except BaseException:
            conn.close()
            raise
        return cls(path, conn, defaults)

    @staticmethod
    def _prepare(path: Path, conn: sqlite3.Connection, now: datetime) -> None:
        # Everything is read and checked before the first write, so a file
        # that is refused keeps every byte it had.
        try:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            tables = [
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            ]
        except sqlite3.DatabaseError as error:
            raise NotADatabaseError(
                f"{path} could not be read as an SQLite database ({error}). It "
                "was left untouched: move it aside, or set PREP_DATA_DIR to "
                "another folder."
            ) from error
        if app_id not in (0, APPLICATION_ID) or (version == 0 and tables):
            raise NotADatabaseError(
                f"{path} is an SQLite database of another program (tables: "
                f"{', '.join(tables[:5]) or 'none'}), not this app's review "
                "data. It was left untouched: move it aside, or set "
                "PREP_DATA_DIR to another folder."
            )
        if version > SCHEMA_VERSION:
            raise NewerSchemaError(
                f"{path} was written by a newer version of this app (schema "
                f"version {version}; this version reads up to {SCHEMA_VERSION}). "
                "It was left untouched: update the app, or set PREP_DATA_DIR "
                "to another folder to start afresh."
            )
        conn.execute("PRAGMA journal_mode = WAL")
        # NORMAL is safe in WAL mode: a killed process never loses a commit;
        # only a power cut may drop the last answers, never corrupt the file.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        if version == SCHEMA_VERSION:
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            # sqlite-utils (which loads pandas) is only needed to build tables.
            import sqlite_utils

            db = sqlite_utils.Database(conn, execute_plugins=False)
            for target in range(version + 1, SCHEMA_VERSION + 1):
                MIGRATIONS[target](db, now)
                logger.info("Upgraded %s to schema version %d", path, target)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        """Close the database; the store cannot be used afterwards."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    @contextmanager
    def _read(self) -> Iterator[sqlite3.Connection]:
        # One snapshot for all the queries of an operation.
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                yield self._conn
            finally:
                self._conn.execute("COMMIT")

    def query(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> list:
        """Rows of a read-only query, from one consistent snapshot."""
        with self._read() as conn:
            return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]

    # Study settings

    def study_settings(self) -> StudySettings:
        """The learner's study settings: saved values over the app's defaults."""
        with self._read() as conn:
            return self._settings(conn)

    def _settings(self, conn: sqlite3.Connection) -> StudySettings:
        row = conn.execute("SELECT value FROM settings WHERE key = 'study'").fetchone()
        text = row[0] if row else None
        if self._settings_cache and self._settings_cache[0] == text:
            return self._settings_cache[1]
        if text is None:
            settings = self._defaults
        else:
            try:
                settings = StudySettings.from_dict(json.loads(text), self._defaults)
            except (InvalidValueError, json.JSONDecodeError) as error:
                # Bad saved settings must not block reviewing; the defaults
                # apply until the learner saves valid ones.
                logger.warning(
                    "Saved study settings in %s are unusable (%s); using the "
                    "defaults. Save the settings page again to fix this.",
                    self.path,
                    error,
                )
                settings = self._defaults
        self._settings_cache = (text, settings)
        return settings

    def update_study_settings(self, **changes: Any) -> StudySettings:
        """Change and save study settings, such as ``new_per_day=10``.

        Keys are the fields of :class:`StudySettings`; durations may be given
        as ``timedelta`` or seconds. New settings apply to the next answers;
        past answers keep the settings they were made with.

        Returns:
            The settings now in force.

        Raises:
            InvalidValueError: naming each unknown key or out-of-range value.
        """
        with self._write() as conn:
            current = self._settings(conn)
            updated = StudySettings.from_dict(changes, current)
            stored = updated.to_dict()
            conn.execute(
                "INSERT OR REPLACE INTO settings (key, value) VALUES ('study', ?)",
                (json.dumps(stored, sort_keys=True),),
            )
        return updated

    # Syncing with the content

    def sync_cards(self, cards: Iterable[Flashcard], now: datetime) -> SyncReport:
        """Bring the store in line with the content's current cards.

        New ids are added as new cards; cards whose wording changed keep their
        id and history; cards no longer in the content are retired (kept,
        hidden from the queue) and come back with their history if they
        return. Personal cards are never retired. A card added, or one whose
        shown content (wording, section path, tags, kind, level) changed, has
        ``now`` recorded as its :meth:`content_changed_at`.

        Raises:
            InvalidValueError: two cards share an id.
        """
        cards = list(cards)
        now_text = _ts(as_utc(now))
        seen: set[str] = set()
        duplicates = sorted({c.id for c in cards if c.id in seen or seen.add(c.id)})
        if duplicates:
            raise InvalidValueError(
                f"{len(duplicates)} card ids appear more than once in the content "
                f"({', '.join(duplicates[:5])}); card ids must be unique. Fix the "
                "page so each card has its own section and key."
            )
        added, updated, retired, restored = [], [], [], []
        with self._write() as conn:
            existing = {
                row[0]: row
                for row in conn.execute(
                    "SELECT id, page, kind, front, back, section_path, tags, ord, "
                    "level, key_points, retired, phase, suspended, "
                    f"{_SHOWN_COLUMNS} FROM cards"
                )
            }
            for card in cards:
                content = (
                    card.page,
                    card.kind,
                    card.front,
                    card.back,
                    json.dumps(list(card.section_path)),
                    json.dumps(list(card.tags)),
                    card.order,
                    card.level,
                    json.dumps(list(card.key_points)),
                )
                old = existing.get(card.id)
                if old is None:
                    conn.execute(
                        "INSERT INTO cards (id, page, kind, front, back, "
                        "section_path, tags, ord, level, key_points, section, "
                        "added_at, content_changed_at) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            card.id,
                            *content,
                            _top_level(card.section_path),
                            now_text,
                            now_text,
                        ),
                    )
                    added.append(card.id)
                    continue
                if tuple(old[1:10]) != content:
                    # A move within the page or new key points change no
                    # note in Anki, so they keep the content's old date.
                    conn.execute(
                        "UPDATE cards SET page = ?, kind = ?, front = ?, back = ?, "
                        "section_path = ?, tags = ?, ord = ?, level = ?, "
                        "key_points = ?, section = ?, content_changed_at = CASE "
                        "WHEN ? THEN ? ELSE content_changed_at END WHERE id = ?",
                        (
                            *content,
                            _top_level(card.section_path),
                            tuple(old[13:19]) != _shown(card),
                            now_text,
                            card.id,
                        ),
                    )
                    updated.append(card.id)
                if old[10]:
                    conn.execute(
                        "UPDATE cards SET retired = 0, queue = ? WHERE id = ?",
                        (_queue(old[11], old[12], 0), card.id),
                    )
                    restored.append(card.id)
            for card_id, old in existing.items():
                if card_id not in seen and not old[10] and old[2] != "personal":
                    conn.execute(
                        "UPDATE cards SET retired = 1, queue = ? WHERE id = ?",
                        (QUEUE_RETIRED, card_id),
                    )
                    retired.append(card_id)
        if added or retired or restored:
            logger.info(
                "Synced cards: %d added, %d reworded, %d retired, %d restored",
                len(added),
                len(updated),
                len(retired),
                len(restored),
            )
        return SyncReport(tuple(added), tuple(updated), tuple(retired), tuple(restored))

    # Personal cards

    def add_personal_card(
        self, front: str, back: str, section_path: Iterable[str], now: datetime
    ) -> Flashcard:
        """Save a card the learner wrote; it joins the queue as a new card.

        The id comes from the wording and the moment, so saving the same card
        twice at the same moment (a double click) stores it once.

        Raises:
            InvalidValueError: the front or back is empty.
        """
        front, back = front.strip(), back.strip()
        if not front or not back:
            raise InvalidValueError(
                "A personal card needs both a question (front) and an answer "
                f"(back); got front={front[:40]!r}, back={back[:40]!r}."
            )
        path = tuple(section_path)
        created = _ts(as_utc(now))
        digest = hashlib.blake2b(
            f"{front}\x00{back}\x00{created}".encode(), digest_size=8
        ).hexdigest()
        card_id = f"personal:{digest}"
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO personal_cards (id, front, back, "
                "section_path, created_at) VALUES (?, ?, ?, ?, ?)",
                (card_id, front, back, json.dumps(list(path)), created),
            )
            row = conn.execute(
                "SELECT ord FROM cards WHERE id = ?", (card_id,)
            ).fetchone()
            if row is None:
                count = conn.execute("SELECT count(*) FROM personal_cards").fetchone()[
                    0
                ]
                card = self._personal_flashcard(
                    card_id, front, back, path, PERSONAL_ORDER + count
                )
                conn.execute(
                    "INSERT INTO cards (id, page, kind, front, back, section_path, "
                    "tags, ord, level, key_points, section, added_at, "
                    "content_changed_at) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, NULL, '[]', ?, ?, ?)",
                    (
                        card.id,
                        card.page,
                        card.kind,
                        card.front,
                        card.back,
                        json.dumps(list(path)),
                        json.dumps(list(card.tags)),
                        card.order,
                        _top_level(path),
                        created,
                        created,
                    ),
                )
                return card
        return self._personal_flashcard(card_id, front, back, path, row[0])

    @staticmethod
    def _personal_flashcard(
        card_id: str, front: str, back: str, path: tuple[str, ...], order: int
    ) -> Flashcard:
        section_tag = "-".join(_top_level(path).lower().split())
        tags = ("personal", section_tag) if section_tag else ("personal",)
        return Flashcard(
            id=card_id,
            page="personal",
            kind="personal",
            front=front,
            back=back,
            section_path=path,
            tags=tags,
            order=order,
        )

    def personal_cards(self) -> list[Flashcard]:
        """The learner's own cards, oldest first."""
        rows = self.query(
            "SELECT p.id, p.front, p.back, p.section_path, c.ord FROM "
            "personal_cards p JOIN cards c ON c.id = p.id ORDER BY c.ord"
        )
        return [
            self._personal_flashcard(r[0], r[1], r[2], tuple(json.loads(r[3])), r[4])
            for r in rows
        ]

    def suspended_cards(self) -> list[Flashcard]:
        """The cards the learner suspended and that are still in the content."""
        rows = self.query(
            f"SELECT {_CARD_COLUMNS} FROM cards WHERE suspended = 1 AND retired = 0 "
            "ORDER BY ord"
        )
        return [_card_from(row)[0] for row in rows]

    # Looking cards up

    def card(self, card_id: str) -> Flashcard:
        """The stored flashcard with this id (retired ones too).

        Raises:
            UnknownCardError: no such card.
        """
        with self._read() as conn:
            return self._card(conn, card_id)[0]

    def card_state(self, card_id: str) -> CardState:
        """The current scheduling state of one card.

        Raises:
            UnknownCardError: no such card.
        """
        with self._read() as conn:
            return self._card(conn, card_id)[1]

    def _card(
        self, conn: sqlite3.Connection, card_id: str
    ) -> tuple[Flashcard, CardState]:
        row = conn.execute(
            f"SELECT {_CARD_COLUMNS} FROM cards WHERE id = ?", (card_id,)
        ).fetchone()
        if row is None:
            raise UnknownCardError(
                f"No card {card_id!r} in {self.path}. Sync the content's cards "
                "first (sync_cards), or check the id."
            )
        return _card_from(row)

    def content_changed_at(self, cards: Iterable[Flashcard]) -> dict[str, datetime]:
        """When each card's shown content last changed, as the store saw it.

        Only cards the store holds with exactly this shown content (wording,
        section path, tags, kind, level) are in the result. A card the store
        lacks, or whose content differs because the page changed after the
        last :meth:`sync_cards`, is left out: the store cannot know when it
        changed, and a caller that dates such a card "now" never passes off
        new wording as old.

        Args:
            cards: the cards about to be used, such as those of an export.

        Returns:
            Card id to the UTC moment its content last changed.
        """
        wanted = {card.id: _shown(card) for card in cards}
        rows = self.query(
            f"SELECT id, {_SHOWN_COLUMNS}, content_changed_at FROM cards "
            "WHERE content_changed_at IS NOT NULL"
        )
        return {
            row[0]: _dt(row[7])  # type: ignore[misc]
            for row in rows
            if row[0] in wanted and tuple(row[1:7]) == wanted[row[0]]
        }

    def card_states(self, include_retired: bool = False) -> dict[str, CardState]:
        """Every card's current scheduling state, by card id."""
        sql = f"SELECT id, {', '.join(_STATE_COLUMNS)} FROM cards"
        if not include_retired:
            sql += " WHERE retired = 0"
        return {row[0]: _state_from(row[1:]) for row in self.query(sql)}

    # The daily queue

    def _day_bounds(self, conn: sqlite3.Connection, now: datetime):
        settings = self._settings(conn)
        today = study_day(now, settings)
        day_end = next_study_day_start(now, settings)
        return settings, today.isoformat(), day_end

    def _done_today(self, conn: sqlite3.Connection, day: str) -> tuple[int, int]:
        """New cards introduced and review cards answered in the study day."""
        row = conn.execute(
            "SELECT count(*) FILTER (WHERE before_phase = 0), "
            "count(*) FILTER (WHERE before_phase = 2) "
            "FROM review_log WHERE day = ? AND before_phase IN (0, 2)",
            (day,),
        ).fetchone()
        return row[0], row[1]

    def _limits(self, conn: sqlite3.Connection, now: datetime):
        settings, day, day_end = self._day_bounds(conn, now)
        new_done, reviews_done = self._done_today(conn, day)
        new_left = max(0, settings.new_per_day - new_done)
        reviews_left = max(0, settings.reviews_per_day - reviews_done)
        return new_left, reviews_left, day_end

    def counts(self, now: datetime) -> QueueCounts:
        """Cards left to study today: new (within the limit), learning, review."""
        now = as_utc(now)
        now_text = _ts(now)
        with self._read() as conn:
            new_left, reviews_left, day_end = self._limits(conn, now)
            unburied = "(buried_until IS NULL OR buried_until <= ?)"
            learning = conn.execute(
                f"SELECT count(*) FROM cards WHERE queue = 1 AND due < ? AND {unburied}",
                (_ts(day_end), now_text),
            ).fetchone()[0]
            review = conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM cards WHERE queue = 2 AND "
                f"due < ? AND {unburied} LIMIT ?)",
                (_ts(day_end), now_text, reviews_left),
            ).fetchone()[0]
            new = conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM cards WHERE queue = 0 AND "
                f"{unburied} LIMIT ?)",
                (now_text, new_left),
            ).fetchone()[0]
        return QueueCounts(new=new, learning=learning, review=review)

    def next_card(self, now: datetime) -> QueuedCard | None:
        """The card to show now, or ``None`` when today's queue is done.

        Order: learning and relearning cards that are due, then review cards
        due today (up to the review limit), then new cards in page order (up to
        the new-card limit; personal cards after the page's), then learning
        cards due within the next 20 minutes.
        """
        now = as_utc(now)
        with self._read() as conn:
            return self._next(conn, now)

    def _next(self, conn: sqlite3.Connection, now: datetime) -> QueuedCard | None:
        now_text = _ts(now)
        unburied = "(buried_until IS NULL OR buried_until <= ?)"
        select = f"SELECT {_CARD_COLUMNS} FROM cards WHERE "
        row = conn.execute(
            select + f"queue = 1 AND due <= ? AND {unburied} ORDER BY due LIMIT 1",
            (now_text, now_text),
        ).fetchone()
        if row:
            return QueuedCard(*_card_from(row), queue="learning")
        new_left, reviews_left, day_end = self._limits(conn, now)
        if reviews_left:
            row = conn.execute(
                select + f"queue = 2 AND due < ? AND {unburied} ORDER BY due LIMIT 1",
                (_ts(day_end), now_text),
            ).fetchone()
            if row:
                return QueuedCard(*_card_from(row), queue="review")
        if new_left:
            row = conn.execute(
                select + f"queue = 0 AND {unburied} ORDER BY ord, id LIMIT 1",
                (now_text,),
            ).fetchone()
            if row:
                return QueuedCard(*_card_from(row), queue="new")
        row = conn.execute(
            select + f"queue = 1 AND due <= ? AND {unburied} ORDER BY due LIMIT 1",
            (_ts(now + LEARN_AHEAD), now_text),
        ).fetchone()
        if row:
            return QueuedCard(*_card_from(row), queue="learning")
        return None

    def next_due_at(self, now: datetime) -> datetime | None:
        """When a card will next be ready to study (UTC).

        ``now`` when one is ready already; ``None`` when no card will ever be
        (every card suspended or retired, or none at all).
        """
        now = as_utc(now)
        with self._read() as conn:
            if self._next(conn, now) is not None:
                return now
            settings = self._settings(conn)
            day_end = next_study_day_start(now, settings)
            candidates: list[datetime] = []

            def first(sql: str, *params: Any) -> Any:
                return conn.execute(sql, params).fetchone()[0]

            # Buried cards (any queue) return at the next study day.
            if first(
                "SELECT count(*) FROM cards WHERE queue >= 0 AND buried_until > ?",
                _ts(now),
            ):
                candidates.append(day_end)
            learning = first(
                "SELECT min(due) FROM cards WHERE queue = 1 AND "
                "(buried_until IS NULL OR buried_until <= ?)",
                _ts(now),
            )
            if learning:
                candidates.append(_dt(learning) - LEARN_AHEAD)
            review = first(
                "SELECT min(due) FROM cards WHERE queue = 2 AND "
                "(buried_until IS NULL OR buried_until <= ?)",
                _ts(now),
            )
            if review:
                due = _dt(review)
                # Review cards are shown from the start of the day they fall on.
                candidates.append(
                    day_end if due < day_end else study_day_start(due, settings)
                )
            if first(
                "SELECT count(*) FROM (SELECT 1 FROM cards WHERE queue = 0 LIMIT 1)"
            ):
                candidates.append(day_end)
        return max(now, min(candidates)) if candidates else None

    # Answering

    def preview(self, card_id: str, now: datetime) -> dict[Rating, Choice]:
        """Each answer's outcome for a card, exactly as answering would apply it.

        Raises:
            UnknownCardError: no such card.
        """
        with self._read() as conn:
            state = self._card(conn, card_id)[1]
            config = self._settings(conn).scheduler_config()
        return preview(state, now, config, card_id)

    def _scheduler_id(self, conn: sqlite3.Connection, config: SchedulerConfig) -> int:
        text = config.to_json()
        known = self._scheduler_ids.get(text)
        if known is not None:
            return known
        conn.execute("INSERT OR IGNORE INTO schedulers (config) VALUES (?)", (text,))
        found = conn.execute(
            "SELECT id FROM schedulers WHERE config = ?", (text,)
        ).fetchone()[0]
        self._scheduler_ids[text] = found
        return found

    def answer(
        self,
        card_id: str,
        rating: Rating | int,
        now: datetime,
        duration_ms: int | None = None,
    ) -> AnswerResult:
        """Record an answer and reschedule the card, in one transaction.

        Args:
            card_id: the card answered.
            rating: Again, Hard, Good or Easy (1 to 4).
            now: the moment of the answer.
            duration_ms: how long the learner took, if known.

        Returns:
            The card's state before and after, and the log row's id.

        Raises:
            UnknownCardError: no such card.
            InvalidValueError: the rating is not 1 to 4, or the duration is
                negative.
        """
        now = as_utc(now)
        if duration_ms is not None and duration_ms < 0:
            raise InvalidValueError(
                f"Answer duration {duration_ms} ms is negative; pass the "
                "milliseconds the learner took, or None."
            )
        with self._write() as conn:
            row = conn.execute(
                f"SELECT {', '.join(_STATE_COLUMNS)}, suspended, retired FROM cards "
                "WHERE id = ?",
                (card_id,),
            ).fetchone()
            if row is None:
                self._card(conn, card_id)  # raises UnknownCardError
            before = _state_from(row[:8])
            settings = self._settings(conn)
            config = settings.scheduler_config()
            after = review_card(before, rating, now, config, card_id)
            rating = Rating(int(rating))
            log_id = conn.execute(
                "INSERT INTO review_log (card_id, rating, reviewed_at, day, "
                "duration_ms, scheduler_id, "
                + ", ".join(f"before_{c}" for c in _STATE_COLUMNS)
                + ", "
                + ", ".join(f"after_{c}" for c in _STATE_COLUMNS)
                + ") VALUES ("
                + ", ".join("?" * 22)
                + ")",
                (
                    card_id,
                    int(rating),
                    _ts(now),
                    study_day(now, settings).isoformat(),
                    duration_ms,
                    self._scheduler_id(conn, config),
                    *_state_values(before),
                    *_state_values(after),
                ),
            ).lastrowid
            self._write_state(conn, card_id, after, row[8], row[9])
            conn.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES ('undo', ?)",
                (str(log_id),),
            )
        assert log_id is not None
        return AnswerResult(card_id, rating, before, after, log_id)

    @staticmethod
    def _write_state(
        conn: sqlite3.Connection,
        card_id: str,
        state: CardState,
        suspended: int,
        retired: int,
    ) -> None:
        # Answering also lifts a bury: the learner chose to see the card.
        conn.execute(
            "UPDATE cards SET "
            + ", ".join(f"{c} = ?" for c in _STATE_COLUMNS)
            + ", queue = ?, buried_until = NULL WHERE id = ?",
            (
                *_state_values(state),
                _queue(state.phase, suspended, retired),
                card_id,
            ),
        )

    def undo(self, now: datetime) -> UndoResult | None:
        """Take back the last answer: its log row goes and the card's state returns.

        Only the single most recent answer can be undone, and only during the
        study day it was given, so a stray click never unpicks older history.

        Returns:
            What was undone, or ``None`` when there is nothing to undo.
        """
        now = as_utc(now)
        with self._write() as conn:
            pointer = conn.execute(
                "SELECT value FROM meta WHERE key = 'undo'"
            ).fetchone()
            newest = conn.execute(
                "SELECT id, card_id, rating, day, "
                + ", ".join(f"before_{c}" for c in _STATE_COLUMNS)
                + " FROM review_log ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if pointer is None or newest is None or int(pointer[0]) != newest[0]:
                return None
            if newest[3] != study_day(now, self._settings(conn)).isoformat():
                return None
            card_id = newest[1]
            before = _state_from(newest[4:12])
            flags = conn.execute(
                "SELECT suspended, retired FROM cards WHERE id = ?", (card_id,)
            ).fetchone()
            conn.execute("DELETE FROM review_log WHERE id = ?", (newest[0],))
            self._write_state(conn, card_id, before, flags[0], flags[1])
            conn.execute("DELETE FROM meta WHERE key = 'undo'")
        logger.info("Undid answer %d to %s", newest[0], card_id)
        return UndoResult(card_id, Rating(newest[2]), before)

    # Bury and suspend

    def bury(self, card_id: str, now: datetime) -> datetime:
        """Hide a card until the next study day.

        Returns:
            When it comes back (the start of the next study day, UTC).

        Raises:
            UnknownCardError: no such card.
        """
        now = as_utc(now)
        with self._write() as conn:
            until = next_study_day_start(now, self._settings(conn))
            self._set(conn, card_id, "buried_until = ?", _ts(until))
        return until

    def suspend(self, card_id: str) -> None:
        """Take a card out of the queue until it is unsuspended; history stays.

        Raises:
            UnknownCardError: no such card.
        """
        with self._write() as conn:
            self._set(
                conn,
                card_id,
                "suspended = 1, queue = CASE WHEN retired THEN ? ELSE ? END",
                QUEUE_RETIRED,
                QUEUE_SUSPENDED,
            )

    def unsuspend(self, card_id: str) -> None:
        """Put a suspended card back in the queue where its state says.

        Raises:
            UnknownCardError: no such card.
        """
        with self._write() as conn:
            self._set(
                conn,
                card_id,
                "suspended = 0, queue = CASE WHEN retired THEN ? WHEN phase = 0 "
                "THEN ? WHEN phase = 2 THEN ? ELSE ? END",
                QUEUE_RETIRED,
                QUEUE_NEW,
                QUEUE_REVIEW,
                QUEUE_LEARNING,
            )

    def _set(self, conn: sqlite3.Connection, card_id: str, sql: str, *params) -> None:
        changed = conn.execute(
            f"UPDATE cards SET {sql} WHERE id = ?", (*params, card_id)
        ).rowcount
        if not changed:
            self._card(conn, card_id)  # raises UnknownCardError

    # The log

    def review_count(self) -> int:
        """How many answers the review log holds, without reading them."""
        return self.query("SELECT count(*) FROM review_log")[0][0]

    def review_log(self, card_id: str | None = None) -> list[LogEntry]:
        """Review log rows, oldest first; one card's when ``card_id`` is given."""
        sql = (
            "SELECT l.id, card_id, rating, reviewed_at, day, duration_ms, "
            "s.config, "
            + ", ".join(f"before_{c}" for c in _STATE_COLUMNS)
            + ", "
            + ", ".join(f"after_{c}" for c in _STATE_COLUMNS)
            + " FROM review_log l JOIN schedulers s ON s.id = l.scheduler_id"
        )
        params: tuple[str, ...] = ()
        if card_id is not None:
            sql += " WHERE card_id = ?"
            params = (card_id,)
        configs: dict[str, SchedulerConfig] = {}
        entries = []
        for row in self.query(sql + " ORDER BY l.id", params):
            config = configs.get(row[6])
            if config is None:
                config = configs[row[6]] = SchedulerConfig.from_json(row[6])
            entries.append(
                LogEntry(
                    id=row[0],
                    card_id=row[1],
                    rating=Rating(row[2]),
                    reviewed_at=_dt(row[3]),  # type: ignore[arg-type]
                    day=row[4],
                    duration_ms=row[5],
                    config=config,
                    before=_state_from(row[7:15]),
                    after=_state_from(row[15:23]),
                )
            )
        return entries

    def replay_states(self) -> dict[str, CardState]:
        """Every card's state recomputed from the review log alone.

        Each answer is replayed with the scheduler settings it was made with,
        so the result equals :meth:`card_states` unless the data was damaged.
        """
        states = {card_id: NEW_CARD for card_id in self.card_states(True)}
        for entry in self.review_log():
            states[entry.card_id] = review_card(
                states.get(entry.card_id, NEW_CARD),
                entry.rating,
                entry.reviewed_at,
                entry.config,
                entry.card_id,
            )
        return states

    def difficult_card_ids(self, now: datetime, days: int = 14) -> set[str]:
        """Cards answered Again in the last ``days`` days."""
        since = _ts(as_utc(now) - timedelta(days=days))
        rows = self.query(
            "SELECT DISTINCT card_id FROM review_log WHERE reviewed_at >= ? "
            "AND rating = 1",
            (since,),
        )
        return {row[0] for row in rows}

    def integrity_check(self) -> list[str]:
        """SQLite's own check of the file: ``["ok"]`` when it is sound."""
        return [row[0] for row in self.query("PRAGMA integrity_check")]
