"""The local CA's sub-CAs: chains, persistence, other processes, deletion, threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from cryptography import x509
from x509_helpers import make_csr, make_key, verify_server_chain

from certorder.plugins.interface.dto import CACreateDTO, CoreMetaDTO
from certorder.plugins.interface.errors import CAOperationError, UnknownCAError
from certorder.plugins.interface.shared_state_files import DirectorySharedState
from certorder.plugins.interface.status import CertificateStatus

HOST = "svc.example.test"


def _certs(pem: str | None) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(pem.encode()) if pem else []


def _ext(cert: x509.Certificate, kind: type) -> x509.Extension:
    return cert.extensions.get_extension_for_class(kind)


def test_leaves_of_sub_and_sub_sub_cas_verify_through_their_intermediates(local_ca, local_ca_issue):
    sub = local_ca.create_ca(CACreateDTO(name="Web servers", description="for the web tier"))
    deep = local_ca.create_ca(CACreateDTO(name="Edge", parent_ca_id=sub.ca_id))
    root_pem = local_ca.get_default_signing_cert()
    [root] = _certs(root_pem)
    [sub_cert], [deep_cert] = (
        _certs(sub.ca_signing_certificate),
        _certs(deep.ca_signing_certificate),
    )

    for ca, expected in [(sub, [sub_cert]), (deep, [deep_cert, sub_cert])]:
        result, plugin_meta = local_ca_issue(local_ca, make_csr(make_key(), [HOST]), ca.ca_id)
        assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result.status_message
        assert _certs(result.intermediates) == expected
        assert plugin_meta["ca_id"] == ca.ca_id
        chain = verify_server_chain(result.certificate, result.intermediates, root_pem, HOST)
        assert chain[1:] == [*expected, root]
        # Without the intermediates the leaf must not verify: the chain is really needed.
        with pytest.raises(x509.verification.VerificationError):
            verify_server_chain(result.certificate, None, root_pem, HOST)

    assert sub.parent_ca_id == "root" and deep.parent_ca_id == sub.ca_id
    assert _certs(deep.intermediates) == [sub_cert] and sub.intermediates is None
    assert deep.expiration == deep_cert.not_valid_after_utc <= sub_cert.not_valid_after_utc
    for cert, issuer, path_length in [(sub_cert, root, 3), (deep_cert, sub_cert, 2)]:
        constraints = _ext(cert, x509.BasicConstraints)
        assert constraints.critical and constraints.value.ca
        assert constraints.value.path_length == path_length
        usage = _ext(cert, x509.KeyUsage).value
        assert usage.key_cert_sign and usage.crl_sign and not usage.digital_signature
        aki = _ext(cert, x509.AuthorityKeyIdentifier).value.key_identifier
        assert aki == _ext(issuer, x509.SubjectKeyIdentifier).value.digest
        cert.verify_directly_issued_by(issuer)
    assert _ext(root, x509.BasicConstraints).value.path_length == 4


def test_sub_cas_survive_a_restart_with_their_names(make_local_ca, local_ca_issue, tmp_path):
    first = make_local_ca()
    sub = first.create_ca(CACreateDTO(name="Payments", description="PCI zone"))
    deep = first.create_ca(CACreateDTO(name="Payments batch", parent_ca_id=sub.ca_id))
    before = {info.ca_id: info for info in first.get_ca_info()}

    again = make_local_ca(tmp_path)
    after = {info.ca_id: info for info in again.get_ca_info()}
    assert after == before
    assert list(after) == ["root", sub.ca_id, deep.ca_id]
    assert after[sub.ca_id].name == "Payments"
    assert after[sub.ca_id].description == "PCI zone"
    assert after[deep.ca_id].parent_ca_id == sub.ca_id
    result, _ = local_ca_issue(again, make_csr(make_key(), [HOST]), deep.ca_id)
    verify_server_chain(
        result.certificate, result.intermediates, first.get_default_signing_cert(), HOST
    )


def test_a_running_instance_finds_and_forgets_cas_changed_by_another(
    make_local_ca, local_ca_issue, tmp_path
):
    worker, cli = make_local_ca(), make_local_ca(tmp_path)
    worker.get_ca_info()  # the worker has scanned the directory already

    created = cli.create_ca(CACreateDTO(name="made by the CLI"))
    result, _ = local_ca_issue(worker, make_csr(make_key(), [HOST]), created.ca_id)
    assert result.status is CertificateStatus.CERTIFICATE_GENERATED, result.status_message

    cli.delete_ca(created.ca_id)
    result, _ = local_ca_issue(worker, make_csr(make_key(), [HOST]), created.ca_id)
    assert result.status is CertificateStatus.INVALID_OPERATION
    assert created.ca_id in result.status_message
    assert [info.ca_id for info in worker.get_ca_info()] == ["root"]


def test_delete_rules(local_ca, local_ca_issue):
    sub = local_ca.create_ca(CACreateDTO(name="ops"))
    child = local_ca.create_ca(CACreateDTO(name="ops child", parent_ca_id=sub.ca_id))
    with pytest.raises(CAOperationError, match="root CA cannot be deleted"):
        local_ca.delete_ca("root")
    with pytest.raises(CAOperationError, match=f"still has sub-CAs \\({child.ca_id}\\)"):
        local_ca.delete_ca(sub.ca_id)
    with pytest.raises(UnknownCAError):
        local_ca.delete_ca("no-such-ca")

    local_ca.delete_ca(child.ca_id)
    local_ca.delete_ca(sub.ca_id)
    for ca_id in (child.ca_id, sub.ca_id):
        result, _ = local_ca_issue(local_ca, make_csr(make_key()), ca_id)
        assert result.status is CertificateStatus.INVALID_OPERATION
        assert result.status_message == f"unknown local CA id {ca_id!r}"
    assert [info.ca_id for info in local_ca.get_ca_info()] == ["root"]
    assert local_ca.supports_create_ca()


@pytest.mark.parametrize("ca_id", ["nope-12345678", "../root", "ROOT", ""])
def test_unknown_or_malformed_ca_ids_are_invalid_operations(local_ca, local_ca_issue, ca_id):
    result, _ = local_ca_issue(local_ca, make_csr(make_key()), ca_id or None)
    if ca_id == "":
        assert result.status is CertificateStatus.CERTIFICATE_GENERATED  # None: the root
        return
    assert result.status is CertificateStatus.INVALID_OPERATION
    assert "unknown local CA id" in result.status_message


def test_create_ca_checks_parent_subject_and_path_length(make_local_ca):
    plugin = make_local_ca(max_sub_ca_depth=1)
    with pytest.raises(UnknownCAError):
        plugin.create_ca(CACreateDTO(name="orphan", parent_ca_id="missing-00000000"))
    with pytest.raises(CAOperationError, match="not an RFC 4514 name"):
        plugin.create_ca(CACreateDTO(name="bad", subject_dn="this is not a DN"))

    named = plugin.create_ca(CACreateDTO(name="Named", subject_dn="CN=Team CA,O=Example"))
    [cert] = _certs(named.ca_signing_certificate)
    assert cert.subject.rfc4514_string() == "CN=Team CA,O=Example"
    assert named.ca_id.startswith("named-")
    with pytest.raises(CAOperationError, match="path length is 0"):
        plugin.create_ca(CACreateDTO(name="too deep", parent_ca_id=named.ca_id))


def test_concurrent_first_use_creates_one_root(make_local_ca, tmp_path):
    # Two instances (as two processes would) and several threads each race to the root.
    plugins = [make_local_ca(), make_local_ca(tmp_path)]
    csrs = [make_csr(make_key(), [HOST]) for _ in range(4)]

    def issue(index: int) -> str:
        plugin = plugins[index % 2]
        meta = {"request_data": csrs[index % 4]}
        return plugin.issue_certificate_request(f"o{index}", meta, {}, CoreMetaDTO()).certificate

    with ThreadPoolExecutor(max_workers=8) as pool:
        leaves = list(pool.map(issue, range(16)))
    roots = {plugin.get_default_signing_cert() for plugin in plugins}
    assert len(roots) == 1
    assert list(DirectorySharedState(tmp_path / "state").list("ca/")) == ["ca/root"]
    [root_pem] = roots
    for leaf in leaves:
        verify_server_chain(leaf, None, root_pem, HOST)

