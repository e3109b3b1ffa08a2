"""certorder: durable X.509 certificate orders through pluggable CAs, on Temporal."""
