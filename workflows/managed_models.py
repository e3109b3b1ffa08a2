"""What crosses the managed-certificate workflow's boundary: its spec, its state (the
``state`` query, carried across continue-as-new) and its signals' and update's inputs.

No Temporal import (the client and CLI use these too), and only public data: keys are
named by id, certificates are public.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from certorder.activities.key_models import DEFAULT_KEY_TYPE, KeyType
from certorder.plugins.interface.renewal_info import RenewalWindow

#: Workflow type, and the id prefix: one workflow per certificate name.
MANAGED_WORKFLOW_TYPE = "ManagedCertificateWorkflow"
MANAGED_ID_PREFIX = "certificate-"
#: The default renewal point: two thirds into the certificate's lifetime.
DEFAULT_RENEW_AT = 2 / 3
#: How many issued versions the state keeps (older ones are in the store and history).
VERSIONS_KEPT = 10


def managed_workflow_id(name: str) -> str:
    return f"{MANAGED_ID_PREFIX}{name}"


#: The longest duration a new renewal policy may name (checked where policies come in:
#: the CLI and the SDK, ``certorder.client_managed.check_spec``): far beyond any
#: certificate's lifetime, and far inside what a timer or a datetime can hold. Not a
#: bound of the model: a running workflow's recorded input must still decode, and
#: ``renewal_policy`` bounds what it uses instead.
MAX_POLICY_SECONDS = 100 * 365 * 86_400


def over_bound_message(field: str) -> str:
    return (f"renewal wait {field} must be a number of seconds, at most "
            f"{MAX_POLICY_SECONDS // 86_400} days")


class RenewalPolicy(BaseModel):
    """When to renew: ``renew_before_seconds`` before notAfter, else at ``renew_at`` of
    the lifetime."""

    renew_at: float = Field(default=DEFAULT_RENEW_AT, gt=0, lt=1)
    renew_before_seconds: float | None = Field(default=None, gt=0)
    #: First wait after a failed renewal; doubles up to ``retry_max_seconds``.
    retry_initial_seconds: float = Field(default=60, gt=0)
    retry_max_seconds: float = Field(default=6 * 3600, gt=0)

    def waits(self) -> dict[str, float]:
        """The durations the policy names, by field."""
        named = {"renew_before_seconds": self.renew_before_seconds,
                 "retry_initial_seconds": self.retry_initial_seconds,
                 "retry_max_seconds": self.retry_max_seconds}
        return {field: value for field, value in named.items() if value is not None}

    def waits_over_bound(self, recorded: RenewalPolicy | None = None) -> list[str]:
        """The fields naming a wait over :data:`MAX_POLICY_SECONDS`, except those that
        ``recorded`` (the certificate's policy now) already holds as they are."""
        kept = recorded.waits() if recorded is not None else {}
        return [field for field, wait in self.waits().items()
                if not 0 < wait <= MAX_POLICY_SECONDS and kept.get(field) != wait]


class CertificateSpec(BaseModel):
    """What to issue and where to put it."""

    dns_names: list[str] = Field(default_factory=list)
    ip_addresses: list[str] = Field(default_factory=list)
    plugin_name: str | None = None
    ca_id: str | None = None
    key_type: KeyType = DEFAULT_KEY_TYPE
    validity_days: int | None = Field(default=None, ge=1)
    renewal: RenewalPolicy = Field(default_factory=RenewalPolicy)
    reuse_key: bool = False
    deploy_dir: str | None = None
    deploy_hook: str | None = None

    @model_validator(mode="after")
    def _has_a_name(self) -> CertificateSpec:
        if not self.dns_names and not self.ip_addresses:
            raise ValueError("a certificate needs at least one --dns or --ip")
        return self

    def order_meta(self, key_id: str) -> dict:
        meta: dict = {"request_type": "stored-key", "key_id": key_id,
                      "dns_names": list(self.dns_names), "ip_addresses": list(self.ip_addresses)}
        for field in ("plugin_name", "ca_id", "validity_days"):
            if getattr(self, field) is not None:
                meta[field] = getattr(self, field)
        return meta


class ManagedStatus(StrEnum):
    ISSUING = "ISSUING"  #: no certificate yet
    ACTIVE = "ACTIVE"  #: deployed, waiting for its renewal time
    RENEWING = "RENEWING"
    RENEWAL_FAILING = "RENEWAL_FAILING"  #: the current one stays deployed; retrying
    EXPIRED = "EXPIRED"  #: renewal failed through notAfter; waits for `cert renew`
    RETIRED = "RETIRED"  #: no more renewals; the workflow has ended


class CertificateVersion(BaseModel):
    version: int
    key_id: str
    order_id: str
    container_id: str
    serial: str
    not_before: datetime
    not_after: datetime
    fingerprint_sha256: str
    issued_at: datetime
    plugin_name: str | None = None
    issuer: str = ""
    deployed_to: str | None = None
    hook_result: str | None = None


class ManagedCertificate(BaseModel):
    """The ``state`` query: everything the workflow knows and carries."""

    name: str
    spec: CertificateSpec
    #: Random, fixed when the name is issued: in every order id, so that a name retired
    #: and issued again never reuses an old order's id (the store keys certificates by it).
    lineage: str = ""
    #: A `cert modify` waiting for the next renewal.
    pending_spec: CertificateSpec | None = None
    status: ManagedStatus = ManagedStatus.ISSUING
    message: str | None = None
    versions: list[CertificateVersion] = Field(default_factory=list)
    #: The current certificate and chain (PEM: public), so `cert get` needs only Temporal.
    certificate: str | None = Field(default=None, repr=False)
    chain: str | None = Field(default=None, repr=False)
    current_order_id: str | None = None
    next_renewal_at: datetime | None = None
    next_renewal_reason: str | None = None
    #: The CA's suggested window for the current certificate (ACME ARI), when it gave one.
    renewal_window: RenewalWindow | None = None
    #: When to ask the CA for its renewal window again (its Retry-After).
    renewal_info_recheck_at: datetime | None = None
    #: Asks in a row that reached a worker without the certificate's plugin.
    renewal_info_not_on_worker: int = 0
    #: The key made for the version being issued: reused by every retry of it.
    pending_key_id: str | None = None
    next_version: int = 1
    failures: int = 0
    orders_started: int = 0
    renew_requested: bool = False
    retire_requested: bool = False
    #: Keys revoked for keyCompromise: never reused (even with reuse_key), never deployed.
    compromised_key_ids: list[str] = Field(default_factory=list)
    #: How long one activity (and each plugin call of the child orders) may run before
    #: it is abandoned and made again: how soon a dead worker's call is retried.
    call_timeout_seconds: float = Field(default=120, gt=0)

    @property
    def current(self) -> CertificateVersion | None:
        return self.versions[-1] if self.versions else None


class KeyCompromised(BaseModel):
    """Signal ``compromised``: the key of this order's certificate is being revoked for
    keyCompromise (sent by the revocation workflow ``revoke-<order_id>``)."""

    order_id: str


class ManagedInput(BaseModel):
    name: str
    spec: CertificateSpec | None = None
    carried: ManagedCertificate | None = None
    call_timeout_seconds: float = Field(default=120, gt=0)


class ModifyCertificate(BaseModel):
    """Update ``modify``: fields left None keep their value; applies at the next renewal
    (now with ``renew_now``)."""

    dns_names: list[str] | None = None
    ip_addresses: list[str] | None = None
    renewal: RenewalPolicy | None = None
    deploy_hook: str | None = None
    clear_deploy_hook: bool = False
    renew_now: bool = False

    def applied_to(self, spec: CertificateSpec) -> CertificateSpec:
        changes: dict = {}
        for field in ("dns_names", "ip_addresses", "renewal"):
            if getattr(self, field) is not None:
                changes[field] = getattr(self, field)
        if self.deploy_hook is not None or self.clear_deploy_hook:
            changes["deploy_hook"] = None if self.clear_deploy_hook else self.deploy_hook
        return CertificateSpec.model_validate({**spec.model_dump(), **changes})
