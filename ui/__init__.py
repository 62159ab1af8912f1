"""Shared pieces of the Streamlit pages: resources, error display, styling.

Modules:
    resources: settings, pages, cards, the search engine and the review store,
        each loaded once and shared.
    errors: the one place that turns the packages' errors into messages.
    style: small CSS fixes so code and tables fit a phone screen.
"""
