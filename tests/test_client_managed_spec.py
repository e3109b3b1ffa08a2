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


def test_a_wait_recorded_before_the_bound_passes_as_it_is_and_a_new_one_does_not():
    old = RenewalPolicy(retry_max_seconds=200 * 365 * 86_400)
    recorded = SPEC.model_copy(update={"renewal": old})
    # Another field changed (here renew_at): the recorded wait is kept, not refused.
    changed = recorded.model_copy(update={"renewal": old.model_copy(update={"renew_at": 0.5})})
    assert check_spec(changed, recorded=old).renewal.renew_at == 0.5
    # The same length in another field, or another over-long length, is new: refused.
    for smuggled in ({"retry_initial_seconds": old.retry_max_seconds},
                     {"retry_max_seconds": old.retry_max_seconds + 1}):
        with pytest.raises(InvalidInputError, match="at most 36500 days"):
            check_spec(recorded.model_copy(update={"renewal": old.model_copy(
                update=smuggled)}), recorded=old)
