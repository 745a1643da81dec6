"""Setting up an assessment without opening its YAML: the ``system:`` details,
renaming, and deleting (into a recoverable trash folder)."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from riskcheck.core.errors import RiskcheckError
from riskcheck.core.i18n import _, format_number
from riskcheck.web.handlers import review

if TYPE_CHECKING:
    from riskcheck.core.loader import LoadedAssessment
    from riskcheck.web.site import Site

#: Where deleted assessments go, inside the served directory. A hidden folder, so
#: the list page does not show them; moving a file back restores it.
TRASH = ".riskcheck-trash"

#: The editable ``system:`` fields: (key, label, required, most characters).
SYSTEM_FIELDS = (
    ("name", "AI system name", True, 200),
    ("owner", "Owner (team or e-mail)", True, 200),
    ("version", "System version", True, 100),
    ("purpose", "Purpose: what the system does, for whom", True, 5000),
    ("description", "Description", False, 20000),
)


def field_labels() -> dict[str, str]:
    """The fields' labels in the language in use (the keys of :data:`SYSTEM_FIELDS`)."""
    return {
        "name": _("AI system name"),
        "owner": _("Owner (team or e-mail)"),
        "version": _("System version"),
        "purpose": _("Purpose: what the system does, for whom"),
        "description": _("Description"),
    }


def _missing(key: str) -> str:
    return {
        "name": _("Enter the AI system name."),
        "owner": _("Enter the owner."),
        "version": _("Enter the system version."),
        "purpose": _("Enter the purpose."),
        "description": _("Enter the description."),
    }[key]


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


def complete_file_name(name: str) -> str:
    """``name`` with ``.yaml`` added when it has no suffix ("credit-scoring" -> "credit-scoring.yaml").

    A name with another suffix ("notes.txt") is left as it is, to be refused: it
    names a different kind of file.
    """
    name = name.strip()
    if name and "." not in name:
        name += ".yaml"
    return name


def file_name_for(system_name: str) -> str:
    """A file name made from the system's name ("Loan approvals" -> "loan-approvals.yaml")."""
    slug = re.sub(r"[^a-z0-9]+", "-", system_name.lower()).strip("-")[:80]
    return (slug or "assessment") + ".yaml"


def _urls(relative: str) -> dict[str, str]:
    return {"form": "/a/" + quote(relative), "setup": "/setup/" + quote(relative)}


# ---------------------------------------------------------------- the page


async def setup_form(site: Site, request: Request) -> Response:
    from riskcheck.web.handlers.form import load_file

    relative, path, loaded, problem = load_file(site, request)
    if loaded is None:
        return site.invalid_page(request, relative, problem)
    return _page(site, request, relative, loaded, site.version(path), _values(loaded), {})


def _values(loaded: LoadedAssessment) -> dict[str, str]:
    system = loaded.file.system
    values = {key: str(getattr(system, key) or "") for key, *_ in SYSTEM_FIELDS}
    values["assessed_on"] = system.assessed_on.isoformat() if system.assessed_on else ""
    values["filename"] = loaded.path.name
    return values


def _page(
    site: Site,
    request: Request,
    relative: str,
    loaded: LoadedAssessment,
    version: str,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
    *,
    confirm_delete: bool = False,
) -> Response:
    labels = field_labels()
    context = {
        "title": _("Details of {name}", name=loaded.file.system.name),
        "relative": relative,
        "system": loaded.file.system,
        "fields": [(key, labels[key], required, limit) for key, _label, required, limit in SYSTEM_FIELDS],
        "values": values,
        "errors": errors,
        "version": version,
        # `riskcheck new` writes "TODO: ..." where a person must write the real text.
        "placeholders": [labels[key] for key, *_rest in SYSTEM_FIELDS if values[key].strip().startswith("TODO")],
        "confirm_delete": confirm_delete,
        "trash": TRASH,
        "notice": _("Details saved.") if request.query_params.get("saved") else None,
        "urls": _urls(relative),
    }
    return site.renderer.page(request, "setup.html", context, status)


async def setup_save(site: Site, request: Request) -> Response:
    from riskcheck.web.handlers.form import load_file

    form = await site.form(request)
    action = str(form.get("action", "details"))
    relative, path = site.file(request)
    with site.lock(path):
        relative, path, loaded, problem = load_file(site, request)
        if loaded is None:
            return site.invalid_page(request, relative, problem)
        version = site.version(path)
        values = _values(loaded)
        if action == "details":
            values.update({key: str(form.get(key, "") or "") for key, *_ in SYSTEM_FIELDS})
            values["assessed_on"] = str(form.get("assessed_on", "") or "").strip()
            errors = _check_details(values)
            if not errors and str(form.get("file_version", "")) != version:
                errors["name"] = _(
                    "The file was changed since you opened this page, so nothing was saved. "
                    "Reload the page to see the current details."
                )
            if errors:
                return _page(site, request, relative, loaded, version, values, errors, 422)
            _write_details(path, values)
            return RedirectResponse(_urls(relative)["setup"] + "?saved=1", status_code=303)
        if action == "rename":
            values["filename"] = str(form.get("filename", "") or "")
            try:
                target = _rename(site.root, path, values["filename"])
            except RiskcheckError as exc:
                return _page(site, request, relative, loaded, version, values, {"filename": str(exc)}, 422)
            new_relative = target.relative_to(site.root).as_posix()
            review.retarget(site.root, relative, new_relative)
            return RedirectResponse("/a/" + quote(new_relative) + "?renamed=1", status_code=303)
        if action == "delete":
            if form.get("confirm") != "yes":
                return _page(site, request, relative, loaded, version, values, {}, confirm_delete=True)
            try:
                moved = _to_trash(site.root, path)
            except RiskcheckError as exc:
                return _page(site, request, relative, loaded, version, values, {"name": str(exc)}, 422)
            # Its review links follow it into the trash: a new file given the same name
            # later must not be signed through links made for this one.
            review.retarget(site.root, relative, moved.relative_to(site.root).as_posix())
            return RedirectResponse("/?deleted=" + quote(moved.relative_to(site.root).as_posix()), status_code=303)
    return _page(site, request, relative, loaded, version, values, {"name": _("Choose an action.")}, 422)


def _check_details(values: dict[str, str]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key, _label, required, limit in SYSTEM_FIELDS:
        text = values[key].strip()
        if required and not text:
            errors[key] = _missing(key)
        elif len(values[key]) > limit:
            errors[key] = _(
                "Use at most {limit} characters; this has {count}. Nothing was saved.",
                limit=format_number(limit),
                count=format_number(len(values[key])),
            )
    if values["assessed_on"]:
        try:
            dt.date.fromisoformat(values["assessed_on"])
        except ValueError:
            errors["assessed_on"] = _(
                "Expected a date such as 2026-03-02, got {value}.", value=repr(values["assessed_on"])
            )
    return errors


def _write_details(path: Path, values: dict[str, str]) -> None:
    from ruamel.yaml.scalarstring import LiteralScalarString

    from riskcheck.files.yamledit import edit_yaml

    def change(root: Any) -> None:
        system = root["system"]
        for key, _label, required, _limit in SYSTEM_FIELDS:
            text = values[key].replace("\r\n", "\n").strip()
            if not text and not required:
                if key in system:
                    del system[key]
                continue
            if system.get(key) != text:
                system[key] = LiteralScalarString(text + "\n") if "\n" in text else text
        date = dt.date.fromisoformat(values["assessed_on"]) if values["assessed_on"] else None
        if date != system.get("assessed_on"):
            system["assessed_on"] = date

    edit_yaml(path, change)


def _move_no_clobber(source: Path, target: Path) -> None:
    """Move ``source`` to ``target`` unless ``target`` exists (checked atomically where the OS can)."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise RiskcheckError(f"{target.name}: a file with this name already exists; choose another name") from None
    except OSError:
        if target.exists() or target.is_symlink():
            raise RiskcheckError(f"{target.name}: a file with this name already exists; choose another name") from None
        os.replace(source, target)
        return
    os.unlink(source)


def _rename(root: Path, path: Path, name: str) -> Path:
    name = complete_file_name(name)
    # An assessment stays a .yaml file: renamed to conftest.py or notes.txt it would leave
    # the list and become whatever that name makes it to other tools.
    if not _NAME.match(name) or Path(name).suffix not in (".yaml", ".yml"):
        raise RiskcheckError(
            f"{name!r}: expected a file name such as credit-scoring.yaml "
            "(letters, digits, '.', '_' or '-', ending in .yaml)"
        )
    target = path.parent / name
    if target == path:
        raise RiskcheckError(f"{name}: the file already has this name")
    if not target.resolve().is_relative_to(root.resolve()):  # pragma: no cover - name has no separators
        raise RiskcheckError(f"{name}: not in the served directory")
    _move_no_clobber(path, target)
    return target


def _to_trash(root: Path, path: Path) -> Path:
    trash = root / TRASH
    trash.mkdir(exist_ok=True)
    # A checkout may hold a symlink by that name (to anywhere): never move a file through it.
    if trash.is_symlink() or not trash.resolve().is_relative_to(root.resolve()):
        raise RiskcheckError(f"{TRASH}: is a symbolic link or not inside the served directory; nothing was deleted")
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    target = trash / f"{stamp}-{path.name}"
    counter = 1
    while target.exists():
        counter += 1
        target = trash / f"{stamp}-{counter}-{path.name}"
    _move_no_clobber(path, target)
    return target
