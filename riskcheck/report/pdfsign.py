"""Digital signatures on the PDF report itself, one per sign-off role (pyHanko).

The sign-off record in the assessment says who approved which content hash. A
signature in the PDF goes further: it binds the exact bytes a reviewer read, so
any later change to the report breaks it. Each role signs its own field,
``riskcheck-<role>``, in its own incremental update, so that the roles can sign
one after the other without breaking the signatures already there.

The roles come from the result JSON attached to the report, so a report can only
be signed for the roles its questionnaire requires.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskcheck.core.errors import RiskcheckError
from riskcheck.core.optional import optional_extra
from riskcheck.files.fileio import atomic_write_bytes, read_bounded_bytes

#: Reports are a few hundred KiB; a signed one of a 500-question assessment stays well under this.
MAX_PDF_BYTES = 64 * 1024 * 1024
#: The attached result of a 500-question assessment is about 1 MiB.
MAX_RESULT_BYTES = 32 * 1024 * 1024
#: Keys and certificates (a chain included) are a few KiB.
MAX_KEY_BYTES = 256 * 1024
FIELD_PREFIX = "riskcheck-"
ROLE_PATTERN = re.compile(r"[a-z][a-z0-9_-]*")
ATTACHMENT_NAME = "riskcheck-result.json"
_WORST_FIRST = {"broken": 0, "modified": 1, "signed": 2}


@dataclass(frozen=True)
class RoleSignature:
    """What the report's signature for one role shows."""

    role: str
    #: ``signed``, ``missing``, ``broken`` (the bytes it covers changed), ``modified``
    #: (the file changed after it in ways other than further signatures) or
    #: ``unchecked`` (the file is too far from a signed report to be worth checking).
    state: str
    signer: str | None = None
    signed_at: str | None = None
    #: ``None`` when no trusted certificates were given.
    trusted: bool | None = None

    @property
    def ok(self) -> bool:
        return self.state == "signed" and self.trusted is not False


@dataclass(frozen=True)
class Verification:
    path: Path
    required_roles: tuple[str, ...]
    signatures: tuple[RoleSignature, ...]
    #: The file has an incremental update that is not one of the role signatures
    #: (pyHanko's policy lets some through, a changed title for one; a report allows none).
    unsigned_update: bool = False
    #: Ways the file departs from "the report, then one signature per role".
    other_problems: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return (
            bool(self.required_roles)
            and all(s.ok for s in self.signatures)
            and not self.unsigned_update
            and not self.other_problems
        )


def _pyhanko() -> None:
    with optional_extra("sign", "pyhanko"):
        import pyhanko  # noqa: F401
    # pyHanko logs a traceback for every self-signed certificate it is asked about;
    # the outcome is reported to the user in words instead.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _reason(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _fail(path: Path, what: str, exc: BaseException) -> RiskcheckError:
    reason = _reason(exc)
    return RiskcheckError(f"{path}: {what} ({reason}); expected a report written by riskcheck report")


def _reader(data: bytes, path: Path) -> Any:
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not data.startswith(b"%PDF-"):
        raise RiskcheckError(f"{path}: not a PDF file; expected a report written by riskcheck report")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        reader.root.get("/Names")  # parse the catalog now, not later
    except Exception as exc:  # any failure on a hostile file is a clean error
        raise _fail(path, "cannot read this PDF", exc) from None
    return reader


@dataclass
class _Signature:
    field: str
    #: pyHanko's validation status; ``None`` when the signature could not even be read.
    status: Any
    signer: str | None
    revision: int | None
    #: The widget covers part of a page: it could paint over what was signed.
    draws: bool = False


def _embedded(reader: Any, path: Path) -> list[Any]:
    try:
        return list(reader.embedded_signatures)
    except Exception as exc:
        raise _fail(path, "cannot read the signatures in this PDF", exc) from None


def _validate(item: Any, roots: Sequence[Any]) -> _Signature:
    """Validate one signature; a garbled one comes back broken, never as an exception."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    name = str(item.field_name or "")
    try:
        context = ValidationContext(trust_roots=list(roots), allow_fetching=False)
        status = validate_pdf_signature(item, context)
        signer: str | None = _subject(item.signer_cert)
    except Exception:  # a garbled signature is a broken one
        status, signer = None, None
    return _Signature(name, status, signer, getattr(item, "signed_revision", None), _draws(item))


def _draws(item: Any) -> bool:
    """Whether the signature's widget covers any area of a page (riskcheck's never do)."""
    try:
        rect = item.sig_field.get("/Rect")
        if rect is None:
            return False
        x1, y1, x2, y2 = (float(v) for v in rect)
    except Exception:
        return True
    return abs(x2 - x1) > 0 and abs(y2 - y1) > 0


def _roles(reader: Any, path: Path) -> tuple[str, ...]:
    """The roles the report requires, read from the report as rendered (revision 0).

    Never from a later revision: an update appended before or after signing could
    rewrite the attached result (to require fewer roles, say).
    """
    try:
        result = _attached_result(reader.get_historical_root(0))
    except Exception as exc:
        raise _fail(path, f"cannot read the attached {ATTACHMENT_NAME}", exc) from None
    if result is None:
        raise RiskcheckError(
            f"{path}: has no attached {ATTACHMENT_NAME}; expected a report written by riskcheck report"
        )
    signoffs = result.get("signoffs") if isinstance(result, dict) else None
    roles = signoffs.get("required_roles") if isinstance(signoffs, dict) else None
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise RiskcheckError(f"{path}: {ATTACHMENT_NAME} lists no sign-off roles (signoffs.required_roles)")
    return tuple(dict.fromkeys(roles))


def _attached_result(root: Any) -> Any:
    names = root.get("/Names")
    tree = names.get_object().get("/EmbeddedFiles") if names is not None else None
    if tree is None:
        return None
    entries = tree.get_object().get("/Names")
    entries = list(entries.get_object()) if entries is not None else []
    for name, spec in zip(entries[::2], entries[1::2], strict=False):
        if str(name) != ATTACHMENT_NAME:
            continue
        stream = spec.get_object()["/EF"]["/F"].get_object()
        return json.loads(_bounded_stream_data(stream).decode("utf-8"))
    return None


def _bounded_stream_data(stream: Any) -> bytes:
    """The stream's bytes, inflated at most to :data:`MAX_RESULT_BYTES`, so that a small
    compressed attachment cannot expand into gigabytes in memory."""
    import zlib

    raw = bytes(stream.encoded_data)
    filters = stream.get("/Filter")
    if filters is None:
        data = raw
    elif str(filters) == "/FlateDecode":
        inflater = zlib.decompressobj()
        data = inflater.decompress(raw, MAX_RESULT_BYTES + 1)
    else:
        raise ValueError(f"the attachment is encoded with {filters}, not /FlateDecode")
    if len(data) > MAX_RESULT_BYTES:
        raise ValueError(f"the attachment inflates to more than {MAX_RESULT_BYTES // (1024 * 1024)} MiB")
    return data


def _subject(certificate: Any) -> str:
    return str(certificate.subject.human_friendly)


def _state(signature: _Signature) -> str:
    from pyhanko.sign.diff_analysis import ModificationLevel

    status = signature.status
    if status is None or not (status.intact and status.valid):
        return "broken"
    level = status.modification_level
    if not status.docmdp_ok or (level is not None and level > ModificationLevel.FORM_FILLING):
        return "modified"
    return "signed"


def _load_signer(key: Path, certificate: Path, passphrase: bytes | None) -> Any:
    from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    key_data = read_bounded_bytes(Path(key), limit=MAX_KEY_BYTES)
    cert_data = read_bounded_bytes(Path(certificate), limit=MAX_KEY_BYTES)
    try:
        private_key = load_private_key_from_pemder_data(key_data, passphrase=passphrase)
        certificates = list(load_certs_from_pemder_data(cert_data))
        if not certificates:
            raise ValueError("no certificate in the file")
        for item in certificates:
            _subject(item)  # asn1crypto parses lazily: make a broken certificate fail here
        return signers.SimpleSigner(
            signing_cert=certificates[0],
            signing_key=private_key,
            cert_registry=SimpleCertificateStore.from_certs(certificates),  # type: ignore[no-untyped-call]
        )
    except Exception as exc:
        reason = _reason(exc)
        if passphrase is None and "encrypted" in reason.lower():
            reason += " (give the passphrase with --passphrase-env)"
        raise RiskcheckError(f"{key}: cannot load the key and certificate {certificate}: {reason}") from None


def _load_certificates(item: Path) -> list[Any]:
    from pyhanko.keys import load_certs_from_pemder_data

    data = read_bounded_bytes(Path(item), limit=MAX_KEY_BYTES)
    try:
        loaded = list(load_certs_from_pemder_data(data))
        for certificate in loaded:
            _subject(certificate)
    except Exception as exc:
        raise RiskcheckError(f"{item}: cannot read this certificate ({_reason(exc)}); expected PEM or DER") from None
    if not loaded:
        raise RiskcheckError(f"{item}: holds no certificate; expected PEM or DER")
    return loaded


def _trust_roots(trust: Sequence[Path | str]) -> tuple[list[Any], dict[str, list[Any]]]:
    """``--trust CERT`` trusts CERT for every role; ``--trust ROLE=CERT`` for ROLE only."""
    general: list[Any] = []
    by_role: dict[str, list[Any]] = {}
    for item in trust:
        text = str(item)
        role, equals, rest = text.partition("=")
        if equals and not Path(text).exists() and ROLE_PATTERN.fullmatch(role):
            by_role.setdefault(role, []).extend(_load_certificates(Path(rest)))
        else:
            general.extend(_load_certificates(Path(text)))
    return general, by_role


def sign_report(
    path: Path,
    *,
    role: str,
    key: Path,
    certificate: Path,
    passphrase: bytes | None = None,
    output: Path | None = None,
) -> RoleSignature:
    """Sign ``path`` for ``role`` with a PEM (or DER) key and certificate; write atomically."""
    _pyhanko()
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    data = read_bounded_bytes(Path(path), limit=MAX_PDF_BYTES)
    before = _check(data, Path(path), trust=())
    roles = before.required_roles
    if role not in roles:
        raise RiskcheckError(
            f"{path}: the report needs no signature from {role!r}; "
            f"its questionnaire requires {', '.join(roles) or 'no roles'}"
        )
    mine = next(s for s in before.signatures if s.role == role)
    if mine.state != "missing":
        raise RiskcheckError(f"{path}: already signed for {role} by {mine.signer}; a role signs once")
    held = [s for s in before.signatures if s.state != "missing" and s.state != "signed"]
    if held or before.other_problems or before.unsigned_update:
        raise RiskcheckError(
            f"{path}: was changed after it was rendered, or its signatures do not hold "
            f"(see riskcheck verify-pdf {path}); sign a freshly rendered report instead"
        )
    signer = _load_signer(key, certificate, passphrase)
    field_name = FIELD_PREFIX + role
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        if field_name not in {name for name, *_ in fields.enumerate_sig_fields(writer)}:
            fields.append_signature_field(writer, fields.SigFieldSpec(field_name))
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            reason=f"riskcheck sign-off: {role}",
            subfilter=fields.SigSeedSubFilter.PADES,
        )
        signed = io.BytesIO()
        signers.sign_pdf(writer, meta, signer=signer, output=signed)
    except Exception as exc:
        raise _fail(Path(path), "cannot sign this PDF", exc) from None
    # Check the new signature before anything is written: a key that does not
    # belong to the certificate signs happily and verifies as broken.
    target = Path(output) if output is not None else Path(path)
    after = _check(signed.getvalue(), target, trust=())
    mine = next(s for s in after.signatures if s.role == role)
    if mine.state != "signed":
        raise RiskcheckError(f"{key}: the signature does not verify; is this the key of {certificate}?")
    try:
        atomic_write_bytes(target, signed.getvalue())
    except OSError as exc:
        raise RiskcheckError(f"{target}: cannot write the signed PDF ({exc.strerror or exc})") from None
    return mine


def verify_report(path: Path, *, trust: Sequence[Path | str] = ()) -> Verification:
    """Check every signature in the report at ``path`` against the roles it requires."""
    _pyhanko()
    data = read_bounded_bytes(Path(path), limit=MAX_PDF_BYTES)
    return _check(data, Path(path), trust=trust)


def _check(data: bytes, path: Path, *, trust: Sequence[Path | str]) -> Verification:
    """Hold the file to what ``sign-pdf`` makes of a report: the rendered report, then
    one incremental update per role, each of them exactly one signature in that role's
    invisible field. Anything else is reported, and the check fails."""
    general, role_roots = _trust_roots(trust)
    checking_trust = bool(general or role_roots)
    reader = _reader(data, path)
    roles = _roles(reader, path)
    try:
        updates = int(reader.total_revisions) - 1
    except Exception as exc:
        raise _fail(path, "cannot read the revisions of this PDF", exc) from None
    embedded = _embedded(reader, path)
    problems: list[str] = []
    # Bound the work before validating anything: each validation compares revisions,
    # so thousands of signatures would take hours. A couple over the roles are still
    # checked, so that the usual tampering is reported signature by signature.
    if updates > len(roles) + 2 or len(embedded) > len(roles) + 2:
        problems.append(
            f"the file has {updates} update(s) and {len(embedded)} signature(s); a report signed with "
            f"riskcheck sign-pdf has at most one of each per required role ({len(roles)})"
        )
        unchecked = tuple(RoleSignature(role, "unchecked") for role in roles)
        return Verification(Path(path), roles, unchecked, unsigned_update=True, other_problems=tuple(problems))
    found: dict[str, RoleSignature] = {}
    revisions: set[int] = set()
    for item in embedded:
        name = str(item.field_name or "")
        role = name.removeprefix(FIELD_PREFIX) if name.startswith(FIELD_PREFIX) else None
        roots = role_roots.get(role, general) if role is not None else general
        signature = _validate(item, roots)
        if signature.revision is not None:
            revisions.add(signature.revision)
        state = _state(signature)
        if role is None or role not in roles:
            problems.append(f"a signature in field {name!r}, which is not a required role's ({state})")
            continue
        if role in found:
            problems.append(f"{role} is signed more than once")
        if signature.draws:
            problems.append(f"the signature field for {role} covers part of a page")
        status = signature.status
        signed_at = status.signer_reported_dt if status is not None else None
        trusted = None
        if checking_trust:
            trusted = bool(status is not None and status.trusted and roots)
        mine = RoleSignature(
            role=role,
            state=state,
            signer=signature.signer,
            signed_at=signed_at.isoformat() if signed_at else None,
            trusted=trusted,
        )
        # A role signed twice (a crafted file) counts by its worst signature.
        if role not in found or _WORST_FIRST[mine.state] < _WORST_FIRST[found[role].state]:
            found[role] = mine
    # Each update must be exactly one of the signatures: an update that no role signed
    # (a changed title, a new page, another document) fails the check.
    unsigned = bool(set(range(1, updates + 1)) - revisions)
    results = tuple(found.get(role) or RoleSignature(role=role, state="missing") for role in roles)
    return Verification(Path(path), roles, results, unsigned_update=unsigned, other_problems=tuple(problems))


def describe(verification: Verification) -> str:
    verdict = "all required roles signed, nothing changed since" if verification.ok else "NOT accepted"
    lines = [f"{verification.path}: {verdict}"]
    if not verification.required_roles:
        lines.append("  the report requires no sign-off roles, so no signature can accept it")
    for s in verification.signatures:
        if s.state == "unchecked":
            lines.append(f"  {s.role}: NOT checked")
            continue
        if s.state == "missing":
            lines.append(f"  {s.role}: not signed (riskcheck sign-pdf {verification.path} --role {s.role} ...)")
            continue
        trust = {None: "", True: "; trusted", False: "; NOT trusted: not issued by a --trust certificate"}[s.trusted]
        words = {
            "signed": "signed",
            "broken": "BROKEN: the bytes it covers have changed, or it cannot be read",
            "modified": "MODIFIED after signing, beyond further signatures",
        }[s.state]
        lines.append(f"  {s.role}: {words} (signer: {s.signer}; signed at {s.signed_at}{trust})")
    if verification.unsigned_update:
        lines.append("  CHANGED: the file has an update that no role signed")
    for problem in verification.other_problems:
        lines.append(f"  NOT a riskcheck signing: {problem}")
    return "\n".join(lines)
