"""The contract's optional lifecycle methods: revocation, CRLs and renewal information.

Mixed into :class:`~certorder.plugins.interface.certificate_manager.CertificatePluginBase`
(import that, not this). Each default says "not offered"; ``revocation`` and
``renewal_info`` describe what the core does with each answer.
"""

from __future__ import annotations

from certorder.plugins.interface.errors import CAOperationError
from certorder.plugins.interface.renewal_info import RenewalWindow
from certorder.plugins.interface.revocation import (
    RevocationReason,
    RevocationResult,
    RevocationStatus,
)


class LifecycleMethods:
    """Defaults of the optional lifecycle methods; ``self.name`` is the plugin's name."""

    name: str

    # -- revocation (optional) ----------------------------------------------------------

    def supports_revocation(self) -> bool:
        """Whether :meth:`revoke_certificate` works. Default: yes if it is overridden.

        The core asks before it starts a revocation and refuses one through a plugin
        that says no, with one line, before anything reaches the CA.
        """
        return type(self).revoke_certificate is not LifecycleMethods.revoke_certificate

    def revoke_certificate(
        self, order_id: str, certificate: str, order_meta: dict, plugin_meta: dict,
        reason: RevocationReason,
    ) -> RevocationResult:
        """Revoke the certificate an order was issued (optional; see ``revocation``).

        ``certificate`` is the stored leaf (PEM); ``order_meta`` and ``plugin_meta`` are
        the order's as they were when it was issued. ``plugin_meta`` is the
        revocation's own copy: change it in place to remember the CA's request id; the
        core passes it back on every later call of this revocation. Calls may be
        repeated (a worker died, the CA was slow): one for a certificate the CA has
        already revoked must answer ``REVOKED``, never revoke again.
        """
        return RevocationResult(status=RevocationStatus.REFUSED,
                                status_message=f"plugin {self.name!r} offers no revocation")

    def get_crl(self, ca_id: str | None) -> str:
        """The current signed CRL (PEM) of one of this plugin's CAs (optional).

        :raises CAOperationError: the plugin publishes no CRL, or ``ca_id`` is unknown.
        """
        raise CAOperationError(f"plugin {self.name!r} publishes no CRL")

    # -- renewal information (optional) ------------------------------------------------

    def suggested_renewal_window(
        self, certificate: str, order_meta: dict, plugin_meta: dict
    ) -> RenewalWindow | None:
        """When the CA suggests renewing this certificate (optional; see ``renewal_info``).

        ``certificate`` is the stored leaf (PEM); ``order_meta`` and ``plugin_meta`` are
        its order's, read-only here. Called by managed certificates after each issuance
        and again as the window's ``retry_after_seconds`` says. Default: ``None``, the
        core's own renewal policy decides.
        """
        return None
