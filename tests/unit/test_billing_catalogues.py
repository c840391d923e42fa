"""Every text of the billing documents is translated into Dutch and French."""

import re
from pathlib import Path

import pytest

import mutua.billing.documents.pdf as pdf_module
from mutua.platform.i18n import _catalogue

TEMPLATES = Path(pdf_module.__file__).parent / "templates"
_MESSAGE = re.compile(r"""_\("((?:[^"\\]|\\.)*)"\)""")


def messages() -> set[str]:
    found: set[str] = set()
    for path in [*TEMPLATES.glob("*.html"), Path(pdf_module.__file__)]:
        found.update(_MESSAGE.findall(path.read_text(encoding="utf-8")))
    return found


@pytest.mark.parametrize("language", ["nl", "fr", "en"])
def test_every_message_of_the_billing_documents_has_a_translation(language: str) -> None:
    catalogue = _catalogue(language, "billing")
    used = messages()
    assert len(used) > 20
    assert sorted(used - set(catalogue)) == []
    if language != "en":
        assert all(catalogue[m] != m for m in used if m not in ("Service", "Budget", "Association", "Engagement"))
