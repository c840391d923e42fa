"""Checks that messages read in Dutch and French: no English word left in them."""

from __future__ import annotations

import re
from collections.abc import Iterable

from mutua.platform.i18n import translate_message


def english_words(text: str, english: re.Pattern[str], codes: Iterable[str] = ()) -> list[str]:
    """The words of ``english`` in ``text``, the codes it quotes (column names, attributes, its
    data) left out."""
    for code in sorted(set(codes), key=len, reverse=True):
        text = text.replace(code, " ")
    return english.findall(f" {text} ")


def assert_translated(messages: Iterable[str], english: re.Pattern[str], codes: Iterable[str] = ()) -> None:
    """Every message differs from its English in Dutch and French, holds no English word there, and
    stays as it is in English."""
    seen = list(messages)
    assert seen, "there are messages to check"
    quoted = tuple(codes)
    leaks = {}
    for message in seen:
        assert translate_message(message, "en") == message
        for lang in ("nl", "fr"):
            text = translate_message(message, lang)
            if text == message or english_words(text, english, quoted):
                leaks[f"{lang}: {message}"] = text
    assert leaks == {}, "\n".join(f"{k}\n    -> {v}" for k, v in leaks.items())
