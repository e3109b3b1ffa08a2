"""What ``order submit`` and ``order modify`` read from the command line: ``--meta``
pairs and the CSR file, made into ``order_meta``."""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from certorder.cli.errors import UsageError

# Values that parse as JSON only when they look like JSON: "30" is a number, "true" a
# bool, '{"a": 1}' an object; "007" or "ops@example.com" stay strings.
_JSON_LIKE = re.compile(r'\A(?:[{\["]|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\Z|true\Z|false\Z|null\Z)')


def parse_meta_item(item: str) -> tuple[str, Any]:
    """``KEY=VALUE`` → ``(key, value)``, with JSON-looking values decoded.

    :raises argparse.ArgumentTypeError: no ``=``, or an empty key.
    """
    key, sep, raw = item.partition("=")
    key = key.strip()
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {item!r}")
    if _JSON_LIKE.match(raw):
        try:
            return key, json.loads(raw)
        except ValueError:
            pass
    return key, raw


def meta_dict(items: list[tuple[str, Any]] | None) -> dict[str, Any]:
    """The ``--meta`` pairs as a dict (a repeated key keeps its last value)."""
    return dict(items or [])


def read_csr(path: Path) -> str:
    """The CSR file as PEM text (a DER file is converted; the plugins check the rest).

    :raises UsageError: the file cannot be read, or is neither text nor a DER CSR.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"CSR file {path} does not exist") from None
    except OSError as exc:
        raise UsageError(f"cannot read CSR file {path}: {exc.strerror or exc}") from None
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        pass
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    try:
        return x509.load_der_x509_csr(data).public_bytes(Encoding.PEM).decode("ascii")
    except ValueError:
        raise UsageError(f"CSR file {path} is neither a PEM nor a DER CSR") from None


def build_order_meta(args: argparse.Namespace) -> dict[str, Any]:
    """The order_meta of ``order submit``: a simple-cmc request plus the options."""
    from certorder.plugins.interface.status import CertificateRequestType

    meta: dict[str, Any] = {
        "request_type": CertificateRequestType.SIMPLE_CMC.value,
        "request_data": read_csr(args.csr),
    }
    for key, value in (
        ("plugin_name", args.plugin),
        ("ca_id", args.ca_id),
        ("profile", args.profile),
        ("validity_days", args.validity_days),
    ):
        if value is not None:
            meta[key] = value
    meta.update(meta_dict(args.meta))
    return meta
