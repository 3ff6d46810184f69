"""The composition root: building the app without Bolt's warnings."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.app import create_app
from bot.settings import load_settings
from storage.store import SQLiteStore
from tests.support.harness import START


@pytest.mark.parametrize("app_token", [None, "xapp-env"])
async def test_building_the_app_logs_no_warning_with_the_tokens_in_the_environment(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    app_token: str | None,
) -> None:
    # Bolt reads SLACK_BOT_TOKEN itself; as `partnerbot run` does, settings come from there too.
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-env")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "env-secret")
    if app_token:
        monkeypatch.setenv("SLACK_APP_TOKEN", app_token)
    settings = load_settings(database_url=f"sqlite:///{tmp_path / 'app.db'}")
    store = SQLiteStore(settings.sqlite_path)
    await store.open(START)
    try:
        with caplog.at_level(logging.DEBUG):
            bot = create_app(settings, store)
            if app_token:
                from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

                handler = AsyncSocketModeHandler(bot.app, settings.slack_app_token)
                await handler.close_async()  # type: ignore[no-untyped-call]
    finally:
        await store.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert warnings == []
    assert bot.app.client.token == "xoxb-env"
    assert bot.services.client is bot.app.client
