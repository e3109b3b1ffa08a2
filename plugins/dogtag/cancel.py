"""Canceling a Dogtag request as an agent, and reading what a failed cancel means."""

from __future__ import annotations

from certorder.plugins.dogtag.client import DogtagAPIError, DogtagClient
from certorder.plugins.dogtag.enrollment import CANCELED
from certorder.plugins.interface.dto import ResultDTO
from certorder.plugins.interface.status import CertificateStatus as Status


def cancel_request(client: DogtagClient, request_id: str) -> ResultDTO:
    """Review the request and post ``cancel``; map Dogtag's refusals to a result.

    :raises DogtagUnavailableError: Dogtag could not be asked (the core tries again).
    """
    try:
        client.review_and_act(request_id, "cancel")
    except DogtagAPIError as exc:
        if exc.status == 404:
            return ResultDTO(
                status=Status.INVALID_OPERATION,
                status_message=f"no request {request_id} at Dogtag",
            )
        if exc.status not in (400, 409):
            raise
        # Not pending any more (an agent was quicker, or our earlier cancel went
        # through before a crash): report what the request became.
        return _after_failed_cancel(client, request_id, exc)
    return ResultDTO(
        status=Status.REQUEST_CANCELED, status_message=f"Dogtag request {request_id} canceled"
    )


def _after_failed_cancel(client: DogtagClient, request_id: str, exc: DogtagAPIError) -> ResultDTO:
    status = client.get_request(request_id).get("requestStatus")
    if status == CANCELED:
        return ResultDTO(
            status=Status.REQUEST_CANCELED,
            status_message=f"Dogtag request {request_id} was canceled",
        )
    return ResultDTO(
        status=Status.INVALID_OPERATION,
        status_message=f"cannot cancel Dogtag request {request_id} ({status}): {exc.message}",
    )
