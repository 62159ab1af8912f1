"""``python -m content [PAGES_DIR]``: check the study pages and count their cards.

Exits 1 when any page was skipped, so a page edit can be checked before use.
"""

from __future__ import annotations

import sys
from pathlib import Path

from content import build_flashcards, load_pages


def main(argv: list[str]) -> int:
    result = load_pages(Path(argv[0]) if argv else None)
    for page in result.pages:
        print(
            f"{page.slug}: {len(page.sections)} sections, {len(page.qas)} questions, "
            f"{len(build_flashcards(page))} cards"
        )
    for error in result.skipped:
        print(f"skipped {error}")
    return 1 if result.skipped else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
