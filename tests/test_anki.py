"""The Anki export, checked by importing decks into a real Anki collection.

Every import goes through the official ``anki`` library into a fresh
collection, the way a learner's desktop app would read the file.
"""

from __future__ import annotations

import errno
import html
import os
import re
import subprocess
import sys
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from anki.collection import (
    Collection,
)

import exports
from content.model import Flashcard
from content.text import plain
from exports import (
    DeckWriteError,
    ExportError,
    NothingToExportError,
    UnknownSectionError,
    apkg_bytes,
    build_deck,
    write_apkg,
)
from tests.anki_import import import_deck, note_mtimes

PROJECT = Path(__file__).resolve().parent.parent
T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
T1 = T0 + timedelta(days=3)
# When each NASTY card's content last changed, as the review store reports it.
CHANGED = {
    "docker/security#qa-1": T0 - timedelta(days=40),
    "docker/troubleshooting/exit-codes#row-137": T0 - timedelta(days=12),
    "docker/what-is-docker#def-dockerfile": T0 - timedelta(days=12),
}

SECURITY = "Docker Security — Production Hardening"
TROUBLE = "Troubleshooting — Real Production Issues"
BASICS = "What is Docker?"


def card(card_id: str, top: str, front: str, back: str, **more) -> Flashcard:
    order = more.pop("order", 0)
    return Flashcard(
        id=f"docker/{card_id}",
        page="docker",
        kind=more.pop("kind", "qa"),
        front=front,
        back=back,
        section_path=("Docker", top, *more.pop("sub", ())),
        tags=more.pop("tags", ("docker",)),
        order=order,
        **more,
    )


# Cards written to break a careless exporter: placeholders that look like
# tags, shell redirections, ampersands, a table, a list and fenced code with
# indentation and an empty line.
NASTY = (
    card(
        "security#qa-1",
        SECURITY,
        "Why does `cmd 2>&1 > out.log` still print errors & what is <image>?",
        "Redirections apply left to right:\n\n"
        "- `2>&1` points stderr at the **current** stdout (the terminal)\n"
        "- `> out.log` then moves only stdout\n\n"
        "Write `cmd > out.log 2>&1` & both land in <file>.",
        tags=("docker", "docker-security-production-hardening", "level-engineer"),
        level="ENGINEER",
        order=1,
    ),
    card(
        "troubleshooting/exit-codes#row-137",
        TROUBLE,
        "Exit code **137**?",
        "| Meaning | What to do |\n|---|---|\n"
        "| OOMKilled <kill -9> | Raise `--memory` & fix leaks |\n",
        kind="table-row",
        sub=("Exit Codes",),
        tags=("docker", "troubleshooting real issues"),
        order=2,
    ),
    card(
        "what-is-docker#def-dockerfile",
        BASICS,
        "Dockerfile",
        "Build steps, one layer each:\n\n"
        "```dockerfile\nFROM python:3.11-slim\n\nRUN pip install -r req.txt \\\n"
        "    && rm -rf /root/.cache\n```",
        kind="definition",
        order=3,
    ),
    card(
        "security#qa-2",
        SECURITY,
        "What does `USER 1000:1000` protect against?",
        "A container escape landing as root on the host.",
        level="PRODUCTION",
        order=4,
    ),
)


# ---------------------------------------------------------------------------
# Helpers


def export(
    tmp_path: Path, cards, name="deck.apkg", *, at=T0, modified=None, **choices
) -> Path:
    deck = build_deck(cards, page_title="Docker", **choices)
    return write_apkg(deck, tmp_path / name, timestamp=at, modified=modified)


def notes_by_front(col: Collection) -> dict[str, object]:
    notes = [col.get_note(note_id) for note_id in col.find_notes("")]
    return {note["Front"]: note for note in notes}


def visible_text(rendered: str) -> str:
    """What a learner reads: styles and tags dropped, entities decoded."""
    rendered = re.sub(r"<style>.*?</style>", " ", rendered, flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", rendered)).split())


def markdown_words(markdown: str) -> list[str]:
    """The words a learner should see for a Markdown text, in order.

    Written without the exporter's renderer: list markers, table pipes and
    rules, and code fences are markup; the rest goes through the content
    package's own inline-Markdown stripping.
    """
    words: list[str] = []
    in_code = False
    for line in markdown.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
            continue
        if in_code:
            words += line.split()
            continue
        if re.fullmatch(r"\s*\|?[\s:|-]*-[\s:|-]*\|?\s*", line):
            continue  # a table's header rule
        line = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", line)
        for cell in line.strip().strip("|").split("|"):
            words += plain(cell.strip()).split()
    return words


def appears_in_order(words: list[str], text: str) -> bool:
    # Spaces are ignored: a tag boundary, as in `inspect</code>,`, may or may
    # not put one between a word and its punctuation.
    text = "".join(text.split())
    position = 0
    for word in words:
        position = text.find(word, position)
        if position < 0:
            return False
        position += len(word)
    return True


class _TagBalance(HTMLParser):
    """Records tags that are closed without being open, or left open."""

    VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def html_problems(fragment: str) -> list[str]:
    checker = _TagBalance()
    checker.feed(fragment)
    checker.close()
    return checker.problems + [f"<{tag}> never closed" for tag in checker.stack]


DEBRIS = ("&lt;", "&gt;", "&amp;", "&quot;", "```", "**", "|---", "<p>", "<code>")


# ---------------------------------------------------------------------------
# Import into Anki


def test_import_creates_one_note_per_card_in_section_sub_decks(tmp_path, collection):
    log = import_deck(collection, export(tmp_path, NASTY))

    assert len(log.new) == len(NASTY)
    assert collection.note_count() == len(NASTY)
    decks = {
        note["Front"]: collection.decks.name(note.cards()[0].did)
        for note in notes_by_front(collection).values()
    }
    assert sorted(set(decks.values())) == [
        f"Docker Interview Prep::{SECURITY}",
        f"Docker Interview Prep::{TROUBLE}",
        f"Docker Interview Prep::{BASICS}",
    ]
    assert decks["Dockerfile"] == f"Docker Interview Prep::{BASICS}"


def test_anki_reports_no_problems_on_import(tmp_path, collection):
    log = import_deck(collection, export(tmp_path, NASTY))

    for problem in (
        "duplicate",
        "conflicting",
        "first_field_match",
        "missing_notetype",
        "missing_deck",
        "empty_first_field",
    ):
        assert not getattr(log, problem), problem
    message, ok = collection.fix_integrity()
    assert ok, message


def test_imported_fields_and_tags_are_as_built(tmp_path, collection):
    import_deck(collection, export(tmp_path, NASTY))
    notes = notes_by_front(collection)

    assert len(notes) == len(NASTY)
    for source in NASTY:
        note = notes[exports.note_fields(source)[0]]
        assert list(note.keys()) == ["Front", "Back", "Section", "Level"]
        assert note.fields == exports.note_fields(source)
        assert note.guid == exports.note_guid(source)
        assert set(note.tags) == set(exports.note_tags(source))

    redirect = notes[exports.note_fields(NASTY[0])[0]]
    assert redirect["Section"] == SECURITY
    assert redirect["Level"] == "ENGINEER"
    assert sorted(redirect.tags) == sorted(
        [
            "docker",
            "docker-security-production-hardening",
            "level-engineer",
            "kind-qa",
        ]
    )
    exit_code = notes[exports.note_fields(NASTY[1])[0]]
    assert exit_code["Section"] == f"{TROUBLE} › Exit Codes"
    assert exit_code["Level"] == ""
    assert "troubleshooting_real_issues" in exit_code.tags
    assert "kind-table-row" in exit_code.tags


def test_fields_are_valid_html_with_text_escaped(tmp_path, collection):
    import_deck(collection, export(tmp_path, NASTY))

    for note in notes_by_front(collection).values():
        for name, value in note.items():
            assert not html_problems(value), (name, value, html_problems(value))
    fronts = notes_by_front(collection)
    assert (
        "Why does <code>cmd 2&gt;&amp;1 &gt; out.log</code> still print errors "
        "&amp; what is &lt;image&gt;?"
    ) in fronts


def test_rendered_cards_show_front_and_back_text_without_debris(tmp_path, collection):
    import_deck(collection, export(tmp_path, NASTY))
    by_guid = {exports.note_guid(c): c for c in NASTY}

    for card_id in collection.find_cards(""):
        anki_card = collection.get_card(card_id)
        question = visible_text(anki_card.question())
        answer = visible_text(anki_card.answer())
        source = by_guid[anki_card.note().guid]

        assert appears_in_order(markdown_words(source.front), question)
        assert appears_in_order(markdown_words(source.back), answer)
        for debris in DEBRIS:
            assert debris not in question, (debris, question)
            assert debris not in answer, (debris, answer)


def test_rendered_text_keeps_placeholders_redirections_and_ampersands(
    tmp_path, collection
):
    import_deck(collection, export(tmp_path, NASTY))
    answers = " ".join(
        visible_text(collection.get_card(card_id).answer())
        for card_id in collection.find_cards("")
    )

    assert "Why does cmd 2>&1 > out.log still print errors & what is <image>?" in (
        answers
    )
    assert "Write cmd > out.log 2>&1 & both land in <file>." in answers
    assert "OOMKilled <kill -9> Raise --memory & fix leaks" in answers


def test_lists_tables_and_code_render_as_html(tmp_path, collection):
    import_deck(collection, export(tmp_path, NASTY))
    answers = {
        visible_text(collection.get_card(card_id).question()): collection.get_card(
            card_id
        ).answer()
        for card_id in collection.find_cards("")
    }
    answer_of = {
        front: next(a for q, a in answers.items() if front in q)
        for front in ("Why does", "Exit code 137", "Dockerfile")
    }

    assert re.search(r"<ul>\s*<li>", answer_of["Why does"])
    assert re.search(
        r"<table>.*<th>Meaning</th>.*<td>", answer_of["Exit code 137"], re.S
    )
    # The code keeps its line breaks, blank line and indentation.
    assert (
        '<pre><code class="language-dockerfile">FROM python:3.11-slim\n\n'
        "RUN pip install -r req.txt \\\n    &amp;&amp; rm -rf /root/.cache</code></pre>"
    ) in answer_of["Dockerfile"]


def test_reimport_updates_notes_instead_of_duplicating(tmp_path, collection):
    import_deck(collection, export(tmp_path, NASTY, "v1.apkg", modified=CHANGED))
    first = notes_by_front(collection)
    reworded_front = exports.note_fields(NASTY[3])[0]
    original_id = first[reworded_front].id
    others = {front: note.fields for front, note in first.items()}
    del others[reworded_front]

    # The learner studies the card before the page changes.
    studied = collection.get_card(first[reworded_front].card_ids()[0])
    studied.start_timer()
    collection.sched.answerCard(studied, 3)
    assert studied.reps == 1

    reworded = replace(
        NASTY[3],
        front="Which attack does `USER 1000:1000` blunt?",
        back="An escape from the container that would land as root on the host.",
    )
    second = (*NASTY[:3], reworded)
    # The three unchanged cards keep their dates; the reworded one is dated
    # by its rewording, which comes after the first export.
    changed = {**CHANGED, reworded.id: T1 - timedelta(hours=1)}
    log = import_deck(
        collection, export(tmp_path, second, "v2.apkg", at=T1, modified=changed)
    )

    assert len(log.new) == 0
    assert [note.id.nid for note in log.updated] == [original_id]
    # Anki lists the notes it kept as they were under "duplicate".
    assert len(log.duplicate) == len(NASTY) - 1
    assert original_id not in {note.id.nid for note in log.duplicate}
    assert not (log.conflicting or log.first_field_match)
    assert collection.note_count() == len(NASTY)
    after = notes_by_front(collection)
    updated = collection.get_note(original_id)
    assert updated["Front"] == exports.note_fields(reworded)[0]
    assert updated["Back"] == exports.note_fields(reworded)[1]
    assert {f: n.fields for f, n in after.items() if n.id != original_id} == others
    # The review history stays with the note.
    assert collection.get_card(studied.id).reps == 1


def test_notes_are_dated_by_their_content_or_else_the_export(tmp_path):
    path = export(
        tmp_path,
        NASTY,
        at=T1,
        modified={**CHANGED, "docker/removed-from-page#qa-9": T0},
    )

    assert note_mtimes(path) == {
        exports.note_guid(source): int(CHANGED.get(source.id, T1).timestamp())
        for source in NASTY
    }


def test_newer_export_without_content_dates_updates_every_note(tmp_path, collection):
    # Without the review store nothing says which cards changed, so every
    # note carries the export's time: each import updates them all.
    import_deck(collection, export(tmp_path, NASTY, "v1.apkg", at=T0))
    log = import_deck(collection, export(tmp_path, NASTY, "v2.apkg", at=T1))

    assert len(log.updated) == len(NASTY)
    assert len(log.new) == len(log.duplicate) == 0


def test_modification_time_without_time_zone_is_refused():
    deck = build_deck(NASTY, page_title="Docker")
    naive = {NASTY[0].id: datetime(2025, 3, 1, 9, 30)}

    with pytest.raises(ExportError, match=r"security#qa-1.*no time zone"):
        apkg_bytes(deck, timestamp=T0, modified=naive)


def test_reimporting_the_same_export_changes_nothing(tmp_path, collection):
    path = export(tmp_path, NASTY)
    import_deck(collection, path)
    log = import_deck(collection, path)

    assert len(log.new) == 0
    assert len(log.updated) == 0
    assert collection.note_count() == len(NASTY)


# ---------------------------------------------------------------------------
# Choices


def test_chosen_sections_only_and_matched_loosely(tmp_path, collection):
    deck = build_deck(
        NASTY,
        page_title="Docker",
        sections=["docker security —  production hardening"],
    )

    assert {c.id for c in deck.cards} == {NASTY[0].id, NASTY[3].id}
    assert deck.deck_names == (
        "Docker Interview Prep",
        f"Docker Interview Prep::{SECURITY}",
    )
    write_apkg(deck, tmp_path / "security.apkg", timestamp=T0)
    assert len(import_deck(collection, tmp_path / "security.apkg").new) == 2


def test_unknown_section_lists_the_valid_ones():
    with pytest.raises(UnknownSectionError) as raised:
        build_deck(NASTY, page_title="Docker", sections=[SECURITY, "Kubernetes"])

    message = str(raised.value)
    assert "'Kubernetes'" in message
    for title in (SECURITY, TROUBLE, BASICS):
        assert repr(title) in message


def test_only_ids_keeps_the_difficult_cards():
    wanted = {NASTY[1].id, "docker/removed-from-page#qa-9"}
    deck = build_deck(NASTY, page_title="Docker", only_ids=wanted)

    assert [c.id for c in deck.cards] == [NASTY[1].id]
    assert deck.note_count == 1


def test_choices_that_leave_nothing_say_so():
    with pytest.raises(NothingToExportError, match="No cards are left"):
        build_deck(NASTY, page_title="Docker", sections=[BASICS], only_ids=set())


def test_cards_sharing_an_id_are_refused():
    twin = replace(NASTY[0], front="Another question")
    with pytest.raises(ExportError, match="share the id"):
        build_deck([*NASTY, twin], page_title="Docker")


def test_deck_ids_are_stable_and_distinct():
    names = [f"Docker Interview Prep::{t}" for t in (SECURITY, TROUBLE, BASICS)]
    ids = [exports.deck_id_for(name) for name in names]

    assert len(set(ids)) == len(ids)
    assert ids == [exports.deck_id_for(name) for name in names]
    assert all(0 < deck_id < 2**53 for deck_id in ids)


# ---------------------------------------------------------------------------
# Determinism and writing


def test_same_cards_and_timestamp_give_identical_bytes():
    deck = build_deck(NASTY, page_title="Docker")
    shuffled = build_deck(reversed(NASTY), page_title="Docker")

    assert apkg_bytes(deck, timestamp=T0) == apkg_bytes(shuffled, timestamp=T0)


def test_same_modification_times_give_identical_bytes():
    deck = build_deck(NASTY, page_title="Docker")
    shuffled = build_deck(reversed(NASTY), page_title="Docker")
    reordered = dict(reversed(CHANGED.items()))

    first = apkg_bytes(deck, timestamp=T1, modified=CHANGED)
    assert first == apkg_bytes(shuffled, timestamp=T1, modified=reordered)
    assert first != apkg_bytes(deck, timestamp=T1)


def test_identical_bytes_across_processes(tmp_path):
    # A fresh interpreter with another hash seed catches any order that leaks
    # from sets or dicts into the file.
    script = (
        "import sys; from tests.test_anki import CHANGED, NASTY, T0; "
        "from exports import build_deck, write_apkg; "
        "write_apkg(build_deck(NASTY, page_title='Docker'), sys.argv[1], "
        "timestamp=T0, modified=CHANGED)"
    )
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}.apkg"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [sys.executable, "-c", script, str(out)], cwd=PROJECT, env=env, check=True
        )
        outputs.append(out.read_bytes())

    assert outputs[0] == outputs[1]
    assert outputs[0] == apkg_bytes(
        build_deck(NASTY, page_title="Docker"), timestamp=T0, modified=CHANGED
    )


def test_apkg_is_a_zip_anki_recognises(tmp_path):
    data = apkg_bytes(build_deck(NASTY, page_title="Docker"), timestamp=T0)
    path = tmp_path / "deck.apkg"
    path.write_bytes(data)

    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["collection.anki2", "media"]
        assert archive.testzip() is None


def test_timestamp_without_time_zone_is_refused():
    deck = build_deck(NASTY, page_title="Docker")
    with pytest.raises(ExportError, match="no time zone"):
        apkg_bytes(deck, timestamp=datetime(2025, 3, 1, 9, 30))


def test_missing_folder_is_named_and_nothing_is_written(tmp_path):
    deck = build_deck(NASTY, page_title="Docker")
    target = tmp_path / "no-such-folder" / "deck.apkg"

    with pytest.raises(DeckWriteError, match="does not exist") as raised:
        write_apkg(deck, target, timestamp=T0)
    assert str(target.parent) in str(raised.value)
    assert not target.parent.exists()


def test_folder_as_output_path_is_refused(tmp_path):
    deck = build_deck(NASTY, page_title="Docker")
    with pytest.raises(DeckWriteError, match="is a folder"):
        write_apkg(deck, tmp_path, timestamp=T0)


def test_failed_write_keeps_the_earlier_deck_and_leaves_no_partial_file(
    tmp_path, monkeypatch
):
    target = export(tmp_path, NASTY[:1])
    earlier = target.read_bytes()

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(DeckWriteError, match="No space left"):
        export(tmp_path, NASTY)

    assert target.read_bytes() == earlier
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


# ---------------------------------------------------------------------------
# The real Docker page


def test_docker_page_deck_imports_cleanly(tmp_path, collection, docker_cards):
    path = export(tmp_path, docker_cards)
    log = import_deck(collection, path)

    assert len(log.new) == len(docker_cards) == collection.note_count()
    assert not (log.duplicate or log.conflicting or log.empty_first_field)
    assert not (log.missing_notetype or log.missing_deck)
    assert collection.fix_integrity()[1]

    deck_names = {name.name for name in collection.decks.all_names_and_ids()}
    for source in docker_cards:
        assert f"Docker Interview Prep::{source.top_level}" in deck_names

    by_guid = {exports.note_guid(c): c for c in docker_cards}
    for note_id in collection.find_notes(""):
        note = collection.get_note(note_id)
        source = by_guid[note.guid]
        assert note.fields == exports.note_fields(source)
        for value in note.fields:
            assert not html_problems(value), (source.id, value)
        anki_card = note.cards()[0]
        question = visible_text(anki_card.question())
        answer = visible_text(anki_card.answer())
        assert collection.decks.name(anki_card.did).endswith(f"::{source.top_level}")
        assert appears_in_order(markdown_words(source.front), question), source.id
        assert appears_in_order(markdown_words(source.back), answer), source.id
        for debris in DEBRIS:
            assert debris not in answer, (source.id, debris)
