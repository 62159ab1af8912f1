"""Linking roadmap steps to the sections and questions that teach them."""

from __future__ import annotations

from pathlib import Path

from content import build_flashcards, parse_page
from content.cards import qa_card_id
from content.roadmap import roadmap_card_ids, roadmap_sections

SMALL_PAGE = """\
# Kubernetes

## Pods and Deployments

A pod runs one or more containers.

### Rolling updates for Deployments

Replace pods a few at a time.

## Helm Charts

Templated manifests.

## Learning Roadmap

### Week 1 — Basics

- Pods and deployments
- Rolling updates
- Quantum entanglement
- Helm charts

## Interview Questions

### How do you template manifests with Helm charts?

K8S · ENGINEER

Helm renders chart templates with values into manifests.
"""


def _items(link):
    return {item.text: [s.title for s in item.sections] for item in link.items}


def _docker_items(page):
    return {item.text: item for link in roadmap_sections(page) for item in link.items}


def _questions(item):
    return [qa.question for _, qa in item.questions]


def test_every_docker_step_links_only_to_real_non_roadmap_sections(docker_page):
    links = roadmap_sections(docker_page)

    assert [link.step.stage for link in links] == [
        step.stage for step in docker_page.roadmap
    ]
    page_ids = {section.id for section in docker_page.sections}
    for link in links:
        assert link.sections, f"{link.step.stage} links to no section"
        for section in link.sections:
            assert section.id in page_ids
            assert "Roadmap" not in section.title_path


def test_docker_items_reach_the_sections_that_teach_them(docker_page):
    items = {}
    for link in roadmap_sections(docker_page):
        items.update(_items(link))

    assert ".dockerignore — Always Create This" in items[".dockerignore"]
    assert (
        "Image Scanning and Security in Production" in (items["Trivy image scanning"])
    )
    assert items["Understand images vs containers"] == ["Core Docker Concepts"]
    assert (
        "Registry — Push, Pull, Private Registries" in items["Private registry setup"]
    )
    assert any("Multi-Stage" in title for title in items["Multi-stage builds"])


def test_item_the_page_does_not_cover_links_to_nothing():
    page = parse_page(SMALL_PAGE, Path("k8s.md"))

    (link,) = roadmap_sections(page)

    assert _items(link)["Quantum entanglement"] == []


def test_outer_section_is_kept_instead_of_the_one_inside_it():
    page = parse_page(SMALL_PAGE, Path("k8s.md"))

    (link,) = roadmap_sections(page)

    # "Pods and deployments" matches both the section and its sub-section;
    # the outer one's progress already includes the inner one.
    assert _items(link)["Pods and deployments"] == ["Pods and Deployments"]
    assert _items(link)["Rolling updates"] == ["Rolling updates for Deployments"]
    assert [s.title for s in link.sections] == [
        "Pods and Deployments",
        "Rolling updates for Deployments",
        "Helm Charts",
    ]


def test_page_without_roadmap_has_no_links():
    page = parse_page("# Notes\n\n## One\n\nText.\n", Path("notes.md"))

    assert roadmap_sections(page) == ()


def test_week_2_items_link_to_the_interview_questions_on_their_topic(docker_page):
    items = _docker_items(docker_page)

    assert _questions(items["Layer caching and order"]) == [
        "Explain Docker layer caching. How do you optimise it?"
    ]
    multi_stage = _questions(items["Multi-stage builds"])
    assert len(multi_stage) == 2
    assert all(q.startswith("What is a multi-stage Docker build") for q in multi_stage)
    assert _questions(items["Reduce image size below 100MB"]) == [
        "A new Docker image is 2GB. Your CTO asks you to reduce it. "
        "How do you approach this?"
    ]


def test_docker_items_the_page_does_not_teach_link_to_nothing(docker_page):
    items = _docker_items(docker_page)

    # "Docker Desktop" appears once, in a table row on Docker Scout, and
    # "containerd" not at all: neither is a place to learn the item.
    for text in ("Install Docker Desktop", "containerd vs Docker", "OCI image spec"):
        assert not items[text].covered, text
        assert items[text].sections == () and items[text].questions == ()


def test_question_is_linked_beside_the_section_on_the_same_topic():
    page = parse_page(SMALL_PAGE, Path("k8s.md"))

    (link,) = roadmap_sections(page)
    (item,) = [i for i in link.items if i.text == "Helm charts"]

    assert [s.title for s in item.sections] == ["Helm Charts"]
    assert _questions(item) == ["How do you template manifests with Helm charts?"]
    assert link.questions == item.questions


def test_step_card_ids_hold_linked_question_cards_and_cards_under_linked_sections(
    docker_page, docker_cards
):
    (week_2,) = [
        link for link in roadmap_sections(docker_page) if link.step.stage == "Week 2"
    ]

    ids = roadmap_card_ids(week_2, docker_cards)

    question_ids = {qa_card_id(section, qa) for section, qa in week_2.questions}
    assert len(question_ids) == 4  # layer caching, two multi-stage, the 2GB image
    assert question_ids <= set(ids)
    # "Layer caching" links Core Docker Concepts, whose definition cards
    # (Image, Container, Layer cache...) sit in that section.
    concepts = [
        c.id for c in docker_cards if c.section_path[-1] == "Core Docker Concepts"
    ]
    assert concepts and set(concepts) <= set(ids)
    assert len(ids) == len(set(ids))
    other_questions = [
        c.id for c in docker_cards if c.kind == "qa" and c.id not in question_ids
    ]
    assert not set(other_questions) & set(ids)


def test_card_ids_include_cards_of_sections_inside_a_linked_section():
    page = parse_page(
        SMALL_PAGE.replace(
            "Replace pods a few at a time.",
            "| Strategy | Effect |\n| --- | --- |\n| Recreate | Downtime |",
        ),
        Path("k8s.md"),
    )
    cards = build_flashcards(page)
    (link,) = roadmap_sections(page)
    (pods,) = [i for i in link.items if i.text == "Pods and deployments"]

    # The table row card lives in the sub-section "Rolling updates for
    # Deployments"; linking the outer section covers it.
    assert [c.kind for c in cards if c.id in roadmap_card_ids(pods, cards)] == [
        "table-row"
    ]


def test_uncovered_item_covers_no_cards(docker_page, docker_cards):
    item = _docker_items(docker_page)["Install Docker Desktop"]

    assert roadmap_card_ids(item, docker_cards) == ()
