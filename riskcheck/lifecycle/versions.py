"""The versions of a questionnaire that are available, and the chain of migrations between them.

A bundled questionnaire's versions are its current file and the released ones kept
under ``questionnaires/released/ID@VERSION.yaml``. A questionnaire given by path keeps
its earlier versions the same way, in ``released/`` beside it. Each version may declare
``migrations:`` from earlier ones; chaining them (1.0.0 -> 1.1.0 -> 1.2.0) moves
answers across several versions, one declared step at a time.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from riskcheck.core.compiler import CompiledQuestionnaire
from riskcheck.core.errors import Problem, SpecError
from riskcheck.core.loader import RELEASED_DIR, bundled_dir, bundled_questionnaires, load_questionnaire
from riskcheck.core.migrations import Step, semver_key, target_version


@dataclass(frozen=True)
class Catalog:
    """Every available version of one questionnaire, by version."""

    questionnaire_id: str
    files: dict[str, Path]
    #: The questionnaire file an assessment names by path (None: a bundled questionnaire).
    path: Path | None = None

    @cached_property
    def loaded(self) -> dict[str, CompiledQuestionnaire]:
        loaded: dict[str, CompiledQuestionnaire] = {}
        for version, path in self.files.items():
            compiled = load_questionnaire(path)
            if (compiled.id, compiled.version) != (self.questionnaire_id, version):
                raise SpecError.from_problems(
                    [
                        Problem(
                            str(path),
                            f"expected {self.questionnaire_id}@{version} (from the file name), "
                            f"got {compiled.id}@{compiled.version}",
                            1,
                            1,
                        )
                    ]
                )
            loaded[version] = compiled
        return loaded

    def versions(self) -> list[str]:
        return sorted(self.files, key=semver_key)

    def latest(self) -> str:
        return self.versions()[-1]

    def get(self, version: str) -> CompiledQuestionnaire | None:
        return self.loaded.get(version) if version in self.files else None

    @cached_property
    def steps(self) -> list[Step]:
        """Every declared step, each declared once (the same step in two files must agree)."""
        found: dict[tuple[str, str], Step] = {}
        problems: list[Problem] = []
        for version in self.versions():
            compiled = self.loaded[version]
            for index, migration in enumerate(compiled.spec.migrations):
                step = Step(
                    migration.from_version, target_version(compiled.spec, migration), migration, compiled, index
                )
                earlier = found.get((step.source, step.target))
                if earlier is None:
                    found[(step.source, step.target)] = step
                elif earlier.migration != migration:
                    problems.append(
                        step.problem(
                            ("from",),
                            f"this migration from {step.source} to {step.target} disagrees with the one declared "
                            f"in {earlier.declared_in.source} (migrations[{earlier.index}]); declare it once",
                        )
                    )
        if problems:
            raise SpecError.from_problems(problems)
        return sorted(found.values(), key=lambda s: (semver_key(s.source), semver_key(s.target)))

    def chain(self, source: str, target: str) -> list[Step]:
        """The steps from ``source`` to ``target``: the fewest, through available versions only."""
        if source == target:
            return []
        edges: dict[str, list[Step]] = {}
        for step in self.steps:
            if step.target in self.files:
                edges.setdefault(step.source, []).append(step)
        came: dict[str, Step] = {}
        queue = deque([source])
        while queue:
            version = queue.popleft()
            for step in edges.get(version, []):
                if step.target in came or step.target == source:
                    continue
                came[step.target] = step
                queue.append(step.target)
        if target not in came:
            raise SpecError(self._missing_link(source, target))
        path: list[Step] = []
        version = target
        while version != source:
            path.append(came[version])
            version = came[version].source
        return path[::-1]

    def _missing_link(self, source: str, target: str) -> str:
        qid = self.questionnaire_id
        declared = ", ".join(f"{s.source} -> {s.target}" for s in self.steps) or "none"
        into = sorted((s.source for s in self.steps if s.target == target), key=semver_key)
        hint = (
            f"{qid}@{target} declares migrations from {', '.join(into)} only"
            if into
            else f"{qid}@{target} declares no migration from an earlier version"
        )
        return (
            f"no chain of migrations from {qid}@{source} to {qid}@{target}: {hint} "
            f"(declared steps: {declared}; available versions: {', '.join(self.versions())}); "
            f"add a migration from {source} to the version after it"
        )


def bundled_catalog(qid: str) -> Catalog:
    """The available versions of bundled questionnaire ``qid``."""
    current = bundled_questionnaires().get(qid)
    files: dict[str, Path] = {}
    released = bundled_dir("questionnaires") / RELEASED_DIR
    for path in sorted(released.glob(f"{qid}@*.yaml")) if released.is_dir() else []:
        files[path.stem.split("@", 1)[1]] = path
    if current is not None:
        files[load_questionnaire(current).version] = current
    return Catalog(qid, files)


def path_catalog(path: Path) -> Catalog:
    """The questionnaire at ``path`` and its released versions in ``released/`` beside it."""
    current = load_questionnaire(path)
    files: dict[str, Path] = {}
    released = path.parent / RELEASED_DIR
    for candidate in sorted(released.glob(f"{current.id}@*.yaml")) if released.is_dir() else []:
        files[candidate.stem.split("@", 1)[1]] = candidate
    files[current.version] = path
    return Catalog(current.id, files, path)
