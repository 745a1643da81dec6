"""Loading YAML safely, with the line and column of every value.

PyYAML's C parser builds the node graph; we turn it into plain Python data
ourselves so that we can (1) remember where each value came from, (2) reject
duplicate keys, which PyYAML silently drops, (3) bound how many nodes an
anchor/alias chain may expand to, which defuses "billion laughs" files, and
(4) bound how deeply values nest, aliases included, so that no recursion can be
driven past its stack. Composition stays in PyYAML's Python composer, which checks
depth as it goes: libyaml's C composer recurses without a bound and kills the
process on a deeply nested file, and no cheap look at the text bounds its depth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from riskcheck.core.errors import Problem, RiskcheckError, YamlError
from riskcheck.files.fileio import MAX_YAML_BYTES, read_bounded_text

_STR_TAG = "tag:yaml.org,2002:str"
_COLLECTION_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")

#: Nodes a document may expand to, counting every alias use again.
MAX_NODES = 250_000
#: Characters of text a document may expand to, counting every alias use again: an
#: anchored 1 MB string reached through 200,000 aliases is 200 GB once scored or printed.
#: Twice the file bound leaves room for ordinary aliases and none for an amplifier.
MAX_CHARS = 2 * MAX_YAML_BYTES
#: How deeply lists and mappings may nest. libyaml composes nodes recursively in C,
#: so a file of a million '[' would overflow the C stack and kill the process.
MAX_DEPTH = 100
_DEPTH_MESSAGE = f"lists and mappings nest more than {MAX_DEPTH} levels deep"

Loc = tuple[str | int, ...]


class _DepthLimitedComposer(yaml.composer.Composer):
    """PyYAML's Python composer (it recurses in Python, never in C), with a depth bound."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark  # type: ignore[attr-defined]
                raise yaml.composer.ComposerError(None, None, _DEPTH_MESSAGE, mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


try:
    from yaml._yaml import CParser  # libyaml's parser emits events without recursing

    class _Loader(_DepthLimitedComposer, CParser, yaml.constructor.SafeConstructor, yaml.resolver.Resolver):
        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            _DepthLimitedComposer.__init__(self)
            yaml.constructor.SafeConstructor.__init__(self)
            yaml.resolver.Resolver.__init__(self)

except ImportError:  # pragma: no cover - PyYAML built without libyaml

    class _Loader(_DepthLimitedComposer, yaml.SafeLoader):  # type: ignore[no-redef]
        pass


class _PyLoader(_DepthLimitedComposer, yaml.SafeLoader):
    """The pure-Python reader, used to tell whether a failed parse broke the depth bound first."""


@dataclass
class Document:
    """Parsed YAML plus where each value and key stood in the file."""

    file: str
    data: Any
    values: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    styles: dict[Loc, str | None] = field(default_factory=dict)

    def position(self, loc: Sequence[str | int], *, key: bool = False) -> tuple[int, int] | None:
        """Line and column (1-based) of ``loc``, or of its nearest known parent."""
        path = tuple(loc)
        while True:
            if key and path in self.keys:
                return self.keys[path]
            if path in self.values:
                return self.values[path]
            if not path:
                return None
            path = path[:-1]

    def problem(self, loc: Sequence[str | int], message: str, *, key: bool = False, offset: int = 0) -> Problem:
        position = self.position(loc, key=key)
        line, column = position if position else (None, None)
        if column is not None and offset and tuple(loc) in self.values:
            style = self.styles.get(tuple(loc))
            if not style:  # plain scalar
                column += offset
            elif style in ("'", '"'):
                column += offset + 1
        return Problem(self.file, message, line, column, format_loc(loc))


def format_loc(loc: Sequence[str | int]) -> str:
    """``('sections', 2, 'weight')`` -> ``sections[2].weight``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def load_yaml(path: Path, *, what: str = "document") -> Document:
    """Read ``path`` (bounded, UTF-8) and parse it into a :class:`Document`."""
    name = str(path)
    try:
        text = read_bounded_text(Path(path))
    except YamlError:
        raise
    except Exception as exc:
        raise YamlError(str(exc)) from None
    return parse_yaml(text, name, what=what)


def parse_yaml(text: str, name: str, *, what: str = "document") -> Document:
    if not text.strip() or all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()):
        raise YamlError.from_problems([Problem(name, f"file is empty; expected {_a(what)} (a YAML mapping)")])
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise YamlError.from_problems([_depth_problem(text, name) or _syntax_problem(exc, name)]) from None
    except yaml.YAMLError as exc:
        raise YamlError.from_problems([Problem(name, f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if node is None:
        raise YamlError.from_problems([Problem(name, f"file is empty; expected {_a(what)} (a YAML mapping)")])
    document = Document(file=name, data=None)
    builder = _Builder(document, loader)
    document.data = builder.build(node, ())
    if builder.problems:
        raise YamlError.from_problems(builder.problems)
    if not isinstance(document.data, dict):
        raise YamlError.from_problems(
            [Problem(name, f"expected {_a(what)} (a YAML mapping), got {_type_name(document.data)}", 1, 1)]
        )
    return document


def _syntax_problem(exc: yaml.MarkedYAMLError, name: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    reason = exc.problem or exc.context or "invalid YAML"
    line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
    return Problem(name, f"invalid YAML: {reason}", line, column)


def _depth_problem(text: str, name: str) -> Problem | None:
    """Our nesting bound's error, if the text breaks it before anything else goes wrong.

    libyaml's scanner reads flow collections ahead of the events it hands over, and
    newer releases refuse nesting past their own limit there, before the composer sees
    the level at which our bound applies. A failed parse is therefore replayed through
    PyYAML's pure-Python scanner and parser (iterative, so safe at any depth), whose
    events reach the depth-limited composer in order: the same file gets the same
    error whichever libyaml is installed. Only files that fail to parse pay for it.
    """
    loader = _PyLoader(text)
    try:
        loader.get_single_node()
    except yaml.composer.ComposerError as exc:
        if exc.problem == _DEPTH_MESSAGE:
            return _syntax_problem(exc, name)
    except yaml.YAMLError:
        pass
    finally:
        loader.dispose()
    return None


class _Builder:
    def __init__(self, document: Document, loader: Any) -> None:
        self.document = document
        self.loader = loader
        self.budget = MAX_NODES
        self.chars = MAX_CHARS
        self.problems: list[Problem] = []
        #: The collections being built around the current node: an alias back to one loops.
        self.open: set[int] = set()

    def at(self, node: yaml.Node, message: str, loc: Loc | None = None) -> Problem:
        """A problem at ``node``'s line and column (and ``loc``'s path inside the document)."""
        mark = node.start_mark
        path = format_loc(loc) if loc is not None else ""
        return Problem(self.document.file, message, mark.line + 1, mark.column + 1, path)

    def fail(self, node: yaml.Node, message: str) -> RiskcheckError:
        return YamlError.from_problems([self.at(node, message)])

    def build(self, node: yaml.Node, loc: Loc) -> Any:
        # Depth counts alias expansions too: a chain of anchors, each nesting the
        # previous one, is as deep as the values it expands to.
        if len(loc) >= MAX_DEPTH:
            raise self.fail(node, f"invalid YAML: {_DEPTH_MESSAGE}")
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            if id(node) in self.open:
                raise self.fail(node, "invalid YAML: an alias refers to a list or mapping that contains it")
            self.open.add(id(node))
            try:
                return self.collection(node, loc)
            finally:
                self.open.discard(id(node))
        return self.collection(node, loc)

    def collection(self, node: yaml.Node, loc: Loc) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise self.fail(
                node,
                f"document expands to more than {MAX_NODES:,} values "
                "(anchors and aliases nested too deeply); refusing to load it",
            )
        self.document.values.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _COLLECTION_TAGS:
            self.problems.append(self.document.problem(loc, f"the tag {_short_tag(node.tag)!r} is not supported"))
            return None
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node, loc)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(child, (*loc, index)) for index, child in enumerate(node.value)]
        self.document.styles.setdefault(loc, getattr(node, "style", None))
        self.chars -= len(node.value)
        if self.chars < 0:
            raise self.fail(
                node,
                f"document expands to more than {MAX_CHARS:,} characters of text "
                "(aliases repeat the long value that starts here); refusing to load it",
            )
        if node.tag == _STR_TAG:
            return node.value  # the commonest case, without the constructor's dispatch
        try:
            return self.scalar(node)
        except ValueError as exc:
            self.problems.append(self.document.problem(loc, str(exc)))
            return None

    def scalar(self, node: yaml.Node) -> Any:
        """Construct a scalar; a value its tag cannot take is a ``ValueError`` with a plain message."""
        import math
        import sys

        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            if exc.problem and exc.problem.startswith("could not determine a constructor"):
                raise ValueError(f"the tag {_short_tag(node.tag)!r} is not supported") from None
            raise ValueError(f"invalid value: {exc.problem or exc}") from None
        except (ValueError, OverflowError) as exc:  # 2020-13-45, !!float x, an int of 5,000 digits
            reason = "a number with too many digits" if "digits" in str(exc) else str(exc)
            raise ValueError(f"invalid {_short_tag(node.tag)} value {node.value[:40]!r}: {reason}") from None
        # Numbers must survive float arithmetic and JSON: no .inf, no .nan, no 1e400 as a whole number.
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"expected a finite number, got {node.value[:40]!r}")
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > sys.float_info.max:
            raise ValueError(f"expected a number of at most 1.8e308, got one of {len(node.value):,} characters")
        return value

    def mapping(self, node: yaml.MappingNode, loc: Loc) -> dict[Any, Any]:
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problems.append(self.at(key_node, "merge keys ('<<') are not supported; write the keys out", loc))
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problems.append(
                    self.at(key_node, "expected a plain key, got a mapping or list used as a key", loc)
                )
                continue
            try:
                key = self.scalar(key_node)
            except ValueError as exc:
                self.problems.append(self.at(key_node, f"invalid key: {exc}", loc))
                continue
            if isinstance(key, (bool, int, float)) or key is None:
                key = _plain_key(key_node.value, key)
            if key in result:
                first = self.document.keys.get((*loc, key))
                where = f" (first defined on line {first[0]})" if first else ""
                self.problems.append(self.at(key_node, f"duplicate key {key!r}{where}", loc))
                continue
            child = (*loc, key)
            self.document.keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            result[key] = self.build(value_node, child)
        return result


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix("tag:yaml.org,2002:") if tag.startswith("tag:yaml.org,2002:") else tag


def _plain_key(text: str, value: Any) -> Any:
    """Mapping keys stay as written: ``yes:`` is the key 'yes', not True."""
    if isinstance(value, bool) or value is None:
        return text
    return value


def _a(noun: str) -> str:
    """``an assessment``, ``a questionnaire``."""
    return f"an {noun}" if noun[:1].lower() in "aeiou" else f"a {noun}"


def _type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text {value[:40]!r}"
    return f"{type(value).__name__} {value!r}"
