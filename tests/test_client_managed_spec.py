"""The SDK checks a managed certificate's spec before any workflow starts: a spec made
with ``model_copy(update=...)`` skips pydantic's validation, and a value the model
refuses would fail every workflow task of the certificate."""

from __future__ import annotations

import pytest

from certorder.client_errors import InvalidInputError
from certorder.client_managed import check_spec
from certorder.workflows.managed_models import CertificateSpec, RenewalPolicy

SPEC = CertificateSpec(dns_names=["www.example.test"], plugin_name="local-ca")


def test_a_valid_spec_is_returned_as_validated():
    assert check_spec(SPEC) == SPEC


def test_a_value_smuggled_past_validation_is_refused_in_one_line():
    smuggled = SPEC.model_copy(update={"renewal": RenewalPolicy().model_copy(
        update={"retry_max_seconds": -5})})
    with pytest.raises(InvalidInputError, match="invalid certificate spec: .*greater than 0"):
        check_spec(smuggled)


@pytest.mark.parametrize("field", ["retry_initial_seconds", "retry_max_seconds",
                                   "renew_before_seconds"])
@pytest.mark.parametrize("value", [4e9, float("inf"), float("nan")])
def test_an_endless_renewal_wait_is_refused(field, value):
    endless = SPEC.model_copy(update={"renewal": RenewalPolicy().model_copy(
        update={field: value})})
    # NaN is not greater than 0, so the model's own check refuses it first.
    with pytest.raises(InvalidInputError, match="at most 36500 days|greater than 0"):
        check_spec(endless)
