"""The bench's load generator against a tiny HTTP server on 127.0.0.1: what it counts
must stay right, or every benchmark figure is wrong."""

import asyncio
import socket
import threading

import pytest

from tests.perf.loadclient import Request, Result, Sample, drive, percentile, summary


@pytest.mark.parametrize(
    ("values", "p", "expected"),
    [
        ([], 50, 0.0),
        ([7], 99, 7),
        ([1, 2, 3, 4], 50, 2),
        (list(range(1, 101)), 95, 95),
        (list(range(1, 101)), 99, 99),
        (list(range(100, 0, -1)), 50, 50),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000], 95, 1000),
        ([1, 2, 3, 4, 5, 6, 7, 8, 9, 1000], 90, 9),
    ],
)
def test_percentile_is_the_nearest_rank(values, p, expected):
    assert percentile(values, p) == expected


def test_summary_counts_errors_and_queries():
    samples = [Sample(0, 10, 200, 3), Sample(0, 20, 200, 5), Sample(0, 30, 404, 1)]
    samples.append(Sample(0, 40, 0, None))  # no response at all
    figures = summary(Result(samples, wall_seconds=2.0, cpu_seconds=0.004))
    assert figures["requests"] == 4
    assert figures["rps"] == 2.0
    assert figures["errors"] == 2
    assert figures["sql"] == 3.0
    assert figures["sql_max"] == 5
    assert figures["p50"] == 20
    assert figures["mean"] == 25
    assert figures["generator_cpu_ms"] == 1.0


class Server:
    """HTTP/1.1 on a free port, in a thread: ``/ok`` keeps the connection alive, ``/chunked``
    answers in chunks, ``/close`` ends its body by closing, anything else is a 404."""

    def __init__(self):
        self.connections = 0
        self.requests: list[tuple[bytes, bytes]] = []
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    async def _handle(self, reader, writer):
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                method, path, _ = head.split(b"\r\n", 1)[0].split(b" ")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                body = await reader.readexactly(length)
                self.requests.append((method + b" " + path, body))
                if path == b"/ok":
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-Bench-Queries: 3\r\n\r\nok"
                    )
                elif path == b"/chunked":
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                        b"3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n"
                    )
                elif path == b"/close":
                    writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end")
                    await writer.drain()
                    break
                else:
                    writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    def _run(self):
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self.ready.set()
        self.loop.run_forever()
        server.close()
        handlers = asyncio.all_tasks(self.loop)
        for task in handlers:
            task.cancel()
        self.loop.run_until_complete(asyncio.gather(*handlers, return_exceptions=True))
        self.loop.close()

    def __enter__(self):
        self.thread.start()
        self.ready.wait(5)
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def plan(*requests):
    """A user sending these requests in turn, then nothing more."""
    queue = list(requests)
    return lambda: queue.pop(0) if queue else None


def test_users_send_their_requests_over_kept_alive_connections():
    ok, post = Request("GET", "/ok"), Request("POST", "/ok", (("X-A", "1"),), b"a=1")
    with Server() as server:
        result = drive(
            [plan(ok, ok, post), plan(ok, Request("GET", "/chunked"), ok)],
            port=server.port,
            seconds=5,
        )
    assert sorted(s.status for s in result.samples) == [200] * 6
    assert server.connections == 2  # one per user
    assert (b"POST /ok", b"a=1") in server.requests
    figures = summary(result)
    assert figures["errors"] == 0
    assert figures["sql_max"] == 3
    assert all(s.ms > 0 for s in result.samples)
    assert result.cpu_seconds > 0


def test_errors_count_statuses_and_closed_connections():
    with Server() as server:
        result = drive(
            [plan(Request("GET", "/close"), Request("GET", "/nope"), Request("GET", "/close"))],
            port=server.port,
            seconds=5,
        )
    assert [s.status for s in result.samples] == [200, 404, 200]
    assert server.connections == 2  # reconnected after the server closed
    assert summary(result)["errors"] == 1


def test_a_server_that_does_not_answer_is_an_error_not_a_crash():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed: nothing listens there
    result = drive([plan(Request("GET", "/ok"), Request("GET", "/ok"))], port=port, seconds=5)
    assert [s.status for s in result.samples] == [0, 0]
    assert summary(result)["errors"] == 2


def test_users_stop_at_the_deadline_and_think_between_requests():
    with Server() as server:
        forever = Request("GET", "/ok")
        result = drive([lambda: forever] * 2, port=server.port, seconds=0.3, think=0.1)
    # About 0.3 / 0.1 requests per user, not thousands.
    assert 2 <= len(result.samples) <= 12
    assert result.wall_seconds < 1.0
