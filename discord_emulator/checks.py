"""Discord's rules the OpenAPI spec does not encode, plus the main ones it does (for without it)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

from .errors import FieldError, PathPart

Path = tuple[PathPart, ...]

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TOTAL_MAX = 6000
COMPONENTS_V2 = 1 << 15
LINK_BUTTON = 5
PREMIUM_BUTTON = 6
CHAT_INPUT = 1
SUBCOMMAND = 1
SUBCOMMAND_GROUP = 2
_EMBED_LIMITS = {"title": 256, "description": 4096}
# Discord's client languages (the spec's AvailableLocalesEnum): the keys a localisation may use.
LOCALES = frozenset(
    {
        "ar",
        "bg",
        "cs",
        "da",
        "de",
        "el",
        "en-GB",
        "en-US",
        "es-419",
        "es-ES",
        "fi",
        "fr",
        "he",
        "hi",
        "hr",
        "hu",
        "id",
        "it",
        "ja",
        "ko",
        "lt",
        "nl",
        "no",
        "pl",
        "pt-BR",
        "ro",
        "ru",
        "sv-SE",
        "th",
        "tr",
        "uk",
        "vi",
        "zh-CN",
        "zh-TW",
    }
)

try:
    import regex as _regex

    _NAME = _regex.compile(r"^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$")

    def _valid_name(name: str) -> bool:
        return _NAME.match(name) is not None

except ImportError:

    def _valid_name(name: str) -> bool:
        # Same as ^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$ without the regex module.
        return 1 <= len(name) <= 32 and all(_name_char(ch) for ch in name)


def _name_char(ch: str) -> bool:
    """Tell whether a character may appear in a command or option name."""
    if ch in "-_" or unicodedata.category(ch)[0] in "LN":
        return True
    label = unicodedata.name(ch, "")
    return label.startswith(("DEVANAGARI", "THAI"))


def _err(path: Path, code: str, message: str) -> FieldError:
    """Build one field error."""
    return FieldError(path, code, message)


def _too_long(path: Path, limit: int) -> FieldError:
    """Build Discord's max-length error."""
    return _err(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")


def _required(path: Path) -> FieldError:
    """Build Discord's required-field error."""
    return _err(path, "BASE_TYPE_REQUIRED", "This field is required")


def check_message(body: Any, prefix: Path = ()) -> list[FieldError]:
    """Check a message body (create, edit, webhook, interaction response data)."""
    if not isinstance(body, dict):
        return []
    errors: list[FieldError] = []
    content = body.get("content")
    if isinstance(content, str) and len(content) > CONTENT_MAX:
        errors.append(_too_long((*prefix, "content"), CONTENT_MAX))
    embeds = body.get("embeds")
    if isinstance(embeds, list):
        errors.extend(check_embeds(embeds, (*prefix, "embeds")))
    components = body.get("components")
    if isinstance(components, list):
        raw = body.get("flags")
        flags = raw if isinstance(raw, int) else 0
        errors.extend(
            check_components(components, (*prefix, "components"), v2=bool(flags & COMPONENTS_V2))
        )
    return errors


def check_embeds(embeds: list[Any], path: Path) -> list[FieldError]:
    """Check embed limits, including the 6000-character total the spec cannot express."""
    errors: list[FieldError] = []
    if len(embeds) > EMBEDS_MAX:
        errors.append(_too_long(path, EMBEDS_MAX))
    total = 0
    for index, embed in enumerate(embeds):
        if isinstance(embed, dict):
            found, size = _check_embed(embed, (*path, index))
            errors.extend(found)
            total += size
    if total > EMBED_TOTAL_MAX:
        errors.append(
            _err(
                path,
                "MAX_EMBED_SIZE_EXCEEDED",
                f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}",
            )
        )
    return errors


def _check_embed(embed: dict[str, Any], path: Path) -> tuple[list[FieldError], int]:
    """Check one embed and return its errors and its text size."""
    errors: list[FieldError] = []
    size = 0
    for key, limit in _EMBED_LIMITS.items():
        text = embed.get(key)
        if isinstance(text, str):
            size += len(text)
            if len(text) > limit:
                errors.append(_too_long((*path, key), limit))
    fields = embed.get("fields")
    if isinstance(fields, list):
        if len(fields) > 25:
            errors.append(_too_long((*path, "fields"), 25))
        for index, fld in enumerate(fields):
            if isinstance(fld, dict):
                for key, limit in (("name", 256), ("value", 1024)):
                    text = fld.get(key)
                    at = (*path, "fields", index, key)
                    if not isinstance(text, str) or not text.strip():
                        errors.append(_required(at))
                        continue
                    size += len(text)
                    if len(text) > limit:
                        errors.append(_too_long(at, limit))
    for key, sub, limit in (("footer", "text", 2048), ("author", "name", 256)):
        part = embed.get(key)
        text = part.get(sub) if isinstance(part, dict) else None
        if isinstance(text, str):
            size += len(text)
            if len(text) > limit:
                errors.append(_too_long((*path, key, sub), limit))
    color = embed.get("color")
    if isinstance(color, int) and not 0 <= color <= 0xFFFFFF:
        errors.append(
            _err(
                (*path, "color"),
                "NUMBER_TYPE_MAX",
                "int value should be less than or equal to 16777215.",
            )
        )
    return errors, size


def check_components(components: list[Any], path: Path, *, v2: bool) -> list[FieldError]:
    """Check component rules: row counts, button custom_id/url, unique custom_ids."""
    errors: list[FieldError] = []
    if not v2 and len(components) > 5:
        errors.append(_too_long(path, 5))
    seen: set[str] = set()

    def visit(component: Any, at: Path) -> None:
        if not isinstance(component, dict):
            return
        kind = component.get("type")
        children = component.get("components")
        if kind == 1 and isinstance(children, list) and not 1 <= len(children) <= 5:
            errors.append(
                _err(
                    (*at, "components"),
                    "BASE_TYPE_BAD_LENGTH",
                    "Must be between 1 and 5 in length.",
                )
            )
        if kind == 2:
            errors.extend(_check_button(component, at))
        custom_id = component.get("custom_id")
        if isinstance(custom_id, str):
            if len(custom_id) > 100:
                errors.append(_too_long((*at, "custom_id"), 100))
            if custom_id in seen:
                errors.append(
                    _err(
                        (*at, "custom_id"),
                        "COMPONENT_CUSTOM_ID_DUPLICATED",
                        "Component custom id cannot be duplicated",
                    )
                )
            seen.add(custom_id)
        options = component.get("options")
        if kind in (3,) and isinstance(options, list) and len(options) > 25:
            errors.append(_too_long((*at, "options"), 25))
        for key in ("component", "accessory"):
            if isinstance(component.get(key), dict):
                visit(component[key], (*at, key))
        if isinstance(children, list):
            for index, child in enumerate(children):
                visit(child, (*at, "components", index))

    for index, component in enumerate(components):
        visit(component, (*path, index))
    return errors


def _check_button(button: dict[str, Any], at: Path) -> list[FieldError]:
    """Check that a button has exactly what its style needs."""
    errors: list[FieldError] = []
    style = button.get("style")
    label = button.get("label")
    if isinstance(label, str) and len(label) > 80:
        errors.append(_too_long((*at, "label"), 80))
    if style == LINK_BUTTON:
        if not button.get("url"):
            errors.append(_err((*at, "url"), "BUTTON_COMPONENT_URL_REQUIRED", "A url is required"))
        if button.get("custom_id") is not None:
            errors.append(
                _err(
                    (*at, "custom_id"),
                    "BUTTON_COMPONENT_LINK_CUSTOM_ID",
                    "A custom id cannot be set on a link button",
                )
            )
    elif style != PREMIUM_BUTTON and not button.get("custom_id"):
        errors.append(
            _err(
                (*at, "custom_id"), "BUTTON_COMPONENT_CUSTOM_ID_REQUIRED", "A custom id is required"
            )
        )
    return errors


def check_commands(commands: Any) -> list[FieldError]:
    """Check a bulk command overwrite: names, descriptions, options, sizes, duplicates."""
    if not isinstance(commands, list):
        return []
    errors: list[FieldError] = []
    seen: set[tuple[int, str]] = set()
    for index, command in enumerate(commands):
        if not isinstance(command, dict):
            continue
        kind = command.get("type") or CHAT_INPUT
        name = command.get("name")
        key = (kind, name if isinstance(name, str) else "")
        if key in seen:
            errors.append(
                _err(
                    (index, "name"),
                    "APPLICATION_COMMANDS_DUPLICATE_NAME",
                    f"Application command names must be unique: {name}",
                )
            )
        seen.add(key)
        errors.extend(check_command(command, (index,)))
    return errors


def check_command(command: dict[str, Any], path: Path) -> list[FieldError]:
    """Check one command definition."""
    errors: list[FieldError] = []
    kind = command.get("type") or CHAT_INPUT
    name = command.get("name")
    if kind == CHAT_INPUT:
        errors.extend(_check_name_and_description(command, path))
        options = command.get("options")
        if isinstance(options, list):
            errors.extend(_check_options(options, (*path, "options"), depth=0))
        if _command_size(command) > 4000:
            errors.append(
                _err(path, "APPLICATION_COMMAND_TOO_LARGE", "Command exceeds maximum size (4000)")
            )
    else:
        if not isinstance(name, str) or not 1 <= len(name) <= 32:
            errors.append(
                _err((*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
            )
        if command.get("description"):
            errors.append(
                _err(
                    (*path, "description"),
                    "APPLICATION_COMMAND_CONTEXT_MENU_DESCRIPTION",
                    "Context menu commands cannot have description",
                )
            )
    return errors


def _check_name_and_description(item: dict[str, Any], path: Path) -> list[FieldError]:
    """Check a lowercase slash name and a 1-100 character description."""
    errors: list[FieldError] = []
    name = item.get("name")
    if not isinstance(name, str) or not _valid_name(name) or name != name.lower():
        errors.append(
            _err((*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        )
    description = item.get("description")
    if not isinstance(description, str) or not description:
        errors.append(_required((*path, "description")))
    elif len(description) > 100:
        errors.append(_too_long((*path, "description"), 100))
    errors.extend(_check_localizations(item, path))
    return errors


def _check_localizations(item: dict[str, Any], path: Path) -> list[FieldError]:
    """Check localised names (the name rule, lowercase) and descriptions (1-100) per locale."""
    errors: list[FieldError] = []
    for field, is_name in (("name_localizations", True), ("description_localizations", False)):
        localised = item.get(field)
        if not isinstance(localised, dict):
            continue
        for locale, text in localised.items():
            at = (*path, field, locale)
            if locale not in LOCALES:
                errors.append(_err(at, "LOCALE_INVALID", f"Invalid locale: {locale}"))
            if not isinstance(text, str):
                errors.append(_required(at))
            elif is_name and (not _valid_name(text) or text != text.lower()):
                errors.append(
                    _err(at, "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
                )
            elif not is_name and not 1 <= len(text) <= 100:
                errors.append(_too_long(at, 100))
    return errors


def _check_options(options: list[Any], path: Path, *, depth: int) -> list[FieldError]:
    """Check a list of options (recursing into subcommands and groups)."""
    errors: list[FieldError] = []
    if len(options) > 25:
        errors.append(_too_long(path, 25))
    names: set[str] = set()
    optional_seen = False
    for index, option in enumerate(options):
        if not isinstance(option, dict):
            continue
        at = (*path, index)
        errors.extend(_check_name_and_description(option, at))
        name = option.get("name")
        if isinstance(name, str):
            if name in names:
                errors.append(
                    _err(
                        (*at, "name"),
                        "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                        "Option names must be unique",
                    )
                )
            names.add(name)
        kind = option.get("type")
        if kind in (SUBCOMMAND, SUBCOMMAND_GROUP):
            if depth >= (1 if kind == SUBCOMMAND_GROUP else 2):
                errors.append(
                    _err(
                        (*at, "type"),
                        "APPLICATION_COMMAND_OPTION_TYPE_INVALID",
                        "Subcommands cannot be nested this deep",
                    )
                )
            children = option.get("options")
            if isinstance(children, list):
                errors.extend(_check_options(children, (*at, "options"), depth=depth + 1))
            continue
        if option.get("required"):
            if optional_seen:
                errors.append(
                    _err(
                        (*at, "required"),
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
                )
        else:
            optional_seen = True
        errors.extend(_check_choices(option, at))
    return errors


def _check_choices(option: dict[str, Any], at: Path) -> list[FieldError]:
    """Check an option's choices and its autocomplete flag."""
    errors: list[FieldError] = []
    choices = option.get("choices")
    if not isinstance(choices, list) or not choices:
        return errors
    if option.get("autocomplete"):
        errors.append(
            _err(
                (*at, "autocomplete"),
                "APPLICATION_COMMAND_OPTION_AUTOCOMPLETE_CHOICES",
                "Autocomplete cannot be set with choices",
            )
        )
    errors.extend(check_choices(choices, (*at, "choices")))
    return errors


def check_choices(choices: list[Any], path: Path) -> list[FieldError]:
    """Check up to 25 choices with 1-100 character names and string values of at most 100."""
    errors: list[FieldError] = []
    if len(choices) > 25:
        errors.append(_too_long(path, 25))
    for index, choice in enumerate(choices):
        if not isinstance(choice, dict):
            continue
        name = choice.get("name")
        localised = choice.get("name_localizations")
        names = [((*path, index, "name"), name)]
        if isinstance(localised, dict):
            names += [((*path, index, "name_localizations", k), v) for k, v in localised.items()]
        for at, text in names:
            if not isinstance(text, str) or not 1 <= len(text) <= 100:
                errors.append(
                    _err(at, "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.")
                )
            if at[-2] == "name_localizations" and at[-1] not in LOCALES:
                errors.append(_err(at, "LOCALE_INVALID", f"Invalid locale: {at[-1]}"))
        value = choice.get("value")
        if isinstance(value, str) and len(value) > 100:
            errors.append(_too_long((*path, index, "value"), 100))
    return errors


def _command_size(command: dict[str, Any]) -> int:
    """Count the characters Discord counts towards the 4000 limit of one command."""

    def size(item: dict[str, Any]) -> int:
        total = len(str(item.get("name") or "")) + len(str(item.get("description") or ""))
        for choice in item.get("choices") or []:
            if isinstance(choice, dict):
                total += len(str(choice.get("name") or "")) + len(str(choice.get("value") or ""))
        for option in item.get("options") or []:
            if isinstance(option, dict):
                total += size(option)
        return total

    return size(command)


def check_callback(body: Any) -> list[FieldError]:
    """Check an interaction callback body by its type."""
    if not isinstance(body, dict):
        return []
    data = body.get("data")
    kind = body.get("type")
    if kind in (4, 7) and isinstance(data, dict):
        return check_message(data, ("data",))
    if kind == 8 and isinstance(data, dict) and isinstance(data.get("choices"), list):
        return check_choices(data["choices"], ("data", "choices"))
    if kind == 9 and isinstance(data, dict):
        return _check_modal(data)
    return []


def _check_modal(data: dict[str, Any]) -> list[FieldError]:
    """Check a modal: a title of at most 45, 1 to 5 components and a custom_id."""
    errors: list[FieldError] = []
    title = data.get("title")
    if not isinstance(title, str) or not title:
        errors.append(_required(("data", "title")))
    elif len(title) > 45:
        errors.append(_too_long(("data", "title"), 45))
    if not data.get("custom_id"):
        errors.append(_required(("data", "custom_id")))
    components = data.get("components")
    if not isinstance(components, list) or not 1 <= len(components) <= 5:
        errors.append(
            _err(
                ("data", "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."
            )
        )
    return errors


CHECKS: dict[str, Callable[[Any], list[FieldError]]] = {
    "message": check_message,
    "commands": check_commands,
    "command": lambda body: check_command(body, ()) if isinstance(body, dict) else [],
    "callback": check_callback,
}
