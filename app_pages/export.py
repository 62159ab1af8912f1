"""Export: the flashcards as an Anki deck, whole, by section or difficult only."""

from __future__ import annotations

import re

import streamlit as st

import exports
from ui import resources
from ui.errors import report

WHOLE, SECTIONS, DIFFICULT = "Whole deck", "Chosen sections", "Difficult cards"

current = resources.settings()
study = resources.study(current)
now = resources.now()

st.title("Export to Anki", anchor=False)
st.markdown(
    "Download the cards as an Anki package (`.apkg`). Importing a newer "
    "download updates the notes you already have instead of duplicating them, "
    "and keeps your Anki review history. Only notes whose card changed are "
    "updated; your own edits to the others in Anki stay."
)

# The deck still builds without the review store; only the learner's own
# cards and the difficult-cards choice need it.
store = None
try:
    store = resources.store(current, study)
except Exception as error:
    report(error)
    st.caption("Without the review data the deck holds the page's cards only.")

cards = list(study.cards)
if store is not None:
    cards += store.personal_cards()

choice = st.radio(
    "What to export",
    (WHOLE, SECTIONS, DIFFICULT) if store is not None else (WHOLE, SECTIONS),
    horizontal=True,
)
sections = None
only_ids = None
if choice == SECTIONS:
    sections = st.multiselect(
        "Sections",
        exports.section_titles(cards),
        placeholder="Choose one or more sections",
    )
elif choice == DIFFICULT and store is not None:
    days = st.slider(
        "Cards you answered Again in the last … days", 1, 90, 14, key="export-days"
    )
    only_ids = store.difficult_card_ids(now, days=days)

try:
    deck = exports.build_deck(
        cards, page_title=study.title, sections=sections, only_ids=only_ids
    )
except exports.NothingToExportError:
    if choice == SECTIONS:
        st.info("Choose at least one section to export.", icon=":material/info:")
    else:
        st.info(
            "No card was answered Again in that time: nothing difficult to "
            "export. Widen the window or export the whole deck.",
            icon=":material/info:",
        )
    st.stop()

# Without the store every note carries the export's time and is updated.
modified = store.content_changed_at(deck.cards) if store is not None else None

st.metric("Notes in this deck", deck.note_count)
sub_decks = [name.split("::")[-1] for name in deck.deck_names[1:]]
st.caption(f"{len(sub_decks)} sub-decks, one per section: " + "; ".join(sub_decks))
file_stem = re.sub(r"[^a-z0-9]+", "-", deck.title.casefold()).strip("-")
st.download_button(
    "Download .apkg",
    data=exports.apkg_bytes(deck, timestamp=now, modified=modified),
    file_name=f"{file_stem}.apkg",
    mime="application/octet-stream",
    type="primary",
    icon=":material/download:",
    on_click="ignore",
)
