"""A real OpenAI-compatible HTTP server on 127.0.0.1 whose replies the test scripts.

It serves `POST /v1/chat/completions` (plain and `stream: true` SSE ending in `data: [DONE]`) and
`POST /v1/embeddings`, and records every request body, so tests go through the real client stack
(langchain-openai -> openai -> httpx -> HTTP) and assert on the exact JSON that was sent.

It ships in the package (as pydantic-ai ships its TestModel) so that tests and benchmarks share it;
nothing in the package imports it. Outside pytest: `with serving() as server: ...`; the pytest fixtures
`fake_openai` and `fake_openai_env` live in tests/fake_openai.py, registered for every test by
`pytest_plugins` in tests/conftest.py.

Scripting replies (chat): `server.script("text", Fault.error(), ...)` queues replies, used in order;
when the queue is empty, `server.reply(request_json)` answers (default: an error naming the gap, so a
test that forgot a reply fails loudly). A reply is a string (the assistant's content), a dict (the
whole assistant `message`, e.g. with `tool_calls`), or a `Fault`.
Embeddings: `server.script_embeddings([[...], ...], Fault.garbage())` queues replies; otherwise
`server.embed(text)` gives each input a deterministic unit vector of `server.embedding_dim` numbers.
"""

import base64
import hashlib
import json
import math
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal


@dataclass(frozen=True)
class Fault:
    """A scripted failure: an HTTP error, a reply slower than the client's timeout, or a non-JSON body."""

    kind: Literal["error", "delay", "garbage"]
    status: int = 500
    message: str = "fake server error"
    seconds: float = 0.0
    then: str = "太迟了"

    @classmethod
    def error(cls, status: int = 500, message: str = "fake server error") -> "Fault":
        return cls("error", status=status, message=message)

    @classmethod
    def delay(cls, seconds: float = 5.0, then: str = "太迟了") -> "Fault":
        """Wait `seconds` before answering `then` (the client should have given up by then)."""
        return cls("delay", seconds=seconds, then=then)

    @classmethod
    def garbage(cls) -> "Fault":
        return cls("garbage")


@dataclass
class Call:
    """One recorded request."""

    path: str
    body: dict[str, Any]
    headers: dict[str, str]


def _unit_vector(text: str, dim: int) -> list[float]:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    raw = [(digest[i % len(digest)] - 127.5) / 127.5 + (i % 7) * 1e-3 for i in range(dim)]
    norm = math.sqrt(sum(x * x for x in raw)) or 1.0
    return [x / norm for x in raw]


def _no_reply(request: dict[str, Any]) -> "str | dict[str, Any] | Fault":
    return Fault.error(500, "fake_openai: the test scripted no reply for this request")


@dataclass
class FakeOpenAI:
    """The server's state: scripted replies in, recorded requests out."""

    host: str = "127.0.0.1"
    port: int = 0
    calls: list[Call] = field(default_factory=list)
    reply: Callable[[dict[str, Any]], "str | dict[str, Any] | Fault"] = _no_reply
    embedding_dim: int = 16
    chunk_chars: int = 4
    _chat_queue: deque = field(default_factory=deque)
    _embedding_queue: deque = field(default_factory=deque)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        """Base URL for OPENAI_BASE_URL, ending in /v1."""
        return f"http://{self.host}:{self.port}/v1"

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Every request JSON body, in arrival order."""
        return [c.body for c in self.calls]

    @property
    def chat_requests(self) -> list[dict[str, Any]]:
        return [c.body for c in self.calls if c.path.endswith("/chat/completions")]

    @property
    def embedding_requests(self) -> list[dict[str, Any]]:
        return [c.body for c in self.calls if c.path.endswith("/embeddings")]

    def script(self, *replies: "str | dict[str, Any] | Fault") -> None:
        """Queue chat replies, answered in order before `reply` is consulted."""
        self._chat_queue.extend(replies)

    def script_embeddings(self, *replies: "list[list[float]] | Fault") -> None:
        self._embedding_queue.extend(replies)

    def embed(self, text: str) -> list[float]:
        return _unit_vector(text, self.embedding_dim)

    def next_chat_reply(self, request: dict[str, Any]) -> "str | dict[str, Any] | Fault":
        with self._lock:
            if self._chat_queue:
                return self._chat_queue.popleft()
        return self.reply(request)

    def next_embedding_reply(self, request: dict[str, Any]) -> "list[list[float]] | Fault":
        with self._lock:
            if self._embedding_queue:
                return self._embedding_queue.popleft()
        inputs = request.get("input", [])
        texts = [inputs] if isinstance(inputs, str) else list(inputs)
        return [self.embed(t if isinstance(t, str) else json.dumps(t)) for t in texts]

    def record(self, path: str, body: dict[str, Any], headers: dict[str, str]) -> None:
        with self._lock:
            self.calls.append(Call(path, body, headers))

    def wait(self, seconds: float) -> None:
        """Sleep, but wake at once when the server shuts down."""
        self._stopping.wait(seconds)

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def stop(self) -> None:
        self._stopping.set()


def prompt_text(request: dict[str, Any]) -> str:
    """All message contents of one chat request, joined by newlines (for `in` assertions)."""
    parts = []
    for message in request.get("messages", []):
        content = message.get("content", "")
        if isinstance(content, list):
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        parts.append(str(content))
    return "\n".join(parts)


def _chunks(text: str, size: int) -> Iterator[str]:
    for i in range(0, len(text), size):
        yield text[i:i + size]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        pass

    def do_POST(self) -> None:  # noqa: N802 - name fixed by http.server
        fake = self.server.fake
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        try:
            body = json.loads(raw.decode("utf-8")) if raw else {}
        except ValueError:
            self._send_json(400, {"error": {"message": "request body is not JSON",
                                            "type": "invalid_request"}})
            return
        fake.record(self.path, body, {k.lower(): v for k, v in self.headers.items()})
        try:
            if self.path.endswith("/chat/completions"):
                self._chat(fake, body)
            elif self.path.endswith("/embeddings"):
                self._embeddings(fake, body)
            else:
                self._send_json(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing left to answer

    def _chat(self, fake: FakeOpenAI, body: dict[str, Any]) -> None:
        reply = fake.next_chat_reply(body)
        if isinstance(reply, Fault):
            if self._fault(fake, reply):
                return
            reply = reply.then
        message = {"role": "assistant", "content": reply} if isinstance(reply, str) else dict(reply)
        message.setdefault("role", "assistant")
        model = body.get("model", "fake")
        if body.get("stream"):
            self._stream_chat(fake, body, model, message)
            return
        self._send_json(200, {
            "id": "chatcmpl-fake", "object": "chat.completion", "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "tool_calls" if message.get("tool_calls") else "stop"}],
            "usage": _usage(body, message),
        })

    def _stream_chat(self, fake: FakeOpenAI, body: dict[str, Any], model: str,
                     message: dict[str, Any]) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def event(delta: dict[str, Any], finish: str | None = None) -> None:
            choice = {"index": 0, "delta": delta, "finish_reason": finish}
            chunk = _chunk_envelope(model) | {"choices": [choice]}
            self._send_chunk(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n")

        event({"role": "assistant", "content": ""})
        for piece in _chunks(message.get("content") or "", fake.chunk_chars):
            event({"content": piece})
        for i, call in enumerate(message.get("tool_calls") or []):
            event({"tool_calls": [{"index": i, **call}]})
        event({}, "tool_calls" if message.get("tool_calls") else "stop")
        if (body.get("stream_options") or {}).get("include_usage"):
            usage_chunk = _chunk_envelope(model) | {"choices": [], "usage": _usage(body, message)}
            self._send_chunk(f"data: {json.dumps(usage_chunk, ensure_ascii=False)}\n\n")
        self._send_chunk("data: [DONE]\n\n")
        self._send_chunk("")

    def _embeddings(self, fake: FakeOpenAI, body: dict[str, Any]) -> None:
        reply = fake.next_embedding_reply(body)
        if isinstance(reply, Fault):
            if self._fault(fake, reply):
                return
            inputs = body.get("input", [])
            reply = [fake.embed(str(t)) for t in ([inputs] if isinstance(inputs, str) else inputs)]
        as_base64 = body.get("encoding_format") == "base64"
        self._send_json(200, {
            "object": "list", "model": body.get("model", "fake"),
            "data": [{"object": "embedding", "index": i, "embedding": _base64(v) if as_base64 else v}
                     for i, v in enumerate(reply)],
            "usage": {"prompt_tokens": len(reply), "total_tokens": len(reply)},
        })

    def _fault(self, fake: FakeOpenAI, fault: Fault) -> bool:
        """Act out the fault; True when the request is answered, False when a normal reply should follow."""
        if fault.kind == "error":
            self._send_json(fault.status, {"error": {"message": fault.message,
                                                     "type": "server_error", "code": None}})
            return True
        if fault.kind == "garbage":
            data = b"<html>502 Bad Gateway: upstream said \xe4\xb9\xb1\xe7\xa0\x81 {not json"
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return True
        fake.wait(fault.seconds)
        if fake.stopping:
            self.close_connection = True
            return True
        return False

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_chunk(self, text: str) -> None:
        data = text.encode("utf-8")
        self.wfile.write(f"{len(data):x}\r\n".encode("ascii") + data + b"\r\n")
        self.wfile.flush()


def _chunk_envelope(model: str) -> dict[str, Any]:
    return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": int(time.time()),
            "model": model}


def _base64(vector: list[float]) -> str:
    return base64.b64encode(struct.pack(f"<{len(vector)}f", *vector)).decode("ascii")


def _usage(body: dict[str, Any], message: dict[str, Any]) -> dict[str, int]:
    prompt = sum(len(str(m.get("content", ""))) for m in body.get("messages", []))
    completion = len(message.get("content") or "")
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeOpenAI):
        super().__init__((fake.host, fake.port), _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up (after its timeout) is expected here; anything else is reported."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serving(fake: FakeOpenAI | None = None) -> Iterator[FakeOpenAI]:
    """Run a fake server on a free port of 127.0.0.1 in a thread for the duration of the block."""
    fake = fake or FakeOpenAI()
    server = _Server(fake)
    fake.port = server.server_address[1]
    # a short poll interval: shutdown() waits for one poll, and every test stops a server
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-openai",
                              daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.stop()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
