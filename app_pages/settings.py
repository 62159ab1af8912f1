"""Settings: the learner's study settings, and where the app keeps its files."""

from __future__ import annotations

from zoneinfo import available_timezones

import streamlit as st

from spaced_repetition.optimize import MIN_REVIEWS, optimize_parameters
from ui import resources
from ui.errors import report

PROPOSAL = "settings_parameter_proposal"

current = resources.settings()
study = resources.study(current)

st.title("Settings", anchor=False)

st.subheader("Study", anchor=False)
try:
    store = resources.store(current, study)
except Exception as error:
    report(error)
    store = None

if store is not None:
    saved = store.study_settings()
    zones = sorted(available_timezones() | {saved.timezone})
    with st.form("study-settings", border=True):
        new_per_day = st.number_input(
            "New cards per day", min_value=0, max_value=9999, value=saved.new_per_day
        )
        retention = st.slider(
            "Desired retention",
            min_value=0.70,
            max_value=0.99,
            value=float(saved.desired_retention),
            step=0.01,
            format="%.2f",
            help="The chance of remembering a card when it comes back. Higher "
            "means more reviews.",
        )
        day_start = st.number_input(
            "Study day starts at (hour)",
            min_value=0,
            max_value=23,
            value=saved.day_start_hour,
            help="Answers before this hour count for the previous day.",
        )
        zone = st.selectbox("Time zone", zones, index=zones.index(saved.timezone))
        if st.form_submit_button("Save", type="primary"):
            store.update_study_settings(
                new_per_day=int(new_per_day),
                desired_retention=round(float(retention), 2),
                day_start_hour=int(day_start),
                timezone=zone,
            )
            st.success("Saved. The new settings apply from your next answer.")

    st.subheader("Personal scheduling", anchor=False)
    # Counted, not read: the settings page redraws on every change.
    answers = store.review_count()
    if answers < MIN_REVIEWS:
        st.caption(
            f"After {MIN_REVIEWS} answers, the scheduler can fit its parameters to "
            f"how you remember. You have {answers} so far."
        )
    else:
        if st.button("Fit parameters to my reviews", icon=":material/tune:"):
            with st.spinner(f"Fitting to your {answers} answers…"):
                st.session_state[PROPOSAL] = optimize_parameters(store, resources.now())
        proposal = st.session_state.get(PROPOSAL)
        if proposal is not None and not proposal.changed:
            st.info(
                "Your history does not yet say more than the default parameters "
                "do (too few cards were answered again on a later day). Keep "
                "reviewing and try again in a few weeks."
            )
        elif proposal is not None:
            st.markdown(
                f"Reviews predicted in the next {proposal.horizon_days} days: "
                f"**{proposal.workload_before}** with the current parameters, "
                f"**{proposal.workload_after}** with yours."
            )
            if st.button("Use my parameters", type="primary"):
                store.update_study_settings(parameters=proposal.parameters)
                del st.session_state[PROPOSAL]
                st.success("Saved. Your next answers are scheduled with them.")

    suspended = store.suspended_cards()
    st.subheader("Suspended cards", anchor=False)
    if not suspended:
        st.caption(
            "None. Suspend a card on the Review page to take it out of the queue."
        )
    for card in suspended:
        with st.container(horizontal=True, vertical_alignment="center"):
            st.markdown(f"{card.front}  \n:gray[{card.section_title}]", width="stretch")
            if st.button(
                "Unsuspend", key=f"unsuspend-{card.id}", icon=":material/play_circle:"
            ):
                store.unsuspend(card.id)
                st.toast("Card back in the review queue, with its history.")
                st.rerun()

st.subheader("Files", anchor=False)
st.markdown(
    f"- Data folder: `{current.data_dir}`\n"
    f"- Review database: `{resources.database_path(current)}`\n"
    f"- Search index: `{resources.index_path(current)}`\n"
    f"- Study pages folder: `{current.pages_dir}`"
)
st.caption("Set PREP_DATA_DIR or PREP_PAGES_DIR before starting the app to move them.")

st.subheader("Study pages", anchor=False)
for page in study.pages:
    cards = sum(1 for card in study.cards if card.page == page.slug)
    st.markdown(
        f"- **{page.title}** (`{page.source.name}`): {len(page.sections)} "
        f"sections, {cards} flashcards"
    )
for error in study.loaded.skipped:
    st.warning(f"Skipped `{error.path.name}`: {error}", icon=":material/warning:")
