"""Text helpers: safe formatted text for posts, and Chinese text similarity for spotting
duplicate proposals (character bigrams: Chinese has no spaces to split words on)."""

from __future__ import annotations

import re
import unicodedata

import nh3
from django.utils.html import escape, linebreaks

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "ul", "ol", "li", "h3", "h4", "blockquote", "a",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(text: str) -> str:
    """What a post may contain: a few formatting tags, links without scripts. Plain text (no
    tags) keeps its paragraphs and line breaks."""
    text = text.strip()
    if not re.search(r"<[a-zA-Z/]", text):
        text = linebreaks(escape(text))
    return nh3.clean(
        text,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def plain_text(html: str) -> str:
    return re.sub(r"\s+", " ", nh3.clean(html, tags=set())).strip()


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if ch.isalnum())


def bigrams(text: str) -> set[str]:
    norm = _normalise(text)
    if len(norm) < 2:
        return {norm} if norm else set()
    return {norm[i : i + 2] for i in range(len(norm) - 1)}


def similarity(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams of two texts, 0 … 1 (bigrams keep short
    Chinese words together; Dice is kinder than Jaccard to the same words reordered)."""
    left, right = bigrams(a), bigrams(b)
    if not left or not right:
        return 0.0
    return 2 * len(left & right) / (len(left) + len(right))
