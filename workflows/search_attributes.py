"""Custom search attributes that let operators filter orders in the Temporal UI.

They must be registered on the server (``certorder dev`` does it; for a cluster:
``temporal operator search-attribute create --name <NAME> --type Keyword``). They
are never encrypted by a payload codec, so they hold statuses and names only,
never anything from a CSR.
"""

from temporalio.common import SearchAttributeKey

ORDER_STATUS = SearchAttributeKey.for_keyword("CertificateOrderStatus")
ORDER_SUB_STATUS = SearchAttributeKey.for_keyword("CertificateOrderSubStatus")
PLUGIN_NAME = SearchAttributeKey.for_keyword("CertificatePluginName")

ALL = (ORDER_STATUS, ORDER_SUB_STATUS, PLUGIN_NAME)
