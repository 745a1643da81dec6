"""What compiled expressions do at run time: ``None``-aware comparisons, arithmetic
that touches only numbers, and the functions expressions may call.

See :mod:`riskcheck.core.expr` for the language and its semantics.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any


def _eq(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is b
    return bool(a == b)


def _ordered(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        if a is None or b is None:
            return False
        try:
            return op(a, b)
        except TypeError:
            return False

    return compare


def _contains(item: Any, container: Any) -> bool:
    if container is None or item is None:
        return False
    try:
        return item in container
    except TypeError:
        return False


def _arith(op: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def apply(a: Any, b: Any) -> Any:
        if a is None or b is None:
            return None
        # Only numbers take part in arithmetic, whatever the checker let through:
        # 'a' * 10**9 or a tuple times a number would build a huge object.
        if not (_is_number(a) and _is_number(b)):
            return None
        try:
            return op(a, b)
        except (ZeroDivisionError, OverflowError):
            return None

    return apply


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def negate(value: Any) -> Any:
    return -value if _is_number(value) else None


def _count(*values: Any) -> int:
    if len(values) == 1:
        only = values[0]
        if isinstance(only, (frozenset, set, tuple, list)):
            return len(only)
        return 1 if only else 0
    return sum(1 for v in values if v)


def _len(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, (str, frozenset, set, tuple, list)):
        return len(value)
    return 1


def _any(*values: Any) -> bool:
    if len(values) == 1 and isinstance(values[0], (frozenset, set, tuple, list)):
        return any(values[0])
    return any(values)


def _all(*values: Any) -> bool:
    if len(values) == 1 and isinstance(values[0], (frozenset, set, tuple, list)):
        return all(values[0])
    return all(values)


def _min(*values: Any) -> Any:
    present = [v for v in values if v is not None]
    try:
        return min(present) if present else None
    except TypeError:
        return None


def _max(*values: Any) -> Any:
    present = [v for v in values if v is not None]
    try:
        return max(present) if present else None
    except TypeError:
        return None


COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: _eq,
    ast.NotEq: lambda a, b: not _eq(a, b),
    ast.Lt: _ordered(lambda a, b: a < b),
    ast.LtE: _ordered(lambda a, b: a <= b),
    ast.Gt: _ordered(lambda a, b: a > b),
    ast.GtE: _ordered(lambda a, b: a >= b),
    ast.In: _contains,
    ast.NotIn: lambda a, b: not _contains(a, b),
}
ARITH: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: _arith(lambda a, b: a + b),
    ast.Sub: _arith(lambda a, b: a - b),
    ast.Mult: _arith(lambda a, b: a * b),
    ast.Div: _arith(lambda a, b: a / b),
    ast.Mod: _arith(lambda a, b: a % b),
}
VARIADIC: dict[str, Callable[..., Any]] = {
    "count": _count,
    "len": _len,
    "any": _any,
    "all": _all,
    "min": _min,
    "max": _max,
}
