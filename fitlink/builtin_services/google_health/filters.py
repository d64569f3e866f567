"""The AIP-160 filter subset of dataPoints.list: time comparisons joined by AND (and OR)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from .catalog import CIVIL, DATE, PHYSICAL, DataType
from .errors import invalid_argument

MAX_LENGTH = 2000
TOKEN = re.compile(r'\s*(\(|\)|>=|<=|!=|=|<|>|"[^"]*"|[A-Za-z_][A-Za-z0-9_.]*)')
CIVIL_LITERAL = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2})?")
DATE_LITERAL = re.compile(r"\d{4}-\d{2}-\d{2}")
REASON = "INVALID_DATA_POINT_FILTER"


@dataclass(frozen=True)
class Comparison:
    """`field >= "literal"` or `field < "literal"`."""

    field: str
    op: str
    value: datetime | date

    def holds(self, keys: dict) -> bool:
        """Say whether a point's value of the field satisfies the comparison."""
        value = keys[self.field]
        return value >= self.value if self.op == ">=" else value < self.value


@dataclass(frozen=True)
class Junction:
    """Comparisons (or junctions) joined by AND or OR."""

    op: str
    parts: tuple

    def holds(self, keys: dict) -> bool:
        """Say whether a point satisfies all (AND) or any (OR) of the parts."""
        results = (part.holds(keys) for part in self.parts)
        return all(results) if self.op == "AND" else any(results)


def _bad(message: str):
    return invalid_argument(f"Invalid filter: {message}", REASON)


def _literal(kind: str, text: str) -> datetime | date:
    try:
        if kind == PHYSICAL:
            value = datetime.fromisoformat(text)
            if value.tzinfo is None or "T" not in text:
                raise ValueError
            return value
        if kind == CIVIL and CIVIL_LITERAL.fullmatch(text):
            return datetime.fromisoformat(text)
        if kind == DATE and DATE_LITERAL.fullmatch(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    formats = {PHYSICAL: "an RFC 3339 timestamp", CIVIL: "YYYY-MM-DD[THH:mm:ss]",
               DATE: "YYYY-MM-DD"}
    raise _bad(f'"{text}" is not {formats[kind]}.')


class _Parser:
    """Recursive descent; as in AIP-160, OR binds tighter than AND."""

    def __init__(self, text: str, data_type: DataType) -> None:
        self.fields = data_type.filter_fields()
        self.allow_or = data_type.record == "session"
        self.tokens = self._tokenize(text)
        self.position = 0

    @staticmethod
    def _tokenize(text: str) -> list[str]:
        tokens, position = [], 0
        while position < len(text.rstrip()):
            match = TOKEN.match(text, position)
            if not match:
                raise _bad(f"unexpected text at position {position}.")
            tokens.append(match[1])
            position = match.end()
        return tokens

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def _take(self) -> str:
        token = self.peek()
        if token is None:
            raise _bad("the expression ends too early.")
        self.position += 1
        return token

    def expression(self) -> Comparison | Junction:
        parts = [self._term()]
        while self.peek() == "AND":
            self._take()
            parts.append(self._term())
        return parts[0] if len(parts) == 1 else Junction("AND", tuple(parts))

    def _term(self) -> Comparison | Junction:
        parts = [self._factor()]
        while self.peek() == "OR":
            if not self.allow_or:
                raise _bad("OR is supported for sleep only.")
            self._take()
            parts.append(self._factor())
        return parts[0] if len(parts) == 1 else Junction("OR", tuple(parts))

    def _factor(self) -> Comparison | Junction:
        if self.peek() == "(":
            self._take()
            inner = self.expression()
            if self._take() != ")":
                raise _bad("a parenthesis is not closed.")
            return inner
        field, op, literal = self._take(), self._take(), self._take()
        if field not in self.fields:
            raise _bad(f"unsupported field {field!r}; use one of {sorted(self.fields)}.")
        if op not in (">=", "<"):
            raise _bad(f"unsupported operator {op!r}; use >= or <.")
        if not (literal.startswith('"') and literal.endswith('"') and len(literal) > 1):
            raise _bad("a literal must be in double quotes.")
        return Comparison(field, op, _literal(self.fields[field], literal[1:-1]))


def parse_filter(text: str | None, data_type: DataType) -> Comparison | Junction | None:
    """Return the parsed filter, None when empty; raise INVALID_ARGUMENT when malformed."""
    if not text or not text.strip():
        return None
    if len(text) > MAX_LENGTH:
        raise _bad(f"longer than {MAX_LENGTH} characters.")
    parser = _Parser(text, data_type)
    expression = parser.expression()
    if parser.peek() is not None:
        raise _bad(f"unexpected {parser.peek()!r}.")
    return expression


def day_bounds(expression: Comparison | Junction | None) -> tuple[date | None, date | None]:
    """Return the widest (first, last) local days an AND-only filter can match, else Nones.

    A day earlier or later than the literals by one covers every UTC offset.
    """
    parts = (expression,) if isinstance(expression, Comparison) else (
        expression.parts if isinstance(expression, Junction) and expression.op == "AND" else ())
    lows, highs = [], []
    for part in parts:
        if isinstance(part, Comparison):
            day = part.value if type(part.value) is date else part.value.date()
            (lows if part.op == ">=" else highs).append(day)
    first = date.fromordinal(max(lows).toordinal() - 1) if lows else None
    last = date.fromordinal(min(highs).toordinal() + 1) if highs else None
    return first, last
