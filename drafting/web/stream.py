"""Server-sent events for long runs: the POST itself streams progress, then the result or an error.

Streaming the POST (rather than starting a job and polling another URL) keeps a run on the worker that
started it, so it works unchanged behind a proxy with several workers or replicas. The run stops at its next
event once the client has left or DRAFTING_REQUEST_TIMEOUT has passed.
"""

import asyncio
import json
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from drafting.config import get_settings
from drafting.errors import DraftingError
from drafting.web.limits import Stop, TimedOut
from drafting.web.security import log_unexpected

log = logging.getLogger(__name__)

Emit = Callable[[str, dict[str, Any]], None]


def wants_stream(request: Request) -> bool:
    """The page asks for events with `Accept: text/event-stream`; API clients get plain JSON."""
    return "text/event-stream" in request.headers.get("accept", "")


def sse(event: str, data: Any) -> str:
    payload = data.model_dump(mode="json") if isinstance(data, BaseModel) else data
    return f"event: {event}\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"


def stream_run(work: Callable[[Emit], BaseModel]) -> StreamingResponse:
    """Run `work(emit)` in a thread; stream what it emits, then `result` (or `error` with status, detail)."""

    stop = Stop(get_settings().request_timeout)

    async def events() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str | None] = asyncio.Queue()

        def put(item: str | None) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, item)

        def emit(name: str, data: dict[str, Any]) -> None:
            stop.check()  # raises in the worker thread once the client is gone or the time is up
            put(sse(name, data))

        def target() -> None:
            try:
                put(sse("result", work(emit)))
            except DraftingError as exc:
                put(sse("error", {"status": exc.http_status, "detail": exc.message}))
            except Exception as exc:
                log_unexpected(log, exc, "streamed run")
                put(sse("error", {"status": 500, "detail": "服务器内部错误，请查看服务日志"}))
            finally:
                put(None)

        threading.Thread(target=target, daemon=True, name="drafting-run").start()
        try:
            while True:
                left = max(stop.deadline - time.monotonic(), 0)
                try:
                    item = await asyncio.wait_for(queue.get(), timeout=left)
                except TimeoutError:
                    yield sse("error", {"status": 504, "detail": TimedOut(stop.seconds).message})
                    return
                if item is None:
                    return
                yield item
        finally:  # the run ended, timed out, or Starlette cancelled the stream because the client left
            stop.gone.set()

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
