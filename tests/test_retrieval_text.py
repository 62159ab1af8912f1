"""Chunking, text handling, fusion and calibration: no model needed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from content.model import QA, CodeBlock, ListBlock, Page, Paragraph, Section, Table
from retrieval.chunker import chunk_page
from retrieval.evaluation import (
    DEV_SET,
    HELD_OUT_SET,
    TUNING_SET,
    Report,
    calibrate,
    format_report,
    load_eval_set,
    matches,
)
from retrieval.fusion import weighted_sum
from retrieval.text import MAX_QUESTION_CHARS, clean_question, sentences, stem, tokens


def _section(sid, title, path, blocks=(), qas=()):
    return Section(
        id=sid, title=title, level=len(path), path=path, line=1, blocks=blocks, qas=qas
    )


@pytest.fixture
def small_page() -> Page:
    exit_codes = Table(
        header=("Exit Code", "Meaning"),
        rows=(("137", "**OOMKilled** — memory limit"), ("143", "SIGTERM received")),
        line=5,
    )
    prose = _section(
        "demo/basics",
        "Basics",
        ("Demo", "Basics"),
        blocks=(
            Paragraph(
                "A container is a process. Images are built from `Dockerfile`s.", 2
            ),
            ListBlock(("**Image** — a template", "**Layer** — cached"), False, 3),
            Paragraph("Build it like this:", 4),
            CodeBlock("docker build -t app .\n\ndocker run app\n", "bash", 5),
        ),
    )
    table = _section(
        "demo/basics/codes", "Codes", ("Demo", "Basics", "Codes"), blocks=(exit_codes,)
    )
    empty = _section("demo/basics/lost", "Lost", ("Demo", "Basics", "Lost"))
    qas = _section(
        "demo/interview",
        "Interview",
        ("Demo", "Interview"),
        qas=(
            QA(
                "What is CMD?",
                "CMD gives default arguments. It can be overridden.",
                "ENGINEER",
                1,
                9,
            ),
            QA(
                "What is ADD?",
                "ADD copies and extracts. Prefer COPY.",
                "ENGINEER",
                2,
                12,
            ),
        ),
    )
    return Page("demo", "Demo", Path("demo.md"), (prose, table, empty, qas))


def test_each_qa_and_each_table_row_is_its_own_chunk_titled_by_its_heading_path(
    small_page,
):
    chunks = {c.id: c for c in chunk_page(small_page)}
    qa = chunks["demo/interview#qa-1"]
    assert qa.title == "Demo › Interview › What is CMD?"
    assert qa.text.startswith("What is CMD?\n") and "default arguments" in qa.text
    row = chunks["demo/basics/codes#row-137"]
    assert row.title == "Demo › Basics › Codes"
    assert row.text == "Exit Code: 137; Meaning: OOMKilled — memory limit"
    assert "demo/basics/codes#row-143" in chunks
    assert all(
        chunk.page == "demo" and chunk.id.startswith("demo/")
        for chunk in chunks.values()
    )


def test_code_block_is_chunked_with_the_sentence_that_introduces_it(small_page):
    code = next(c for c in chunk_page(small_page) if c.kind == "code")
    assert code.text.splitlines() == [
        "Build it like this:",
        "docker build -t app .",
        "docker run app",
    ]


def test_every_unit_occurs_verbatim_in_its_chunk_text(small_page, docker_page):
    for page in (small_page, docker_page):
        for chunk in chunk_page(page):
            assert chunk.units, chunk.id
            for unit in chunk.units:
                assert unit.text in chunk.text, (chunk.id, unit.text)


def test_sections_without_body_give_no_chunk_and_ids_are_unique(
    small_page, docker_page
):
    ids = [c.id for c in chunk_page(small_page)]
    assert not any(i.startswith("demo/basics/lost#") for i in ids)
    docker_ids = [c.id for c in chunk_page(docker_page)]
    assert len(docker_ids) == len(set(docker_ids))


def test_chunk_ids_survive_rewording_an_answer(small_page):
    before = {c.id for c in chunk_page(small_page)}
    qas = small_page.sections[3]
    reworded = QA("What does CMD do?", "It sets default arguments.", "ENGINEER", 1, 9)
    changed = Section(**{**qas.__dict__, "qas": (reworded, qas.qas[1])})
    page = Page("demo", "Demo", Path("demo.md"), (*small_page.sections[:3], changed))
    assert {c.id for c in chunk_page(page)} == before


def test_docker_page_gives_eight_exit_code_rows_and_fourteen_qas(docker_page):
    chunks = chunk_page(docker_page)
    rows = [c for c in chunks if "exit-codes-what-they-mean#row-" in c.id]
    assert sorted(c.key for c in rows) == sorted(
        f"row-{code}" for code in (0, 1, 137, 139, 143, 125, 126, 127)
    )
    assert len([c for c in chunks if c.kind == "qa"]) == 14


def test_clean_question_strips_control_characters_and_caps_length():
    assert (
        clean_question("  what\x00 is\x1b[31m docker?\u200b ") == "what is [31m docker?"
    )
    assert clean_question(" \t\n ") == ""
    long = clean_question("docker " * 10_000)
    assert 0 < len(long) <= MAX_QUESTION_CHARS
    assert clean_question("Was ist Docker? 🐳") == "Was ist Docker? 🐳"


def test_sentences_keep_file_names_versions_and_abbreviations_whole():
    text = (
        "Never mount /var/run/docker.sock in production. Pin python:3.11.4-slim, "
        "e.g. Alpine. Result: smaller. Use COPY."
    )
    assert sentences(text) == [
        "Never mount /var/run/docker.sock in production.",
        "Pin python:3.11.4-slim, e.g. Alpine.",
        "Result: smaller. Use COPY.",
    ]


def test_inflected_forms_meet_in_the_lexical_index():
    assert stem("caching") == stem("cached") == stem("cache") == stem("caches")
    assert stem("killed") == stem("kill")
    assert tokens("What does the container do?") == ["container"]


def test_weighted_sum_prefers_a_chunk_both_rankings_agree_on():
    dense = [(1, 0.60), (2, 0.58), (3, 0.10)]
    lexical = [(2, 9.0), (3, 3.0)]
    fused = weighted_sum(dense, lexical, weight=0.3)
    assert [item for item, _ in fused] == [2, 1, 3]
    assert all(0 <= score <= 1 for _, score in fused)


def test_calibration_refuses_most_uncovered_within_the_false_refusal_budget():
    covered = [0.9, 0.85, 0.8, 0.75] * 5 + [0.3]  # 21 questions: one may be refused
    uncovered = [0.2, 0.35, 0.5, 0.78]
    threshold = calibrate(covered, uncovered)
    assert sum(s < threshold for s in covered) <= 1
    assert sum(s < threshold for s in uncovered) == 3


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _runs(words: list[str], length: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + length]) for i in range(len(words) - length + 1)}


# A question sharing this many words in a row with the page was copied from
# it, not asked the way a learner asks. Shorter runs are common phrasing
# ("in the same RUN", "/var/run/docker.sock", "the default bridge network").
COPIED_RUN = 6

# Each set with its least covered and uncovered question counts: the tuning
# set needs more to choose weights from; the others only measure.
EVAL_SETS = {
    "tuning": (TUNING_SET, 60, 20),
    "development": (DEV_SET, 30, 15),
    "held-out": (HELD_OUT_SET, 30, 20),
}


@pytest.mark.parametrize(
    ("path", "least_covered", "least_uncovered"),
    EVAL_SETS.values(),
    ids=EVAL_SETS.keys(),
)
def test_eval_set_is_large_enough_labelled_and_not_copied_from_the_page(
    docker_page, path, least_covered, least_uncovered
):
    chunks = chunk_page(docker_page)
    questions = load_eval_set(path, chunks)
    covered = [q for q in questions if q.covered]
    assert len(covered) >= least_covered
    assert len(questions) - len(covered) >= least_uncovered
    for q in covered:
        assert all(any(matches(c, label) for c in chunks) for label in q.answers)

    page_questions = {qa.question.casefold() for _, qa in docker_page.qas}
    assert not any(q.question.casefold() in page_questions for q in questions)
    page_runs = _runs(_words(docker_page.source.read_text("utf-8")), COPIED_RUN)
    copied = [
        q.question
        for q in questions
        if _runs(_words(q.question), COPIED_RUN) & page_runs
    ]
    assert copied == []


def test_no_question_repeats_within_a_set_or_across_sets():
    seen: dict[str, str] = {}
    repeated = []
    for name, (path, _, _) in EVAL_SETS.items():
        for q in load_eval_set(path):
            text = " ".join(_words(q.question))
            if text in seen:
                repeated.append((text, seen[text], f"{name}:{q.line}"))
            seen.setdefault(text, f"{name}:{q.line}")
    assert repeated == []


def test_report_names_the_set_and_whether_its_threshold_was_chosen_on_it():
    report = Report(
        rankings={
            m: {"recall@1": 1.0, "recall@5": 1.0, "mrr": 1.0}
            for m in ("lexical", "dense", "rrf", "fused")
        },
        covered=30,
        uncovered=15,
        threshold=0.777,
        refusal_rate=0.6,
        false_refusal_rate=0.1,
        calibrated=0.761,
        misses=(),
        wrongly_answered=("podman vs docker?",),
        wrongly_refused=(),
    )
    text = format_report(report, "Held-out set (never used for any choice)", False)
    assert text.startswith("Held-out set (never used for any choice)\n=====")
    assert "(this set would pick 0.761; not used)" in text
    assert "Uncovered questions refused: 60.0%" in text
    assert "  - podman vs docker?" in text
    assert "(calibrated on this set: 0.761)" in format_report(report)
