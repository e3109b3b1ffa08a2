"""Putting ACME challenge responses where the CA looks for them.

A solver's :meth:`~ChallengeSolver.present` must be safe to repeat: the order driver
calls it again on every check while an authorization is pending, so a worker that
restarted (and lost the responder's memory) serves the token again.
"""

from __future__ import annotations

import abc
import os
import shlex
import subprocess
from pathlib import Path

import josepy as jose
from acme import challenges, messages

from certorder.plugins.acme.account import write_private
from certorder.plugins.acme.responder import Http01Responder
from certorder.plugins.acme.settings import AcmeSettings


class ChallengeError(Exception):
    """A challenge response could not be put in place; the message says why."""


class ChallengeSolver(abc.ABC):
    """Provisions and removes responses for one challenge type."""

    #: The ACME challenge type this solver answers (``http-01``, ``dns-01``).
    typ: str

    def pick(self, authz: messages.Authorization) -> messages.ChallengeBody | None:
        """The authorization's challenge of this solver's type, if offered."""
        for challb in authz.challenges:
            if challb.chall.typ == self.typ:
                return challb
        return None

    @abc.abstractmethod
    def present(
        self, identifier: str, challb: messages.ChallengeBody, key: jose.JWK, first: bool
    ) -> None:
        """Make the response visible to the CA. ``first`` is true when the challenge
        has not been answered yet (re-presenting may skip slow work then)."""

    @abc.abstractmethod
    def cleanup(self, identifier: str, challb: messages.ChallengeBody, key: jose.JWK) -> None:
        """Remove the response; must not fail when it is already gone."""

    def close(self) -> None:  # noqa: B027 - most solvers hold nothing to release
        """Release listeners; called at plugin shutdown."""


def _key_authorization(challb: messages.ChallengeBody, key: jose.JWK) -> str:
    chall = challb.chall
    assert isinstance(chall, challenges.KeyAuthorizationChallenge)
    return chall.key_authorization(key)


def _token(challb: messages.ChallengeBody) -> str:
    chall = challb.chall
    assert isinstance(chall, challenges.HTTP01)
    return chall.encode("token")


class ResponderSolver(ChallengeSolver):
    """http-01 answered by the built-in responder."""

    typ = "http-01"

    def __init__(self, host: str, port: int) -> None:
        self.responder = Http01Responder(host, port)

    def present(
        self, identifier: str, challb: messages.ChallengeBody, key: jose.JWK, first: bool
    ) -> None:
        try:
            self.responder.add(_token(challb), _key_authorization(challb, key))
        except OSError as exc:
            raise ChallengeError(
                f"cannot start the http-01 responder on "
                f"{self.responder.host}:{self.responder.port}: {exc.strerror or exc}"
            ) from None

    def cleanup(self, identifier: str, challb: messages.ChallengeBody, key: jose.JWK) -> None:
        self.responder.remove(_token(challb))

    def close(self) -> None:
        self.responder.close()


class WebrootSolver(ChallengeSolver):
    """http-01 answered by files under a directory that a web server publishes."""

    typ = "http-01"

    def __init__(self, webroot: Path) -> None:
        self.directory = webroot / ".well-known" / "acme-challenge"

    def present(
        self, identifier: str, challb: messages.ChallengeBody, key: jose.JWK, first: bool
    ) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_private(self.directory / _token(challb), _key_authorization(challb, key).encode())
            # The web server usually runs as another user: the response is public anyway.
            os.chmod(self.directory / _token(challb), 0o644)
        except OSError as exc:
            raise ChallengeError(
                f"cannot write the http-01 response under {self.directory}: {exc}"
            ) from None

    def cleanup(self, identifier: str, challb: messages.ChallengeBody, key: jose.JWK) -> None:
        (self.directory / _token(challb)).unlink(missing_ok=True)


class DnsHookSolver(ChallengeSolver):
    """dns-01 answered by an operator's command that manages TXT records.

    The command is run as ``<dns_hook> present|cleanup <record name> <value>``, with the
    same values in ``CERTORDER_ACME_ACTION``, ``CERTORDER_ACME_RECORD_NAME``,
    ``CERTORDER_ACME_RECORD_VALUE`` and ``CERTORDER_ACME_DOMAIN``. ``present`` must
    return only once the record is visible to the CA's resolvers.
    """

    typ = "dns-01"

    def __init__(self, command: str, timeout: float) -> None:
        self.command = shlex.split(command)
        self.timeout = timeout

    def _run(
        self, action: str, identifier: str, challb: messages.ChallengeBody, key: jose.JWK
    ) -> None:
        chall = challb.chall
        assert isinstance(chall, challenges.DNS01)
        name = chall.validation_domain_name(identifier)
        value = chall.validation(key)
        env = dict(
            os.environ,
            CERTORDER_ACME_ACTION=action,
            CERTORDER_ACME_RECORD_NAME=name,
            CERTORDER_ACME_RECORD_VALUE=value,
            CERTORDER_ACME_DOMAIN=identifier,
        )
        try:
            done = subprocess.run(
                [*self.command, action, name, value],
                env=env,
                capture_output=True,
                text=True,
                timeout=self.timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ChallengeError(f"dns-01 hook {action} for {name} failed: {exc}") from None
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
            raise ChallengeError(
                f"dns-01 hook {action} for {name} exited with {done.returncode}: {tail[0]}"
            )

    def present(
        self, identifier: str, challb: messages.ChallengeBody, key: jose.JWK, first: bool
    ) -> None:
        # A TXT record survives a worker restart, so the hook runs only before the answer.
        if first:
            self._run("present", identifier, challb, key)

    def cleanup(self, identifier: str, challb: messages.ChallengeBody, key: jose.JWK) -> None:
        try:
            self._run("cleanup", identifier, challb, key)
        except ChallengeError:
            pass  # a stale TXT record is harmless; failing the order for it is not


def build_solver(settings: AcmeSettings) -> ChallengeSolver:
    """The solver the settings ask for."""
    if settings.challenge_type == "dns-01":
        assert settings.dns_hook is not None
        return DnsHookSolver(settings.dns_hook, settings.dns_hook_timeout)
    if settings.webroot is not None:
        return WebrootSolver(settings.webroot)
    return ResponderSolver(settings.http_responder_host, settings.http_responder_port)
