"""The errors the review store raises; the app shows their messages as they are.

Classes:
    StoreError: base class of every error in this package.
    NotADatabaseError: the file is not a review database.
    NewerSchemaError: the database was written by a newer version of the app.
    UnknownCardError: a card id the store does not hold.
    InvalidValueError: a rating, setting or card text the store cannot accept.
    NotEnoughReviewsError: too little history to fit personal parameters.
"""

from __future__ import annotations


class StoreError(Exception):
    """Something about the review data stopped the operation."""


class NotADatabaseError(StoreError):
    """The file holds something other than this app's review data."""


class NewerSchemaError(StoreError):
    """The review database comes from a newer version of the app."""


class UnknownCardError(StoreError, KeyError):
    """No card with this id is in the store."""

    def __str__(self) -> str:
        # KeyError quotes its argument; the message should read as a sentence.
        return str(self.args[0]) if self.args else ""


class InvalidValueError(StoreError, ValueError):
    """A rating, study setting or card text is out of range or empty."""


class NotEnoughReviewsError(StoreError):
    """The review log is too short to fit personal FSRS parameters."""
