"""OCDS packages checked with libcoveocds, offline: the standard from ../shared/data/ocds (its
``standard_zip``), and every HTTP request libcoveocds makes (the declared extensions, the schema files
a record package refers to) answered locally from tests/data/ocds-extensions and that archive, so the
same check runs with or without a network. :func:`problems` returns every error libcoveocds reports;
an empty list is a valid package.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.response import HTTPResponse

EXTENSIONS_DIR = Path(__file__).parent / "data" / "ocds-extensions"
EXTENSIONS_URL = "https://raw.githubusercontent.com/open-contracting-extensions/"
STANDARD_ZIP = "data/ocds/ocds-standard-1__1__5.zip"
# OCDS 1.1's multilingual fields (``title_fr``: a schema patternProperty lib-cove lists as additional)
LANGUAGE_VARIANT = re.compile(r"^(title|description)_[a-z]{2}$")
ARCHIVES_URL = "https://github.com/open-contracting-extensions/"
STANDARD_URL = "https://standard.open-contracting.org/schema/1__1__5/"


def _answer(request: requests.PreparedRequest, content: bytes | None) -> requests.Response:
    response = requests.Response()
    response.request = request
    response.url = str(request.url)
    response.status_code = 200 if content is not None else 404
    response.reason = "OK" if content is not None else "Not Found"
    response.raw = HTTPResponse(
        body=io.BytesIO(content or b""),
        status=response.status_code,
        reason=response.reason,
        preload_content=False,
        request_url=response.url,
    )
    response._content = content or b""
    return response


def _zipped(repository: str, version: str) -> bytes | None:
    """The local copy of an extension as GitHub serves its archive (one top folder)."""
    folder = (EXTENSIONS_DIR / repository / version).resolve()
    if "/" in repository or "/" in version or not folder.is_dir():
        return None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(f"{repository}-{version}/", b"")  # the folder first, as GitHub's archives
        for path in sorted(folder.rglob("*")):
            name = f"{repository}-{version}/{path.relative_to(folder)}"
            if path.is_dir():
                archive.writestr(name + "/", b"")
            else:
                archive.write(path, name)
    return out.getvalue()


@contextmanager
def offline(standard_zip: Path) -> Iterator[None]:
    """Every HTTP request of requests (ocdsextensionregistry's session, jsonref's loader) answered
    locally: the extensions from tests/data/ocds-extensions, the standard's schema files from its
    archive; anything else is a 404, so nothing reaches the network."""
    archive = zipfile.ZipFile(standard_zip)
    root = archive.namelist()[0].split("/")[0]

    def send(self: HTTPAdapter, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        url = str(request.url)
        content = None
        if url.startswith(EXTENSIONS_URL):
            path = (EXTENSIONS_DIR / url[len(EXTENSIONS_URL) :]).resolve()
            if path.is_file() and EXTENSIONS_DIR.resolve() in path.parents:
                content = path.read_bytes()
        elif url.startswith(ARCHIVES_URL) and url.endswith(".zip"):
            repository, _, version = url[len(ARCHIVES_URL) : -len(".zip")].partition("/archive/")
            content = _zipped(repository, version)
        elif url.startswith(STANDARD_URL):
            name = f"{root}/schema/{url[len(STANDARD_URL) :]}"
            if name in archive.namelist():
                content = archive.read(name)
        return _answer(request, content)

    original = HTTPAdapter.send
    HTTPAdapter.send = send  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        HTTPAdapter.send = original  # type: ignore[method-assign]
        archive.close()


def problems(package: Mapping[str, Any], shared: Path) -> list[str]:
    """libcoveocds' schema errors, the fields and codelist values outside the standard and the
    declared extensions, and the extensions that failed, of one release or record package."""
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    config = LibCoveOCDSConfig()
    config.config["context"] = "api"
    config.config["standard_zip"] = "file://" + str((shared / STANDARD_ZIP).resolve())
    data = json.loads(json.dumps(package))
    with offline(shared / STANDARD_ZIP), tempfile.TemporaryDirectory() as output:  # its extended schema goes there
        result = ocds_json_output(output, json_data=data, lib_cove_ocds_config=config, schema_version="1.1")
    found = [f"{e.get('path', '')}: {e.get('message', e)}" for e in result.get("validation_errors", [])]
    found += [
        f"additional field {x['path']}/{x['field']} (not in OCDS 1.1 nor its declared extensions)"
        for x in result.get("additional_fields", [])
        if not LANGUAGE_VARIANT.match(x["field"])
    ]
    for kind in ("additional_closed_codelist_values", "additional_open_codelist_values"):
        found += [f"{kind}: {path} {x.get('values')}" for path, x in result.get(kind, {}).items()]
    invalid = result.get("extensions", {}).get("invalid_extension", {})
    found += [f"extension {url}: {why}" for url, why in invalid.items()]
    return found
