"""Domain errors: raised with facts; only the command tree turns them into words for users."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from bot.i18n import N_, _


class MinerwatchError(Exception):
    """Base of the errors a user can act on; ``user_message`` says what was wrong."""

    @property
    def user_message(self) -> str:
        return str(self)


class InvalidInput(MinerwatchError):
    """One or more options were out of bounds; each problem names the option and the rule."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)

    @property
    def user_message(self) -> str:
        if len(self.problems) == 1:
            return self.problems[0]
        return _("Please fix these options:") + "\n" + "\n".join(f"• {p}" for p in self.problems)


# Whole sentences per noun: a language with genders agrees its words with the noun
# (French: "Aucun contrat", "Aucune alerte"), which a "No {what}" template cannot do.
_NOT_FOUND: Final[dict[str, str]] = {
    "alert": N_("No alert `{ident}` here."),
    "company": N_("No company `{ident}` here."),
    "contract": N_("No contract `{ident}` here."),
    "draft": N_("No draft `{ident}` here."),
}


class NotFound(MinerwatchError):
    """Something the user named does not exist (or is not visible to this server)."""

    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"{what} {ident} not found")
        self.what = what
        self.ident = ident

    @property
    def user_message(self) -> str:
        # The noun was marked for the catalogues where it was raised (N_), if it could be.
        sentence = _NOT_FOUND.get(self.what)
        if sentence is not None:
            return _(sentence, ident=self.ident)
        return _("No {what} `{ident}` here.", what=_(self.what), ident=self.ident)


class NotAllowed(MinerwatchError):
    """The member lacks the right to do this (e.g. a server admin editing the global ledger)."""

    def __init__(self, action: str, needs: str, *, sentence: str | None = None) -> None:
        super().__init__(f"{action} needs {needs}")
        self.action = action
        self.needs = needs
        # A whole sentence when "Only {needs} can" does not agree in every language (French
        # says "Seul son propriétaire … peut" for one owner, "Seuls les … peuvent" for many).
        self.sentence = sentence

    @property
    def user_message(self) -> str:
        if self.sentence is not None:
            return _(self.sentence, action=_(self.action))
        return _("Only {needs} can {action}.", needs=_(self.needs), action=_(self.action))
