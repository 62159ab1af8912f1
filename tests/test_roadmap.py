"""Linking roadmap steps to the page sections they concern."""

from __future__ import annotations

from pathlib import Path

from content import parse_page
from content.roadmap import roadmap_sections

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
"""


def _items(link):
    return {item.text: [s.title for s in item.sections] for item in link.items}


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
    assert items["Trivy image scanning"] == [
        "Image Scanning and Security in Production"
    ]
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
    ]


def test_page_without_roadmap_has_no_links():
    page = parse_page("# Notes\n\n## One\n\nText.\n", Path("notes.md"))

    assert roadmap_sections(page) == ()
