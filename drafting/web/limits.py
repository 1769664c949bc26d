"""Bounds on what one client may ask: bodies over `settings.max_request_bytes` get 413 (by Content-Length
and by the bytes actually streamed), work stops when its client leaves or its time is up, and wrong
tokens are counted per client."""

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from drafting.config import get_settings
from drafting.errors import DraftingError

T = TypeVar("T")
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyLimit:
    """Pure ASGI middleware: reads the body up to the limit before the app sees it, then replays it."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = get_settings().max_request_bytes
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await too_large(send, limit)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > limit:
                await too_large(send, limit)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)


async def too_large(send: Send, limit: int) -> None:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} 字节"
    body = json.dumps({"detail": f"body: 请求内容超过上限 {size}"}, ensure_ascii=False).encode("utf-8")
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})


class AuthFailures:
    """Wrong tokens per client address over the last minute, in this worker's memory."""

    WINDOW = 60.0
    MAX_CLIENTS = 10_000  # a flood of addresses cannot grow the table without bound

    def __init__(self) -> None:
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def blocked(self, client: str, limit: int) -> bool:
        with self._lock:
            times = self._seen.get(client)
            if times is None:
                return False
            cutoff = time.monotonic() - self.WINDOW
            while times and times[0] < cutoff:
                times.popleft()
            if not times:
                del self._seen[client]
            return len(times) >= limit

    def add(self, client: str) -> None:
        with self._lock:
            if client not in self._seen and len(self._seen) >= self.MAX_CLIENTS:
                self._seen.pop(next(iter(self._seen)))
            self._seen.setdefault(client, deque(maxlen=1000)).append(time.monotonic())


class ClientGone(DraftingError):
    """The client left; the work stops at its next check (nobody reads this answer)."""

    http_status = 499

    def __init__(self) -> None:
        super().__init__("客户端已断开，处理已停止")


class TimedOut(DraftingError):
    """The work passed DRAFTING_REQUEST_TIMEOUT and was stopped."""

    http_status = 504

    def __init__(self, seconds: float) -> None:
        super().__init__(f"处理超时（超过 {seconds:g} 秒），已停止；请减少内容后重试")


class Stop:
    """Set when the client has left or the time budget is spent; the work calls check() between steps."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.gone = threading.Event()

    def check(self) -> None:
        if self.gone.is_set():
            raise ClientGone()
        if time.monotonic() > self.deadline:
            raise TimedOut(self.seconds)


async def run_bounded(request: Request, work: Callable[[Stop], T]) -> T:
    """Run `work(stop)` in a worker thread; it stops at its next check once the client is gone or the
    request's time budget (DRAFTING_REQUEST_TIMEOUT) is spent."""
    stop = Stop(get_settings().request_timeout)
    task = asyncio.ensure_future(run_in_threadpool(work, stop))
    while not task.done():
        await asyncio.wait({task}, timeout=0.5)
        if not task.done() and await request.is_disconnected():
            stop.gone.set()
    return task.result()
