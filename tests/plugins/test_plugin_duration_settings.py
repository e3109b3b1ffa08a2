"""Every duration in a plugin's settings is bounded: no inf, no 1e15, no 1e-9 s."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from certorder.plugins.acme.settings import AcmeSettings
from certorder.plugins.certcentral.settings import DigiCertSettings
from certorder.plugins.cfssl.settings import CfsslSettings
from certorder.plugins.dogtag.settings import DogtagSettings

REQUIRED = {
    AcmeSettings: {"directory_url": "https://127.0.0.1:14000/dir", "contact_email": "a@b.test"},
    DigiCertSettings: {"api_key": "k"},
    CfsslSettings: {"base_url": "http://127.0.0.1:8888"},
    DogtagSettings: {"base_url": "https://127.0.0.1:8443"},
}
FIELDS = [
    (AcmeSettings, "dns_hook_timeout"), (AcmeSettings, "network_timeout"),
    (AcmeSettings, "poll_retry_msec"), (AcmeSettings, "unavailable_retry_msec"),
    (DigiCertSettings, "connect_timeout"), (DigiCertSettings, "read_timeout"),
    (DigiCertSettings, "retry_msec"), (DigiCertSettings, "dcv_retry_msec"),
    (DigiCertSettings, "unavailable_retry_msec"),
    (CfsslSettings, "timeout"), (CfsslSettings, "unavailable_retry_msec"),
    (DogtagSettings, "timeout_seconds"), (DogtagSettings, "retry_msec"),
    (DogtagSettings, "unavailable_retry_msec"),
]  # fmt: skip


@pytest.mark.parametrize(("model", "field"), FIELDS, ids=[f"{m.__name__}.{f}" for m, f in FIELDS])
@pytest.mark.parametrize("value", [float("inf"), float("nan"), 1e15, -1])
def test_unusable_durations_are_refused(model, field, value, monkeypatch):
    for name in [n for n in __import__("os").environ if n.startswith("CERTORDER_")]:
        monkeypatch.delenv(name)
    if field.endswith("_msec") and value != value:
        pytest.skip("an integer field cannot be NaN")
    with pytest.raises(ValidationError):
        model(**REQUIRED[model], **{field: value})


@pytest.mark.parametrize("model", list(REQUIRED), ids=[m.__name__ for m in REQUIRED])
def test_defaults_are_within_the_bounds(model):
    model(**REQUIRED[model])
