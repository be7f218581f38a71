"""French refusals agree with their noun, and the ledger's vocabulary is translated everywhere."""

from __future__ import annotations

from bot.errors import NotAllowed, NotFound
from bot.i18n import N_
from bot.i18n.language import speaking
from bot.ledger.model import Company
from bot.render.company import identity_lines


def test_not_found_agrees_with_its_noun_in_french() -> None:
    with speaking("fr"):
        assert NotFound(N_("alert"), 3).user_message == "Aucune alerte `3` ici."
        assert NotFound(N_("company"), "ZZZ").user_message == "Aucune société `ZZZ` ici."
        assert NotFound(N_("contract"), 9).user_message == "Aucun contrat `9` ici."
        assert NotFound(N_("draft"), 4).user_message == "Aucun brouillon `4` ici."
    assert NotFound(N_("alert"), 3).user_message == "No alert `3` here."


def test_one_owner_is_singular_in_french() -> None:
    with speaking("fr"):
        refusal = NotAllowed(
            "supprimer l’alerte 3",
            N_("its owner or a server admin"),
            sentence=N_("Only its owner or a server admin can {action}."),
        )
        assert refusal.user_message == (
            "Seul son propriétaire ou un admin du serveur peut supprimer l’alerte 3."
        )


def test_a_company_profile_says_its_confidence_in_french() -> None:
    nebius = Company("NBIS", "Nebius Group N.V.", "neocloud", as_of="2025-09-09", confidence="high")
    with speaking("fr"):
        lines = identity_lines(nebius, [], None)
    assert lines[-1].endswith("· **fiabilité** élevée"), lines[-1]
