"""Turning what an ACME server (or the road to it) says into the core's statuses.

=====================================  ==================================================
ACME / transport                       result
=====================================  ==================================================
connection refused, reset, timeout     CA_UNAVAILABLE_FOR_REQUEST, ``unavailable_retry_msec``
HTTP 5xx, ``serverInternal``            CA_UNAVAILABLE_FOR_REQUEST, ``Retry-After`` if sent
``rateLimited`` (429)                  CA_UNAVAILABLE_FOR_REQUEST, ``Retry-After`` if sent
``badNonce`` after our retries          CA_UNAVAILABLE_FOR_REQUEST, ``poll_retry_msec``
any other problem document             INVALID_OPERATION with the problem's type and detail
=====================================  ==================================================
"""

from __future__ import annotations

import requests
from acme import errors, messages

from certorder.plugins.acme.network import BAD_NONCE, AcmeNetwork
from certorder.plugins.acme.settings import AcmeSettings
from certorder.plugins.interface.dto import MAX_RETRY_MSEC, ResultDTO
from certorder.plugins.interface.status import CertificateStatus

#: Problem types that mean "the CA is busy or broken now", not "this order is wrong".
TRANSIENT_CODES = frozenset({"rateLimited", "serverInternal"})
#: The CA does not know our account (e.g. a test CA restarted and forgot it).
ACCOUNT_GONE = "accountDoesNotExist"


def problem_text(problem: messages.Error) -> str:
    """A one-line description of an ACME problem document: code, detail, identifier."""
    code = problem.code or str(problem.typ)
    detail = problem.detail or problem.title or problem.description or "no detail given"
    where = f" for {problem.identifier.value}" if problem.identifier else ""
    subs = "; ".join(problem_text(sub) for sub in problem.subproblems or ())
    return f"{code}{where}: {detail}" + (f" ({subs})" if subs else "")


def invalid(message: str) -> ResultDTO:
    """The order can never succeed: ``INVALID_OPERATION`` with ``message``."""
    return ResultDTO(status=CertificateStatus.INVALID_OPERATION, status_message=message)


def waiting(message: str, retry_msec: int) -> ResultDTO:
    """The CA is working on it: ``WAITING_FOR_CA``, check again after ``retry_msec``."""
    return ResultDTO(
        status=CertificateStatus.WAITING_FOR_CA,
        status_message=message,
        retry_msec=min(retry_msec, MAX_RETRY_MSEC),
    )


def unavailable(message: str, retry_msec: int) -> ResultDTO:
    """The CA cannot serve us now: the core calls the same method after ``retry_msec``."""
    return ResultDTO(
        status=CertificateStatus.CA_UNAVAILABLE_FOR_REQUEST,
        status_message=message,
        retry_msec=min(retry_msec, MAX_RETRY_MSEC),
    )


def server_delay_msec(net: AcmeNetwork | None, default: int) -> int:
    """The server's ``Retry-After`` in milliseconds, else ``default``."""
    seconds = net.retry_after_seconds() if net is not None else None
    return default if seconds is None else max(1, int(seconds * 1000))


def is_account_gone(exc: BaseException) -> bool:
    """Whether the CA said our account does not exist."""
    return isinstance(exc, messages.Error) and exc.code == ACCOUNT_GONE


def result_for_failure(
    exc: Exception, net: AcmeNetwork | None, settings: AcmeSettings
) -> ResultDTO | None:
    """The result for an exception from an ACME exchange, or ``None`` if it is a bug
    that should surface as it is."""
    status = net.last_status_code() if net is not None else None
    if isinstance(exc, requests.ConnectionError | requests.Timeout):
        reason = "timed out" if isinstance(exc, requests.Timeout) else "refused or dropped"
        return unavailable(
            f"ACME server {settings.directory_url} unreachable ({reason})",
            settings.unavailable_retry_msec,
        )
    if isinstance(exc, messages.Error):
        if exc.code in TRANSIENT_CODES or (status is not None and status >= 500):
            delay = server_delay_msec(net, settings.unavailable_retry_msec)
            return unavailable(f"ACME server busy: {problem_text(exc)}", delay)
        if exc.code == BAD_NONCE:
            return unavailable(
                f"ACME server kept rejecting nonces: {problem_text(exc)}", settings.poll_retry_msec
            )
        return invalid(f"ACME server refused: {problem_text(exc)}")
    if isinstance(exc, errors.ClientError) and status is not None and status >= 500:
        delay = server_delay_msec(net, settings.unavailable_retry_msec)
        return unavailable(f"ACME server answered HTTP {status}", delay)
    if isinstance(exc, errors.Error):
        return invalid(f"ACME exchange failed: {type(exc).__name__}: {exc}")
    return None
