"""Find the button or select-menu option a console user means on the last message shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.sandbox.transcript import (
    BUTTON,
    LINK_STYLE,
    NEXT_LABELS,
    PREVIOUS_LABELS,
    SELECTS,
    button_label,
)
from discord_emulator import Message
from discord_emulator.state import iter_components


class ControlError(ValueError):
    """The message has no such control, or it cannot be used."""


@dataclass(frozen=True)
class Choice:
    """What to send: a button's custom_id, or a select menu's custom_id and chosen values."""

    custom_id: str
    values: list[str] | None = None


def find_button(message: Message, wanted: str) -> Choice:
    """Return the button whose label (or emoji) is ``wanted``, or the N-th button for a number."""
    buttons = [c for c in iter_components(message.components) if c.get("type") == BUTTON]
    if not buttons:
        raise ControlError("the last message has no buttons")
    listing = "buttons: " + "  ".join(
        f"{n}:[{button_label(b) or '?'}]" for n, b in enumerate(buttons, 1)
    )
    found = _by_label(buttons, wanted)
    if found is None and wanted.isdigit() and 1 <= int(wanted) <= len(buttons):
        found = buttons[int(wanted) - 1]
    if found is None:
        raise ControlError(f"no button {wanted!r} on the last message ({listing})")
    return _pressable(found)


def find_turn(message: Message, *, forward: bool) -> Choice:
    """Return the next-page (or previous-page) button of a paged message."""
    labels = NEXT_LABELS if forward else PREVIOUS_LABELS
    buttons = [c for c in iter_components(message.components) if c.get("type") == BUTTON]
    found = next((b for b in buttons if button_label(b) in labels), None)
    if found is None:
        raise ControlError(
            f"the last message has no {'next' if forward else 'previous'}-page button"
        )
    if found.get("disabled"):
        raise ControlError(f"already on the {'last' if forward else 'first'} page")
    return _pressable(found)


def find_selection(message: Message, words: list[str]) -> Choice:
    """Return a select menu and the options named in ``words`` (labels or values).

    With several menus on the message, the first word names the menu (its placeholder or
    its number).
    """
    menus = [c for c in iter_components(message.components) if c.get("type") in SELECTS]
    if not menus:
        raise ControlError("the last message has no select menu")
    menu = menus[0]
    if len(menus) > 1:
        if not words:
            raise ControlError(f"which menu? {_menus(menus)}")
        menu, words = _pick_menu(menus, words[0]), words[1:]
    if menu.get("disabled"):
        raise ControlError("that menu is disabled")
    options: list[dict[str, Any]] = menu.get("options") or []
    offered = ", ".join(str(o.get("label")) for o in options)
    if not words:
        raise ControlError(f"usage: /select OPTION  (options: {offered})")
    low, high = menu.get("min_values", 1), menu.get("max_values", 1)
    typed = [" ".join(words)] if high == 1 else _group(words, options)
    chosen: list[str] = []
    for word in typed:
        option = next((o for o in options if _offers(o, word)), None)
        if option is None:
            raise ControlError(f"the menu has no option {word!r} (options: {offered})")
        chosen.append(str(option["value"]))
    if not low <= len(chosen) <= high:
        raise ControlError(f"choose {low}–{high} option(s) (options: {offered})")
    return Choice(str(menu["custom_id"]), chosen)


def _pick_menu(menus: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """Return the menu whose placeholder is ``key``, or the N-th menu for a number."""
    for menu in menus:
        if _named(menu.get("placeholder"), key):
            return menu
    if key.isdigit() and 1 <= int(key) <= len(menus):
        return menus[int(key) - 1]
    raise ControlError(f"no menu {key!r} ({_menus(menus)})")


def _group(words: list[str], options: list[dict[str, Any]]) -> list[str]:
    """Read the words as one multi-word option label when they form one, else one per word."""
    whole = " ".join(words)
    if any(_offers(o, whole) for o in options):
        return [" ".join(words)]
    return words


def _named(text: object, wanted: str) -> bool:
    return str(text or "").lower() == wanted.lower()


def _offers(option: dict[str, Any], wanted: str) -> bool:
    """Tell whether a select option is the one typed, by its label or its value."""
    return _named(option.get("label"), wanted) or _named(option.get("value"), wanted)


def _by_label(buttons: list[dict[str, Any]], wanted: str) -> dict[str, Any] | None:
    exact = next((b for b in buttons if button_label(b) == wanted), None)
    if exact is not None:
        return exact
    return next((b for b in buttons if button_label(b).lower() == wanted.lower()), None)


def _pressable(button: dict[str, Any]) -> Choice:
    label = button_label(button) or "?"
    if button.get("style") == LINK_STYLE:
        raise ControlError(f"[{label}] is a link to {button.get('url')}: open it in a browser")
    if button.get("disabled"):
        raise ControlError(f"[{label}] is disabled")
    return Choice(str(button["custom_id"]))


def _menus(menus: list[dict[str, Any]]) -> str:
    return "menus: " + ", ".join(
        f"{n}: {m.get('placeholder') or m.get('custom_id')}" for n, m in enumerate(menus, 1)
    )
