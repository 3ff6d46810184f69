"""The console's stand-in for Slack's Web API, driven by slack_sdk's own client as the app
drives it: answers, what it keeps, and what it shows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from console.standin import TEAM, Directory, Shown, SlackStandIn

PNG = b"\x89PNG\r\n\x1a\nfake"


@pytest.fixture
async def standin(tmp_path: Path) -> AsyncIterator[tuple[SlackStandIn, list[Shown]]]:
    shown: list[Shown] = []
    people = Directory(users={"U0MEI": "mei"}, channels={"C0OPS": "ops"})
    server = SlackStandIn(people, tmp_path / "charts", shown.append)
    await server.start()
    yield server, shown
    await server.stop()


def client(server: SlackStandIn) -> AsyncWebClient:
    return AsyncWebClient(token="xoxb-console", base_url=server.api_url)


async def test_auth_users_and_conversations(standin: tuple[SlackStandIn, list[Shown]]) -> None:
    server, _ = standin
    web = client(server)
    assert (await web.auth_test())["team_id"] == TEAM
    assert (await web.users_info(user="U0MEI"))["user"]["tz"] == "Asia/Shanghai"
    channel = (await web.conversations_info(channel="C0OPS"))["channel"]
    assert channel["is_member"] and not channel["is_archived"]
    assert (await web.conversations_join(channel="C0OPS"))["ok"]
    with pytest.raises(SlackApiError) as refused:
        await web.conversations_info(channel="C0GONE")
    assert refused.value.response["error"] == "channel_not_found"


async def test_messages_updates_ephemerals_and_dms(
    standin: tuple[SlackStandIn, list[Shown]],
) -> None:
    server, shown = standin
    web = client(server)
    posted = await web.chat_postMessage(channel="C0OPS", text="root", blocks=[])
    reply = await web.chat_postMessage(channel="C0OPS", text="reply", thread_ts=posted["ts"])
    await web.chat_update(channel="C0OPS", ts=posted["ts"], text="root, redrawn", blocks=[])
    await web.chat_postEphemeral(channel="C0OPS", user="U0MEI", text="only you")
    await web.chat_postMessage(channel="U0MEI", text="a DM")
    assert [s.kind for s in shown] == ["message", "message", "update", "ephemeral", "dm"]
    assert server.messages[("C0OPS", posted["ts"])].text == "root, redrawn"
    assert server.messages[("C0OPS", reply["ts"])].thread_ts == posted["ts"]
    with pytest.raises(SlackApiError) as missing:
        await web.chat_update(channel="C0OPS", ts="1.2", text="?")
    assert missing.value.response["error"] == "message_not_found"


async def test_modals_and_the_home_tab(standin: tuple[SlackStandIn, list[Shown]]) -> None:
    server, shown = standin
    web = client(server)
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Add"}, "blocks": []}
    opened = await web.views_open(trigger_id="1.2.3", view=view)
    await web.views_update(view_id=opened["view"]["id"], view={**view, "callback_id": "x"})
    await web.views_publish(user_id="U0MEI", view={"type": "home", "blocks": []})
    assert [s.kind for s in shown] == ["modal", "modal-update", "home"]
    assert server.opened == [opened["view"]["id"]]
    assert server.views[opened["view"]["id"]]["callback_id"] == "x"
    assert server.home["U0MEI"]["type"] == "home"


async def test_files_upload_v2_writes_the_png(
    standin: tuple[SlackStandIn, list[Shown]], tmp_path: Path
) -> None:
    server, shown = standin
    web = client(server)
    await web.files_upload_v2(
        channel="C0OPS", content=PNG, filename="health.png", title="Acme health"
    )
    [saved] = [s for s in shown if s.kind == "file"]
    assert saved.path is not None and saved.path.parent == tmp_path / "charts"
    assert saved.path.read_bytes() == PNG and saved.path.suffix == ".png"
    assert saved.title == "Acme health"


async def test_response_url_posts_answer_replace_and_follow_threads(
    standin: tuple[SlackStandIn, list[Shown]],
) -> None:
    server, shown = standin
    url, respond = server.response_url("C0OPS", "U0MEI")
    async with aiohttp.ClientSession() as session:
        await session.post(url, json={"text": "Working on it"})
        await session.post(url, json={"text": "the answer", "replace_original": True})
        await session.post(url, json={"text": "for all", "response_type": "in_channel"})
    assert [s.kind for s in shown] == ["ephemeral", "update", "message"]
    assert respond.source is not None and respond.source.text == "the answer"
    assert respond.source.user == "U0MEI"
