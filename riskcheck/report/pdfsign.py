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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskcheck.errors import MissingDependencyError, RiskcheckError
from riskcheck.fileio import atomic_write_bytes, read_bounded_bytes

#: Reports are a few hundred KiB; a signed one of a 500-question assessment stays well under this.
MAX_PDF_BYTES = 64 * 1024 * 1024
#: Keys and certificates (a chain included) are a few KiB.
MAX_KEY_BYTES = 256 * 1024
FIELD_PREFIX = "riskcheck-"
ATTACHMENT_NAME = "riskcheck-result.json"


@dataclass(frozen=True)
class RoleSignature:
    """What the report's signature for one role shows."""

    role: str
    #: ``signed``, ``missing``, ``broken`` (the bytes it covers changed) or
    #: ``modified`` (the file changed after it in ways other than further signatures).
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
    #: Signatures in fields riskcheck did not create (they are shown, never counted).
    other_fields: tuple[str, ...]
    #: Bytes were appended after the newest role signature (pyHanko's policy lets some
    #: such updates through, a changed title for one; a sign-off report allows none).
    changed_after_last: bool = False

    @property
    def ok(self) -> bool:
        return all(s.ok for s in self.signatures) and not self.changed_after_last


def _pyhanko() -> None:
    try:
        import pyhanko  # noqa: F401
    except ImportError:  # pragma: no cover - depends on the environment
        raise MissingDependencyError("pyhanko", "sign") from None
    # pyHanko logs a traceback for every self-signed certificate it is asked about;
    # the outcome is reported to the user in words instead.
    for name in ("pyhanko", "pyhanko_certvalidator"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _read(path: Path) -> tuple[bytes, Any, tuple[str, ...]]:
    """The report's bytes, a pyHanko reader over them, and the roles its result requires."""
    data = read_bounded_bytes(Path(path), limit=MAX_PDF_BYTES)
    reader, roles = _parse(data, path)
    return data, reader, roles


def _parse(data: bytes, path: Path) -> tuple[Any, tuple[str, ...]]:
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not data.startswith(b"%PDF-"):
        raise RiskcheckError(f"{path}: not a PDF file; expected a report written by riskcheck report")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        result = _attached_result(reader)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        raise RiskcheckError(
            f"{path}: cannot read this PDF ({exc}); expected a report written by riskcheck report"
        ) from None
    if result is None:
        raise RiskcheckError(
            f"{path}: has no attached {ATTACHMENT_NAME}; expected a report written by riskcheck report"
        )
    signoffs = result.get("signoffs") if isinstance(result, dict) else None
    roles = signoffs.get("required_roles") if isinstance(signoffs, dict) else None
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise RiskcheckError(f"{path}: {ATTACHMENT_NAME} lists no sign-off roles (signoffs.required_roles)")
    return reader, tuple(roles)


def _attached_result(reader: Any) -> Any:
    names = reader.root.get("/Names")
    names = names.get_object() if names is not None else None
    tree = names.get("/EmbeddedFiles") if names is not None else None
    if tree is None:
        return None
    entries = tree.get_object().get("/Names")
    entries = list(entries.get_object()) if entries is not None else []
    for name, spec in zip(entries[::2], entries[1::2], strict=False):
        if str(name) != ATTACHMENT_NAME:
            continue
        stream = spec.get_object()["/EF"]["/F"].get_object()
        return json.loads(stream.data.decode("utf-8"))
    return None


def _subject(certificate: Any) -> str:
    return str(certificate.subject.human_friendly)


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

    data, reader, roles = _read(path)
    if role not in roles:
        raise RiskcheckError(
            f"{path}: the report needs no signature from {role!r}; "
            f"its questionnaire requires {', '.join(roles) or 'no roles'}"
        )
    field_name = FIELD_PREFIX + role
    for existing in reader.embedded_signatures:
        if existing.field_name == field_name:
            who = _subject(existing.signer_cert)
            raise RiskcheckError(f"{path}: already signed for {role} by {who}; a role signs once")
    for part, what in ((key, "key"), (certificate, "certificate")):
        if not Path(part).is_file():
            raise RiskcheckError(f"{part}: no such file; expected the signer's {what} (PEM or DER)")
        if Path(part).stat().st_size > MAX_KEY_BYTES:
            raise RiskcheckError(f"{part}: over {MAX_KEY_BYTES // 1024} KiB; expected the signer's {what} (PEM or DER)")
    try:
        signer = signers.SimpleSigner.load(  # type: ignore[no-untyped-call]
            str(key), str(certificate), key_passphrase=passphrase
        )
    except (ValueError, TypeError, OSError) as exc:
        signer = None
        reason = str(exc)
    else:
        reason = "unreadable, or protected by a passphrase (give it with --passphrase-env)"
    if signer is None:
        raise RiskcheckError(f"{key}: cannot load the key and certificate {certificate}: {reason}")
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
    # Check the new signature before anything is written: a key that does not
    # belong to the certificate signs happily and verifies as broken.
    target = Path(output) if output is not None else Path(path)
    outcome = _check(signed.getvalue(), target, trust=(), only=field_name)
    mine = next(s for s in outcome.signatures if s.role == role)
    if mine.state != "signed":
        raise RiskcheckError(f"{key}: the signature does not verify; is this the key of {certificate}?")
    atomic_write_bytes(target, signed.getvalue())
    return mine


def verify_report(path: Path, *, trust: Sequence[Path] = ()) -> Verification:
    """Check every role's signature in the report at ``path``."""
    _pyhanko()
    data = read_bounded_bytes(Path(path), limit=MAX_PDF_BYTES)
    return _check(data, Path(path), trust=trust)


def _check(data: bytes, path: Path, *, trust: Sequence[Path], only: str | None = None) -> Verification:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    roots = []
    for item in trust:
        if Path(item).is_file() and Path(item).stat().st_size > MAX_KEY_BYTES:
            raise RiskcheckError(f"{item}: over {MAX_KEY_BYTES // 1024} KiB; expected a certificate (PEM or DER)")
        try:
            roots.append(load_cert_from_pemder(str(item)))  # type: ignore[no-untyped-call]
        except (ValueError, OSError) as exc:
            raise RiskcheckError(f"{item}: cannot read this certificate ({exc}); expected PEM or DER") from None
    reader, roles = _parse(data, path)
    found: dict[str, RoleSignature] = {}
    others = []
    covers_whole_file = False
    for embedded in reader.embedded_signatures:
        name = embedded.field_name or ""
        role = name.removeprefix(FIELD_PREFIX) if name.startswith(FIELD_PREFIX) else None
        if role not in roles:
            others.append(name)
            continue
        if only is not None and name != only:
            continue
        context = ValidationContext(trust_roots=roots, allow_fetching=False)
        status = validate_pdf_signature(embedded, context)
        covers_whole_file = covers_whole_file or status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        if not (status.intact and status.valid):
            state = "broken"
        elif not status.docmdp_ok or (
            status.modification_level is not None and status.modification_level > ModificationLevel.FORM_FILLING
        ):
            state = "modified"
        else:
            state = "signed"
        found[role] = RoleSignature(
            role=role,
            state=state,
            signer=_subject(embedded.signer_cert),
            signed_at=status.signer_reported_dt.isoformat() if status.signer_reported_dt else None,
            trusted=bool(status.trusted) if roots else None,
        )
    signatures = tuple(found.get(role) or RoleSignature(role=role, state="missing") for role in roles)
    changed_after_last = bool(found) and not covers_whole_file
    return Verification(Path(path), roles, signatures, tuple(others), changed_after_last)


def describe(verification: Verification) -> str:
    verdict = "all required roles signed, nothing changed since" if verification.ok else "NOT accepted"
    lines = [f"{verification.path}: {verdict}"]
    for s in verification.signatures:
        if s.state == "missing":
            lines.append(f"  {s.role}: not signed (riskcheck sign-pdf {verification.path} --role {s.role} ...)")
            continue
        trust = {None: "", True: "; trusted", False: "; NOT trusted: not issued by a --trust certificate"}[s.trusted]
        words = {
            "signed": "signed",
            "broken": "BROKEN: the bytes it covers have changed",
            "modified": "MODIFIED after signing, beyond further signatures",
        }[s.state]
        lines.append(f"  {s.role}: {words} (signer: {s.signer}; signed at {s.signed_at}{trust})")
    if verification.changed_after_last:
        lines.append("  CHANGED after the last signature: the file has an update that no role signed")
    for name in verification.other_fields:
        lines.append(f"  (a signature in field {name!r} is not a riskcheck role and is not counted)")
    return "\n".join(lines)
