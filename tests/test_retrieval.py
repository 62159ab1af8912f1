"""The search engine with the real model: citations, refusals, follow-ups,
bad input, and an index on disk that survives damage."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest

from retrieval import load_engine
from retrieval.index import CHUNK_VECTORS, MANIFEST, UNIT_VECTORS
from retrieval.text import MAX_QUESTION_CHARS
from settings import PROJECT_DIR, Settings

pytestmark = pytest.mark.slow

EXIT_TABLE = "docker/troubleshooting-real-production-issues/exit-codes-what-they-mean"
QA_SECTION = "docker/interview-questions-senior-level"


def _pieces(answer_markdown: str) -> list[tuple[str, int]]:
    """Split an answer at its [n] markers: (quoted text, n) pairs."""
    parts = re.split(r"\[(\d+)\]", answer_markdown)
    return [
        (parts[i].strip().removeprefix("- ").strip(), int(parts[i + 1]))
        for i in range(0, len(parts) - 1, 2)
    ]


def test_exit_code_question_cites_the_exit_code_table(engine):
    answer = engine.ask("My container stopped with exit code 137. What does that mean?")
    assert answer.grounded
    assert answer.citations[0].id == f"{EXIT_TABLE}#row-137"
    assert "OOMKilled" in answer.answer


def test_cmd_entrypoint_question_cites_that_interview_answer(engine):
    answer = engine.ask("When do I use CMD and when ENTRYPOINT?")
    assert answer.grounded
    assert answer.citations[0].id == f"{QA_SECTION}#qa-1"
    assert answer.citations[0].title.endswith(
        "What is the difference between CMD and ENTRYPOINT in a Dockerfile?"
    )


@pytest.mark.parametrize(
    "question",
    ["How do I bake sourdough bread?", "Who won the 2018 football world cup?"],
)
def test_off_topic_question_is_refused_with_the_closest_sections(engine, question):
    answer = engine.ask(question)
    assert not answer.grounded
    assert answer.status == "not_covered"
    assert answer.answer.startswith("The page doesn't cover that.")
    assert answer.citations == ()
    assert 1 <= len(answer.closest_sections) <= 3
    titles = {
        c.title.removesuffix(f" › {c.question}") if c.question else c.title
        for c in engine.chunks
    }
    assert all(ref.title in titles for ref in answer.closest_sections)


@pytest.mark.parametrize(
    "question",
    [
        "What does exit code 137 mean?",
        "How do I make docker builds faster with caching?",
        "Is it safe to keep passwords in ENV?",
        "How do I build for arm64 and amd64 at once?",
        "What should a container do to be secure in production?",
        "What is docker compose good for?",
    ],
)
def test_every_quoted_piece_of_an_answer_occurs_in_its_cited_chunk(engine, question):
    answer = engine.ask(question)
    assert answer.grounded and answer.evidence
    by_number = {c.number: c for c in answer.citations}
    assert [c.number for c in answer.citations] == list(range(1, len(by_number) + 1))
    for piece in answer.evidence:
        assert piece.text in by_number[piece.citation].text
    # Read back from the Markdown alone, the answer is nothing but the quoted
    # pieces, each followed by the number of the chunk that holds it.
    pieces = _pieces(answer.answer)
    assert [text for text, _ in pieces] == [piece.text for piece in answer.evidence]
    for text, number in pieces:
        assert text in by_number[number].text, (text, number)
    assert answer.answer.rstrip().endswith("]")


def test_follow_up_question_is_resolved_with_the_previous_question(engine):
    first = engine.ask("What does exit code 137 mean?")
    follow = engine.ask("How do I fix it?", history=[first])
    assert follow.is_follow_up and follow.grounded
    assert "137" in follow.resolved_question
    cited = {c.id for c in follow.citations}
    assert cited & {f"{EXIT_TABLE}#row-137", f"{QA_SECTION}#qa-3"}
    # The same question with no conversation has nothing to refer to.
    alone = engine.ask("How do I fix it?")
    assert not alone.is_follow_up


def test_follow_up_works_with_plain_question_strings_as_history(engine):
    follow = engine.ask(
        "and what about 143?", history=["What does exit code 137 mean?"]
    )
    assert follow.grounded
    assert f"{EXIT_TABLE}#row-143" in {c.id for c in follow.citations}


@pytest.mark.parametrize(
    "question", ["How do I bake sourdough bread?", "Who won the 2018 World Cup?"]
)
def test_new_subject_after_an_answer_is_refused_not_read_as_follow_up(engine, question):
    first = engine.ask("What does exit code 137 mean?")
    answer = engine.ask(question, history=[first])
    assert not answer.grounded
    assert not answer.is_follow_up
    assert answer.citations == ()


@pytest.mark.parametrize(
    "question",
    [
        "How do I lock down syscalls with a seccomp profile?",
        "Is Podman a drop-in replacement for Docker?",
    ],
)
def test_docker_topic_the_page_never_names_is_refused(engine, question):
    answer = engine.ask(question)
    assert not answer.grounded
    assert answer.answer.startswith("The page doesn't cover that.")


def test_unfamiliar_words_are_rare_words_the_page_never_uses(engine):
    assert engine.unfamiliar_terms("Podman vs Docker on my laptop?") == ["podman"]
    # A typo of a page word, the page's own hyphenated word written joined,
    # and common English words are not unfamiliar.
    assert engine.unfamiliar_terms("Show me a multistage Dockerfle") == []
    assert engine.unfamiliar_terms("How do I shrink my image?") == []


@pytest.mark.parametrize(
    "question", ["What is BuildKit?", "When do I use CMD and when ENTRYPOINT?"]
)
def test_answer_says_each_piece_once_and_more_than_a_headline(engine, question):
    answer = engine.ask(question)
    pieces = [piece.text for piece in answer.evidence]
    assert len(pieces) == len(set(pieces))
    assert len(pieces) >= 2


def test_question_naming_a_row_quotes_that_row_only(engine):
    answer = engine.ask("What does exit code 137 mean?")
    rows = [c.id for c in answer.citations if "#row-" in c.id]
    assert rows == [f"{EXIT_TABLE}#row-137"]
    both = engine.ask("What do exit codes 137 and 139 mean?")
    assert {f"{EXIT_TABLE}#row-137", f"{EXIT_TABLE}#row-139"} <= {
        c.id for c in both.citations
    }


def test_suggestions_are_page_questions_close_to_the_answer(engine, docker_page):
    answer = engine.ask("How do I debug a container that keeps getting OOM killed?")
    page_questions = {qa.question for _, qa in docker_page.qas}
    assert 2 <= len(answer.suggestions) <= 3
    assert set(answer.suggestions) <= page_questions
    cited_questions = {c.title.split(" › ")[-1] for c in answer.citations}
    assert not set(answer.suggestions) & cited_questions


@pytest.mark.parametrize(
    "question",
    [
        "",
        "   \n\t ",
        "\x00\x07\x1b",
        "🐳🐳🐳",
        "Что такое Docker?",
        "'; DROP TABLE questions; --",
        "<script>alert('x')</script><b>docker</b>",
        "docker " * 10_000,
    ],
)
def test_bad_input_gets_a_message_or_an_answer_never_an_error(engine, question):
    answer = engine.ask(question)
    assert answer.status in {"invalid", "not_covered", "answered"}
    assert answer.answer
    assert len(answer.resolved_question) <= 2 * MAX_QUESTION_CHARS + 1
    if answer.status == "invalid":
        assert not answer.grounded and "Type a question" in answer.answer
    assert set(answer.to_json()) == {"question", "answer", "grounded", "citations"}


def test_empty_question_is_invalid_and_a_long_paste_is_shortened(engine):
    assert engine.ask("   ").status == "invalid"
    long = engine.ask("What does exit code 137 mean? " + "x " * 25_000)
    assert long.notice and long.status in {"answered", "not_covered"}
    assert len(long.resolved_question) <= MAX_QUESTION_CHARS


def test_json_form_is_exactly_the_command_line_contract(engine):
    data = engine.ask("What does exit code 143 mean?").to_json()
    assert set(data) == {"question", "answer", "grounded", "citations"}
    assert data["grounded"] is True
    for citation in data["citations"]:
        assert set(citation) == {"id", "title", "text", "score"}
        assert isinstance(citation["score"], float)
    scores = [c["score"] for c in data["citations"]]
    assert scores == sorted(scores, reverse=True)


# The index on disk -----------------------------------------------------------


@pytest.fixture
def built(tmp_path, engine, engine_settings):
    """A copy of the session engine's saved index in a fresh data folder."""
    shutil.copytree(engine_settings.data_dir / "index", tmp_path / "index")
    return Settings(data_dir=tmp_path), engine


def test_building_reports_progress_up_to_the_total(tmp_path, embedder, docker_page):
    steps = []
    engine = load_engine(
        Settings(data_dir=tmp_path),
        [docker_page],
        embedder=embedder,
        progress=lambda *step: steps.append(step),
    )
    assert engine.status == "built"
    assert (tmp_path / "index" / MANIFEST).is_file()
    done = [d for d, _, _ in steps]
    assert done == sorted(done) and done[-1] == steps[-1][1]
    assert all(isinstance(message, str) and message for _, _, message in steps)


def test_fresh_start_loads_the_saved_index_without_embedding(
    built, embedder, docker_page, monkeypatch
):
    settings, first = built

    def no_embedding(*args, **kwargs):
        raise AssertionError("a fresh start must not re-embed the page")

    monkeypatch.setattr(embedder, "encode", no_embedding)
    again = load_engine(settings, [docker_page], embedder=embedder)
    assert again.status == "loaded"
    assert np.array_equal(again.index.unit_vectors, first.index.unit_vectors)


@pytest.mark.parametrize(
    "damage",
    ["truncate-units", "wrong-vector-count", "garbage-manifest", "missing-faiss"],
)
def test_damaged_index_is_rebuilt_with_one_log_line(
    built, embedder, docker_page, caplog, damage
):
    settings, first = built
    folder = settings.data_dir / "index"
    if damage == "truncate-units":
        data = (folder / UNIT_VECTORS).read_bytes()
        (folder / UNIT_VECTORS).write_bytes(data[: len(data) // 2])
    elif damage == "wrong-vector-count":
        import faiss

        smaller = faiss.IndexFlatIP(first.index.chunk_vectors.shape[1])
        smaller.add(first.index.chunk_vectors[:-3])
        faiss.write_index(smaller, str(folder / CHUNK_VECTORS))
    elif damage == "garbage-manifest":
        (folder / MANIFEST).write_text("{not json", "utf-8")
    else:
        (folder / CHUNK_VECTORS).unlink()

    with caplog.at_level(logging.INFO, logger="retrieval"):
        again = load_engine(settings, [docker_page], embedder=embedder)
    assert again.status == "rebuilt"
    lines = [r for r in caplog.records if r.name.startswith("retrieval")]
    assert len(lines) == 1 and lines[0].levelno == logging.WARNING
    assert again.ask("What does exit code 137 mean?").grounded
    assert load_engine(settings, [docker_page], embedder=embedder).status == "loaded"


def test_changed_page_makes_the_fingerprint_stale_and_rebuilds(
    built, embedder, docker_page
):
    settings, _ = built
    sections = list(docker_page.sections)
    sections[1] = replace(sections[1], blocks=())
    changed = replace(docker_page, sections=tuple(sections))
    assert load_engine(settings, [changed], embedder=embedder).status == "rebuilt"


# The command line ------------------------------------------------------------


def test_ask_command_reads_questions_from_stdin_and_writes_one_json_per_line(
    engine, engine_settings
):
    env = {**os.environ, "PREP_DATA_DIR": str(engine_settings.data_dir)}
    questions = "What does exit code 137 mean?\nHow do I bake bread?\n\n"
    run = subprocess.run(
        [sys.executable, "-m", "retrieval", "ask", "--json"],
        input=questions,
        capture_output=True,
        text=True,
        cwd=PROJECT_DIR,
        env=env,
        timeout=300,
        check=True,
    )
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    assert [line["grounded"] for line in lines] == [True, False, False]
    assert lines[0]["citations"][0]["id"] == f"{EXIT_TABLE}#row-137"
    assert "Rebuilding" not in run.stderr
