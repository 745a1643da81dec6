"""The expression language of ``when:`` conditions and rules.

An expression is parsed with Python's own parser (``ast.parse``) and then checked
node by node against an allowlist: boolean logic, comparisons, ``in``, arithmetic,
literals, question names, ``fairness.<metric>`` and a handful of functions. Nothing
else is accepted, so there is no attribute access to Python objects, no imports, no
comprehensions and no loops. The checked tree is compiled into plain closures; the
text is never handed to ``eval``.

Semantics that matter to authors:

* An unanswered or hidden question has the value ``None``. ``None`` compares equal
  only to ``None``; any ordering comparison with it (``<``, ``>=`` ...) is false;
  ``x in None`` is false; arithmetic with it gives ``None``; it is falsy.
* ``yes_no`` answers are booleans; ``q == 'yes'`` is accepted and means ``q == True``.
* ``multiple_choice`` answers are sets of option values: ``'x' in q``.
* Division by zero gives ``None`` rather than an error.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from riskcheck.core.expr_runtime import ARITH, COMPARE, VARIADIC, negate

Env = Mapping[str, Any]
Compiled = Callable[[Env], Any]

MAX_EXPRESSION_CHARS = 2000
MAX_EXPRESSION_NODES = 300

#: Kinds a value can have, for checking expressions when a file loads.
BOOL, STR, NUMBER, SET, DATE, LIST, ANY, NONE = (
    "bool",
    "text",
    "number",
    "set",
    "date",
    "list",
    "any",
    "none",
)

CONSTANT_NAMES = {"True": True, "False": False, "None": None, "true": True, "false": False, "null": None}
FUNCTIONS = ("answered", "count", "len", "any", "all", "min", "max")


@dataclass(frozen=True)
class Variable:
    """What the checker knows about a name an expression may use."""

    kind: str
    options: frozenset[str] | None = None


class ExpressionError(ValueError):
    """An expression is not valid; ``offset`` is the character where the fault is."""

    def __init__(self, message: str, offset: int = 0) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True)
class Expression:
    """A checked, compiled expression."""

    source: str
    names: frozenset[str]
    fairness_names: frozenset[str]
    evaluate: Compiled

    @cached_property
    def sorted_names(self) -> tuple[str, ...]:
        """Every name read, as it appears in an environment (``fairness.x`` for metrics)."""
        return tuple(sorted(self.names)) + tuple(f"fairness.{n}" for n in sorted(self.fairness_names))

    def __call__(self, env: Env) -> Any:
        return self.evaluate(env)


def compile_expression(
    source: str,
    variables: Mapping[str, Variable],
    fairness_metrics: Collection[str] = frozenset(),
) -> Expression:
    """Parse, check and compile ``source`` against the known ``variables``."""
    if not isinstance(source, str):
        raise ExpressionError(f"expected an expression as text, got {source!r}")
    text = source.strip()
    if not text:
        raise ExpressionError("expected an expression, got an empty string")
    if len(text) > MAX_EXPRESSION_CHARS:
        raise ExpressionError(f"expression is longer than {MAX_EXPRESSION_CHARS} characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        offset = max((exc.offset or 1) - 1, 0)
        raise ExpressionError(f"invalid expression syntax: {exc.msg}", offset) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("expression is too deeply nested") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_EXPRESSION_NODES:
        raise ExpressionError(f"expression has more than {MAX_EXPRESSION_NODES} parts")
    compiler = _Compiler(variables, fairness_metrics)
    fn, kind = compiler.visit(tree.body)
    if kind == BOOL and isinstance(tree.body, ast.Name):
        # A bare yes/no question is a condition: unanswered (None) is False, like everywhere else.
        raw = fn
        fn = lambda env: bool(raw(env))  # noqa: E731
    return Expression(
        source=text,
        names=frozenset(compiler.names),
        fairness_names=frozenset(compiler.fairness_names),
        evaluate=fn,
    )


_FUNCTION_KINDS = {"count": NUMBER, "len": NUMBER, "any": BOOL, "all": BOOL, "min": NUMBER, "max": NUMBER}
_OP_TEXT = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
}


# ---------------------------------------------------------------- the compiler


class _Compiler:
    def __init__(self, variables: Mapping[str, Variable], fairness_metrics: Collection[str]) -> None:
        self.variables = variables
        self.fairness_metrics = fairness_metrics
        self.names: set[str] = set()
        self.fairness_names: set[str] = set()

    def fail(self, node: ast.AST, message: str) -> ExpressionError:
        return ExpressionError(message, getattr(node, "col_offset", 0))

    def visit(self, node: ast.expr) -> tuple[Compiled, str]:
        method = getattr(self, f"visit_{type(node).__name__}", None)
        if method is None:
            raise self.fail(node, f"{_describe(node)} is not allowed in an expression")
        result: tuple[Compiled, str] = method(node)
        return result

    # literals and names

    def visit_Constant(self, node: ast.Constant) -> tuple[Compiled, str]:
        value = node.value
        if isinstance(value, bool):
            kind = BOOL
        elif isinstance(value, (int, float)):
            kind = NUMBER
        elif isinstance(value, str):
            kind = STR
        elif value is None:
            kind = NONE
        else:
            raise self.fail(node, f"literal {value!r} is not allowed")
        return (lambda env: value), kind

    def visit_List(self, node: ast.List | ast.Tuple) -> tuple[Compiled, str]:
        values = []
        for element in node.elts:
            if not isinstance(element, ast.Constant) or isinstance(element.value, bytes):
                raise self.fail(element, "a list may hold only literal values")
            values.append(element.value)
        frozen = tuple(values)
        return (lambda env: frozen), LIST

    visit_Tuple = visit_List

    def visit_Name(self, node: ast.Name) -> tuple[Compiled, str]:
        name = node.id
        if name in CONSTANT_NAMES:
            constant = CONSTANT_NAMES[name]
            return (lambda env: constant), (NONE if constant is None else BOOL)
        variable = self.variables.get(name)
        if variable is None:
            known = ", ".join(sorted(self.variables)[:12])
            more = "" if len(self.variables) <= 12 else ", ..."
            raise self.fail(node, f"unknown question {name!r} (known: {known}{more})")
        self.names.add(name)
        return (lambda env: env.get(name)), variable.kind

    def visit_Attribute(self, node: ast.Attribute) -> tuple[Compiled, str]:
        if not (isinstance(node.value, ast.Name) and node.value.id == "fairness"):
            raise self.fail(node, "attribute access is only allowed as fairness.<metric>")
        metric = node.attr
        if metric not in self.fairness_metrics:
            known = ", ".join(sorted(self.fairness_metrics))
            raise self.fail(node, f"unknown fairness metric {metric!r} (known: {known})")
        self.fairness_names.add(metric)
        key = f"fairness.{metric}"
        return (lambda env: env.get(key)), NUMBER

    # operators

    def visit_BoolOp(self, node: ast.BoolOp) -> tuple[Compiled, str]:
        parts = [self.visit(value)[0] for value in node.values]
        if isinstance(node.op, ast.And):
            if len(parts) == 2:
                left, right = parts
                return (lambda env: True if left(env) and right(env) else False), BOOL  # noqa: SIM210 - no call: hot path
            return (lambda env: all(bool(p(env)) for p in parts)), BOOL
        if len(parts) == 2:
            left, right = parts
            return (lambda env: True if left(env) or right(env) else False), BOOL  # noqa: SIM210 - no call: hot path
        return (lambda env: any(bool(p(env)) for p in parts)), BOOL

    def visit_UnaryOp(self, node: ast.UnaryOp) -> tuple[Compiled, str]:
        operand, kind = self.visit(node.operand)
        if isinstance(node.op, ast.Not):
            return (lambda env: not operand(env)), BOOL
        if isinstance(node.op, (ast.USub, ast.UAdd)):
            self.expect_number(node.operand, kind)
            if isinstance(node.op, ast.USub):
                return (lambda env: negate(operand(env))), NUMBER
            return operand, NUMBER
        raise self.fail(node, f"{_describe(node)} is not allowed in an expression")

    def visit_BinOp(self, node: ast.BinOp) -> tuple[Compiled, str]:
        op = ARITH.get(type(node.op))
        if op is None:
            raise self.fail(node, f"operator {type(node.op).__name__} is not allowed")
        left, left_kind = self.visit(node.left)
        right, right_kind = self.visit(node.right)
        self.expect_number(node.left, left_kind)
        self.expect_number(node.right, right_kind)
        return (lambda env: op(left(env), right(env))), NUMBER

    def visit_Compare(self, node: ast.Compare) -> tuple[Compiled, str]:
        operands = [node.left, *node.comparators]
        steps: list[tuple[Callable[[Any, Any], bool], Compiled, Compiled]] = []
        compiled = [self.visit(operand) for operand in operands]
        for index, op_node in enumerate(node.ops):
            left_node, right_node = operands[index], operands[index + 1]
            (left, left_kind), (right, right_kind) = compiled[index], compiled[index + 1]
            left, left_kind, right, right_kind = self.coerce_pair(
                left_node, left, left_kind, right_node, right, right_kind
            )
            self.check_comparison(op_node, left_node, left_kind, right_node, right_kind)
            steps.append((COMPARE[type(op_node)], left, right))
        if len(steps) == 1:
            fast = _fast_compare(node.ops[0], node.left, node.comparators[0], steps[0])
            if fast is not None:
                return fast, BOOL
            compare, left, right = steps[0]
            return (lambda env: compare(left(env), right(env))), BOOL
        return (lambda env: all(c(lf(env), rf(env)) for c, lf, rf in steps)), BOOL

    def visit_Call(self, node: ast.Call) -> tuple[Compiled, str]:
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            allowed = ", ".join(FUNCTIONS)
            raise self.fail(node, f"only these functions may be called: {allowed}")
        if node.keywords:
            raise self.fail(node, "functions take no keyword arguments")
        name = node.func.id
        if not node.args:
            raise self.fail(node, f"{name}() needs at least one argument")
        if name == "answered":
            if len(node.args) != 1 or not isinstance(node.args[0], ast.Name):
                raise self.fail(node, "answered() takes exactly one question name")
            arg, _ = self.visit(node.args[0])
            return (lambda env: arg(env) is not None), BOOL
        visited = [self.visit(a) for a in node.args]
        args = [compiled for compiled, _ in visited]
        kind = _FUNCTION_KINDS[name]
        if name in ("min", "max"):
            kind = self.expect_comparable(name, node.args, [k for _, k in visited])
        function = VARIADIC[name]
        if len(args) == 1:
            only = args[0]
            return (lambda env: function(only(env))), kind
        return (lambda env: function(*(a(env) for a in args))), kind

    # type checks

    def expect_number(self, node: ast.expr, kind: str) -> None:
        if kind not in (NUMBER, ANY, NONE):
            raise self.fail(node, f"expected a number in arithmetic, got {_kind_text(kind)} {_source(node)}")

    def expect_comparable(self, name: str, nodes: list[ast.expr], kinds: list[str]) -> str:
        """``min``/``max`` take numbers, or dates; the result has their kind."""
        for node, kind in zip(nodes, kinds, strict=True):
            if kind not in (NUMBER, DATE, ANY, NONE):
                raise self.fail(node, f"{name}() takes numbers or dates, got {_kind_text(kind)} {_source(node)}")
        known = {k for k in kinds if k not in (ANY, NONE)}
        if len(known) > 1:
            raise self.fail(nodes[0], f"{name}() takes numbers or dates, not both")
        return known.pop() if known else NUMBER

    def coerce_pair(
        self,
        left_node: ast.expr,
        left: Compiled,
        left_kind: str,
        right_node: ast.expr,
        right: Compiled,
        right_kind: str,
    ) -> tuple[Compiled, str, Compiled, str]:
        """Turn 'yes'/'no' and ISO date strings into the values they stand for."""
        if left_kind == BOOL and right_kind == STR and isinstance(right_node, ast.Constant):
            return left, left_kind, self.yes_no_constant(right_node), BOOL
        if right_kind == BOOL and left_kind == STR and isinstance(left_node, ast.Constant):
            return self.yes_no_constant(left_node), BOOL, right, right_kind
        if left_kind == DATE and right_kind == STR and isinstance(right_node, ast.Constant):
            return left, left_kind, self.date_constant(right_node), DATE
        if right_kind == DATE and left_kind == STR and isinstance(left_node, ast.Constant):
            return self.date_constant(left_node), DATE, right, right_kind
        return left, left_kind, right, right_kind

    def yes_no_constant(self, node: ast.Constant) -> Compiled:
        text = str(node.value).lower()
        if text not in ("yes", "no"):
            raise self.fail(node, f"a yes/no answer can only be compared with 'yes' or 'no', got {node.value!r}")
        value = text == "yes"
        return lambda env: value

    def date_constant(self, node: ast.Constant) -> Compiled:
        try:
            value = dt.date.fromisoformat(str(node.value))
        except ValueError:
            raise self.fail(node, f"expected a date as 'YYYY-MM-DD', got {node.value!r}") from None
        return lambda env: value

    def check_comparison(
        self, op: ast.cmpop, left_node: ast.expr, left_kind: str, right_node: ast.expr, right_kind: str
    ) -> None:
        symbol = _OP_TEXT[type(op)]
        if isinstance(op, (ast.In, ast.NotIn)):
            if right_kind == SET:
                self.check_options(right_node, left_node)
            elif right_kind == LIST and left_kind == STR:
                self.check_options(left_node, right_node)
            elif right_kind not in (LIST, STR, ANY, NONE):
                raise self.fail(
                    right_node,
                    f"'{symbol}' needs a list, a text or a multiple-choice question on its right, "
                    f"got {_kind_text(right_kind)} {_source(right_node)}",
                )
            return
        if NONE in (left_kind, right_kind) or ANY in (left_kind, right_kind):
            return
        comparable = {left_kind, right_kind}
        if isinstance(op, (ast.Eq, ast.NotEq)):
            if left_kind != right_kind and comparable != {DATE, STR}:
                raise self.fail(
                    left_node,
                    f"cannot compare {_kind_text(left_kind)} {_source(left_node)} with "
                    f"{_kind_text(right_kind)} {_source(right_node)}",
                )
            if left_kind == STR:
                self.check_options(left_node, right_node)
                self.check_options(right_node, left_node)
            return
        if not (comparable == {NUMBER} or (DATE in comparable and comparable <= {DATE, STR})):
            raise self.fail(
                left_node,
                f"'{symbol}' compares numbers or dates, got {_kind_text(left_kind)} {_source(left_node)} "
                f"and {_kind_text(right_kind)} {_source(right_node)}",
            )

    def check_options(self, question_node: ast.expr, value_node: ast.expr) -> None:
        """A literal compared with a choice question must be one of its options."""
        if not isinstance(question_node, ast.Name):
            return
        variable = self.variables.get(question_node.id)
        if variable is None or variable.options is None:
            return
        literals: list[ast.Constant] = []
        if isinstance(value_node, ast.Constant):
            literals = [value_node]
        elif isinstance(value_node, (ast.List, ast.Tuple)):
            literals = [e for e in value_node.elts if isinstance(e, ast.Constant)]
        for literal in literals:
            if literal.value not in variable.options:
                options = ", ".join(sorted(variable.options))
                raise self.fail(
                    literal,
                    f"{literal.value!r} is not an option of {question_node.id!r} (options: {options})",
                )


def _fast_compare(
    op: ast.cmpop,
    left_node: ast.expr,
    right_node: ast.expr,
    step: tuple[Callable[[Any, Any], bool], Compiled, Compiled],
) -> Compiled | None:
    """Specialised closures for ``question <op> literal``, the commonest shape.

    They keep the documented semantics (``None`` is unequal to any literal, never
    ordered, never contains anything) while skipping a layer of calls.
    """
    _, _, right = step
    if not isinstance(left_node, ast.Name) or left_node.id in CONSTANT_NAMES:
        if isinstance(op, ast.In) and isinstance(left_node, ast.Constant) and isinstance(right_node, ast.Name):
            item = left_node.value
            name = right_node.id
            if item is None or name in CONSTANT_NAMES:
                return None

            def contains(env: Env) -> bool:
                container = env.get(name)
                if container is None:
                    return False
                try:
                    return item in container
                except TypeError:  # 1 in 'text'
                    return False

            return contains
        return None
    name = left_node.id
    literal = right(_EMPTY) if isinstance(right_node, (ast.Constant, ast.List, ast.Tuple)) else _MISSING
    if literal is _MISSING or literal is None:
        return None
    if isinstance(op, ast.Eq):
        return lambda env: env.get(name) == literal
    if isinstance(op, ast.NotEq):
        return lambda env: env.get(name) != literal
    if isinstance(op, ast.In) and isinstance(literal, tuple) and None not in literal:
        return lambda env: env.get(name) in literal
    if isinstance(literal, (int, float)) and not isinstance(literal, bool):
        if isinstance(op, ast.Gt):
            return lambda env: (v := env.get(name)) is not None and v > literal
        if isinstance(op, ast.GtE):
            return lambda env: (v := env.get(name)) is not None and v >= literal
        if isinstance(op, ast.Lt):
            return lambda env: (v := env.get(name)) is not None and v < literal
        if isinstance(op, ast.LtE):
            return lambda env: (v := env.get(name)) is not None and v <= literal
    return None


_EMPTY: dict[str, Any] = {}
_MISSING = object()


def _describe(node: ast.AST) -> str:
    names = {
        "Lambda": "a lambda",
        "ListComp": "a comprehension",
        "SetComp": "a comprehension",
        "DictComp": "a comprehension",
        "GeneratorExp": "a generator",
        "Subscript": "indexing",
        "NamedExpr": "assignment",
        "IfExp": "a conditional expression",
        "Dict": "a dict literal",
        "Set": "a set literal",
        "Starred": "unpacking",
        "JoinedStr": "an f-string",
        "Await": "await",
        "Yield": "yield",
        "YieldFrom": "yield",
    }
    return names.get(type(node).__name__, type(node).__name__)


def _kind_text(kind: str) -> str:
    return {
        BOOL: "yes/no",
        STR: "text",
        NUMBER: "number",
        SET: "multiple choice",
        DATE: "date",
        LIST: "list",
        ANY: "value",
        NONE: "None",
    }[kind]


def _source(node: ast.expr) -> str:
    try:
        return ast.unparse(node)
    except Exception:
        return "?"
