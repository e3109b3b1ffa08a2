"""The ``dogtag`` plugin: certificates from a Dogtag PKI CA through its REST API.

Enrollment goes to ``POST /ca/rest/certrequests`` with a profile (``caServerCert`` unless
``order_meta["profile"]`` says otherwise). For profiles listed in
``auto_approved_profiles`` the plugin approves the request itself with its agent
certificate, so the certificate comes back from the first call; other requests wait for
a Dogtag agent and are polled. See ``docs/plugins/dogtag.md`` for the status mapping.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from certorder.plugins.dogtag import authorities, enrollment
from certorder.plugins.dogtag.cancel import cancel_request
from certorder.plugins.dogtag.chain import ChainError, split_cert_data
from certorder.plugins.dogtag.client import DogtagAPIError, DogtagClient, DogtagUnavailableError
from certorder.plugins.dogtag.recovery import ENROLLING, PlacedRequestFinder, may_have_enrolled
from certorder.plugins.dogtag.revoke import revoke_at_dogtag
from certorder.plugins.dogtag.settings import DogtagOrderMeta, DogtagSettings
from certorder.plugins.interface.certificate_manager import CertificatePluginBase, PluginContext
from certorder.plugins.interface.csr import csr_pem, load_csr
from certorder.plugins.interface.dto import CACreateDTO, CAInfo, CoreMetaDTO, ResultDTO
from certorder.plugins.interface.errors import InvalidOrderError, PluginConfigurationError
from certorder.plugins.interface.status import CertificateRequestType, CertificateStatus

log = logging.getLogger(__name__)
Status = CertificateStatus


class DogtagCAPlugin(CertificatePluginBase):
    """Issues certificates from a Dogtag CA and its lightweight sub-CAs.

    ``plugin_meta`` holds ``request_id`` (Dogtag's ``requestID``), ``profile`` and, once
    issued, ``serial``; nothing else.
    """

    order_meta_model = DogtagOrderMeta

    def __init__(self, context: PluginContext) -> None:
        super().__init__(context)
        try:
            self.settings = DogtagSettings(**dict(context.options))
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "settings"
            raise PluginConfigurationError(f"{context.name}: {field}: {first['msg']}") from None
        self.client = DogtagClient(self.settings)
        self.finder = PlacedRequestFinder(self.client, self.settings.recovery_scan_limit)

    def close(self) -> None:
        self.client.close()

    def supported_request_types(self):
        return (CertificateRequestType.SIMPLE_CMC, CertificateRequestType.STORED_KEY)

    def validate_order_meta(self, order_meta: Mapping[str, Any]) -> None:
        try:
            DogtagOrderMeta.model_validate(
                dict(order_meta), context={"allowed_profiles": self.settings.allowed_profiles}
            )
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(part) for part in first["loc"]) or "order_meta"
            raise InvalidOrderError(f"{self.name}: {field}: {first['msg']}") from None

    # -- order methods --------------------------------------------------------------------

    def issue_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        return self._guarded(self._issue, order_id, order_meta, plugin_meta, core_meta)

    def check_certificate_status(self, order_id, order_meta, plugin_meta, core_meta):
        return self._guarded(self._check, order_id, order_meta, plugin_meta, core_meta)

    def cancel_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        return self._guarded(self._cancel, order_id, order_meta, plugin_meta, core_meta)

    def modify_certificate_request(self, order_id, order_meta, plugin_meta, core_meta):
        """Dogtag cannot change a request: cancel the pending one, enroll again with the
        merged ``order_meta`` (Barbican's semantics); ``plugin_meta`` gets the new id."""
        return self._guarded(self._modify, order_id, order_meta, plugin_meta, core_meta)

    def revoke_certificate(self, order_id, certificate, order_meta, plugin_meta, reason):
        """Revoke as an agent (see ``dogtag.revoke``); a revoked certificate is not
        revoked again."""
        return revoke_at_dogtag(self.client, certificate, reason,
                                waiting_msec=self.settings.retry_msec,
                                unavailable_msec=self.settings.unavailable_retry_msec)

    def _guarded(self, step, order_id, order_meta, plugin_meta, core_meta) -> ResultDTO:
        try:
            return step(order_id, order_meta, plugin_meta, core_meta)
        except DogtagUnavailableError as exc:
            log.warning("dogtag order %s: CA unavailable: %s", order_id, exc)
            return ResultDTO(
                status=Status.CA_UNAVAILABLE_FOR_REQUEST,
                status_message=str(exc),
                retry_msec=self.settings.unavailable_retry_msec,
            )
        except DogtagAPIError as exc:
            # 4xx: Dogtag says the request as sent cannot work (unknown profile, bad
            # authority id, no agent rights); sending it again would not help.
            return ResultDTO(status=Status.INVALID_OPERATION, status_message=f"Dogtag: {exc}")
        except ChainError as exc:
            return ResultDTO(status=Status.INVALID_OPERATION, status_message=str(exc))

    def _issue(self, order_id, order_meta, plugin_meta, core_meta: CoreMetaDTO) -> ResultDTO:
        if plugin_meta.get("request_id"):
            # A retried call: the request exists; never enroll a second time.
            return self._advance(self.client.get_request(plugin_meta["request_id"]), plugin_meta)
        profile = order_meta.get("profile") or self.settings.default_profile
        tag = enrollment.order_tag(self.settings.requestor_name, order_id)
        info = self._recover(tag) if may_have_enrolled(plugin_meta, core_meta) else None
        if info is None:
            # Should the answer be lost, the next call knows to look for the request
            # before enrolling again. Not reported as progress: a retried attempt
            # searches anyway, and the request id below must be the heartbeat that
            # Temporal sends at once rather than one held back by its throttle.
            plugin_meta[ENROLLING] = True
            info = self._enroll(profile, tag, order_meta, core_meta)
        plugin_meta.pop(ENROLLING, None)
        plugin_meta["request_id"] = info["requestID"]
        plugin_meta["profile"] = profile
        # Reported at once: a worker dying while the request is approved and fetched
        # leaves the retried call this request id, so it never enrolls a second time.
        core_meta.report_progress(plugin_meta)
        log.info("dogtag order %s: request %s is %s",
                 order_id, info["requestID"], info.get("requestStatus"))
        return self._advance(info, plugin_meta)

    def _enroll(self, profile, tag, order_meta, core_meta: CoreMetaDTO) -> dict[str, Any]:
        raw = core_meta.generated_csr or order_meta.get("request_data")
        if not raw:
            raise InvalidOrderError("order has no CSR (order_meta['request_data'])")
        values = {
            "cert_request_type": "pkcs10",
            "cert_request": csr_pem(load_csr(raw)),
            "requestor_name": tag,
        }
        template = self.client.template(profile)
        try:
            request_body = enrollment.fill_template(template, values)
        except ValueError as exc:
            raise DogtagAPIError(400, "", str(exc)) from None
        issuer = core_meta.plugin_ca_id
        issuer = None if issuer in (None, self.get_default_ca_name()) else issuer
        info = self.client.submit(request_body, issuer)[0]
        self.finder.saw(info["requestID"])
        return info

    def _recover(self, tag: str) -> dict[str, Any] | None:
        if not self.settings.recovery_scan_limit or self.settings.client_cert_file is None:
            return None
        found = self.finder.find(tag)
        if found is not None:
            log.warning(
                "dogtag: found request %s already placed for %r; using it", found["requestID"], tag
            )
        return found

    def _check(self, order_id, order_meta, plugin_meta, core_meta) -> ResultDTO:
        request_id = plugin_meta.get("request_id")
        if not request_id:
            return ResultDTO(
                status=Status.INVALID_OPERATION,
                status_message="no Dogtag request is recorded for this order",
            )
        return self._advance(self.client.get_request(request_id), plugin_meta)

    def _advance(self, info: dict[str, Any], plugin_meta: dict) -> ResultDTO:
        """Map a ``CertRequestInfo`` to a result, approving first if the profile is
        auto-approved and fetching the certificate once the request is complete."""
        request_id = info["requestID"]
        status = info.get("requestStatus")
        auto = plugin_meta.get("profile") in self.settings.auto_approved_profiles
        if status == enrollment.PENDING and auto:
            info = enrollment.approve(self.client, request_id)
            status = info.get("requestStatus")
        if status == enrollment.COMPLETE:
            if not info.get("certId"):
                raise DogtagUnavailableError(f"request {request_id} is complete without a cert")
            leaf, intermediates = split_cert_data(self.client.get_cert(info["certId"]))
            plugin_meta["serial"] = info["certId"]
            return ResultDTO(
                status=Status.CERTIFICATE_GENERATED,
                status_message=f"issued by Dogtag as serial {info['certId']}",
                certificate=leaf,
                intermediates=intermediates,
            )
        if status == enrollment.REJECTED:
            reason = enrollment.rejection_reason(self.client, info)
            return ResultDTO(
                status=Status.INVALID_OPERATION,
                status_message=f"Dogtag request {request_id}: {reason}",
            )
        if status == enrollment.CANCELED:
            return ResultDTO(
                status=Status.REQUEST_CANCELED,
                status_message=f"Dogtag request {request_id} was canceled",
            )
        # pending (an agent must act), or begin/approved/svc_pending (Dogtag is working).
        return ResultDTO(
            status=Status.WAITING_FOR_CA,
            retry_msec=self.settings.retry_msec,
            status_message=f"Dogtag request {request_id} is {status}; "
            "waiting for a Dogtag agent to approve it",
        )

    def _cancel(self, order_id, order_meta, plugin_meta, core_meta) -> ResultDTO:
        request_id = plugin_meta.get("request_id")
        if not request_id:
            info = None
            if may_have_enrolled(plugin_meta, core_meta):
                info = self._recover(enrollment.order_tag(self.settings.requestor_name, order_id))
            if info is None:
                return ResultDTO(
                    status=Status.REQUEST_CANCELED,
                    status_message="no request had been placed at Dogtag",
                )
            request_id = plugin_meta["request_id"] = info["requestID"]
        return cancel_request(self.client, request_id)

    def _modify(self, order_id, order_meta, plugin_meta, core_meta) -> ResultDTO:
        canceled = self._cancel(order_id, order_meta, plugin_meta, core_meta)
        if canceled.status is not Status.REQUEST_CANCELED:
            message = f"Modify request: unable to cancel: {canceled.status_message}"
            return canceled.model_copy(update={"status_message": message})
        for key in ("request_id", "profile", "serial", ENROLLING):
            plugin_meta.pop(key, None)
        return self._issue(order_id, order_meta, plugin_meta, core_meta)

    # -- CAs ------------------------------------------------------------------------------

    def supports_create_ca(self) -> bool:
        return self.settings.client_cert_file is not None

    def get_ca_info(self) -> list[CAInfo]:
        """The host CA and every enabled lightweight CA; only the host, without its
        certificate, on a Dogtag that predates lightweight CAs."""
        found = authorities.list_cas(self.client, self.get_default_ca_name())
        return super().get_ca_info() if found is None else found

    def create_ca(self, ca_create: CACreateDTO) -> CAInfo:
        return authorities.create(self.client, self.get_default_ca_name(), ca_create)

    def delete_ca(self, ca_id: str) -> None:
        authorities.delete(self.client, self.get_default_ca_name(), ca_id)
