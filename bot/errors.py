"""Domain errors: raised with facts; only the command tree turns them into words for users."""

from __future__ import annotations

from collections.abc import Sequence

from bot.i18n import _


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


class NotFound(MinerwatchError):
    """Something the user named does not exist (or is not visible to this server)."""

    def __init__(self, what: str, ident: object) -> None:
        super().__init__(f"{what} {ident} not found")
        self.what = what
        self.ident = ident

    @property
    def user_message(self) -> str:
        # The noun was marked for the catalogues where it was raised (N_), if it could be.
        return _("No {what} `{ident}` here.", what=_(self.what), ident=self.ident)


class NotAllowed(MinerwatchError):
    """The member lacks the right to do this (e.g. a server admin editing the global ledger)."""

    def __init__(self, action: str, needs: str) -> None:
        super().__init__(f"{action} needs {needs}")
        self.action = action
        self.needs = needs

    @property
    def user_message(self) -> str:
        return _("Only {needs} can {action}.", needs=_(self.needs), action=_(self.action))
