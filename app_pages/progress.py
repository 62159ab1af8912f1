"""Progress: review calendar, due forecast, true retention, mastery and roadmap."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from content.roadmap import roadmap_card_ids, roadmap_sections
from spaced_repetition.stats import progress, retrievability_by_card
from ui import resources

# Half a year of weeks still gives squares a finger can see on a phone.
CALENDAR_WEEKS = 26


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def calendar_chart(days: list[dict]) -> alt.Chart:
    """A GitHub-style calendar: one column per week, one row per weekday."""
    frame = pd.DataFrame(days)
    frame["day"] = pd.to_datetime(frame["day"])
    frame["week"] = frame["day"] - pd.to_timedelta(
        frame["day"].dt.day_of_week, unit="D"
    )
    frame["weekday"] = frame["day"].dt.strftime("%a")
    return (
        alt.Chart(frame)
        .mark_rect(cornerRadius=2)
        .encode(
            x=alt.X(
                "yearmonthdate(week):O",
                title=None,
                # A month's name over its first week only.
                axis=alt.Axis(
                    labelExpr="date(datum.value) <= 7 ? "
                    "timeFormat(datum.value, '%b') : ''",
                    labelAngle=0,
                    ticks=False,
                    domain=False,
                ),
            ),
            y=alt.Y(
                "weekday:O",
                title=None,
                sort=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            ),
            color=alt.condition(
                "datum.count == 0",
                alt.value("#eef0f3"),
                alt.Color(
                    "count:Q",
                    title="Reviews",
                    scale=alt.Scale(scheme="greens"),
                    legend=None,
                ),
            ),
            tooltip=[
                alt.Tooltip("day:T", title="Day", format="%a %d %b %Y"),
                alt.Tooltip("count:Q", title="Reviews"),
            ],
        )
        .properties(height=150)
    )


def forecast_chart(days: list[dict]) -> alt.Chart:
    frame = pd.DataFrame(days)
    frame["day"] = pd.to_datetime(frame["day"])
    return (
        alt.Chart(frame)
        .mark_bar(color="#1d63ed")
        .encode(
            x=alt.X("day:T", title=None, axis=alt.Axis(format="%d %b", labelAngle=0)),
            y=alt.Y(
                "count:Q",
                title="Cards due",
                axis=alt.Axis(format="d", tickMinStep=1),
                # An empty forecast still gets a readable 0-5 axis.
                scale=alt.Scale(domain=[0, max(5, int(frame["count"].max()))]),
            ),
            tooltip=[
                alt.Tooltip("day:T", title="Day", format="%a %d %b"),
                alt.Tooltip("count:Q", title="Cards due"),
            ],
        )
        .properties(height=180)
    )


def mastery_chart(rows: list[dict]) -> alt.Chart:
    frame = pd.DataFrame(rows)
    # "Registry — Push, Pull, Private Registries" is cut to "Registry" on the
    # axis so the bars keep their room on a phone; the tooltip has it whole.
    frame["label"] = frame["section"].str.split(" — ").str[0]
    return (
        alt.Chart(frame)
        .mark_bar(color="#2e9e5b")
        .encode(
            x=alt.X(
                "mastery:Q",
                title="Mastery",
                scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%"),
            ),
            y=alt.Y(
                "label:N",
                title=None,
                sort=None,
                axis=alt.Axis(labelLimit=150),
            ),
            tooltip=[
                alt.Tooltip("section:N", title="Section"),
                alt.Tooltip("mastery:Q", title="Mastery", format=".0%"),
                alt.Tooltip("studied:Q", title="Cards studied"),
                alt.Tooltip("cards:Q", title="Cards"),
            ],
        )
        .properties(height=alt.Step(26))
    )


def cards_mastery(
    recall: dict[str, float], card_ids: tuple[str, ...]
) -> tuple[float, int, int] | None:
    """Mean recall of the cards among ``card_ids`` that are in the store.

    Returns:
        The mean, how many of the cards were studied and how many there are;
        ``None`` when none of them is an active card.
    """
    active = [recall[card_id] for card_id in card_ids if card_id in recall]
    if not active:
        return None
    studied = sum(value > 0 for value in active)  # 0 only before a first answer
    return sum(active) / len(active), studied, len(active)


current = resources.settings()
study = resources.study(current)
store = resources.store(current, study)
now = resources.now()
figures = progress(store, now)

st.title("Progress", anchor=False)

left, right = st.columns(2)
for column, retention in (
    (left, figures["retention_7"]),
    (right, figures["retention_30"]),
):
    column.metric(
        f"True retention, {retention['days']} days",
        percent(retention["retention"]),
        help="Share of review-card answers not rated Again. Learning steps "
        "do not count, as in Anki.",
    )
    column.caption(
        f"{retention['passed']} of {retention['reviews']} reviews remembered"
        if retention["reviews"]
        else "No review-card answers yet"
    )

st.subheader("Reviews", anchor=False)
recent = figures["reviews_per_day"][-CALENDAR_WEEKS * 7 :]
total = sum(day["count"] for day in recent)
st.altair_chart(calendar_chart(recent), width="stretch")
st.caption(f"{total} answers in the last {CALENDAR_WEEKS} weeks.")

st.subheader("Due in the next 30 days", anchor=False)
st.altair_chart(forecast_chart(figures["due_forecast"]), width="stretch")
if not any(day["count"] for day in figures["due_forecast"]):
    st.caption(
        "Nothing is scheduled yet: cards you answer on the Review page show up "
        "here on the days they come back."
    )

st.subheader("Mastery by section", anchor=False)
mastery = figures["mastery"]
if mastery:
    st.altair_chart(mastery_chart(mastery), width="stretch")
    st.caption(
        "Mastery is the predicted chance of recalling a section's cards today; "
        "cards not yet studied count as zero."
    )
else:
    st.info("No cards yet: the study pages have no flashcards.")

st.subheader("Roadmap", anchor=False)
recall = retrievability_by_card(store, now)
for page in study.pages:
    links = roadmap_sections(page)
    if not links:
        continue
    if len(study.pages) > 1:
        st.markdown(f"**{page.title}**")
    page_cards = [card for card in study.cards if card.page == page.slug]
    for link in links:
        # A step's progress is the mean recall of the cards its items cover:
        # the cards under its sections and those of its questions.
        label = f"{link.step.stage} — {link.step.title}"
        step = cards_mastery(recall, roadmap_card_ids(link, page_cards))
        if step:
            label += f" · {step[0]:.0%}"
        with st.expander(label):
            for item in link.items:
                places = [f"- {section.title}" for section in item.sections]
                places += [f"- Q: {qa.question}" for _, qa in item.questions]
                st.markdown("\n".join([f"**{item.text}**", *places]))
                mastery = cards_mastery(recall, roadmap_card_ids(item, page_cards))
                if not item.covered:
                    st.caption("Not covered on this page")
                elif mastery is None:
                    st.caption("No flashcards yet")
                else:
                    share, studied, total = mastery
                    st.progress(
                        share,
                        text=f"{share:.0%} · {studied} of {total} cards studied",
                    )
