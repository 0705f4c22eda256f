"""Signing slots: at most SIGNING_SLOTS signatures and confirmations are worked on at once in one
app process; the others wait their turn (up to SIGNING_SLOT_WAIT_SECONDS, then 503 and "try again").

Why: in a surge, signing would take every thread and, through Python's one interpreter lock per
process, most of the CPU the process gets, while readers of the campaign page (many more people
than signers) waited behind it. A cached page costs a fraction of a signature, so a few signatures
at a time keep the process as busy signing as before, and its other threads answer the readers
(README, *Measured*: the page and its JSON while signing from 0.40 of a Flask hello alone on average
to 0.48, signing alone as fast and its p99 lower). Waiting threads hold no database connection and use no CPU.
"""
import threading
from contextlib import contextmanager
from functools import wraps

from flask import current_app, request


class NoSigningSlot(Exception):
    """Every slot stayed taken for SIGNING_SLOT_WAIT_SECONDS: nothing was done; the visitor may try again."""


class SigningSlots:
    def __init__(self, slots: int, wait_seconds: float):
        self._free = threading.BoundedSemaphore(slots) if slots > 0 else None  # 0: no limit
        self.wait_seconds = wait_seconds

    @contextmanager
    def held(self):
        if self._free is None:
            yield
            return
        if not self._free.acquire(timeout=self.wait_seconds):
            raise NoSigningSlot()
        try:
            yield
        finally:
            self._free.release()


def signing_slots() -> SigningSlots:
    """The process's slots, made from the app's settings on first use (one set per app)."""
    slots = current_app.extensions.get("signing_slots")
    if slots is None:
        config = current_app.config
        slots = current_app.extensions.setdefault(
            "signing_slots", SigningSlots(config["SIGNING_SLOTS"], config["SIGNING_SLOT_WAIT_SECONDS"]))
    return slots


def in_a_signing_slot(view):
    """Runs the view in one of the process's signing slots (raising NoSigningSlot if none came free).
    The form is read first: a client sending its body slowly must not hold a slot while it does."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        request.form  # noqa: B018 (reads and parses the body)
        with signing_slots().held():
            return view(*args, **kwargs)
    return wrapped
