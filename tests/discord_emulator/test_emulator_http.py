"""The emulator's wire behaviour seen by a plain HTTP and websocket client (no discord.py)."""

from __future__ import annotations

from typing import Any

import aiohttp

from discord_emulator import DiscordEmulator

from .conftest import frame


async def _identify(
    emu: DiscordEmulator, session: aiohttp.ClientSession
) -> tuple[aiohttp.ClientWebSocketResponse, dict[str, Any]]:
    ws = await session.ws_connect(f"{emu.gateway_base}?v=10&encoding=json")
    hello = await frame(ws)
    assert hello["op"] == 10 and hello["d"]["heartbeat_interval"] == 41250
    await ws.send_json({"op": 1, "d": None})
    assert (await frame(ws))["op"] == 11
    await ws.send_json({"op": 2, "d": {"token": emu.token, "intents": 1, "properties": {}}})
    ready = await frame(ws)
    return ws, ready


async def test_json_content_type_is_exact(
    emu: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{emu.api_base}/users/@me") as response:
        assert response.headers["Content-Type"] == "application/json"
        assert (await response.json())["id"] == str(emu.bot_user.id)
    async with http.get(f"{emu.api_base}/gateway") as response:
        assert (await response.json())["url"] == emu.gateway_base


async def test_unhandled_routes_are_recorded(
    emu: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    async with http.get(f"{emu.api_base}/guilds/1/audit-logs") as response:
        assert response.status == 404
        assert await response.json() == {"message": "404: Not Found", "code": 0}
    (record,) = emu.unhandled
    assert record.template == ("/guilds/{guild_id}/audit-logs" if emu.spec is not None else None)
    assert emu.problems() == ["unhandled route: GET /guilds/1/audit-logs"]


async def test_auth_and_malformed_bodies(emu: DiscordEmulator, http: aiohttp.ClientSession) -> None:
    async with (
        aiohttp.ClientSession() as anonymous,
        anonymous.get(f"{emu.api_base}/users/@me") as response,
    ):
        assert response.status == 401 and (await response.json())["code"] == 0
    guild = emu.add_guild("g")
    channel = emu.add_channel(guild.id, "c")
    url = f"{emu.api_base}/channels/{channel.id}/messages"
    async with http.post(
        url, data=b"{not json", headers={"Content-Type": "application/json"}
    ) as response:
        assert response.status == 400 and (await response.json())["code"] == 50109
    async with http.post(url, json={"content": "   "}) as response:
        assert response.status == 400 and (await response.json())["code"] == 50006


async def test_rate_limit_headers_and_429_shape(
    emu: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    guild = emu.add_guild("g")
    channel = emu.add_channel(guild.id, "c")
    emu.ratelimits.enable()
    url = f"{emu.api_base}/channels/{channel.id}/messages"
    for left in (4, 3, 2, 1, 0):
        async with http.post(url, json={"content": "x"}) as response:
            assert response.status == 200
            assert response.headers["X-RateLimit-Limit"] == "5"
            assert response.headers["X-RateLimit-Remaining"] == str(left)
            assert float(response.headers["X-RateLimit-Reset-After"]) <= 5
            assert response.headers["X-RateLimit-Bucket"]
    async with http.post(url, json={"content": "x"}) as response:
        assert response.status == 429 and response.headers["Via"] == "1.1 google"
        body = await response.json()
        assert body["message"] == "You are being rate limited." and body["global"] is False
        assert 0 < body["retry_after"] <= 5
    assert emu.ratelimits.served_429 == 1


async def test_injected_status_and_route_wildcards(
    emu: DiscordEmulator, http: aiohttp.ClientSession
) -> None:
    fault = emu.faults.fail("GET /users/*", status=500, times=2)
    for _ in range(2):
        async with http.get(f"{emu.api_base}/users/@me") as response:
            assert (
                response.status == 500
                and (await response.json())["message"] == "500: Internal Server Error"
            )
    async with http.get(f"{emu.api_base}/users/@me") as response:
        assert response.status == 200
    assert fault.spent and fault.hits == 2


async def test_gateway_protocol_and_resume(emu: DiscordEmulator) -> None:
    guild = emu.add_guild("g")
    emu.add_channel(guild.id, "c")
    async with aiohttp.ClientSession() as session:
        ws, ready = await _identify(emu, session)
        assert ready["t"] == "READY" and ready["s"] == 1
        d = ready["d"]
        assert d["guilds"] == [{"id": str(guild.id), "unavailable": True}]
        assert d["application"] == {"id": str(emu.application_id), "flags": 0}
        assert d["resume_gateway_url"].endswith("/resume-gateway")
        created = await frame(ws)
        assert created["t"] == "GUILD_CREATE" and created["s"] == 2
        assert created["d"]["channels"][0]["permission_overwrites"] == []
        everyone = next(r for r in created["d"]["roles"] if r["id"] == str(guild.id))
        assert int(everyone["permissions"]) & (1 << 11)
        await ws.close()
        emu.add_channel(guild.id, "missed")  # dispatched while nobody is connected
        ws = await session.ws_connect(d["resume_gateway_url"])
        await frame(ws)
        await ws.send_json(
            {"op": 6, "d": {"token": emu.token, "session_id": d["session_id"], "seq": 2}}
        )
        replayed = await frame(ws)
        assert (replayed["t"], replayed["s"], replayed["d"]["name"]) == (
            "CHANNEL_CREATE",
            3,
            "missed",
        )
        assert (await frame(ws))["t"] == "RESUMED"
        await ws.send_json({"op": 6, "d": {"token": emu.token, "session_id": "stale", "seq": 1}})
        assert (await frame(ws)) == {"op": 9, "d": False, "s": None, "t": None}
        await ws.close()


async def test_gateway_rejects_a_wrong_token(emu: DiscordEmulator) -> None:
    async with aiohttp.ClientSession() as session, session.ws_connect(emu.gateway_base) as ws:
        await frame(ws)
        await ws.send_json({"op": 2, "d": {"token": "wrong", "intents": 1, "properties": {}}})
        message = await ws.receive(timeout=2)
        assert message.type == aiohttp.WSMsgType.CLOSE and message.data == 4004


async def test_callback_answers(emu: DiscordEmulator, http: aiohttp.ClientSession) -> None:
    guild = emu.add_guild("g")
    channel = emu.add_channel(guild.id, "c")
    user = emu.add_member(guild.id, "u")
    url = f"{emu.api_base}/applications/{emu.application_id}/commands"
    async with http.put(url, json=[{"name": "ping", "description": "pong", "type": 1}]) as response:
        assert response.status == 200
    async with aiohttp.ClientSession() as session:
        ws, _ = await _identify(emu, session)
        result = await emu.invoke(guild.id, channel.id, user.id, "ping")
        callback = f"{emu.api_base}/interactions/{result.id}/{result.token}/callback"
        followup = f"{emu.api_base}/webhooks/{emu.application_id}/{result.token}?wait=true"
        async with http.post(followup, json={"content": "too early"}) as response:
            assert response.status == 404 and (await response.json())["code"] == 10015
        async with http.post(callback, json={"type": 8, "data": {"choices": []}}) as response:
            assert response.status == 400 and (await response.json())["code"] == 50035
        async with http.post(callback, json={"type": 4, "data": {"content": "pong"}}) as response:
            assert response.status == 204  # without ?with_response=true, as on Discord
        async with http.post(
            callback + "?with_response=true", json={"type": 4, "data": {"content": "again"}}
        ) as response:
            assert response.status == 400 and (await response.json())["code"] == 40060
        await ws.close()
    assert result.content == "pong"
    assert [v.errors[0].code for v in emu.violations] == ["INTERACTION_RESPONSE_TYPE_INVALID"]
