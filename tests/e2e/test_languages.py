"""Languages end to end: a French member reads French, the server's posts follow its choice."""

from __future__ import annotations

from typing import Any

from bot.sandbox.session import SandboxSession
from discord_emulator import InteractionResult

NOT_ADVICE_FR = "Pas un conseil en investissement"


def fields(embed: dict[str, Any]) -> dict[str, str]:
    return {f["name"]: f["value"] for f in embed["fields"]}


async def run(sandbox: SandboxSession, command: str, options: dict[str, Any], **kw: Any) -> Any:
    result: InteractionResult = await sandbox.invoke(command, options, **kw)
    return await result.wait_done(timeout=5)


async def test_a_french_member_reads_the_card_in_french_an_english_one_in_english(
    sandbox: SandboxSession,
) -> None:
    member = sandbox.world.member
    sandbox.emu.set_locale(member.id, "fr")
    (french,) = (await run(sandbox, "price", {"symbol": "cipher"}, user=member)).embeds
    (english,) = (await run(sandbox, "price", {"symbol": "cipher"}, locale="en-GB")).embeds
    assert french["description"].startswith("**15,50\u00a0$US**  +0,50\u00a0$US (+3,33\u00a0%)")
    assert fields(french)["Marché"] == "Séance régulière"
    assert fields(french)["Fourchette du jour"] == "15,50\u00a0$US – 15,50\u00a0$US"
    assert french["title"] == english["title"] == "CIFR · Cipher Digital Inc."  # data as is
    assert french["footer"]["text"].endswith(NOT_ADVICE_FR)
    assert english["description"].startswith("**$15.50**  +$0.50 (+3.33 %)")
    assert english["footer"]["text"].endswith("Not investment advice")


async def test_the_board_in_french(sandbox: SandboxSession) -> None:
    result = await run(sandbox, "board", {}, user=sandbox.world.member, locale="fr")
    (page,) = result.embeds[:1]
    assert page["title"] == "Tableau des mineurs · par capitalisation"
    table = page["description"].split("```\n")[1].splitlines()
    assert table[0].split() == ["SYM", "COURS", "1J", "1M", "CAPI", "MW", "VALEUR", "V/CAPI"]


async def test_a_french_error_reply(sandbox: SandboxSession) -> None:
    result = await sandbox.invoke(
        "board", {"view": "valuation", "sort": "mw"}, user=sandbox.world.member, locale="fr"
    )
    await result.wait_done(timeout=5)
    (reply,) = result.visible
    assert reply.ephemeral
    assert reply.content.startswith("tri : la vue valorisation est classée")


async def test_commands_are_offered_in_french(sandbox: SandboxSession) -> None:
    price = sandbox.emu.commands.find(None, "price") or sandbox.emu.commands.find(
        sandbox.world.guild.id, "price"
    )
    assert price is not None
    assert price["name_localizations"] == {"fr": "cours"}
    assert price["description_localizations"]["fr"].startswith("Fiche de cotation")


async def test_only_admins_choose_the_servers_language(sandbox: SandboxSession) -> None:
    member = sandbox.world.member
    refused = await run(sandbox, "settings language", {"language": "fr"}, user=member)
    assert refused.visible[0].ephemeral and "Manage Server" in refused.visible[0].content
    languages = sandbox.bot.services.languages
    assert languages.chosen_for_guild(sandbox.world.guild.id) is None  # nothing changed
    done = await run(sandbox, "settings language", {"language": "fr"})
    assert "now written in French" in done.visible[0].content
    assert languages.for_guild(sandbox.world.guild.id) == "fr"
    again = await run(sandbox, "settings language", {"language": "auto"}, locale="fr")
    assert "sont désormais en anglais" in again.visible[0].content  # the server is en-US
    assert "Elles suivent la langue Discord du serveur." in again.visible[0].content


async def test_a_french_server_posts_in_french_by_default(sandbox: SandboxSession) -> None:
    guild = sandbox.world.guild
    languages = sandbox.bot.services.languages
    sandbox.emu.set_guild_locale(guild.id, "fr")
    await run(sandbox, "price", {"symbol": "WULF"})  # the bot sees the server's locale
    assert languages.for_guild(guild.id) == "fr"
    assert languages.for_member(sandbox.world.admin.id) == "en"  # the admin reads English


async def test_a_refusal_in_french(sandbox: SandboxSession) -> None:
    member = sandbox.world.member
    result = await run(sandbox, "settings language", {"language": "en"}, user=member, locale="fr")
    assert result.visible[0].content == (
        "Seuls les membres ayant la permission Gérer le serveur peuvent choisir la langue des "
        "publications du serveur."
    )


async def test_deals_in_french(sandbox: SandboxSession) -> None:
    member = sandbox.world.member
    listed = await run(sandbox, "deals list", {"company": "CIFR"}, user=member, locale="fr")
    first = listed.embeds[0]
    assert first["title"] == "Contrats d’hébergement IA · CIFR"
    assert first["description"].startswith("Vue de ce serveur : le registre global")
    shown = await run(sandbox, "deals show", {"id": 1}, user=member, locale="fr")
    (page,) = shown.embeds[:1]
    assert page["description"].startswith("**Registre** registre global · livré avec le bot")
    assert page["footer"]["text"].endswith("pas un conseil en investissement")


async def test_help_in_french_names_the_french_commands(sandbox: SandboxSession) -> None:
    result = await run(sandbox, "help", {}, user=sandbox.world.member, locale="fr")
    (embed,) = result.embeds
    assert embed["fields"][0]["name"] == "Commandes"
    listed = "\n".join(f["value"] for f in embed["fields"])
    assert "`/cours` Fiche de cotation" in listed
    assert "`/alerte ajouter` Être prévenu" in listed
    assert embed["footer"]["text"].endswith("Ce n’est pas un conseil en investissement.")


async def test_status_in_french(sandbox: SandboxSession) -> None:
    result = await run(sandbox, "status", {}, user=sandbox.world.member, locale="fr")
    overview, freshness = result.embeds
    assert overview["title"] == "État de Minerwatch"
    assert "Alertes actives sur ce serveur : 0" in overview["description"]
    assert freshness["title"] == "Fraîcheur des données par symbole"


async def test_a_bad_alert_in_french(sandbox: SandboxSession) -> None:
    options = {"symbol": "CIFR", "condition": "move_pct", "value": 500}
    result = await run(sandbox, "alert add", options, user=sandbox.world.member, locale="fr")
    (reply,) = result.visible
    assert reply.ephemeral
    assert reply.content.startswith("value : doit être un pourcentage entre ")
    assert reply.content.endswith("pour move_pct (reçu 500)")
