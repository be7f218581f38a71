"""Translate the repositories' SQLite SQL into PostgreSQL's dialect.

The repositories keep one SQL text for both stores: SQLite's, whose few non-standard parts
have exact PostgreSQL equivalents. Each statement is translated once (cached) into a query
with ``$n`` placeholders and the order in which its parameters are bound.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# Index hints: PostgreSQL's planner chooses its own indexes.
_INDEX_HINT = re.compile(r"\s+(?:INDEXED\s+BY\s+\w+|NOT\s+INDEXED)\b", re.IGNORECASE)
# A nullable id compared with a nullable parameter: the 0 literal alone would make
# PostgreSQL type the parameter as a 32-bit integer, too small for Discord ids.
_IFNULL_PARAM = re.compile(r"\bifnull\(\s*(\?|:\w+)\s*,\s*0\s*\)", re.IGNORECASE)
_IFNULL = re.compile(r"\bifnull\(", re.IGNORECASE)
# SQLite's null-safe comparison `a IS b` (b neither NULL nor a keyword).
# Upper case only, as the repositories write keywords: "is" in a literal stays as it is.
_IS_NOT = re.compile(r"\bIS\s+NOT\s+(?!NULL\b|DISTINCT\b|TRUE\b|FALSE\b)")
_IS = re.compile(r"\bIS\s+(?!NOT\b|NULL\b|DISTINCT\b|TRUE\b|FALSE\b)")
_OR_IGNORE = re.compile(r"\bINSERT\s+OR\s+IGNORE\s+INTO\b", re.IGNORECASE)
_RETURNING = re.compile(r"\bRETURNING\b", re.IGNORECASE)
# A day as a proleptic ordinal (0001-01-01 is 1): julianday's offset, or date arithmetic.
_DAY_ORDINAL = re.compile(
    r"CAST\(\s*julianday\((\w+)\)\s*-\s*1721424\.5\s+AS\s+INTEGER\s*\)", re.IGNORECASE
)
# Ids given as one JSON array parameter.
_JSON_IDS = re.compile(r"SELECT\s+value\s+FROM\s+json_each\((\?|:\w+)\)", re.IGNORECASE)
# The elements of a JSON column's array member, and a text member of each.
_JSON_EACH_PATH = re.compile(
    r"json_each\(\s*([\w.]+)\s*,\s*'\$\.(\w+)'\s*\)\s+AS\s+(\w+)", re.IGNORECASE
)
_JSON_EXTRACT = re.compile(r"json_extract\(\s*([\w.]+)\s*,\s*'\$\.(\w+)'\s*\)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class _Ref:
    """One placeholder: its parameter (position or name), and whether it is a null test."""

    key: int | str
    null_test: str | None = None  # "IS NULL" or "IS NOT NULL" right after it


@dataclass(frozen=True, slots=True)
class Translated:
    """A statement in PostgreSQL's dialect, its placeholders still to number.

    ``:x IS NULL`` leaves PostgreSQL unable to type ``x`` when that test comes first, so
    such tests are decided here, from the value bound: they become TRUE or FALSE.
    """

    segments: tuple[str | _Ref, ...]
    named: bool

    def bind(self, params: Iterable[Any] | Mapping[str, Any]) -> tuple[str, tuple[Any, ...]]:
        """The query with ``$n`` placeholders, and its arguments in that order."""
        if isinstance(params, Mapping) != self.named:
            raise TypeError("named and positional parameters mixed up")
        values: Mapping[Any, Any] = (
            params if isinstance(params, Mapping) else dict(enumerate(params))
        )
        nulls = tuple(
            values[ref.key] is None
            for ref in self.segments
            if isinstance(ref, _Ref) and ref.null_test
        )
        sql, keys = _render(self, nulls)
        return sql, tuple(values[key] for key in keys)


@lru_cache(maxsize=4_000)  # statement shapes times their null tests
def _render(query: Translated, nulls: tuple[bool, ...]) -> tuple[str, tuple[int | str, ...]]:
    out: list[str] = []
    keys: list[int | str] = []
    decided = iter(nulls)
    for segment in query.segments:
        if isinstance(segment, str):
            out.append(segment)
        elif segment.null_test:
            is_null = next(decided)
            out.append("TRUE" if is_null == (segment.null_test == "IS NULL") else "FALSE")
        else:
            if segment.key not in keys:
                keys.append(segment.key)
            out.append(f"${keys.index(segment.key) + 1}")
    return "".join(out), tuple(keys)


def _rewrite(sql: str) -> str:
    sql = _INDEX_HINT.sub("", sql)
    sql = _IFNULL_PARAM.sub(r"coalesce(\1::bigint, 0)", sql)
    sql = _IFNULL.sub("coalesce(", sql)
    sql = _IS_NOT.sub("IS DISTINCT FROM ", sql)
    sql = _IS.sub("IS NOT DISTINCT FROM ", sql)
    sql = _DAY_ORDINAL.sub(r"(\1::date - DATE '0001-01-01' + 1)", sql)
    sql = _JSON_IDS.sub(r"SELECT value::bigint FROM json_array_elements_text(\1::json)", sql)
    sql = _JSON_EACH_PATH.sub(r"json_array_elements(\1::json -> '\2') AS \3(value)", sql)
    sql = _JSON_EXTRACT.sub(r"(\1 ->> '\2')", sql)
    if _OR_IGNORE.search(sql):
        sql = _OR_IGNORE.sub("INSERT INTO", sql)
        returning = _RETURNING.search(sql)
        if returning is None:
            sql = sql.rstrip().rstrip(";") + " ON CONFLICT DO NOTHING"
        else:
            cut = returning.start()
            sql = f"{sql[:cut]}ON CONFLICT DO NOTHING {sql[cut:]}"
    return sql


_NULL_TEST = re.compile(r"\s+(IS\s+NOT\s+NULL|IS\s+NULL)\b", re.IGNORECASE)


def _placeholders(sql: str) -> Translated:
    """Find ``?`` and ``:name`` placeholders outside literals, comments and ``::`` casts."""
    segments: list[str | _Ref] = []
    text: list[str] = []
    named = positional = 0
    i, n = 0, len(sql)

    def placeholder(key: int | str, end: int) -> int:
        segments.append("".join(text))
        text.clear()
        test = _NULL_TEST.match(sql, end)
        if test is None:
            segments.append(_Ref(key))
            return end
        segments.append(_Ref(key, " ".join(test.group(1).upper().split())))
        return test.end()

    while i < n:
        char = sql[i]
        if char in "'\"":
            end = i + 1
            while end < n:
                if sql[end] == char:
                    if end + 1 < n and sql[end + 1] == char:  # a doubled quote inside
                        end += 2
                        continue
                    break
                end += 1
            text.append(sql[i : end + 1])
            i = end + 1
        elif sql.startswith("--", i):
            end = sql.find("\n", i)
            end = n if end < 0 else end
            text.append(sql[i:end])
            i = end
        elif char == "?":
            i = placeholder(positional, i + 1)
            positional += 1
        elif char == ":" and sql.startswith("::", i):
            text.append("::")
            i += 2
        elif char == ":" and i + 1 < n and (sql[i + 1].isalpha() or sql[i + 1] == "_"):
            end = i + 1
            while end < n and (sql[end].isalnum() or sql[end] == "_"):
                end += 1
            named += 1
            i = placeholder(sql[i + 1 : end], end)
        else:
            text.append(char)
            i += 1
    segments.append("".join(text))
    if positional and named:
        raise ValueError("a query mixes ? and :name parameters")
    return Translated(tuple(segments), named=named > 0)


@lru_cache(maxsize=1_000)  # the distinct statements the repositories send
def translate(sql: str) -> Translated:
    """Return ``sql`` (SQLite's dialect) as PostgreSQL runs it."""
    return _placeholders(_rewrite(sql))
