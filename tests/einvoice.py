"""The official e-invoice rule sets (../shared/validation), run with saxonche: each XSLT compiled
once, every document transformed into an SVRL report, the fatal failed assertions collected."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RULE_SETS = {
    "EN16931": "validation/en16931-ubl/EN16931-UBL-validation.xslt",
    "PEPPOL-BIS3": "validation/peppol-bis3/PEPPOL-EN16931-UBL.xslt",
}
_FAILED = re.compile(r"<svrl:failed-assert\b([^>]*)>(.*?)</svrl:failed-assert>", re.S)
_ATTR = re.compile(r'(\w+)="([^"]*)"')
_TEXT = re.compile(r"<svrl:text>(.*?)</svrl:text>", re.S)


@dataclass(frozen=True)
class Failure:
    rule_set: str
    rule: str
    flag: str
    text: str

    def __str__(self) -> str:
        return f"{self.rule_set} {self.rule} [{self.flag}] {' '.join(self.text.split())[:200]}"


class Validator:
    """Compiles both rule sets once; :meth:`failures` validates one document."""

    def __init__(self, shared: Path) -> None:
        from saxonche import PySaxonProcessor

        self._proc: Any = PySaxonProcessor(license=False)
        self._executables = {
            name: self._proc.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(shared / rel))
            for name, rel in RULE_SETS.items()
        }

    def failures(self, xml: bytes | str, fatal_only: bool = True) -> list[Failure]:
        text = xml.decode("utf-8") if isinstance(xml, bytes) else xml
        node = self._proc.parse_xml(xml_text=text)
        found: list[Failure] = []
        for name, executable in self._executables.items():
            svrl = executable.transform_to_string(xdm_node=node)
            for attrs, body in _FAILED.findall(svrl):
                a = dict(_ATTR.findall(attrs))
                flag = a.get("flag", "fatal")
                if fatal_only and flag != "fatal":
                    continue
                message = _TEXT.search(body)
                found.append(Failure(name, a.get("id", "?"), flag, message.group(1) if message else ""))
        return found
