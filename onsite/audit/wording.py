"""An object's description in the audit trail, stored once and read in any language.

`str(obj)` of many objects mixes data (a zone code, a date) with interface words (the kind
of an inspection, the status of a rectification). Written while Chinese is active, those
words would stay Chinese for every later reader. So the trail stores the description with
each interface word as its message id between markers (`⟦Self-check⟧`), computed with a
translation that marks instead of translating; a page or an export puts each marked id into
the reader's language. Rows stored before this (no markers) read as they were stored."""

from __future__ import annotations

import gettext as gettext_module
import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import models
from django.utils.translation import gettext, pgettext, trans_real

OPEN, CLOSE = "⟦", "⟧"
CONTEXT_MARK = "\x1f"  # stands for gettext's context separator (\x04) inside a marked id
_MARKED = re.compile(f"{OPEN}([^{OPEN}{CLOSE}]*){CLOSE}")
_CONTEXT_SEPARATOR = "\x04"


class _MarkingTranslation(gettext_module.NullTranslations):
    """Returns each message id wrapped in markers instead of translating it."""

    def gettext(self, message: str) -> str:
        return OPEN + message.replace(_CONTEXT_SEPARATOR, CONTEXT_MARK) + CLOSE

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        # A plural id cannot be looked up again by gettext: it stays in English.
        return msgid1 if n == 1 else msgid2

    def to_language(self) -> None:
        return None


@contextmanager
def marking_message_ids() -> Iterator[None]:
    # Django keeps the active translation per thread in trans_real._active (as
    # translation.override does); this swaps in the marking one for the duration.
    active = trans_real._active  # type: ignore[attr-defined]
    previous = getattr(active, "value", None)
    active.value = _MarkingTranslation()
    try:
        yield
    finally:
        if previous is None:
            del active.value
        else:
            active.value = previous


def stored_description(obj: models.Model, *, limit: int = 200) -> str:
    try:
        with marking_message_ids():
            text = str(obj)
    except Exception:  # a __str__ that needs a real language is still audited
        text = str(obj)
    return text[:limit]


def _translate(match: re.Match[str]) -> str:
    message = match.group(1)
    if CONTEXT_MARK in message:
        context, _sep, message = message.partition(CONTEXT_MARK)
        return pgettext(context, message)
    return gettext(message)


def readable(text: str) -> str:
    """A stored description in the active language (inner marks first)."""
    if OPEN not in text:
        return text
    previous = None
    while previous != text:
        previous, text = text, _MARKED.sub(_translate, text)
    return text.replace(OPEN, "").replace(CLOSE, "")
