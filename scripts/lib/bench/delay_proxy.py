"""A wide-area path on loopback, run as its own process: a TCP proxy in front of a TLS endpoint
that delays every byte by a one-way delay in each direction, holds a new connection's first
bytes for one round trip (the TCP handshake a real path costs before data can flow), and closes
a connection idle for a while, as HTTPS front ends do. The TLS handshake itself crosses the
delayed path, so a new connection pays TCP + TLS round trips before its request, as it would
across a region.

    delay_proxy.py --upstream 127.0.0.1:PORT [--one-way-ms 10] [--idle-close 20]

Prints `LISTENING PORT`, then one JSON line per closed connection on stdout:
{"opened": unix time, "closed": unix time, "reason": "idle" | "client" | "upstream",
 "bytes_up": N, "bytes_down": N}."""
import argparse
import asyncio
import json
import sys
import time


class Path:
    """One direction of one connection: chunks are written `delay` seconds after they were read,
    in order, never earlier than `not_before` (the end of the simulated TCP handshake)."""

    def __init__(self, reader, writer, delay, not_before, touch):
        self.reader = reader
        self.writer = writer
        self.delay = delay
        self.not_before = not_before
        self.touch = touch
        self.queue = asyncio.Queue()
        self.bytes = 0

    async def read(self):
        while True:
            data = await self.reader.read(65536)
            self.touch()
            self.queue.put_nowait((max(time.monotonic(), self.not_before) + self.delay, data))
            if not data:
                return

    async def write(self):
        while True:
            due, data = await self.queue.get()
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            if not data:
                if self.writer.can_write_eof():
                    self.writer.write_eof()
                return
            self.writer.write(data)
            self.bytes += len(data)
            await self.writer.drain()
            self.touch()


class Proxy:
    def __init__(self, upstream, one_way, idle_close):
        host, port = upstream.rsplit(":", 1)
        self.upstream = (host, int(port))
        self.one_way = one_way
        self.idle_close = idle_close

    async def handle(self, client_reader, client_writer):
        opened = time.time()
        handshake_done = time.monotonic() + 2 * self.one_way
        last = [time.monotonic()]

        def touch():
            last[0] = time.monotonic()

        try:
            server_reader, server_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            client_writer.close()
            return
        up = Path(client_reader, server_writer, self.one_way, handshake_done, touch)
        down = Path(server_reader, client_writer, self.one_way, 0.0, touch)
        tasks = {asyncio.ensure_future(c): name for name, c in (
            ("client", up.read()), ("up-write", up.write()), ("upstream", down.read()), ("down-write", down.write()))}
        reason = None
        while reason is None:
            done, _ = await asyncio.wait(tasks.keys(), timeout=0.5, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                name = tasks.pop(task)
                if name in ("client", "upstream"):
                    # End of input on one side: let what is queued drain, then close.
                    pass
                elif not tasks or name in ("up-write", "down-write"):
                    reason = reason or ("client" if name == "up-write" else "upstream")
            if reason is None and time.monotonic() - last[0] >= self.idle_close:
                reason = "idle"
        for task in tasks:
            task.cancel()
        for writer in (client_writer, server_writer):
            writer.close()
        print(json.dumps({"opened": opened, "closed": time.time(), "reason": reason,
                          "bytes_up": up.bytes, "bytes_down": down.bytes}), flush=True)

    async def serve(self):
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        print(f"LISTENING {server.sockets[0].getsockname()[1]}", flush=True)
        async with server:
            await server.serve_forever()


def main():
    parser = argparse.ArgumentParser(prog="delay_proxy.py")
    parser.add_argument("--upstream", required=True, help="HOST:PORT of the TLS endpoint")
    parser.add_argument("--one-way-ms", type=float, default=10.0)
    parser.add_argument("--idle-close", type=float, default=20.0, help="seconds without a byte before closing")
    args = parser.parse_args()
    try:
        asyncio.run(Proxy(args.upstream, args.one_way_ms / 1000, args.idle_close).serve())
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
