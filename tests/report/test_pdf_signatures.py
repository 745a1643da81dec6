"""Role signatures in the PDF report (pyHanko): real keys, real signing, real verification.

The keys and certificates are made here with ``cryptography``, so nothing is fetched.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader, PdfWriter

from riskcheck.core.errors import RiskcheckError
from riskcheck.report.pdfsign import describe, sign_report, verify_report

from .conftest import Rendered

ROLES = ("product", "legal", "privacy")


@dataclass(frozen=True)
class Identity:
    key: Path
    cert: Path


def make_identity(directory: Path, name: str, *, passphrase: bytes | None = None) -> Identity:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Example Co")]
    )
    now = dt.datetime.now(dt.UTC)
    usage = x509.KeyUsage(
        digital_signature=True,
        content_commitment=True,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=False,
        crl_sign=False,
        encipher_only=False,
        decipher_only=False,
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(usage, critical=True)
        .sign(key, hashes.SHA256())
    )
    encryption = serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    slug = name.lower().replace(" ", "-")
    key_path, cert_path = directory / f"{slug}.key.pem", directory / f"{slug}.cert.pem"
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Identity(key_path, cert_path)


@pytest.fixture(scope="module")
def people(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Identity]:
    directory = tmp_path_factory.mktemp("keys")
    return {
        "dana": make_identity(directory, "Dana Counsel"),
        "sam": make_identity(directory, "Sam Product"),
        "mallory": make_identity(directory, "Mallory Other"),
        "locked": make_identity(directory, "Lee Privacy", passphrase=b"correct horse"),
    }


@pytest.fixture
def report(tmp_path: Path, demo_report: Rendered) -> Path:
    path = tmp_path / "report.pdf"
    path.write_bytes(demo_report.pdf)
    return path


@pytest.fixture(scope="module")
def signed_bytes(tmp_path_factory: pytest.TempPathFactory, demo_report: Rendered, people: dict[str, Identity]) -> bytes:
    """The demo report signed by all three roles, made once for the tests that only tamper with it."""
    path = tmp_path_factory.mktemp("signed") / "report.pdf"
    path.write_bytes(demo_report.pdf)
    sign_all(path, people)
    return path.read_bytes()


@pytest.fixture
def signed(tmp_path: Path, signed_bytes: bytes) -> Path:
    path = tmp_path / "signed.pdf"
    path.write_bytes(signed_bytes)
    return path


def riskcheck(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "riskcheck", *args], capture_output=True, text=True, timeout=120, env=env
    )


def sign_all(report: Path, people: dict[str, Identity]) -> None:
    sign_report(report, role="product", key=people["sam"].key, certificate=people["sam"].cert)
    sign_report(report, role="legal", key=people["dana"].key, certificate=people["dana"].cert)
    sign_report(
        report,
        role="privacy",
        key=people["locked"].key,
        certificate=people["locked"].cert,
        passphrase=b"correct horse",
    )


def test_each_role_signs_in_turn_and_every_signature_still_holds(
    report: Path, people: dict[str, Identity], demo_report: Rendered
) -> None:
    first = sign_report(report, role="legal", key=people["dana"].key, certificate=people["dana"].cert)
    assert (first.role, first.state) == ("legal", "signed")
    assert first.signer == "Organization: Example Co, Common Name: Dana Counsel"
    partial = verify_report(report)
    assert [(s.role, s.state) for s in partial.signatures] == [
        ("product", "missing"),
        ("legal", "signed"),
        ("privacy", "missing"),
    ]
    assert not partial.ok

    sign_report(report, role="product", key=people["sam"].key, certificate=people["sam"].cert)
    sign_report(
        report,
        role="privacy",
        key=people["locked"].key,
        certificate=people["locked"].cert,
        passphrase=b"correct horse",
    )
    done = verify_report(report)
    assert [(s.role, s.state) for s in done.signatures] == [(r, "signed") for r in ROLES]
    assert [s.trusted for s in done.signatures] == [None, None, None]  # no --trust: not checked
    assert done.ok and not done.unsigned_update

    # The signed file is still the report: its text and its attached result are unchanged.
    reader = PdfReader(report)
    assert [page.extract_text() for page in reader.pages] == demo_report.pages
    attached = reader.attachments["riskcheck-result.json"]
    assert json.loads(attached[0]) == json.loads(
        PdfReader(io.BytesIO(demo_report.pdf)).attachments["riskcheck-result.json"][0]
    )


def test_trust_is_checked_against_the_certificates_given(signed: Path, people: dict[str, Identity]) -> None:
    report = signed
    everyone = [people[p].cert for p in ("sam", "dana", "locked")]
    assert verify_report(report, trust=everyone).ok
    partly = verify_report(report, trust=[people["dana"].cert])
    assert [(s.role, s.trusted) for s in partly.signatures] == [
        ("product", False),
        ("legal", True),
        ("privacy", False),
    ]
    assert not partly.ok
    assert "  product: signed (signer: Organization: Example Co, Common Name: Sam Product; signed at " in describe(
        partly
    )
    assert "; NOT trusted: not issued by a --trust certificate)" in describe(partly)


def test_a_changed_byte_breaks_every_signature(signed: Path, people: dict[str, Identity]) -> None:
    report = signed
    data = bytearray(report.read_bytes())
    where = data.index(b"/Title")  # in the first revision, which every signature covers
    data[where + 10] ^= 0x01
    report.write_bytes(bytes(data))
    verification = verify_report(report)
    assert [s.state for s in verification.signatures] == ["broken", "broken", "broken"]
    assert "  legal: BROKEN: the bytes it covers have changed, or it cannot be read (signer: " in describe(verification)


def test_an_update_appended_after_signing_is_reported(signed: Path, people: dict[str, Identity]) -> None:
    report = signed
    # A changed title, appended as an incremental update: every signature still
    # verifies over the bytes it covers, but the file is not what was signed.
    writer = PdfWriter(str(report), incremental=True)
    writer.add_metadata({"/Title": "Risk assessment: something else"})
    changed = report.with_name("changed.pdf")
    with changed.open("wb") as handle:
        writer.write(handle)
    verification = verify_report(changed)
    assert [s.state for s in verification.signatures] == ["signed", "signed", "signed"]
    assert verification.unsigned_update and not verification.ok
    assert describe(verification).endswith("  CHANGED: the file has an update that no role signed")


def test_a_page_changed_after_signing_is_modified(report: Path, people: dict[str, Identity]) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    sign_report(report, role="legal", key=people["dana"].key, certificate=people["dana"].cert)
    with report.open("rb") as handle:
        writer = IncrementalPdfFileWriter(handle)
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        page["/Rotate"] = generic.NumberObject(90)
        writer.update_container(page)
        out = io.BytesIO()
        writer.write(out)
    report.write_bytes(out.getvalue())
    (legal,) = [s for s in verify_report(report).signatures if s.role == "legal"]
    assert legal.state == "modified"


def test_the_commands_exit_codes_and_messages(report: Path, people: dict[str, Identity]) -> None:
    dana, sam = people["dana"], people["sam"]
    signed = riskcheck("sign-pdf", str(report), "--role", "legal", "--key", str(dana.key), "--cert", str(dana.cert))
    assert (signed.returncode, signed.stdout) == (
        0,
        f"{report}: signed for legal by Organization: Example Co, Common Name: Dana Counsel\n",
    )
    check = riskcheck("verify-pdf", str(report), "--trust", str(dana.cert))
    assert check.returncode == 1
    assert check.stdout.splitlines()[0] == f"{report}: NOT accepted"
    assert f"  product: not signed (riskcheck sign-pdf {report} --role product ...)" in check.stdout
    again = riskcheck("sign-pdf", str(report), "--role", "legal", "--key", str(sam.key), "--cert", str(sam.cert))
    assert (again.returncode, again.stderr) == (
        2,
        f"error: {report}: already signed for legal by Organization: Example Co, Common Name: Dana Counsel; "
        "a role signs once\n",
    )
    locked = people["locked"]
    base = ["sign-pdf", str(report), "--role", "privacy", "--key", str(locked.key), "--cert", str(locked.cert)]
    no_pass = riskcheck(*base)
    assert no_pass.returncode == 2
    assert no_pass.stderr.startswith(f"error: {locked.key}: cannot load the key and certificate {locked.cert}: ")
    missing_env = riskcheck(*base, "--passphrase-env", "RISKCHECK_TEST_UNSET")
    assert (missing_env.returncode, missing_env.stderr) == (
        2,
        "error: --passphrase-env: the environment variable 'RISKCHECK_TEST_UNSET' is not set\n",
    )
    import os

    env = {**os.environ, "KEY_PASSPHRASE": "correct horse"}
    with_pass = riskcheck(*base, "--passphrase-env", "KEY_PASSPHRASE", env=env)
    assert with_pass.returncode == 0, with_pass.stderr
    riskcheck("sign-pdf", str(report), "--role", "product", "--key", str(sam.key), "--cert", str(sam.cert))
    trusted = [arg for p in ("dana", "sam", "locked") for arg in ("--trust", str(people[p].cert))]
    final = riskcheck("verify-pdf", str(report), *trusted)
    assert final.returncode == 0, final.stdout
    assert final.stdout.splitlines()[0] == f"{report}: all required roles signed, nothing changed since"


@pytest.mark.parametrize(
    ("role", "who", "message"),
    [
        (
            "ceo",
            "dana",
            "{report}: the report needs no signature from 'ceo'; its questionnaire requires product, legal, privacy",
        ),
        ("legal", "mismatch", "{key}: the signature does not verify; is this the key of {cert}?"),
    ],
    ids=["role-not-required", "key-of-another-certificate"],
)
def test_signing_refuses_what_it_cannot_stand_behind(
    report: Path, people: dict[str, Identity], role: str, who: str, message: str
) -> None:
    before = report.read_bytes()
    key, cert = (
        (people["mallory"].key, people["dana"].cert) if who == "mismatch" else (people[who].key, people[who].cert)
    )
    with pytest.raises(RiskcheckError) as caught:
        sign_report(report, role=role, key=key, certificate=cert)
    assert str(caught.value) == message.format(report=report, key=key, cert=cert)
    assert report.read_bytes() == before  # nothing written


def test_files_that_are_not_riskcheck_reports_are_refused(tmp_path: Path, people: dict[str, Identity]) -> None:
    text = tmp_path / "notes.pdf"
    text.write_text("not a pdf", encoding="utf-8")
    with pytest.raises(RiskcheckError) as caught:
        verify_report(text)
    assert str(caught.value) == f"{text}: not a PDF file; expected a report written by riskcheck report"
    blank = tmp_path / "blank.pdf"
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    with blank.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(RiskcheckError) as caught:
        sign_report(blank, role="legal", key=people["dana"].key, certificate=people["dana"].cert)
    assert str(caught.value) == (
        f"{blank}: has no attached riskcheck-result.json; expected a report written by riskcheck report"
    )


def _rewrite(report: Path, change: Any) -> None:
    """Append an incremental update made by ``change(writer)`` to ``report``."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(report.read_bytes()), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    report.write_bytes(out.getvalue())


def test_rewriting_the_page_and_the_attached_roles_after_signing_is_not_accepted(
    signed: Path, people: dict[str, Identity]
) -> None:
    from pyhanko.pdf_utils import generic

    report = signed

    def forge(writer: Any) -> None:
        # What a forger would do: a new first page, and an attached result that
        # requires no roles, so that no signature would seem to be missing.
        page = writer.root["/Pages"]["/Kids"][0].get_object()
        page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 700 Td (OK) Tj ET"))
        writer.update_container(page)
        spec = writer.root["/Names"]["/EmbeddedFiles"]["/Names"][1].get_object()
        result = json.loads(spec["/EF"]["/F"].get_object().data)
        result["signoffs"]["required_roles"] = []
        spec["/EF"]["/F"] = writer.add_object(generic.StreamObject(stream_data=json.dumps(result).encode()))
        writer.update_container(spec)

    _rewrite(report, forge)
    verification = verify_report(report, trust=[people[p].cert for p in ("sam", "dana", "locked")])
    assert verification.required_roles == ROLES  # read from what was signed, not from the forgery
    assert [s.state for s in verification.signatures] == ["modified", "modified", "modified"]
    assert not verification.ok
    check = riskcheck("verify-pdf", str(report))
    assert check.returncode == 1
    assert check.stdout.splitlines()[0] == f"{report}: NOT accepted"


def test_roles_rewritten_before_anyone_signs_are_ignored_and_signing_is_refused(
    tmp_path: Path, demo_report: Rendered, people: dict[str, Identity]
) -> None:
    from pyhanko.pdf_utils import generic

    report = tmp_path / "report.pdf"
    report.write_bytes(demo_report.pdf)

    def fewer_roles(writer: Any) -> None:
        spec = writer.root["/Names"]["/EmbeddedFiles"]["/Names"][1].get_object()
        result = json.loads(spec["/EF"]["/F"].get_object().data)
        result["signoffs"]["required_roles"] = ["product"]
        spec["/EF"]["/F"] = writer.add_object(generic.StreamObject(stream_data=json.dumps(result).encode()))
        writer.update_container(spec)

    _rewrite(report, fewer_roles)
    verification = verify_report(report)
    assert verification.required_roles == ROLES  # from the report as rendered
    assert verification.unsigned_update and not verification.ok
    assert "  CHANGED: the file has an update that no role signed" in describe(verification)
    with pytest.raises(RiskcheckError) as caught:
        sign_report(report, role="product", key=people["sam"].key, certificate=people["sam"].cert)
    assert str(caught.value) == (
        f"{report}: was changed after it was rendered, or its signatures do not hold "
        f"(see riskcheck verify-pdf {report}); sign a freshly rendered report instead"
    )


def test_a_signature_outside_the_roles_fails_the_check_even_with_trust(
    signed: Path, people: dict[str, Identity]
) -> None:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    # Someone else adds a signature field of their own, drawn over the whole cover.
    with signed.open("rb") as handle:
        writer = IncrementalPdfFileWriter(handle, strict=False)
        fields.append_signature_field(writer, fields.SigFieldSpec("Approval", box=(0, 0, 595, 842)))
        mallory = signers.SimpleSigner.load(str(people["mallory"].key), str(people["mallory"].cert))
        out = io.BytesIO()
        signers.sign_pdf(writer, signers.PdfSignatureMetadata(field_name="Approval"), signer=mallory, output=out)
    signed.write_bytes(out.getvalue())
    verification = verify_report(signed, trust=[people[p].cert for p in ("sam", "dana", "locked")])
    assert [s.state for s in verification.signatures] == ["signed", "signed", "signed"]
    assert not verification.ok
    assert verification.other_problems == ("a signature in field 'Approval', which is not a required role's (signed)",)
    assert "  NOT a riskcheck signing: a signature in field 'Approval'" in describe(verification)


def test_trust_can_be_bound_to_a_role(signed: Path, people: dict[str, Identity]) -> None:
    sam, dana, lee = (str(people[p].cert) for p in ("sam", "dana", "locked"))
    assert verify_report(signed, trust=[f"product={sam}", f"legal={dana}", f"privacy={lee}"]).ok
    # Dana's certificate does not vouch for the product role, and a role with no
    # certificate of its own is not trusted once any trust is given.
    verification = verify_report(signed, trust=[f"product={dana}", f"legal={dana}"])
    assert [(s.role, s.trusted) for s in verification.signatures] == [
        ("product", False),
        ("legal", True),
        ("privacy", False),
    ]
    assert not verification.ok


def test_a_file_with_many_updates_is_refused_without_validating_them(tmp_path: Path, signed_bytes: bytes) -> None:
    report = tmp_path / "report.pdf"
    report.write_bytes(signed_bytes)
    from pyhanko.pdf_utils import generic

    def retitle(writer: Any, title: str) -> None:
        info = generic.DictionaryObject({generic.NameObject("/Title"): generic.TextStringObject(title)})
        writer.set_info(writer.add_object(info))

    for n in range(3):
        _rewrite(report, lambda writer, n=n: retitle(writer, f"Edit {n}"))
    verification = verify_report(report)
    assert [s.state for s in verification.signatures] == ["unchecked", "unchecked", "unchecked"]
    assert verification.other_problems == (
        "the file has 6 update(s) and 3 signature(s); a report signed with riskcheck sign-pdf has at most "
        "one of each per required role (3)",
    )
    assert not verification.ok


def test_a_garbled_signature_field_is_a_clean_error(report: Path, people: dict[str, Identity]) -> None:
    from pyhanko.pdf_utils import generic

    def garble(writer: Any) -> None:
        name = generic.NameObject
        signature = generic.DictionaryObject(
            {
                name("/Type"): name("/Sig"),
                name("/Filter"): name("/Adobe.PPKLite"),
                name("/SubFilter"): name("/ETSI.CAdES.detached"),
                name("/ByteRange"): generic.ArrayObject([generic.NumberObject(n) for n in (0, 10, 20, 10)]),
                name("/Contents"): generic.ByteStringObject(b"garbage"),
            }
        )
        field = generic.DictionaryObject(
            {
                name("/FT"): name("/Sig"),
                name("/T"): generic.TextStringObject("riskcheck-legal"),
                name("/V"): writer.add_object(signature),
            }
        )
        form = generic.DictionaryObject({name("/Fields"): generic.ArrayObject([writer.add_object(field)])})
        writer.root["/AcroForm"] = writer.add_object(form)
        writer.update_root()

    _rewrite(report, garble)
    for args in (
        ("verify-pdf", str(report)),
        (
            "sign-pdf",
            str(report),
            "--role",
            "product",
            "--key",
            str(people["sam"].key),
            "--cert",
            str(people["sam"].cert),
        ),
    ):
        run = riskcheck(*args)
        assert run.returncode == 2, run.stderr
        assert run.stderr.startswith(f"error: {report}: cannot read the signatures in this PDF (")
        assert "Traceback" not in run.stderr


def test_hostile_certificates_and_trust_files_are_clean_errors(
    tmp_path: Path, report: Path, people: dict[str, Identity]
) -> None:
    broken = tmp_path / "broken.pem"
    broken.write_text("-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n", encoding="ascii")
    run = riskcheck("verify-pdf", str(report), "--trust", str(broken))
    assert run.returncode == 2
    assert run.stderr.startswith(f"error: {broken}: cannot read this certificate (")
    assert "\n" not in run.stderr.rstrip("\n")  # one line, however the parser words it
    run = riskcheck("verify-pdf", str(report), "--trust", "/dev/zero")
    assert (run.returncode, run.stderr) == (
        2,
        "error: /dev/zero: is not a regular file (a pipe or a device?); expected a file\n",
    )
    with pytest.raises(RiskcheckError) as caught:
        sign_report(report, role="legal", key=people["dana"].key, certificate=broken)
    assert str(caught.value).startswith(f"{people['dana'].key}: cannot load the key and certificate {broken}: ")


def test_an_unwritable_output_and_a_passphrase_that_is_not_utf8_are_clean_errors(
    tmp_path: Path, report: Path, people: dict[str, Identity]
) -> None:
    import os

    dana = people["dana"]
    target = tmp_path / "missing-directory" / "signed.pdf"
    run = riskcheck(
        "sign-pdf", str(report), "--role", "legal", "--key", str(dana.key), "--cert", str(dana.cert), "-o", str(target)
    )
    assert (run.returncode, run.stderr) == (
        2,
        f"error: {target}: -o: the directory {target.parent} does not exist\n",
    )
    locked = people["locked"]
    env = {**os.environb, b"KEY_PASSPHRASE": b"\xff\xfe not utf-8"}
    keys = ["--key", str(locked.key), "--cert", str(locked.cert), "--passphrase-env", "KEY_PASSPHRASE"]
    run = subprocess.run(
        [sys.executable, "-m", "riskcheck", "sign-pdf", str(report), "--role", "privacy", *keys],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert run.returncode == 2
    assert run.stderr.startswith(f"error: {locked.key}: cannot load the key and certificate {locked.cert}: ")


def test_an_attachment_that_inflates_past_the_bound_is_refused_without_inflating_it() -> None:
    import zlib

    from pyhanko.pdf_utils import generic

    from riskcheck.report.pdfsign import MAX_RESULT_BYTES, _bounded_stream_data

    bomb = generic.StreamObject(
        {generic.NameObject("/Filter"): generic.NameObject("/FlateDecode")},
        encoded_data=zlib.compress(b"0" * (MAX_RESULT_BYTES + 1024 * 1024), 9),
    )
    with pytest.raises(ValueError, match="the attachment inflates to more than 32 MiB"):
        _bounded_stream_data(bomb)
    small = generic.StreamObject(
        {generic.NameObject("/Filter"): generic.NameObject("/FlateDecode")},
        encoded_data=zlib.compress(b'{"a": 1}'),
    )
    assert _bounded_stream_data(small) == b'{"a": 1}'
