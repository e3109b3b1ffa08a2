"""The vocabularies a plugin and the core share: result statuses and request types.

The string values are Barbican's, so that anything which stored or matched them
keeps working. What the core does with each status is documented on
:class:`CertificateStatus` and drives ``certorder.workflows.order_fsm``.
"""

from __future__ import annotations

from enum import StrEnum


class CertificateStatus(StrEnum):
    """What a plugin method tells the core about an order.

    The core's follow-up for each value (the seed guide's sequence):

    * ``CERTIFICATE_GENERATED``: done. The result's ``certificate`` (and
      ``intermediates``) are checked, stored as a certificate container, and the
      order becomes ``ACTIVE``.
    * ``WAITING_FOR_CA``: the order stays ``PENDING``; ``check_certificate_status``
      is called after ``retry_msec``.
    * ``CLIENT_DATA_ISSUE_SEEN``: the CA needs something from the client (a domain
      validation, an approval, corrected data). The order stays ``PENDING`` with this
      sub-status and the result's message; ``check_certificate_status`` is called after
      ``retry_msec``. The client may fix the data with a ``modify``.
    * ``CA_UNAVAILABLE_FOR_REQUEST``: the CA could not be reached; the order stays
      ``PENDING`` and the *same* method is called again after ``retry_msec``.
    * ``REQUEST_CANCELED``: the CA canceled the request; the order ends ``ACTIVE``
      with this sub-status (the seed's rule: a canceled order is finished, not failed).
    * ``INVALID_OPERATION``: the request cannot succeed; the order ends ``ERROR``
      with this sub-status and the result's message.
    """

    CERTIFICATE_GENERATED = "certificate generated"
    WAITING_FOR_CA = "waiting for CA"
    CLIENT_DATA_ISSUE_SEEN = "client data issue seen"
    CA_UNAVAILABLE_FOR_REQUEST = "CA unavailable for request"
    REQUEST_CANCELED = "request canceled"
    INVALID_OPERATION = "invalid operation"



class CertificateRequestType(StrEnum):
    """How the client describes the certificate it wants (``order_meta["request_type"]``).

    * ``custom``: free-form ``order_meta`` that only the chosen plugin understands.
    * ``simple-cmc``: ``order_meta["request_data"]`` holds a PKCS#10 CSR (PEM).
    * ``stored-key``: the core builds the CSR from a key it stores and hands it to the
      plugin as ``core_meta.generated_csr``.
    * ``full-cmc``: listed for completeness; the core rejects it at submission.
    """

    CUSTOM = "custom"
    SIMPLE_CMC = "simple-cmc"
    STORED_KEY = "stored-key"
    FULL_CMC = "full-cmc"



class PluginMethod(StrEnum):
    """The order methods of a plugin, by name: what the core calls, and what
    ``ResultDTO.retry_method`` may name."""

    ISSUE = "issue_certificate_request"
    CHECK = "check_certificate_status"
    MODIFY = "modify_certificate_request"
    CANCEL = "cancel_certificate_request"

