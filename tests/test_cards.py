"""Flashcards derived from the Docker page, and the stability of their ids."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import content

EXIT_137 = (
    "docker/troubleshooting-real-production-issues/exit-codes-what-they-mean#row-137"
)
CMD_QA = "docker/interview-questions-senior-level#qa-1"


def cards_of(text: str, tmp_path: Path) -> dict[str, content.Flashcard]:
    path = tmp_path / "docker.md"
    path.write_text(text)
    return {card.id: card for card in content.build_flashcards(content.load_page(path))}


def shipped_text() -> str:
    return (content.PAGES_DIR / "docker.md").read_text()


def test_the_docker_page_gives_sixty_cards_of_three_kinds(docker_cards):
    kinds = Counter(card.kind for card in docker_cards)
    assert kinds == {"qa": 14, "table-row": 30, "definition": 16}
    assert len({card.id for card in docker_cards}) == len(docker_cards)
    assert [card.order for card in docker_cards] == list(range(len(docker_cards)))


def test_table_rows_become_cards_per_table(docker_cards):
    per_section = Counter(
        card.section_path[-1] for card in docker_cards if card.kind == "table-row"
    )
    assert per_section == {
        "Container vs Virtual Machine": 5,
        "Exit Codes — What They Mean": 8,
        "Security Checklist": 7,
        "Registry Options": 6,
        "Image Scanning and Security in Production": 4,
    }


def test_exit_code_card_asks_meaning_and_action(docker_cards):
    card = next(card for card in docker_cards if card.id == EXIT_137)
    assert "**137**" in card.front
    assert "Meaning" in card.front and "What to do" in card.front
    assert "OOMKilled — memory limit exceeded (kill -9)" in card.back
    assert "Increase memory limit or fix memory leak" in card.back
    assert card.section_title.endswith("Exit Codes — What They Mean")


def test_definition_lists_become_cards(docker_cards):
    terms = [card.front for card in docker_cards if card.kind == "definition"]
    assert "Core Docker Concepts: **Image**" in terms
    assert "BuildKit advantages: **Cache mounts**" in terms
    assert "Security best practices — summary: **Pin base image versions**" in terms
    # The roadmap's plain lists are not definitions.
    assert not any("Install Docker Desktop" in term for term in terms)


def test_qa_cards_carry_level_tags_and_key_points(docker_cards):
    card = next(card for card in docker_cards if card.id == CMD_QA)
    assert card.front == (
        "What is the difference between CMD and ENTRYPOINT in a Dockerfile?"
    )
    assert card.level == "ENGINEER"
    assert set(card.tags) >= {"docker", "kind-qa", "level-engineer"}
    assert card.key_points[0] == "Both define what runs when the container starts."
    assert len(card.key_points) == 7
    joined = " ".join(card.key_points)
    assert joined == content.text.plain(" ".join(card.back.split()))


def test_step_answers_split_at_each_step(docker_cards):
    oom = next(card for card in docker_cards if "OOMKilled every few" in card.front)
    steps = [point for point in oom.key_points if point.startswith("Step ")]
    assert [step[:6] for step in steps] == ["Step 1", "Step 2", "Step 3"]
    assert "Systematic approach:" not in oom.key_points


def test_tags_have_no_spaces(docker_cards):
    for card in docker_cards:
        assert all(tag and " " not in tag for tag in card.tags), card.tags


def test_rewording_keeps_every_card_id(tmp_path):
    text = shipped_text()
    reworded = (
        text.replace(
            "What is the difference between CMD and ENTRYPOINT in a Dockerfile?",
            "How do CMD and ENTRYPOINT differ?",
        )
        .replace(
            "Increase memory limit or fix memory leak",
            "Raise the memory limit, or find the leak",
        )
        .replace("read-only template with layers.", "a read-only, layered template.")
    )
    assert reworded.count("\n") == text.count("\n")

    before, after = cards_of(text, tmp_path), cards_of(reworded, tmp_path)

    assert before.keys() == after.keys()
    assert after[CMD_QA].front == "How do CMD and ENTRYPOINT differ?"
    assert "find the leak" in after[EXIT_137].back
    changed = [i for i in before if before[i] != after[i]]
    assert len(changed) == 3


def test_changing_a_key_changes_that_card_id_only(tmp_path):
    text = shipped_text()
    before = cards_of(text, tmp_path)
    after = cards_of(text.replace("| 137 | OOMKilled", "| 137b | OOMKilled"), tmp_path)

    assert EXIT_137 in before and EXIT_137 not in after
    assert EXIT_137 + "b" in after
    assert before.keys() - {EXIT_137} == after.keys() - {EXIT_137 + "b"}


def test_moving_a_question_changes_ids_by_position(tmp_path):
    # Swapping the first two questions swaps which card holds which text: the
    # slot is the key, as the page has no other name for a question.
    text = shipped_text()
    first = text.index("### What is the difference between CMD")
    second = text.index("### Explain Docker layer caching")
    third = text.index("### Your container is OOMKilled")
    swapped = text[:first] + text[second:third] + text[first:second] + text[third:]

    cards = cards_of(swapped, tmp_path)

    assert cards[CMD_QA].front.startswith("Explain Docker layer caching")
