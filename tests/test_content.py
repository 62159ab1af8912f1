"""The Docker page's content model, and what happens to pages that can't be used."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import content
from content.model import CodeBlock, ListBlock, Paragraph, Table

# The captured web page the Markdown was converted from, kept beside the tests
# so that the conversion can be checked against it on any machine.
SOURCE_TEXT = Path(__file__).resolve().parent / "data" / "docker-learning-page.txt"

# Every heading of the captured page, in order, as the capture spells it
# (emoji dropped). Headings whose code block was lost in the capture are here
# too: they must survive as sections with no body.
SOURCE_HEADINGS = [
    "What is Docker?",
    "Container vs Virtual Machine",
    "Core Docker Concepts",
    "Docker basics",
    "Dockerfile — Best Practices",
    "The Most Common Mistake — Wrong Layer Order",
    "BAD vs GOOD Dockerfile",
    "Multi-Stage Builds — Production Standard",
    "Multi-stage build — production grade",
    ".dockerignore — Always Create This",
    ".dockerignore",
    "Docker Commands — Complete Reference",
    "Images — build, pull, push, inspect",
    "Containers — run, exec, logs, inspect",
    "Networking and volumes",
    "Troubleshooting — Real Production Issues",
    "Exit Codes — What They Mean",
    "Troubleshooting container issues",
    "Container keeps restarting — systematic approach",
    "Debug restart loop",
    "Docker Security — Production Hardening",
    "Security Checklist",
    "Security hardening commands",
    "Trivy — scan for vulnerabilities",
    "Registry — Push, Pull, Private Registries",
    "Registry Options",
    "Working with registries",
    "Docker Compose — Local Development",
    "docker-compose.yml — production-like local environment",
    "Docker in CI/CD Pipelines",
    "GitHub Actions — optimised Docker build + push",
    "Multi-Stage Builds — Production-Grade Images",
    "The problem with single-stage builds",
    "Multi-stage build — Java application example",
    "Multi-stage for Node.js",
    "Build cache optimisation — order matters",
    "BuildKit — Modern Docker Build Features",
    "BuildKit advantages",
    "Image Scanning and Security in Production",
    "Trivy in CI/CD pipeline — fail on HIGH/CRITICAL",
    "Security best practices — summary",
    "Interview Questions — Senior Level",
    "Learning Roadmap",
]

LOST_CODE_BLOCKS = [
    "Docker basics",
    "BAD vs GOOD Dockerfile",
    "Multi-stage build — production grade",
    ".dockerignore",
    "Images — build, pull, push, inspect",
    "Debug restart loop",
    "Trivy — scan for vulnerabilities",
    "GitHub Actions — optimised Docker build + push",
]


def section_titled(page, title):
    return next(s for s in page.sections if s.title == title)


def test_source_headings_are_the_ones_listed_here():
    # Guards the list above against drifting from the capture itself.
    lines = {line.strip() for line in SOURCE_TEXT.read_text().splitlines()}
    for heading in SOURCE_HEADINGS:
        assert any(line.endswith(heading) for line in lines), heading


def test_every_source_heading_is_a_section_in_order(docker_page):
    titles = [s.title for s in docker_page.sections]
    positions = [titles.index(heading) for heading in SOURCE_HEADINGS]
    assert positions == sorted(positions)
    assert docker_page.title == "Docker"


def test_headings_whose_code_was_lost_stay_empty(docker_page):
    for title in LOST_CODE_BLOCKS:
        assert section_titled(docker_page, title).blocks == (), title


def test_section_paths_run_from_the_page_title(docker_page):
    exit_codes = section_titled(docker_page, "Exit Codes — What They Mean")
    assert exit_codes.path == (
        "Docker",
        "Troubleshooting — Real Production Issues",
        "Exit Codes — What They Mean",
    )
    assert exit_codes.id == (
        "docker/troubleshooting-real-production-issues/exit-codes-what-they-mean"
    )
    assert exit_codes.title_path == (
        "Docker › Troubleshooting — Real Production Issues › Exit Codes — What They Mean"
    )
    assert len({s.id for s in docker_page.sections}) == len(docker_page.sections)


def test_all_fourteen_interview_questions_with_their_levels(docker_page):
    source = SOURCE_TEXT.read_text().splitlines()
    expected = [
        (source[i + 1].strip(), line.split("·")[1].strip())
        for i, line in enumerate(source)
        if re.fullmatch(r"DOCKER · (ENGINEER|PRODUCTION|ARCHITECT)", line.strip())
    ]
    got = [(qa.question, qa.level) for _, qa in docker_page.qas]
    assert len(got) == 14
    assert got == expected
    interview = section_titled(docker_page, "Interview Questions — Senior Level")
    assert [qa.index for qa in interview.qas] == list(range(1, 15))


def test_answers_keep_the_source_wording(docker_page):
    source = " ".join(SOURCE_TEXT.read_text().split())
    for _, qa in docker_page.qas:
        answer = content.text.plain(qa.answer)
        assert answer[:60] in source, qa.question
        assert answer[-60:] in source, qa.question


def test_exit_code_table_has_eight_rows(docker_page):
    (table,) = section_titled(docker_page, "Exit Codes — What They Mean").blocks
    assert isinstance(table, Table)
    assert table.header == ("Exit Code", "Meaning", "What to do")
    assert [row[0] for row in table.rows] == [
        "0", "1", "137", "139", "143", "125", "126", "127",
    ]  # fmt: skip
    assert table.rows[2][1] == "OOMKilled — memory limit exceeded (kill -9)"


def test_blocks_have_their_types(docker_page):
    concepts = section_titled(docker_page, "Core Docker Concepts")
    (concept_list,) = concepts.blocks
    assert isinstance(concept_list, ListBlock) and len(concept_list.items) == 5

    java = section_titled(docker_page, "Multi-stage build — Java application example")
    code, result = java.blocks
    assert isinstance(code, CodeBlock) and code.language == "dockerfile"
    assert code.code.splitlines()[-1] == 'ENTRYPOINT ["java", "-jar", "app.jar"]'
    assert isinstance(result, Paragraph) and result.text.startswith("Result:")


def test_roadmap_has_five_steps_with_items(docker_page):
    stages = [(step.stage, step.title) for step in docker_page.roadmap]
    assert stages == [
        ("Week 1", "Foundations"),
        ("Week 2", "Build & Optimise"),
        ("Week 3", "Networking & Storage"),
        ("Week 4", "Security & Production"),
        ("Month 2", "K8s Ready"),
    ]
    assert docker_page.roadmap[0].items[0] == "Install Docker Desktop"
    assert all(len(step.items) == 4 for step in docker_page.roadmap)


# --- pages that can't be used --------------------------------------------

GOOD_PAGE = """# Kubernetes

## Pods

A pod is the smallest unit.
"""

BAD_PAGES = {
    "not-utf8.md": (b"# Title\n\n## Part\n\nCaf\xe9 au lait\n", 5, "not UTF-8"),
    "empty.md": (b"  \n\n", 1, "is empty"),
    "no-headings.md": (b"Just a paragraph.\n\n- and a list\n", 1, "no headings"),
    "ragged-table.md": (
        b"# T\n\n## S\n\n| A | B |\n| --- | --- |\n| 1 | 2 |\n| 3 | 4 | 5 |\n",
        8,
        "3 cells but its header has 2",
    ),
    "unanswered.md": (
        b"# T\n\n## Interview\n\n### Why?\n\nDOCKER \xc2\xb7 ENGINEER\n\n### Next?\n",
        5,
        "'Why?' has no answer",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_PAGES))
def test_bad_page_is_skipped_with_file_line_and_fix(tmp_path, name):
    raw, line, problem = BAD_PAGES[name]
    (tmp_path / "good.md").write_text(GOOD_PAGE)
    (tmp_path / name).write_bytes(raw)

    result = content.load_pages(tmp_path)

    assert [page.title for page in result.pages] == ["Kubernetes"]
    (error,) = result.skipped
    assert error.path == tmp_path / name
    assert error.line == line
    assert problem in str(error)
    assert str(error).startswith(f"{tmp_path / name}:{line}: ")
    assert error.fix  # every error tells the learner what to do


def test_bad_page_raises_content_error_when_loaded_alone(tmp_path):
    path = tmp_path / "unanswered.md"
    path.write_bytes(BAD_PAGES["unanswered.md"][0])
    with pytest.raises(content.ContentError, match="Write the model answer"):
        content.load_page(path)


def test_unknown_level_is_named(tmp_path):
    path = tmp_path / "level.md"
    path.write_text("# T\n\n## Q\n\n### Why?\n\nDOCKER · SENIOR\n\nBecause.\n")
    with pytest.raises(content.ContentError, match=r"level 'SENIOR'.*ENGINEER"):
        content.load_page(path)


def test_a_dropped_in_page_loads_beside_the_default(tmp_path):
    shutil.copy(content.PAGES_DIR / "docker.md", tmp_path / "docker.md")
    (tmp_path / "kubernetes.md").write_text(GOOD_PAGE)

    result = content.load_pages(tmp_path)

    assert [page.slug for page in result.pages] == ["docker", "kubernetes"]
    assert result.skipped == ()
    assert result.pages[1].sections[1].id == "kubernetes/pods"


def test_shipped_pages_all_load():
    result = content.load_pages()
    assert result.skipped == ()
    assert result.pages[0].slug == "docker"


def test_check_command_counts_cards_and_fails_on_a_skipped_page(tmp_path, capsys):
    from content.__main__ import main

    shutil.copy(content.PAGES_DIR / "docker.md", tmp_path / "docker.md")
    assert main([str(tmp_path)]) == 0
    assert capsys.readouterr().out == ("docker: 49 sections, 14 questions, 60 cards\n")

    (tmp_path / "notes.md").write_bytes(BAD_PAGES["ragged-table.md"][0])
    assert main([str(tmp_path)]) == 1
    assert "skipped " + str(tmp_path / "notes.md") + ":8: " in capsys.readouterr().out
