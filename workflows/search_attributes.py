"""Custom search attributes that let operators filter orders in the Temporal UI.

They must be registered on the server (``certorder dev`` does it; for a cluster, see
:func:`registrations` and docs/operations.md). They are never encrypted by a payload
codec, so they hold statuses, names and times only, never anything from a CSR.
"""

from temporalio.common import SearchAttributeKey

ORDER_STATUS = SearchAttributeKey.for_keyword("CertificateOrderStatus")
ORDER_SUB_STATUS = SearchAttributeKey.for_keyword("CertificateOrderSubStatus")
PLUGIN_NAME = SearchAttributeKey.for_keyword("CertificatePluginName")
#: When the order's next plugin call is due (unset when none is scheduled), so that
#: "overdue" and "due within the hour" are one query each.
NEXT_ATTEMPT = SearchAttributeKey.for_datetime("CertificateOrderNextAttempt")

ALL = (ORDER_STATUS, ORDER_SUB_STATUS, PLUGIN_NAME, NEXT_ATTEMPT)


def registrations() -> list[tuple[str, str]]:
    """``(name, type)`` of each attribute, as ``temporal operator search-attribute create
    --name NAME --type TYPE`` (and ``temporal server start-dev --search-attribute
    NAME=TYPE``) take them."""
    return [(key.name, key.indexed_value_type.name.capitalize()) for key in ALL]
