"""The spawn-pending page's progress stream as the spawner makes it: every event in Chinese, the first one
too, which JupyterHub makes itself ("Server requested"). A server that starts in a second shows only the last
event (tests/app/test_hub.py), so the stream is read here from the spawner, as the hub's progress API does."""

from __future__ import annotations

import asyncio
import re

from hub.spawners import DemoSpawner


def test_every_progress_event_is_chinese():
    spawner = DemoSpawner()
    spawner._spawn_pending = True

    async def events():
        return [event async for event in spawner._generate_progress()]

    messages = [event["message"] for event in asyncio.run(events())]
    assert messages[0] == "已收到启动请求…" and len(messages) >= 2
    assert all(re.search(r"[\u4e00-\u9fff]", message) and "Server" not in message for message in messages), messages
