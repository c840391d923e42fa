"""Login throttling's rule, kept apart from where its counts live (a process's memory in tests, the
database in a served portal, so every worker of ``mutua serve --workers`` counts the same guesses).

Per (username, client address): ``limit`` attempts pass at once; the next one must wait ``base``
seconds, then twice as long after each further failure, at most ``ceiling``. An attempt is counted
as a failure *before* the password is checked (a success forgets the pair), so simultaneous
guesses see each other. A pair quiet for ``forget`` seconds starts again; at most ``max_keys`` pairs
are kept. Usernames longer than :data:`MAX_USERNAME` are refused before anything is kept.

>>> rule = ThrottlePolicy(limit=2, base=1.0)
>>> state = Attempts()
>>> for now in (0.0, 0.0):
...     state = rule.attempt(state, now)
>>> state.failures, state.not_before
(2, 1.0)
>>> rule.attempt(state, 0.5)
Traceback (most recent call last):
...
mutua.kernel.throttle.TooManyAttempts: too many failed logins; try again later
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from mutua.kernel.access import Unauthenticated
from mutua.kernel.problems import MutuaError

MAX_USERNAME = 100


class TooManyAttempts(MutuaError):
    """Too many failed logins for the pair: try again after ``retry_after`` seconds (a 429)."""

    status = 429

    def __init__(self, message: str, retry_after: float = 0) -> None:
        super().__init__(message)
        self.retry_after = max(1, math.ceil(retry_after))


@dataclass(frozen=True, slots=True)
class Attempts:
    """A pair's count of failed attempts, and the time (seconds) before which the next must wait."""

    failures: int = 0
    not_before: float = 0.0


def throttle_key(username: str, address: str) -> tuple[str, str]:
    """The pair an attempt is counted under; an overlong username is refused before anything is kept."""
    if len(username) > MAX_USERNAME:
        raise Unauthenticated("wrong username or password")
    return (username.lower(), address)


@dataclass(frozen=True, slots=True)
class ThrottlePolicy:
    limit: int = 5
    base: float = 1.0
    ceiling: float = 900.0
    forget: float = 3600.0
    max_keys: int = 10_000

    def delay(self, failures: int) -> float:
        """The wait after ``failures`` failed attempts."""
        if failures < self.limit:
            return 0.0
        return float(min(self.ceiling, self.base * 2 ** min(failures - self.limit, 32)))

    def attempt(self, state: Attempts | None, now: float) -> Attempts:
        """The pair's state after one more attempt at ``now``, or :class:`TooManyAttempts` (the state
        unchanged) when it comes too early."""
        if state is None or now - state.not_before > self.forget:
            state = Attempts()
        if now < state.not_before:
            raise TooManyAttempts("too many failed logins; try again later", state.not_before - now)
        failures = state.failures + 1
        return Attempts(failures, now + self.delay(failures))
