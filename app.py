"""Docker Interview Prep: the Streamlit app.

Run it with ``make run`` (or ``streamlit run app.py``). Five pages share one
layout: Chat asks the learning page questions, Review runs the day's
flashcards, Progress draws the learner's history and the roadmap, Export
builds the Anki deck, and Settings holds the study settings. The pages only
lay out widgets; the packages do the work, and any error they raise is shown
here, in one place, as a message rather than a traceback.
"""

from __future__ import annotations

import streamlit as st

from ui import style
from ui.errors import shown_as_error

st.set_page_config(
    page_title="Docker Interview Prep",
    page_icon=":material/sailing:",
    layout="centered",
)
style.apply()

PAGES = [
    st.Page("app_pages/chat.py", title="Chat", icon=":material/forum:", default=True),
    st.Page("app_pages/review.py", title="Review", icon=":material/style:"),
    st.Page("app_pages/progress.py", title="Progress", icon=":material/insights:"),
    st.Page("app_pages/export.py", title="Export", icon=":material/download:"),
    st.Page("app_pages/settings.py", title="Settings", icon=":material/tune:"),
]

page = st.navigation(PAGES, position="top")
with shown_as_error():
    page.run()
