"""A CA that goes down before renewal and stays down through notAfter: the renewal is
retried with backoff, visibly, the old certificate stays deployed, and the certificate
ends EXPIRED until `cert renew` (which works again once the CA is back)."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from managed_helpers import FAST, deployed_pair_matches, spec, start, wait_for
from order_harness import order_worker

from certorder.plugins import CertificatePluginBase, CoreMetaDTO, PluginContext, ResultDTO
from certorder.plugins.interface.status import CertificateRequestType, CertificateStatus
from certorder.workflows.managed_models import ManagedStatus
from certorder.workflows.managed_workflow import ManagedCertificateWorkflow

LIFETIME = dt.timedelta(seconds=12)


class ShortLivedCA(CertificatePluginBase):
    """Issues 12-second certificates from the stored key's CSR, until it is ``down``."""

    def __init__(self) -> None:
        super().__init__(PluginContext(name="short", data_dir=Path(tempfile.mkdtemp())))
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.name_ = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Short-lived test CA")])
        self.down = False

    def supported_request_types(self):
        return (CertificateRequestType.STORED_KEY,)

    def issue_certificate_request(self, order_id, order_meta, plugin_meta,
                                  core_meta: CoreMetaDTO) -> ResultDTO:
        if self.down:
            raise RuntimeError("the CA is down for maintenance")
        csr = x509.load_pem_x509_csr(core_meta.generated_csr.encode())
        now = dt.datetime.now(dt.UTC)
        sans = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        cert = (x509.CertificateBuilder().subject_name(csr.subject).issuer_name(self.name_)
                .public_key(csr.public_key()).serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(seconds=1)).not_valid_after(now + LIFETIME)
                .add_extension(sans, critical=False).sign(self.key, hashes.SHA256()))
        from cryptography.hazmat.primitives.serialization import Encoding
        return ResultDTO(status=CertificateStatus.CERTIFICATE_GENERATED,
                         certificate=cert.public_bytes(Encoding.PEM).decode())

    def check_certificate_status(self, *args):
        raise NotImplementedError

    def modify_certificate_request(self, *args):
        raise NotImplementedError

    def cancel_certificate_request(self, *args):
        raise NotImplementedError


async def test_ca_down_through_expiry_keeps_the_old_certificate_and_ends_expired(
        temporal_env, tmp_path):
    ca = ShortLivedCA()
    deploy = tmp_path / "deploy"
    policy = FAST.model_copy(update={"renew_at": 2 / 3})
    async with order_worker(temporal_env, {"short": ca}, tmp_path) as orders:
        handle = await start(orders.client, orders.task_queue, spec(deploy, renewal=policy,
                                                                    validity_days=None))
        first = await wait_for(handle, lambda s: len(s.versions) == 1)
        ca.down = True
        failing = await wait_for(handle, lambda s: s.status is ManagedStatus.RENEWAL_FAILING
                                 and s.failures >= 2, timeout=30)
        # EXPIRED shows as soon as notAfter passes, even mid-attempt; the attempt under
        # way then fails too, and no further one is scheduled.
        expired = await wait_for(handle, lambda s: s.status is ManagedStatus.EXPIRED
                                 and s.next_renewal_at is None, timeout=30)
        keys_while_down = orders.keys.key_ids()
        on_disk = deployed_pair_matches(deploy / "current")
        ca.down = False
        await handle.signal(ManagedCertificateWorkflow.renew)
        renewed = await wait_for(handle, lambda s: len(s.versions) == 2, timeout=30)
        await handle.signal(ManagedCertificateWorkflow.retire)

    v1 = first.versions[0]
    assert "the CA is down for maintenance" in failing.message
    assert "the current certificate stays deployed" in failing.message
    assert failing.next_renewal_at <= v1.not_after
    assert expired.failures > failing.failures or expired.orders_started > failing.orders_started
    assert dt.datetime.now(dt.UTC) > v1.not_after and expired.next_renewal_at is None
    assert "renewal failed through notAfter" in expired.message
    assert on_disk == (True, "v1")  # the old certificate stayed deployed throughout
    # Every retry reused the one key made for v2: v1's key and that one, nothing else.
    assert sorted(keys_while_down) == sorted([v1.key_id, expired.pending_key_id])
    assert renewed.versions[1].key_id == expired.pending_key_id
    assert renewed.status is ManagedStatus.ACTIVE
