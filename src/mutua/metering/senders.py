"""The keys of the senders allowed to ``POST /events``: one per sender, each allowed a set of
sources and event types; only a hash of each key is kept.

A key reads ``mts_<id>_<secret>``: ``id`` (12 hex digits) names it in lists, audits and
revocations, ``secret`` is 256 random bits (URL-safe base64). The store keeps the SHA-256 of the
secret (a random 256-bit secret needs no slow hash: nothing to guess), compared in constant time.
The keys live in ``senders.json`` in the metering folder of the data dir (mode 0600, replaced
atomically under a lock); every server worker sees a change at its next request (the file's
modification time is checked), so a revoked key is refused at once.

Sources and event types are patterns (``fnmatch``: ``/gateway/*``, ``be.mutua.*``); ``*`` allows any.

**OpenID Connect client credentials** (optional): with ``MUTUA_METERING_OIDC_ISSUER`` and
``MUTUA_METERING_OIDC_AUDIENCE`` set, a sender may instead present an access token (a JWT) its
client got from that provider (``grant_type=client_credentials``): its signature is checked
against the provider's keys (JWKS, from its discovery document or ``MUTUA_METERING_OIDC_JWKS``),
its ``iss``, ``aud`` and ``exp``; its ``azp`` (or ``client_id``) must be a sender entry made with
``mutua metering keys create NAME --oidc-client CLIENT_ID``, whose sources and types apply.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import re
import secrets
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

from mutua.metering.manifest import metering_root

PREFIX = "mts_"
_TOKEN = re.compile(r"mts_([0-9a-f]{12})_([A-Za-z0-9_-]{43})", re.ASCII)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class SenderKey:
    """One sender's key, as stored (never the key itself).

    Attributes:
        key_id: the key's public name (in the key, lists and audits).
        name: who sends with it (free text).
        digest: SHA-256 of the key's secret (hex).
        sources: patterns of the ``source`` attributes it may send.
        types: patterns of the event ``type`` attributes it may send.
        created: when it was made (RFC 3339).
        revoked: when it was revoked, or None.
    """

    key_id: str
    name: str
    digest: str
    sources: tuple[str, ...]
    types: tuple[str, ...]
    created: str
    revoked: str | None = None
    client_id: str | None = None
    _allowed: dict[tuple[str, str], bool] = field(default_factory=dict, compare=False, repr=False)

    def allows(self, source: str, event_type: str) -> bool:
        """Whether this key may send an event of ``source`` and ``type`` (remembered per pair)."""
        pair = (source, event_type)
        known = self._allowed.get(pair)
        if known is None:
            known = any(fnmatchcase(source, p) for p in self.sources) and any(
                fnmatchcase(event_type, p) for p in self.types
            )
            if len(self._allowed) < 100_000:
                self._allowed[pair] = known
        return known

    def as_dict(self) -> dict[str, Any]:
        """What a list shows (no digest)."""
        return {
            "id": self.key_id,
            "name": self.name,
            "sources": list(self.sources),
            "types": list(self.types),
            "created": self.created,
            "revoked": self.revoked,
            "oidc_client": self.client_id,
        }


class SenderKeys:
    """The sender keys of a data dir (``<data dir>/metering/senders.json``)."""

    def __init__(self, data_dir: Path) -> None:
        self.root = metering_root(data_dir)
        self.path = self.root / "senders.json"
        self._seen: tuple[int, int] | None = None
        self._keys: dict[str, SenderKey] = {}

    # -- reading ---------------------------------------------------------------------------

    def _load(self) -> dict[str, SenderKey]:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._seen, self._keys = None, {}
            return self._keys
        seen = (stat.st_mtime_ns, stat.st_size)
        if seen != self._seen:
            rows = json.loads(self.path.read_text(encoding="utf-8"))
            self._keys = {
                r["key_id"]: SenderKey(
                    r["key_id"],
                    r["name"],
                    r["digest"],
                    tuple(r["sources"]),
                    tuple(r["types"]),
                    r["created"],
                    r.get("revoked"),
                    r.get("client_id"),
                )
                for r in rows
            }
            self._seen = seen
        return self._keys

    def keys(self) -> list[SenderKey]:
        return sorted(self._load().values(), key=lambda k: (k.created, k.key_id))

    def verify(self, token: str) -> SenderKey | None:
        """The live key that ``token`` is, or None (unknown, malformed or revoked)."""
        found = _TOKEN.fullmatch(token.strip())
        if found is None:
            return None
        key = self._load().get(found.group(1))
        if key is None or key.revoked is not None or key.client_id is not None:
            return None
        return key if hmac.compare_digest(key.digest, _digest(found.group(2))) else None

    def for_client(self, client_id: str) -> SenderKey | None:
        """The live sender entry of an OpenID Connect client, or None."""
        for key in self._load().values():
            if key.client_id == client_id and key.revoked is None:
                return key
        return None

    # -- writing ---------------------------------------------------------------------------

    def create(
        self, name: str, sources: Sequence[str], types: Sequence[str], client_id: str | None = None
    ) -> tuple[SenderKey, str]:
        """A new key for ``name``; returns it and the key itself (shown once, never stored). With
        ``client_id``: an entry for an OpenID Connect client instead (no key: it sends tokens)."""
        name = name.strip()
        if not name:
            raise ValueError("a sender key needs a name")
        if not sources or not types or any(not p.strip() for p in [*sources, *types]):
            raise ValueError("a sender key needs at least one source and one event type (patterns; * for any)")
        key_id = secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        key = SenderKey(
            key_id,
            name,
            _digest(secret),
            tuple(p.strip() for p in sources),
            tuple(p.strip() for p in types),
            _now(),
            None,
            client_id.strip() if client_id else None,
        )
        if client_id is not None and not client_id.strip():
            raise ValueError("an OpenID Connect client id cannot be empty")
        with self._writing() as keys:
            if client_id and any(k.client_id == key.client_id and k.revoked is None for k in keys.values()):
                raise ValueError(f"the OpenID Connect client {client_id} has a sender entry already")
            keys[key_id] = key
        return key, "" if client_id else f"{PREFIX}{key_id}_{secret}"

    def revoke(self, key_id: str) -> SenderKey | None:
        """Revoke a key (kept, marked revoked, for the record); None when there is no such key."""
        with self._writing() as keys:
            key = keys.get(key_id)
            if key is None:
                return None
            if key.revoked is None:
                key = SenderKey(
                    key.key_id, key.name, key.digest, key.sources, key.types, key.created, _now(), key.client_id
                )
                keys[key_id] = key
            return key

    @contextmanager
    def _writing(self) -> Iterator[dict[str, SenderKey]]:
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / "senders.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self._seen = None
            keys = dict(self._load())
            yield keys
            rows = [{k: v for k, v in asdict(key).items() if k != "_allowed"} for key in keys.values()]
            tmp = self.root / f"senders.{uuid.uuid4().hex}.tmp"
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(rows, f, indent=1)
                f.flush()
                os.fsync(f.fileno())
            tmp.replace(self.path)
            self._seen = None


class OidcTokens:
    """Access tokens of OpenID Connect clients (client credentials), checked against the
    provider's keys: the client a valid token was issued to, or None."""

    def __init__(self, issuer: str, audience: str, jwks: Callable[[], Mapping[str, Any]]) -> None:
        self.issuer, self.audience, self._jwks = issuer, audience, jwks
        self._keys: Any = None
        self._loaded = 0.0

    def _key_set(self, refresh: bool = False) -> Any:
        from joserfc.jwk import KeySet

        if self._keys is None or (refresh and time.monotonic() - self._loaded > 60):
            self._keys = KeySet.import_key_set(dict(self._jwks()))  # type: ignore[arg-type]
            self._loaded = time.monotonic()
        return self._keys

    def client_of(self, token: str) -> str | None:
        from joserfc import jwt
        from joserfc.errors import JoseError

        claims_wanted = jwt.JWTClaimsRegistry(
            leeway=30,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True},
        )
        for refresh in (False, True):  # the provider may have rotated its keys
            try:
                decoded = jwt.decode(token, self._key_set(refresh), algorithms=["RS256", "ES256", "PS256", "EdDSA"])
                claims_wanted.validate(decoded.claims)
            except (JoseError, ValueError, OSError):  # OSError: the provider's keys could not be fetched
                continue
            client = decoded.claims.get("azp") or decoded.claims.get("client_id")
            return str(client) if client else None
        return None


def oidc_from_env(environ: Mapping[str, str]) -> OidcTokens | None:
    """The OpenID Connect token check the ``MUTUA_METERING_OIDC_*`` variables ask for, or None."""
    issuer = environ.get("MUTUA_METERING_OIDC_ISSUER", "").rstrip("/")
    audience = environ.get("MUTUA_METERING_OIDC_AUDIENCE", "")
    if not issuer or not audience:
        return None
    jwks_url = environ.get("MUTUA_METERING_OIDC_JWKS", "")

    def jwks() -> Mapping[str, Any]:
        url = jwks_url or str(_get_json(f"{issuer}/.well-known/openid-configuration")["jwks_uri"])
        return _get_json(url)

    return OidcTokens(issuer, audience, jwks)


def _get_json(url: str) -> dict[str, Any]:
    if not url.startswith(("https://", "http://")):
        raise ValueError(f"not an http(s) URL: {url}")
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 (http(s) only, checked above)
        data: dict[str, Any] = json.loads(answer.read())
    return data


def bearer(header: str | None) -> str | None:
    """The key in an ``Authorization: Bearer <key>`` header, or None."""
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    return value.strip() or None if scheme.lower() == "bearer" else None


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
