"""Progress: review calendar, due forecast, true retention, mastery and roadmap."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from content.roadmap import roadmap_sections
from spaced_repetition.stats import progress
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
by_section = {row["section"]: row for row in mastery}
for page in study.pages:
    links = roadmap_sections(page)
    if not links:
        continue
    if len(study.pages) > 1:
        st.markdown(f"**{page.title}**")
    for link in links:
        # A step's progress is the mastery of the top-level sections holding
        # its sections: cards are counted per top-level section.
        tops = dict.fromkeys(
            section.path[1] for section in link.sections if len(section.path) > 1
        )
        studied = [by_section[top] for top in tops if top in by_section]
        label = f"{link.step.stage} — {link.step.title}"
        if studied:
            share = sum(row["mastery"] * row["cards"] for row in studied) / sum(
                row["cards"] for row in studied
            )
            label += f" · {share:.0%}"
        with st.expander(label):
            for item in link.items:
                if item.sections:
                    names = "; ".join(section.title for section in item.sections)
                    st.markdown(f"- **{item.text}**: {names}")
                else:
                    st.markdown(f"- **{item.text}**: not covered on this page")
            for top in tops:
                row = by_section.get(top)
                if row is None:
                    st.caption(f"{top}: no flashcards in this section")
                else:
                    st.progress(
                        row["mastery"],
                        text=f"{top}: {row['mastery']:.0%} "
                        f"({row['studied']} of {row['cards']} cards studied)",
                    )
