"""What the served directory holds: assessments with their tier and status, and questionnaires."""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riskcheck.authoring.fill import FillState
from riskcheck.core.errors import RiskcheckError
from riskcheck.core.filekind import kind_of
from riskcheck.core.i18n import _
from riskcheck.core.loader import LoadedAssessment, bundled_questionnaires, load_assessment, load_questionnaire
from riskcheck.core.result import Result
from riskcheck.files.fileio import sha256_file
from riskcheck.web.paths import Listed, yaml_files
from riskcheck.web.progress import open_decisive

#: A file as it is on disk: (modification time in ns, size, sha256 of the content).
Fingerprint = tuple[int, int, str]
#: A file a list row also depends on (its questionnaire, its local evidence files), by
#: (modification time in ns, size); None while it does not exist.
Dependency = tuple[Path, tuple[int, int] | None]


@dataclass(frozen=True)
class Entry:
    relative: str
    name: str
    questionnaire: str
    tier: str = ""
    tier_label: str = ""
    status: str = ""
    signoff: str = ""
    answered: int = 0
    required: int = 0
    blocked: bool = False
    error: str | None = None
    #: "" (no fairness block), "computed" (figures from this server's cache) or
    #: "declared" (a block the list does not compute: open the assessment for them).
    fairness: str = ""
    #: Questions that could still change the tier or class are unanswered.
    provisional: bool = False


@dataclass(frozen=True)
class QuestionnaireChoice:
    key: str  # "bundled:ID" or "file:RELATIVE"
    title: str
    detail: str


@dataclass(frozen=True)
class Fairness:
    figures: Any
    evidence_hash: str | None
    note: str | None


class Catalog:
    def __init__(self, root: Path, lang: str = "en") -> None:
        self.root = root
        #: The server's language (``serve --lang``): the rows' questionnaire titles and tier labels
        #: come from each questionnaire's catalogue in it. Every call runs within ``use_language(lang)``,
        #: so the rows cached hold the messages of that one language.
        self.lang = lang
        self._fairness: dict[tuple[Path, str], Fairness] = {}
        self._guard = threading.Lock()
        # The list page reads every file on every request; these keep what it found
        # per file version, so a request costs a stat and a hash per unchanged file.
        self._data: dict[Path, tuple[Fingerprint, Any]] = {}
        self._entries: dict[Path, tuple[Fingerprint, tuple[Dependency, ...], Entry]] = {}

    def scan(self) -> tuple[list[Entry], list[QuestionnaireChoice]]:
        from riskcheck.files.yamlio import load_yaml

        entries: list[Entry] = []
        questionnaires: list[QuestionnaireChoice] = []
        for listed in yaml_files(self.root):
            try:
                data = self._read(listed, load_yaml)
            except RiskcheckError as exc:
                entries.append(Entry(listed.relative, listed.relative, "", error=self._message(exc)))
                continue
            kind, _reason = kind_of(data)
            if kind == "assessment":  # the gate's decision: any sign of an assessment lists it
                entries.append(self._entry(listed.relative, listed.path))
            elif kind == "questionnaire":
                title = str(data.get("title") or listed.relative)
                title = self._words_of(listed.path).get(title, title)
                detail = _("{file} in this directory", file=listed.relative)
                questionnaires.append(QuestionnaireChoice(f"file:{listed.relative}", title, detail))
        return entries, questionnaires

    def _read(self, listed: Listed, load_yaml: Any) -> Any:
        """The parsed data of a listed file, parsed again only when the file changed."""
        fingerprint = _fingerprint(listed.path)
        with self._guard:
            cached = self._data.get(listed.path)
        if cached is not None and fingerprint is not None and cached[0] == fingerprint:
            return cached[1]
        data = load_yaml(listed.path).data
        if fingerprint is not None:
            with self._guard:
                self._data[listed.path] = (fingerprint, data)
        return data

    def _entry(self, relative: str, path: Path) -> Entry:
        """The list row of one assessment, from the cache while the file, its
        questionnaire file and the cached fairness figures are unchanged."""
        fingerprint = _fingerprint(path)
        with self._guard:
            cached = self._entries.get(path)
        if (
            cached is not None
            and cached[0] == fingerprint
            and all(_stat(dependency) == known for dependency, known in cached[1])
            and not (cached[2].fairness == "declared" and self._cached_fairness(path, fingerprint) is not None)
        ):
            return cached[2]
        entry, dependencies = self._build_entry(relative, path, fingerprint)
        if fingerprint is not None:
            with self._guard:
                self._entries[path] = (fingerprint, dependencies, entry)
        return entry

    def _build_entry(
        self, relative: str, path: Path, fingerprint: Fingerprint | None
    ) -> tuple[Entry, tuple[Dependency, ...]]:
        try:
            loaded = load_assessment(path, questionnaire_root=self.root)
        except RiskcheckError as exc:
            return Entry(relative, relative, "", error=self._message(exc)), ()
        dependencies = _dependencies(loaded)
        # The list never computes fairness figures (a model or a large data file
        # would run on every visit); it uses those the form already computed.
        fairness_state = ""
        fairness = Fairness(None, None, None)
        if loaded.file.fairness is not None:
            cached = self._cached_fairness(path, fingerprint)
            fairness_state = "declared" if cached is None else "computed"
            fairness = cached or fairness
        state = FillState.from_loaded(loaded)
        try:
            result = self._evaluate(loaded, state, fairness)
        except RiskcheckError as exc:
            return Entry(relative, relative, "", error=self._message(exc)), dependencies
        # The questionnaire's own text (its title, the tier's label) from its catalogue in the server's language.
        words = self._words(loaded.questionnaire)
        title = words.get(result.questionnaire_title, result.questionnaire_title)
        entry = Entry(
            relative=relative,
            name=str(loaded.file.system.name),
            questionnaire=f"{title} ({result.questionnaire_id}@{result.questionnaire_version})",
            tier=result.tier,
            tier_label=words.get(result.tier_label, result.tier_label),
            status=result.status,
            signoff=result.signoffs.status,
            answered=result.completeness.answered,
            required=result.completeness.required,
            blocked=result.blocked,
            fairness=fairness_state,
            provisional=bool(open_decisive(state)) or fairness_state == "declared",
        )
        return entry, dependencies

    def _cached_fairness(self, path: Path, fingerprint: Fingerprint | None) -> Fairness | None:
        if fingerprint is None:
            return None
        with self._guard:
            return self._fairness.get((path.resolve(), fingerprint[2]))

    def _message(self, exc: RiskcheckError) -> str:
        return _first_line(exc).replace(str(self.root) + "/", "")

    def _words(self, questionnaire: Any) -> dict[str, str]:
        """English -> the server's language for a questionnaire's text (empty without its catalogue)."""
        from riskcheck.web.viewmodels import questionnaire_words

        try:
            return questionnaire_words(questionnaire, self.lang)
        except RiskcheckError:  # an unreadable catalogue: the row stays in English
            return {}

    def _words_of(self, path: Path) -> dict[str, str]:
        """:meth:`_words` of the questionnaire file at ``path``, when it loads."""
        if self.lang == "en":
            return {}
        try:
            return self._words(load_questionnaire(path))
        except RiskcheckError:
            return {}

    def bundled(self) -> list[QuestionnaireChoice]:
        choices = []
        for qid, path in bundled_questionnaires().items():
            try:
                compiled = load_questionnaire(path)
            except RiskcheckError:
                continue
            title = self._words(compiled).get(compiled.spec.title, compiled.spec.title)
            detail = _("{id}@{version}, bundled", id=qid, version=compiled.version)
            choices.append(QuestionnaireChoice(f"bundled:{qid}", title, detail))
        return choices

    def fairness(self, loaded: LoadedAssessment) -> Fairness:
        """The fairness figures of an assessment, computed once per version of the file."""
        if loaded.file.fairness is None:
            return Fairness(None, None, None)
        key = (loaded.path.resolve(), sha256_file(loaded.path))
        with self._guard:
            cached = self._fairness.get(key)
        if cached is not None:
            return cached
        from riskcheck import api

        refused = _refused_model(loaded)
        if refused is not None:
            value = Fairness(None, None, refused)
        else:
            try:
                untrusted = _without_trust(loaded)
                figures = api.evaluate_fairness_block(untrusted)
                value = Fairness(figures, api.fairness_evidence_hash(untrusted, figures), None)
            except RiskcheckError as exc:
                value = Fairness(None, None, _("Fairness figures unavailable: {error}", error=self._message(exc)))
        with self._guard:
            if len(self._fairness) > 64:
                self._fairness.clear()
            self._fairness[key] = value
        return value

    def score(self, loaded: LoadedAssessment, state: FillState) -> tuple[Result, str | None]:
        """The live result of ``state`` (answers as edited) with the file's fairness figures and sign-offs."""
        fairness = self.fairness(loaded)
        return self._evaluate(loaded, state, fairness), fairness.note

    @staticmethod
    def _evaluate(loaded: LoadedAssessment, state: FillState, fairness: Fairness) -> Result:
        from riskcheck.pipeline import result_of

        # The pipeline every path uses, so the content hash (and so the sign-off state)
        # agrees with the command line's.
        return result_of(
            loaded,
            fairness=fairness.figures,
            evidence_hash=fairness.evidence_hash,
            missing_evidence=(fairness.note,) if fairness.note else (),
            answers=state.answer_set(),
            system=state.system,
        )


def _first_line(exc: RiskcheckError) -> str:
    text = str(exc)
    lines = text.splitlines()
    more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
    return (lines[0] if lines else text) + more


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _dependencies(loaded: LoadedAssessment) -> tuple[Dependency, ...]:
    """The files besides the assessment whose change changes its row: a questionnaire
    given by path, and the local evidence files the content hash (so the sign-off
    state) covers."""
    from riskcheck.core.content import translation_catalogues
    from riskcheck.pipeline import content_inputs

    paths = []
    source = Path(loaded.questionnaire.source)
    if source.is_file():
        paths.append(source)
        # Its catalogues too: the row shows their words, and the content hash covers them.
        paths.extend(translation_catalogues(source).values())
    for link in content_inputs(loaded).evidence_files:
        paths.append(loaded.base_dir / link.split("#", 1)[0])
    return tuple((path, _stat(path)) for path in paths)


def _fingerprint(path: Path) -> Fingerprint | None:
    try:
        stat = path.stat()
        return stat.st_mtime_ns, stat.st_size, sha256_file(path)
    except OSError:
        return None


def _refused_model(loaded: LoadedAssessment) -> str | None:
    """Why the web form does not compute this file's fairness figures (``None``: it may).

    The web form never loads a pickle: unpickling runs code, and trust is a decision
    of the person running riskcheck on the command line, never of a file or of
    whoever can reach the form.
    """
    from riskcheck.fairness.model import PICKLE_SUFFIXES

    spec = loaded.file.fairness
    model = getattr(spec, "model", None)
    if model is None or not str(model).lower().endswith(PICKLE_SUFFIXES):
        return None
    return _(
        "Fairness figures not computed: the model {model} is a pickle file, which the web form never loads. "
        "Run riskcheck check or riskcheck score on the command line, where you can choose to trust it.",
        model=model,
    )


def _without_trust(loaded: LoadedAssessment) -> LoadedAssessment:
    """``loaded`` with any ``trust_model`` the file asks for switched off."""
    spec = loaded.file.fairness
    if spec is None or not getattr(spec, "trust_model", False):
        return loaded
    file = loaded.file.model_copy(update={"fairness": spec.model_copy(update={"trust_model": False})})
    return dataclasses.replace(loaded, file=file)
