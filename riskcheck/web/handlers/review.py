"""Sign-off in one's own name: per-role review links carrying a one-time token.

The form runs on one person's machine with no accounts, so it cannot know who is
at the keyboard. Instead of a sign-off form where anyone types any name for any
role, the owner of the assessment invites each reviewer: a link for one role and
one named person. Only that link records that role's decision, under that name,
once; then it is spent. The invitation (who invited whom, for which role, when)
and its use are kept next to the assessments, so the delegation is on record.

Only the sha256 of each token is stored, so the store does not let anyone who
reads it sign. The store is kept in the user's own state directory,
``$XDG_STATE_HOME/riskcheck/review/<sha256 of the served directory's path>/links.json``
(``~/.local/state`` by default), never in the served directory: that is often a git
checkout, and a pull request that committed a store holding the hash of a token its
author knows could sign in someone else's name. A ``.riskcheck-review`` folder found
in the served directory (where earlier versions kept the store) is ignored, with a
warning.

Approving an assessment that is incomplete or has open high or critical findings
asks the reviewer to confirm, and the recorded comment says what they confirmed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from riskcheck.authoring.fill import FillState
from riskcheck.core.errors import RiskcheckError
from riskcheck.core.i18n import _, format_number
from riskcheck.core.result import Result
from riskcheck.core.vocabulary import SEVERITY_RANK

if TYPE_CHECKING:
    from riskcheck.core.loader import LoadedAssessment
    from riskcheck.web.site import Site

#: Where earlier versions kept the store, inside the served directory: never read now.
LEGACY_STORE = Path(".riskcheck-review")
STORE_NAME = "links.json"
#: How long a review link stays valid.
LIFETIME = dt.timedelta(days=14)
MAX_LINKS = 1000

_GUARD = threading.Lock()


@dataclass(frozen=True)
class Invitation:
    token_sha256: str
    file: str
    role: str
    name: str
    created: str
    expires: str
    used: str | None = None

    def valid_at(self, now: dt.datetime) -> bool:
        return self.used is None and now < dt.datetime.fromisoformat(self.expires)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


#: The largest review-link store read (MAX_LINKS records take far less).
MAX_STORE_BYTES = 4 * 1024 * 1024


_WARNED: set[Path] = set()


def state_home() -> Path:
    """``$XDG_STATE_HOME`` (an absolute path), else ``~/.local/state``."""
    configured = os.environ.get("XDG_STATE_HOME", "")
    if configured and Path(configured).is_absolute():
        return Path(configured)
    return Path.home() / ".local" / "state"


def store_path(root: Path) -> Path:
    """The review-link store of the served directory ``root``, outside it, in per-user state."""
    key = hashlib.sha256(str(root.resolve()).encode("utf-8")).hexdigest()
    return state_home() / "riskcheck" / "review" / key / STORE_NAME


def warn_legacy_store(root: Path) -> None:
    """Say once per served directory that a ``.riskcheck-review`` folder in it is ignored."""
    if root in _WARNED:
        return
    _WARNED.add(root)
    legacy = root / LEGACY_STORE
    if legacy.exists() or legacy.is_symlink():
        print(
            f"riskcheck serve: warning: ignoring {legacy}: review links are kept in {store_path(root).parent}, "
            "never in the served directory (a repository could plant links there)",
            file=sys.stderr,
        )


def _load(root: Path) -> list[Invitation]:
    from riskcheck.files.fileio import read_bounded_bytes

    warn_legacy_store(root)
    path = store_path(root)
    if not path.exists() and not path.is_symlink():
        return []
    try:
        # Bounded, regular files only: a committed link to /dev/zero never ends.
        data = json.loads(read_bounded_bytes(path, limit=MAX_STORE_BYTES).decode("utf-8"))
        return [Invitation(**item) for item in data["links"]][-MAX_LINKS:]
    except (RiskcheckError, OSError, ValueError, TypeError, KeyError) as exc:
        raise RiskcheckError(f"{path}: cannot read the review links ({exc}); remove the file to start afresh") from None


def _store(root: Path, links: list[Invitation]) -> None:
    from riskcheck.files.fileio import atomic_write_bytes

    path = store_path(root)
    # Private to this user: created 0700, whatever the umask.
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.parent.is_symlink():
        raise RiskcheckError(f"{path.parent}: is a symbolic link; expected the review-link folder")
    os.chmod(path.parent, 0o700)
    text = json.dumps({"links": [asdict(link) for link in links[-MAX_LINKS:]]}, indent=2) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"), follow_symlinks=False)


def invite(root: Path, file: str, role: str, name: str, now: dt.datetime) -> str:
    """A new review link token for ``name`` to decide as ``role`` on ``file``."""
    token = secrets.token_urlsafe(24)
    with _GUARD:
        links = _load(root)
        links.append(Invitation(_digest(token), file, role, name, now.isoformat(), (now + LIFETIME).isoformat(), None))
        _store(root, links)
    return token


def find(root: Path, token: str, now: dt.datetime) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    digest = _digest(token)
    with _GUARD:
        for link in _load(root):
            if secrets.compare_digest(link.token_sha256, digest):
                return link if link.valid_at(now) else None
    return None


def _spend(root: Path, token: str, now: dt.datetime) -> bool:
    digest = _digest(token)
    with _GUARD:
        links = _load(root)
        for index, link in enumerate(links):
            if secrets.compare_digest(link.token_sha256, digest) and link.valid_at(now):
                links[index] = Invitation(**{**asdict(link), "used": now.isoformat()})
                _store(root, links)
                return True
    return False


def retarget(root: Path, old: str, new: str) -> None:
    """Keep the review links of a renamed assessment working."""
    with _GUARD:
        links = _load(root)
        if any(link.file == old for link in links):
            _store(root, [Invitation(**{**asdict(link), "file": new}) if link.file == old else link for link in links])


def pending(root: Path, file: str, now: dt.datetime) -> list[Invitation]:
    with _GUARD:
        return [link for link in _load(root) if link.file == file and link.valid_at(now)]


def cautions(result: Result) -> list[str]:
    """What an approver must confirm they approve despite (nothing: ``[]``)."""
    found = []
    if result.status != "complete":
        missing = len(result.completeness.missing)
        found.append(f"the assessment is incomplete ({missing} required answer{'s' if missing != 1 else ''} missing)")
    serious = [f for f in result.findings if SEVERITY_RANK.get(f.severity, 9) <= 1]
    if serious:
        found.append(f"{len(serious)} high or critical finding{'s are' if len(serious) != 1 else ' is'} open")
    return found


# ---------------------------------------------------------------- the owner's page


async def signoff_page(site: Site, request: Request) -> Response:
    from riskcheck.web.handlers.form import load_file

    relative, _path, loaded, problem = load_file(site, request)
    if loaded is None:
        return site.invalid_page(request, relative, problem)
    return _owner_page(site, request, relative, loaded, {}, {})


def _owner_page(
    site: Site,
    request: Request,
    relative: str,
    loaded: LoadedAssessment,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    link: str | None = None,
) -> Response:
    from riskcheck.web.handlers.form import panel_html

    state = FillState.from_loaded(loaded)
    result, fairness_note = site.catalog.score(loaded, state)
    now = dt.datetime.now(dt.UTC)
    context: dict[str, Any] = {
        "title": _("Sign-off of {name}", name=loaded.file.system.name),
        "relative": relative,
        "system": loaded.file.system,
        "result": result,
        "roles": list(loaded.questionnaire.spec.signoff.roles),
        "values": values,
        "errors": errors,
        "link": link,
        "pending": pending(site.root, relative, now),
        "identity_header": site.identity_header,
        "panel": panel_html(site, state, result, fairness_note),
        "urls": {"form": "/a/" + quote(relative), "signoff": "/signoff/" + quote(relative)},
    }
    return site.renderer.page(request, "signoff.html", context, status)


async def invite_reviewer(site: Site, request: Request) -> Response:
    from riskcheck.web.handlers.form import load_file

    form = await site.form(request)
    relative, _path, loaded, problem = load_file(site, request)
    if loaded is None:
        return site.invalid_page(request, relative, problem)
    values = {k: str(form.get(k, "") or "").strip() for k in ("name", "role")}
    roles = loaded.questionnaire.spec.signoff.roles
    errors: dict[str, str] = {}
    if not values["name"]:
        errors["name"] = _("Enter the name of the person who will review.")
    elif len(values["name"]) > 200:
        errors["name"] = _("Use at most {limit} characters.", limit=format_number(200))
    if roles and values["role"] not in roles:
        errors["role"] = _("Choose one of the roles: {roles}.", roles=", ".join(roles))
    elif not roles and not values["role"]:
        errors["role"] = _("Enter the reviewer's role, e.g. legal.")
    if errors:
        return _owner_page(site, request, relative, loaded, values, errors, 422)
    try:
        token = invite(site.root, relative, values["role"], values["name"], dt.datetime.now(dt.UTC))
    except RiskcheckError as exc:
        return _owner_page(site, request, relative, loaded, values, {"name": str(exc)}, 422)
    link = str(request.base_url).rstrip("/") + "/review/" + token
    return _owner_page(site, request, relative, loaded, {}, {}, 200, link=link)


# ---------------------------------------------------------------- the reviewer's page


def _reviewed(site: Site, request: Request) -> tuple[str, Invitation | None]:
    token = str(request.path_params["token"])
    return token, find(site.root, token, dt.datetime.now(dt.UTC))


def _spent(site: Site, request: Request) -> Response:
    message = _(
        "This review link is not valid: it was already used, it expired, or it was never made. "
        "Ask the owner of the assessment for a new one."
    )
    return site.renderer.page(request, "error.html", {"title": _("Review link not valid"), "message": message}, 404)


def _identity_problem(site: Site, request: Request, invitation: Invitation) -> Response | None:
    """With ``--identity-header``, the signed-in person must be the one the link names."""
    if site.identity_header is None:
        return None
    identity = request.headers.get(site.identity_header, "").strip()
    if not identity:
        message = _(
            "This server records decisions under the name your sign-in passes (the {header} "
            "header), and none came with this request. Open the link through the sign-in proxy.",
            header=site.identity_header,
        )
    elif identity.casefold() != invitation.name.casefold():
        message = _(
            "This review link was made for {name}, and you are signed in as {identity}. "
            "Ask the owner of the assessment for a link in your name.",
            name=invitation.name,
            identity=identity,
        )
    else:
        return None
    return site.renderer.page(request, "error.html", {"title": _("Not your review link"), "message": message}, 403)


async def review_form(site: Site, request: Request) -> Response:
    _token, invitation = _reviewed(site, request)
    if invitation is None:
        return _spent(site, request)
    problem = _identity_problem(site, request, invitation)
    if problem is not None:
        return problem
    return _review_page(site, request, invitation, {}, {})


def _review_page(
    site: Site,
    request: Request,
    invitation: Invitation,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    *,
    confirm: list[str] | None = None,
) -> Response:
    from riskcheck.core.loader import load_assessment
    from riskcheck.web.handlers.form import panel_html
    from riskcheck.web.paths import resolve_inside

    try:
        path = resolve_inside(site.root, invitation.file)
        loaded = load_assessment(path, questionnaire_root=site.root)
    except RiskcheckError as exc:
        message = str(exc).replace(str(site.root) + "/", "")
        return site.renderer.page(request, "error.html", {"title": _("Cannot review"), "message": message}, 422)
    state = FillState.from_loaded(loaded)
    result, fairness_note = site.catalog.score(loaded, state)
    context: dict[str, Any] = {
        "title": _("Review {name}", name=loaded.file.system.name),
        "invitation": invitation,
        "relative": invitation.file,
        "system": loaded.file.system,
        "result": result,
        "version": site.version(path),
        "values": values,
        "errors": errors,
        "cautions": cautions(result),
        "confirm": confirm or [],
        "panel": panel_html(site, state, result, fairness_note),
    }
    return site.renderer.page(request, "review.html", context, status)


async def review_record(site: Site, request: Request) -> Response:
    from riskcheck.audit.signoff import DECISIONS, sign
    from riskcheck.core.loader import load_assessment
    from riskcheck.web.paths import resolve_inside

    form = await site.form(request)
    token, invitation = _reviewed(site, request)
    if invitation is None:
        return _spent(site, request)
    problem = _identity_problem(site, request, invitation)
    if problem is not None:
        return problem
    values = {k: str(form.get(k, "") or "").strip() for k in ("decision", "comment")}
    errors: dict[str, str] = {}
    path = resolve_inside(site.root, invitation.file)
    with site.lock(path):
        # Checked again under the lock: another request may have spent the link meanwhile.
        if find(site.root, token, dt.datetime.now(dt.UTC)) != invitation:
            return _spent(site, request)
        if str(form.get("version", "")) != site.version(path):
            errors["decision"] = _(
                "The assessment changed since you opened this page, so nothing was recorded. "
                "Review what it says now, then record your decision."
            )
            return _review_page(site, request, invitation, values, errors, 409)
        if values["decision"] not in DECISIONS:
            errors["decision"] = _("Choose approve or reject.")
        if len(values["comment"]) > 5000:
            errors["comment"] = _(
                "Use at most {limit} characters; this has {count}.",
                limit=format_number(5000),
                count=format_number(len(values["comment"])),
            )
        if errors:
            return _review_page(site, request, invitation, values, errors, 422)
        loaded = load_assessment(path, questionnaire_root=site.root)
        result, _note = site.catalog.score(loaded, FillState.from_loaded(loaded))
        comment = values["comment"]
        found = cautions(result)
        if values["decision"] == "approve" and found:
            if form.get("confirmed") != "yes":
                return _review_page(site, request, invitation, values, {}, 200, confirm=found)
            note = f"Approved after confirming: {'; '.join(found)}."
            comment = f"{note}\n{comment}" if comment else note
        try:
            sign(
                path,
                name=invitation.name,
                role=invitation.role,
                decision=values["decision"],
                comment=comment or None,
                now=dt.datetime.now(dt.UTC),
            )
        except RiskcheckError as exc:
            errors["decision"] = str(exc).replace(str(path) + ": sign: ", "")
            return _review_page(site, request, invitation, values, errors, 422)
        # Spent under the file's lock, so the same link cannot record twice.
        _spend(site.root, token, dt.datetime.now(dt.UTC))
    return RedirectResponse("/review-done?role=" + quote(invitation.role), status_code=303)


async def review_done(site: Site, request: Request) -> Response:
    role = request.query_params.get("role", "")
    message = _("Your decision as {role} is recorded in the assessment. This link cannot be used again.", role=role)
    return site.renderer.page(request, "error.html", {"title": _("Decision recorded"), "message": message})
