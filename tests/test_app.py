"""The Streamlit pages, run in-process with ``streamlit.testing``'s AppTest.

Each test runs the real app script against a temporary data folder: the real
review database, the real embedding model and index (loaded once for the
module and shared, as the server shares them), and the real Anki library to
read the exported deck.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from anki.collection import (
    Collection,
    ImportAnkiPackageOptions,
    ImportAnkiPackageRequest,
)
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1 import app_test as app_test_module

from spaced_repetition import DEFAULT_FILENAME, ReviewStore
from tests.anki_import import imported_note_count
from tests.factories import START, make_cards, simulate_learner
from ui import resources

APP = Path(__file__).resolve().parent.parent / "app.py"
# The first chat run loads the model and may build the index on two cores.
TIMEOUT = 240

EXIT_CODE_QUESTION = "What does exit code 137 mean?"
UNCOVERED_QUESTION = "How do I bake sourdough bread at home?"


@pytest.fixture(scope="module")
def chat_data_dir(tmp_path_factory) -> Path:
    """One data folder for every chat test, so the index is built only once."""
    return tmp_path_factory.mktemp("chat-data")


@pytest.fixture
def app_env(monkeypatch, tmp_path):
    """A fresh data folder and fixed study settings for one test."""
    monkeypatch.setenv("PREP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PREP_TIMEZONE", "UTC")
    monkeypatch.delenv("PREP_PAGES_DIR", raising=False)
    monkeypatch.delenv("PREP_NEW_PER_DAY", raising=False)
    return tmp_path / "data"


@pytest.fixture
def chat_env(app_env, monkeypatch, chat_data_dir) -> Path:
    monkeypatch.setenv("PREP_DATA_DIR", str(chat_data_dir))
    return chat_data_dir


def open_page(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    if page:
        # Straight to the page: the default page, Chat, would load the model.
        at.switch_page(f"app_pages/{page}.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def ask(at: AppTest, question: str) -> AppTest:
    at.chat_input[0].set_value(question).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at: AppTest, label: str):
    matches = [b for b in at.button if b.label == label]
    assert matches, f"no button {label!r} among {[b.label for b in at.button]}"
    return matches[0]


def badge_counts(at: AppTest) -> str:
    return next(m.value for m in at.markdown if ":blue-badge[" in m.value)


# Chat


def test_question_shows_answer_with_numbered_citations_and_sources(chat_env):
    at = ask(open_page(), EXIT_CODE_QUESTION)

    user, assistant = at.chat_message
    assert user.markdown[0].value == EXIT_CODE_QUESTION
    answer = assistant.markdown[0].value
    assert "137" in answer and "OOMKilled" in answer and "[1]" in answer
    cited = assistant.caption[0].value
    assert re.match(r"\[1\](\[\d\])* Docker › Troubleshooting", cited)
    sources = assistant.expander[0]
    assert sources.label.startswith("Sources (")
    assert any("137" in m.value for m in sources.markdown)
    assert not at.error


def test_uncovered_question_is_refused_with_closest_sections(chat_env):
    at = ask(open_page(), UNCOVERED_QUESTION)

    assistant = at.chat_message[1]
    assert "doesn't cover" in assistant.warning[0].value
    closest = [m.value for m in assistant.markdown]
    assert closest[0] == "The closest sections it has:"
    assert closest[1].startswith("- Docker › ")
    # A refusal cites nothing and offers no flashcard.
    assert not assistant.expander
    assert "Make a flashcard" not in [b.label for b in assistant.button]


def test_starter_and_suggested_questions_are_asked_when_clicked(chat_env):
    at = open_page()
    starter = next(b for b in at.button if b.key and b.key.startswith("starter-"))

    starter.click().run()
    assert at.chat_message[0].markdown[0].value == starter.label

    suggestion = next(b for b in at.button if b.key and b.key.startswith("suggest-0-"))
    suggestion.click().run()
    questions = [m.markdown[0].value for m in at.chat_message if m.name == "user"]
    assert questions == [starter.label, suggestion.label]


def test_clear_conversation_empties_the_chat(chat_env):
    at = ask(open_page(), EXIT_CODE_QUESTION)
    assert at.chat_message

    button(at, "Clear conversation").click().run()

    assert not at.chat_message
    assert any(b.key and b.key.startswith("starter-") for b in at.button)


def test_answer_made_into_flashcard_joins_review_and_export(app_env, chat_env):
    at = ask(open_page(), EXIT_CODE_QUESTION)

    button(at, "Make a flashcard").click().run()

    assert button(at, "Saved as a flashcard").disabled
    with ReviewStore.open(chat_env / DEFAULT_FILENAME) as store:
        (card,) = [c for c in store.personal_cards() if c.front == EXIT_CODE_QUESTION]
    assert "OOMKilled" in card.back
    assert card.section_path[-1] == "Exit Codes — What They Mean"
    at.switch_page("app_pages/export.py").run()
    assert at.metric[0].value == str(60 + 1)


# Review


def test_rating_a_card_advances_the_queue_and_the_counts(app_env):
    at = open_page("review")
    assert badge_counts(at).startswith(":blue-badge[New **20**]")
    first_front = at.markdown[1].value
    assert "Show answer" in [b.label for b in at.button]

    button(at, "Show answer").click().run()
    labels = [b.label for b in at.button if b.key and b.key.startswith("rate-")]
    assert [label.split(" · ")[0] for label in labels] == [
        "Again",
        "Hard",
        "Good",
        "Easy",
    ]
    assert all(label.split(" · ")[1][-1] in "mhdoy" for label in labels)

    at.button(key="rate-3").click().run()

    assert ":blue-badge[New **19**] :red-badge[Learning **1**]" in badge_counts(at)
    assert at.markdown[1].value != first_front
    assert "Show answer" in [b.label for b in at.button]
    with ReviewStore.open(app_env / DEFAULT_FILENAME) as store:
        (entry,) = store.review_log()
    assert entry.rating == 3 and entry.duration_ms is not None


def test_undo_brings_the_answered_card_back(app_env):
    at = open_page("review")
    first_front = at.markdown[1].value
    button(at, "Show answer").click().run()
    at.button(key="rate-4").click().run()
    assert at.markdown[1].value != first_front

    button(at, "Undo").click().run()

    assert at.markdown[1].value == first_front
    assert badge_counts(at).startswith(":blue-badge[New **20**]")


def test_finished_day_shows_summary_with_next_due_time(app_env, monkeypatch):
    monkeypatch.setenv("PREP_NEW_PER_DAY", "1")
    at = open_page("review")
    button(at, "Show answer").click().run()

    at.button(key="rate-4").click().run()

    assert at.subheader[0].value == "Done for today"
    summary = " ".join(m.value for m in at.markdown)
    assert "You answered **1** card today." in summary
    assert "The next card is due **" in summary


def test_saved_new_cards_per_day_changes_todays_queue(app_env):
    at = open_page("settings")
    at.number_input[0].set_value(5)
    at.button[0].click().run()  # the form's Save
    assert "Saved" in at.success[0].value

    at.switch_page("app_pages/review.py").run()

    assert badge_counts(at).startswith(":blue-badge[New **5**]")


def test_personal_parameters_wait_for_enough_answers(app_env):
    at = open_page("settings")
    assert any("You have 0 so far." in c.value for c in at.caption)
    assert "Fit parameters to my reviews" not in [b.label for b in at.button]


@pytest.mark.slow
def test_fitted_parameters_show_workload_and_are_applied(app_env):
    app_env.mkdir(parents=True)
    with ReviewStore.open(app_env / DEFAULT_FILENAME) as store:
        store.sync_cards(make_cards(120), START)
        simulate_learner(store, days=75, seed=2)
        defaults = store.study_settings().parameters
    at = open_page("settings")

    button(at, "Fit parameters to my reviews").click().run()
    assert any("Reviews predicted in the next 30 days" in m.value for m in at.markdown)
    button(at, "Use my parameters").click().run()

    assert "Saved" in at.success[-1].value
    with ReviewStore.open(app_env / DEFAULT_FILENAME) as store:
        assert store.study_settings().parameters != defaults


def test_suspended_card_is_listed_in_settings_and_comes_back(app_env):
    at = open_page("review")
    first_front = at.markdown[1].value
    button(at, "Suspend").click().run()
    assert at.markdown[1].value != first_front

    at.switch_page("app_pages/settings.py").run()
    assert any(first_front in m.value for m in at.markdown)
    button(at, "Unsuspend").click().run()
    assert not [b for b in at.button if b.label == "Unsuspend"]

    at.switch_page("app_pages/review.py").run()
    assert at.markdown[1].value == first_front


# Progress


def test_progress_shows_retention_charts_and_roadmap_after_reviews(app_env):
    at = open_page("review")
    for _ in range(3):
        button(at, "Show answer").click().run()
        at.button(key="rate-3").click().run()

    at.switch_page("app_pages/progress.py").run()

    assert not at.exception and not at.error
    assert [m.label for m in at.metric] == [
        "True retention, 7 days",
        "True retention, 30 days",
    ]
    assert "3 answers in the last 26 weeks." in [c.value for c in at.caption]
    steps = [e.label for e in at.expander]
    assert steps[0].startswith("Week 1 — Foundations")
    assert steps[-1].startswith("Month 2 — K8s Ready")
    # Week 2's flashcards are interview questions; they count for it.
    assert "Week 2 — Build & Optimise · 0%" in steps
    captions = [c.value for c in at.caption]
    assert "Not covered on this page" in captions  # Install Docker Desktop
    assert "No flashcards yet" in captions  # Write first Dockerfile
    assert len(at.get("vega_lite_chart")) == 3


def test_roadmap_step_and_item_show_mastery_of_the_cards_they_cover(app_env):
    at = open_page("review")
    # The first five new cards are the VM comparison rows; the sixth is the
    # "Image" term of Core Docker Concepts, which "images vs containers"
    # covers with the section's four other terms.
    for _ in range(6):
        button(at, "Show answer").click().run()
        at.button(key="rate-3").click().run()

    at.switch_page("app_pages/progress.py").run()

    assert not at.exception
    assert at.expander[0].label == "Week 1 — Foundations · 20%"
    bars = [bar.proto.text for bar in at.get("progress")]
    assert "20% · 1 of 5 cards studied" in bars


# Export


class RecordingStorage(MemoryMediaFileStorage):
    """The app's media storage, kept so a test can fetch a download's bytes."""

    last: RecordingStorage | None = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        RecordingStorage.last = self


def downloaded_bytes(at: AppTest) -> bytes:
    url = at.get("download_button")[0].proto.url
    assert RecordingStorage.last is not None
    return RecordingStorage.last.get_file(url.rsplit("/", 1)[-1]).content


def test_export_button_yields_a_deck_anki_imports(app_env, monkeypatch, tmp_path):
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    at = open_page("export")

    assert at.metric[0].value == "60"
    assert imported_note_count(downloaded_bytes(at), tmp_path) == 60


def test_downloading_again_updates_no_unchanged_note_in_anki(
    app_env, monkeypatch, tmp_path
):
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    first = downloaded_bytes(open_page("export"))
    # A day later, with the page unchanged: Anki compares whole seconds.
    later = resources.now() + timedelta(days=1)
    monkeypatch.setattr(resources, "now", lambda: later)
    second = downloaded_bytes(open_page("export"))

    collection = Collection(str(tmp_path / "collection.anki2"))
    try:
        logs = []
        for number, deck in enumerate((first, second)):
            path = tmp_path / f"deck-{number}.apkg"
            path.write_bytes(deck)
            request = ImportAnkiPackageRequest(
                package_path=str(path), options=ImportAnkiPackageOptions()
            )
            logs.append(collection.import_anki_package(request).log)
    finally:
        collection.close()

    assert len(logs[0].new) == 60
    assert (len(logs[1].new), len(logs[1].updated)) == (0, 0)
    assert len(logs[1].duplicate) == 60


def test_export_of_chosen_sections_counts_only_their_notes(
    app_env, monkeypatch, tmp_path, docker_cards
):
    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", RecordingStorage)
    at = open_page("export")
    at.radio[0].set_value("Chosen sections").run()
    assert at.info[0].value == "Choose at least one section to export."

    at.multiselect[0].set_value(["Registry — Push, Pull, Private Registries"]).run()

    expected = sum(
        c.top_level == "Registry — Push, Pull, Private Registries" for c in docker_cards
    )
    assert at.metric[0].value == str(expected)
    assert imported_note_count(downloaded_bytes(at), tmp_path) == expected


def test_difficult_export_holds_the_cards_answered_again(app_env):
    at = open_page("review")
    button(at, "Show answer").click().run()
    at.button(key="rate-1").click().run()

    at.switch_page("app_pages/export.py").run()
    at.radio[0].set_value("Difficult cards").run()

    assert at.metric[0].value == "1"


# Errors reach the page as messages


def test_unusable_data_folder_is_reported_with_the_file(app_env, monkeypatch, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("PREP_DATA_DIR", str(blocker / "data"))

    at = open_page("review")

    assert not at.exception
    (error,) = at.error
    assert str(blocker / "data" / DEFAULT_FILENAME) in error.value
    assert "PREP_DATA_DIR" in error.value


def test_foreign_database_is_reported_and_left_untouched(app_env):
    app_env.mkdir(parents=True)
    foreign = app_env / DEFAULT_FILENAME
    with sqlite3.connect(foreign) as connection:
        connection.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)")
    before = foreign.read_bytes()

    at = open_page("review")

    (error,) = at.error
    assert str(foreign) in error.value and "another program" in error.value
    assert foreign.read_bytes() == before
    # Chat and Export still work without the review data.
    at.switch_page("app_pages/export.py").run()
    assert at.metric[0].value == "60"


def test_settings_lists_loaded_and_skipped_pages(app_env, monkeypatch, tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    shipped = Path(__file__).resolve().parent.parent / "content" / "pages"
    (pages / "docker.md").write_text((shipped / "docker.md").read_text())
    (pages / "broken.md").write_bytes(b"# Broken\n\n\xff\xfe not text\n")
    monkeypatch.setenv("PREP_PAGES_DIR", str(pages))

    at = open_page("settings")

    listed = " ".join(m.value for m in at.markdown)
    assert "**Docker** (`docker.md`)" in listed and "60 flashcards" in listed
    (skipped,) = at.warning
    assert "broken.md" in skipped.value and "UTF-8" in skipped.value
    assert str(app_env) in listed
