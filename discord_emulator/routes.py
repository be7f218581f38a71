"""The table of REST routes the emulator implements."""

from __future__ import annotations

from . import rest_basic as basic
from . import rest_interactions as inter
from . import rest_messages as msg
from .routing import Router
from .server import Route

APP = "/applications/{application_id}"
GUILD_APP = APP + "/guilds/{guild_id}"
WEBHOOK = "/webhooks/{webhook_id}/{webhook_token}"


def build_router() -> Router[Route]:
    """Register every implemented route with its handler, own check and auth need."""
    router: Router[Route] = Router()
    table: list[tuple[str, str, Route]] = [
        ("GET", "/users/@me", Route(basic.get_me)),
        ("GET", "/oauth2/applications/@me", Route(basic.get_application)),
        ("GET", "/gateway", Route(basic.get_gateway, auth=False)),
        ("GET", "/gateway/bot", Route(basic.get_gateway_bot)),
        ("GET", "/users/{user_id}", Route(basic.get_user)),
        ("GET", "/guilds/{guild_id}/members/{user_id}", Route(basic.get_guild_member)),
        ("GET", "/guilds/{guild_id}/roles", Route(basic.list_roles)),
        ("GET", "/channels/{channel_id}", Route(basic.get_channel)),
        ("POST", "/users/@me/channels", Route(msg.open_dm)),
        ("POST", "/channels/{channel_id}/typing", Route(msg.trigger_typing)),
        ("GET", "/channels/{channel_id}/messages", Route(msg.list_messages)),
        ("POST", "/channels/{channel_id}/messages", Route(msg.create_message, check="message")),
        ("GET", "/channels/{channel_id}/messages/{message_id}", Route(msg.get_message)),
        (
            "PATCH",
            "/channels/{channel_id}/messages/{message_id}",
            Route(msg.edit_message, check="message"),
        ),
        ("DELETE", "/channels/{channel_id}/messages/{message_id}", Route(msg.delete_message)),
        (
            "POST",
            "/interactions/{interaction_id}/{interaction_token}/callback",
            Route(inter.callback, check="callback", auth=False),
        ),
        ("POST", WEBHOOK, Route(inter.followup, check="message", auth=False)),
    ]
    for scope in (APP, GUILD_APP):
        table += [
            ("PUT", scope + "/commands", Route(basic.put_commands, check="commands")),
            ("GET", scope + "/commands", Route(basic.list_commands)),
            ("POST", scope + "/commands", Route(basic.create_command, check="command")),
            ("GET", scope + "/commands/{command_id}", Route(basic.get_command)),
            ("PATCH", scope + "/commands/{command_id}", Route(basic.edit_command, check="command")),
            ("DELETE", scope + "/commands/{command_id}", Route(basic.delete_command)),
        ]
    for message in ("/messages/@original", "/messages/{message_id}"):
        table += [
            ("GET", WEBHOOK + message, Route(inter.get_webhook_message, auth=False)),
            (
                "PATCH",
                WEBHOOK + message,
                Route(inter.edit_webhook_message, check="message", auth=False),
            ),
            ("DELETE", WEBHOOK + message, Route(inter.delete_webhook_message, auth=False)),
        ]
    for method, template, route in table:
        router.add(method, template, route)
    return router
