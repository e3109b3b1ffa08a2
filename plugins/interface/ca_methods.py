"""The contract's CA methods: which CAs a plugin issues from, and sub-CA management.

Mixed into :class:`~certorder.plugins.interface.certificate_manager.CertificatePluginBase`
(import that, not this): the defaults describe a plugin with one CA and no sub-CAs.
"""

from __future__ import annotations

from cryptography import x509

from certorder.plugins.interface.dto import CACreateDTO, CAInfo
from certorder.plugins.interface.errors import CAOperationError


class CAMethods:
    """Defaults of the CA methods; ``self.name`` is the plugin's entry-point name."""

    name: str

    # -- CAs -------------------------------------------------------------------------

    def get_default_ca_name(self) -> str:
        """The id of the CA used when an order names none."""
        return self.name

    def get_default_signing_cert(self) -> str | None:
        """PEM of the default CA's signing certificate, if known."""
        return None

    def get_default_intermediates(self) -> str | None:
        """PEM chain above the default CA's signing certificate, if any."""
        return None

    def get_ca_info(self) -> list[CAInfo]:
        """Every CA this plugin can issue from. Default: the default CA alone."""
        name = self.get_default_ca_name()
        signing = self.get_default_signing_cert()
        expiration = None
        if signing:
            expiration = x509.load_pem_x509_certificate(signing.encode()).not_valid_after_utc
        return [
            CAInfo(
                ca_id=name,
                name=name,
                description=f"Certificate Authority - {name}",
                ca_signing_certificate=signing,
                intermediates=self.get_default_intermediates(),
                expiration=expiration,
            )
        ]

    def supports_create_ca(self) -> bool:
        """Whether :meth:`create_ca` works. Default: no."""
        return False

    def create_ca(self, ca_create: CACreateDTO) -> CAInfo:
        """Create a subordinate CA and return its description.

        :raises CAOperationError: if not supported or the CA refused.
        """
        raise CAOperationError(f"plugin {self.name!r} cannot create sub-CAs")

    def delete_ca(self, ca_id: str) -> None:
        """Delete a subordinate CA created by :meth:`create_ca`.

        :raises CAOperationError: if not supported, or ``ca_id`` is a root CA.
        """
        raise CAOperationError(f"plugin {self.name!r} cannot delete CAs")
