"""Chat: ask the learning page a question, get a cited answer or an honest no."""

from __future__ import annotations

import streamlit as st

from retrieval.answer import ANSWERED, NOT_COVERED, Answer
from ui import resources
from ui.errors import report

HISTORY = "chat_history"
PENDING = "chat_pending_question"
CARDED = "chat_answers_made_into_cards"


def ask_later(question: str) -> None:
    """Queue a clicked suggestion to be asked on this run."""
    st.session_state[PENDING] = question


def clear() -> None:
    st.session_state[HISTORY] = []
    st.session_state[CARDED] = set()


def starter_questions(study: resources.Study, count: int = 3) -> list[str]:
    """A few of the page's own interview questions, one per level where it can."""
    chosen: dict[str, str] = {}
    for page in study.pages:
        for _, qa in page.qas:
            chosen.setdefault(qa.level, qa.question)
    questions = list(chosen.values())[:count]
    return questions


def cited_sections(answer: Answer) -> str:
    """The cited sections once each, with their numbers: ``[1][2] Docker › …``."""
    numbers: dict[str, list[int]] = {}
    for citation in answer.citations:
        numbers.setdefault(citation.title, []).append(citation.number)
    return " · ".join(
        "".join(f"[{n}]" for n in found) + f" {title}"
        for title, found in numbers.items()
    )


def make_card(index: int, answer: Answer, study: resources.Study) -> None:
    """Turn an answer into a personal flashcard in the review queue."""
    lines = [answer.answer, ""]
    lines += [f"[{c.number}] {c.title}" for c in answer.citations]
    section = (
        study.section_path(answer.citations[0].section_id) if answer.citations else ()
    )
    try:
        store = resources.store(resources.settings(), study)
        store.add_personal_card(
            answer.question, "\n".join(lines).strip(), section, resources.now()
        )
    except Exception as error:
        report(error)
        return
    st.session_state[CARDED].add(index)
    st.toast("Saved as a flashcard: it joins today's review and the Anki export.")


def show_answer(index: int, answer: Answer, study: resources.Study) -> None:
    """Draw one assistant message: the answer, its sources and what to ask next."""
    refused = answer.status == NOT_COVERED
    avatar = ":material/search_off:" if refused else ":material/sailing:"
    with st.chat_message("assistant", avatar=avatar):
        if answer.notice:
            st.caption(answer.notice)
        if refused:
            st.warning("**The page doesn't cover that.**", icon=":material/info:")
            if answer.closest_sections:
                st.markdown("The closest sections it has:")
                st.markdown(
                    "\n".join(f"- {ref.title}" for ref in answer.closest_sections)
                )
        elif answer.status == ANSWERED:
            st.markdown(answer.answer)
            st.caption(cited_sections(answer))
            with st.expander(f"Sources ({len(answer.citations)})"):
                for citation in answer.citations:
                    st.markdown(f"**[{citation.number}]** {citation.title}")
                    st.markdown(f"> {citation.text}")
        else:
            st.markdown(answer.answer)

        if answer.status == ANSWERED:
            made = index in st.session_state[CARDED]
            if st.button(
                "Saved as a flashcard" if made else "Make a flashcard",
                key=f"card-{index}",
                icon=":material/check:" if made else ":material/add_card:",
                disabled=made,
                type="tertiary",
            ):
                make_card(index, answer, study)
                st.rerun()

        if answer.suggestions:
            st.caption("Try next")
            with st.container(horizontal=True, gap="small"):
                for number, suggestion in enumerate(answer.suggestions):
                    st.button(
                        suggestion,
                        key=f"suggest-{index}-{number}",
                        on_click=ask_later,
                        args=(suggestion,),
                        wrap=True,
                    )


st.session_state.setdefault(HISTORY, [])
st.session_state.setdefault(CARDED, set())

current = resources.settings()
study = resources.study(current)
engine = resources.engine(current, study)

history: list[Answer] = st.session_state[HISTORY]
typed = st.chat_input("Ask about Docker, e.g. What does exit code 137 mean?")
question = typed or st.session_state.pop(PENDING, None)
if question:
    with st.spinner("Searching the page…"):
        history.append(engine.ask(question, history=list(history)))

header = st.container(horizontal=True, vertical_alignment="center")
header.title("Chat", anchor=False)
if history:
    header.button("Clear conversation", icon=":material/delete_sweep:", on_click=clear)

if not history:
    st.markdown(
        f"Ask anything about the **{study.title}** page. Answers quote the page "
        "and cite their sections; if the page doesn't cover a question, you "
        "will be told so, with the closest sections it has."
    )
    st.caption("Start with one of the page's interview questions")
    for number, starter in enumerate(starter_questions(study)):
        st.button(starter, key=f"starter-{number}", on_click=ask_later, args=(starter,))

for index, answer in enumerate(history):
    with st.chat_message("user"):
        st.markdown(answer.question)
    show_answer(index, answer, study)
