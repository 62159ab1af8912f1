"""Daily review of the page's flashcards: FSRS scheduling on a SQLite store.

Typical use by the app::

    store = ReviewStore.open(settings.data_dir / DEFAULT_FILENAME, settings)
    store.sync_cards(content.build_flashcards(page), now)
    queued = store.next_card(now)
    choices = store.preview(queued.card.id, now)   # intervals for the buttons
    store.answer(queued.card.id, Rating.Good, now, duration_ms=5200)

Modules:
    schedule: pure FSRS scheduling and the learner's study day.
    store: the SQLite store, daily queue, review log and personal cards.
    stats: figures for the Progress page.
    optimize: personal FSRS parameters from the learner's own history.
"""

from spaced_repetition.errors import (
    InvalidValueError,
    NewerSchemaError,
    NotADatabaseError,
    NotEnoughReviewsError,
    StoreError,
    UnknownCardError,
)
from spaced_repetition.schedule import (
    CardState,
    Choice,
    Phase,
    Rating,
    SchedulerConfig,
    StudySettings,
    format_interval,
)
from spaced_repetition.store import (
    DEFAULT_FILENAME,
    AnswerResult,
    LogEntry,
    QueueCounts,
    QueuedCard,
    ReviewStore,
    SyncReport,
    UndoResult,
)

__all__ = [
    "DEFAULT_FILENAME",
    "AnswerResult",
    "CardState",
    "Choice",
    "InvalidValueError",
    "LogEntry",
    "NewerSchemaError",
    "NotADatabaseError",
    "NotEnoughReviewsError",
    "Phase",
    "QueueCounts",
    "QueuedCard",
    "Rating",
    "ReviewStore",
    "SchedulerConfig",
    "StoreError",
    "StudySettings",
    "SyncReport",
    "UndoResult",
    "UnknownCardError",
    "format_interval",
]
