"""The worker's Prometheus endpoint: the SDK's runtime metrics and certorder's own
(names, labels and meaning in docs/operations.md)."""
