"""Review: today's flashcards, one at a time, rated Again, Hard, Good or Easy."""

from __future__ import annotations

import time

import streamlit as st

from spaced_repetition import Rating, format_interval
from spaced_repetition.stats import reviews_per_day
from ui import resources

REVEALED = "review_revealed_card"
SHOWN_AT = "review_card_shown_at"

BUTTONS = (
    (Rating.Again, "Again", "1"),
    (Rating.Hard, "Hard", "2"),
    (Rating.Good, "Good", "3"),
    (Rating.Easy, "Easy", "4"),
)
QUEUE_LABELS = {"new": "New card", "learning": "Learning", "review": "Review"}


def when(moment, tz) -> str:
    """A due moment as the learner reads it: ``today 14:05`` or ``Mon 3 Mar 04:00``."""
    local = moment.astimezone(tz)
    today = resources.now().astimezone(tz).date()
    if local.date() == today:
        return f"today at {local:%H:%M}"
    return f"{local:%a %-d %b} at {local:%H:%M}"


current = resources.settings()
study = resources.study(current)
store = resources.store(current, study)
now = resources.now()
counts = store.counts(now)

st.title("Review", anchor=False)
st.markdown(
    f":blue-badge[New **{counts['new']}**] "
    f":red-badge[Learning **{counts['learning']}**] "
    f":green-badge[Due **{counts['review']}**]",
    help="Cards left today: new cards (up to your daily limit), cards in "
    "learning steps, and review cards that are due.",
)

queued = store.next_card(now)
if queued is None:
    settings = store.study_settings()
    done_today = reviews_per_day(store, now, days=1)[0]["count"]
    next_due = store.next_due_at(now)
    with st.container(border=True):
        st.subheader("Done for today", anchor=False)
        st.markdown(
            f"You answered **{done_today}** card{'s' if done_today != 1 else ''} today."
        )
        if next_due is None:
            st.markdown("No card is scheduled: every card is suspended or retired.")
        else:
            st.markdown(
                f"The next card is due **{when(next_due, settings.tz)}** "
                f"(in {format_interval(next_due - now)})."
            )
    if st.button("Undo last answer", icon=":material/undo:", key="undo-done"):
        undone = store.undo(resources.now())
        st.toast("Answer taken back." if undone else "Nothing to undo today.")
        st.rerun()
    st.stop()

card = queued.card
if st.session_state.get(SHOWN_AT, (None, 0.0))[0] != card.id:
    # Time from first showing the card to answering it feeds the review log.
    st.session_state[SHOWN_AT] = (card.id, time.monotonic())
revealed = st.session_state.get(REVEALED) == card.id

with st.container(border=True, key="card-face"):
    st.caption(f"{QUEUE_LABELS.get(queued.queue, queued.queue)} · {card.section_title}")
    st.markdown(card.front)
    if revealed:
        st.divider()
        st.markdown(card.back)

if not revealed:
    if st.button(
        "Show answer",
        type="primary",
        shortcut="Space",
        icon=":material/visibility:",
        width="stretch",
    ):
        st.session_state[REVEALED] = card.id
        st.rerun()
else:
    choices = store.preview(card.id, now)
    with st.container(horizontal=True, gap="small", key="ratings"):
        for rating, label, key in BUTTONS:
            interval = format_interval(choices[rating].interval)
            if st.button(
                f"{label} · {interval}",
                key=f"rate-{key}",
                shortcut=key,
                type="primary" if rating == Rating.Good else "secondary",
                help=f"{label}: see this card again in {interval}.",
                width="stretch",
            ):
                _, shown_at = st.session_state[SHOWN_AT]
                store.answer(
                    card.id,
                    rating,
                    resources.now(),
                    duration_ms=int((time.monotonic() - shown_at) * 1000),
                )
                st.session_state.pop(REVEALED, None)
                st.rerun()

with st.container(horizontal=True, gap="small", key="card-actions"):
    if st.button("Undo", icon=":material/undo:", type="tertiary"):
        undone = store.undo(resources.now())
        st.session_state.pop(REVEALED, None)
        st.toast("Answer taken back." if undone else "Nothing to undo today.")
        st.rerun()
    if st.button("Bury until tomorrow", icon=":material/schedule:", type="tertiary"):
        store.bury(card.id, resources.now())
        st.session_state.pop(REVEALED, None)
        st.rerun()
    if st.button("Suspend", icon=":material/pause_circle:", type="tertiary"):
        store.suspend(card.id)
        st.session_state.pop(REVEALED, None)
        st.toast("Card suspended: it leaves the review queue.")
        st.rerun()

st.caption("Keys: Space shows the answer, 1–4 rate it.")
