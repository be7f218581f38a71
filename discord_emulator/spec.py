"""Discord's OpenAPI spec: find it, loosen it where discord.py rightly differs, validate bodies."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import os
import threading
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from .errors import FieldError, PathPart

SPEC_ENV = "MINERWATCH_DISCORD_SPEC"
SPEC_URI = "urn:discord-openapi"
_OFF = {"", "0", "off", "none", "false", "no"}
# Integer fields discord.py sends as decimal strings (bitfields can exceed 2**53).
_STRINGY_INTS = {"permissions", "default_member_permissions", "allow", "deny"}
_DIGITS = {"type": "string", "pattern": "^[0-9]+$"}


# The spec version the emulator's loosening and tests were checked against.
PINNED_COMMIT = "74fda0fad044407ea280043a03ffc9bc64c4e49e"
PINNED_SHA256 = "8c1d0707ccdf8e380a86dfba04058820a66435c1b69d5ed82e04dd8c0520dd73"
PINNED_URL = (
    f"https://raw.githubusercontent.com/discord/discord-api-spec/{PINNED_COMMIT}/specs/openapi.json"
)


def default_spec_path() -> Path:
    """Return ../shared/discord-api-spec/openapi.json beside the checkout."""
    repo_root = Path(__file__).resolve().parents[1]
    return repo_root.parent / "shared" / "discord-api-spec" / "openapi.json"


def cache_dir() -> Path:
    """Return the bot's cache folder (MINERWATCH_CACHE_DIR, default var/cache)."""
    return Path(os.environ.get("MINERWATCH_CACHE_DIR") or "var/cache")


def cached_spec_path(folder: Path | None = None) -> Path:
    """Return where a download of the pinned spec is kept."""
    return (folder or cache_dir()) / "discord-api-spec" / PINNED_COMMIT / "openapi.json"


def resolve_spec_path(explicit: str | Path | None = None) -> Path | None:
    """Pick the spec: explicit path, else $MINERWATCH_DISCORD_SPEC ("off" = none), else the
    copy beside the checkout, else a cached download of the pinned version (None: no spec)."""
    if explicit is not None:
        return Path(explicit)
    env = os.environ.get(SPEC_ENV)
    if env is not None:
        return None if env.strip().lower() in _OFF else Path(env)
    for candidate in (default_spec_path(), cached_spec_path()):
        if candidate.is_file():
            return candidate
    return None


def download_pinned_spec(folder: Path | None = None, *, timeout: float = 10.0) -> Path:
    """Fetch the pinned spec into the cache (checking its SHA-256) and return its path.

    Raises OSError when the network does not allow it or the bytes are not the pinned file.
    """
    target = cached_spec_path(folder)
    if target.is_file():
        return target
    with urllib.request.urlopen(PINNED_URL, timeout=timeout) as response:
        data = response.read()
    if hashlib.sha256(data).hexdigest() != PINNED_SHA256:
        raise OSError(f"{PINNED_URL} did not return the pinned file (SHA-256 differs)")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target


def loosen(document: dict[str, Any]) -> dict[str, Any]:
    """Return a copy of the spec that accepts what discord.py legitimately sends."""
    doc = copy.deepcopy(document)
    schemas = doc["components"]["schemas"]
    # discord.py sends snowflakes as ints in places (allowed_mentions.users, message_reference).
    strict = schemas["SnowflakeType"]
    schemas["SnowflakeType"] = {"anyOf": [strict, {"type": "integer", "minimum": 0}]}
    _accept_digit_strings(doc)
    return doc


def _accept_digit_strings(node: Any) -> None:
    """Let integer bitfields such as `permissions` also be digit strings, everywhere."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for name, schema in list(props.items()):
                if name in _STRINGY_INTS and isinstance(schema, dict) and _allows_integer(schema):
                    props[name] = {"anyOf": [schema, _DIGITS]}
        for value in node.values():
            _accept_digit_strings(value)
    elif isinstance(node, list):
        for value in node:
            _accept_digit_strings(value)


def _allows_integer(schema: dict[str, Any]) -> bool:
    """Tell whether a schema's `type` includes integer."""
    kind = schema.get("type")
    return kind == "integer" or (isinstance(kind, list) and "integer" in kind)


class Spec:
    """The loosened spec with one cached validator per operation."""

    def __init__(self, document: dict[str, Any], path: Path | None = None) -> None:
        self.path = path
        self.document = loosen(document)
        resource = Resource.from_contents(self.document, default_specification=DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self._validators: dict[tuple[str, str], Draft202012Validator | None] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path) -> Spec:
        """Load and cache the spec at a path (parsed once per process and file version)."""
        stat = path.stat()
        return _load_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)

    def templates(self) -> Iterable[tuple[str, str]]:
        """Return every (METHOD, path template) the spec defines."""
        for template, item in self.document["paths"].items():
            for method in item:
                if method in {"get", "put", "post", "patch", "delete"}:
                    yield method.upper(), template

    def validator(self, method: str, template: str) -> Draft202012Validator | None:
        """Return an operation's cached JSON-body validator (None when it takes no JSON body)."""
        key = (method.upper(), template)
        with self._lock:
            if key not in self._validators:
                self._validators[key] = self._build(*key)
            return self._validators[key]

    def _build(self, method: str, template: str) -> Draft202012Validator | None:
        """Build a validator whose schema is a $ref into the spec, so inner $refs resolve."""
        operation = self.document["paths"].get(template, {}).get(method.lower())
        content = (operation or {}).get("requestBody", {}).get("content", {})
        if "application/json" not in content:
            return None
        pointer = "/".join(
            _escape(p)
            for p in (
                "paths",
                template,
                method.lower(),
                "requestBody",
                "content",
                "application/json",
                "schema",
            )
        )
        schema = {"$ref": f"{SPEC_URI}#/{pointer}"}
        return Draft202012Validator(
            schema, registry=self._registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )

    def validate(self, method: str, template: str, body: Any) -> list[FieldError]:
        """Return Discord-style field errors for a JSON body (empty when valid or not covered)."""
        validator = self.validator(method, template)
        if validator is None:
            return []
        found: list[FieldError] = []
        for error in validator.iter_errors(body):
            found.extend(to_field_errors(error))
        return found


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, mtime_ns: int, size: int) -> Spec:
    """Parse a spec file; keyed by mtime and size so an edited file is re-read."""
    del mtime_ns, size
    with Path(path).open(encoding="utf-8") as handle:
        return Spec(json.load(handle), Path(path))


def _escape(part: str) -> str:
    """Escape one JSON-pointer segment."""
    return part.replace("~", "~0").replace("/", "~1")


def to_field_errors(error: ValidationError) -> list[FieldError]:
    """Translate a jsonschema error into Discord's error codes and messages."""
    path: tuple[PathPart, ...] = tuple(error.absolute_path)
    if error.validator in ("oneOf", "anyOf") and error.context:
        branch = _best_branch(error)
        if branch:
            result: list[FieldError] = []
            for sub in branch:
                result.extend(to_field_errors(sub))
            return result
    if error.validator == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        missing = [name for name in error.validator_value if name not in instance]
        return [
            FieldError((*path, name), "BASE_TYPE_REQUIRED", "This field is required")
            for name in missing
        ]
    code, message = _describe(error)
    return [FieldError(path, code, message)]


def _best_branch(error: ValidationError) -> list[ValidationError]:
    """Pick the union branch the body most plausibly meant, skipping wrong types or kinds."""
    branches: dict[int, list[ValidationError]] = {}
    for sub in error.context or []:
        index = sub.relative_schema_path[0]
        branches.setdefault(int(index), []).append(sub)
    depth = len(error.absolute_path)

    def is_mismatch(sub: ValidationError) -> bool:
        # A wrong top-level type, or a wrong discriminator such as {"type": 2} vs enum [3].
        if len(sub.absolute_path) == depth and sub.validator == "type":
            return True
        return (
            len(sub.absolute_path) == depth + 1
            and sub.validator in ("enum", "const")
            and sub.absolute_path[-1] == "type"
        )

    plausible = [subs for subs in branches.values() if not any(is_mismatch(s) for s in subs)]
    if not plausible:
        return []
    return min(plausible, key=len)


def _describe(error: ValidationError) -> tuple[str, str]:
    """Return Discord's (code, message) for a single failed keyword."""
    value = error.validator_value
    kind = error.validator
    if kind in ("maxLength", "maxItems", "maxProperties"):
        return "BASE_TYPE_MAX_LENGTH", f"Must be {value} or fewer in length."
    if kind in ("minLength", "minItems", "minProperties"):
        return "BASE_TYPE_MIN_LENGTH", f"Must be {value} or more in length."
    if kind == "maximum":
        return "NUMBER_TYPE_MAX", f"int value should be less than or equal to {value}."
    if kind == "minimum":
        return "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {value}."
    if kind in ("enum", "const"):
        choices = value if isinstance(value, list) else [value]
        return (
            "BASE_TYPE_CHOICES",
            f"Value must be one of {{{', '.join(repr(c) for c in choices)}}}.",
        )
    if kind == "pattern":
        return "STRING_TYPE_REGEX", "String value did not match validation regex."
    if kind == "format":
        if value in ("uri", "iri", "uri-reference"):
            return "URL_TYPE_INVALID_URL", "Not a well formed URL."
        return "DATE_TYPE_PARSE", f"Could not parse {error.instance!r}. Should be ISO8601."
    if kind == "type":
        return _describe_type(value, error.instance)
    if kind == "uniqueItems":
        return "BASE_TYPE_DUPLICATE", "Items must be unique."
    return "INVALID_FORM_BODY", error.message


def _describe_type(expected: Any, instance: Any) -> tuple[str, str]:
    """Return Discord's (code, message) for a value of the wrong type."""
    wanted = expected if isinstance(expected, list) else [expected]
    if "integer" in wanted or "number" in wanted:
        return "NUMBER_TYPE_COERCE", f'Value "{instance}" is not int.'
    if "boolean" in wanted:
        return "BASE_TYPE_BOOLEAN", "Must be either true or false."
    if "object" in wanted:
        return "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"
    if "array" in wanted:
        return "BASE_TYPE_ARRAY", f'Could not interpret "{instance}" as list.'
    return "BASE_TYPE_STRING", f'Could not interpret "{instance}" as string.'
