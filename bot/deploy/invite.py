"""`minerwatch invite`: the OAuth2 link that adds the bot with exactly what it needs."""

from __future__ import annotations

from typing import Final
from urllib.parse import quote, urlencode

from bot.deploy.permissions import SCOPES, permission_value
from bot.deploy.rest import DiscordRest
from bot.settings import Settings

AUTHORIZE_URL: Final = "https://discord.com/oauth2/authorize"


def invite_url(application_id: int, *, guild_id: int | None = None) -> str:
    """Return the invite link; with a server id, Discord preselects that server."""
    query: dict[str, str] = {
        "client_id": str(application_id),
        "scope": " ".join(SCOPES),
        "permissions": str(permission_value()),
    }
    if guild_id is not None:
        query["guild_id"] = str(guild_id)
    return f"{AUTHORIZE_URL}?{urlencode(query, quote_via=quote)}"


async def configured_application_id(settings: Settings) -> int:
    """Ask Discord which application the configured token belongs to."""
    assert settings.discord_token is not None
    async with DiscordRest(
        settings.discord_api_base, settings.discord_token.get_secret_value()
    ) as rest:
        app = await rest.get("/oauth2/applications/@me")
    return int(app["id"])
