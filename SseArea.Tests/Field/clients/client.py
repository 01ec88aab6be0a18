"""Follows an SseArea stream as a Python program would with `requests` (Debian's python3-requests; Debian has no
Python SSE library), reading the stream as the WHATWG spec says, and writes what its user sees, one JSON line each,
as client.mjs does: {"kind":"open"}, {"kind":"message","event":..,"data":..,"id":..}, {"kind":"position","id":..},
{"kind":"error","message":..}. Reconnects after the retry interval with Last-Event-ID. Ends when stdin closes, or
after 60 s (streaming or not).

Usage: python3 client.py <url>
"""
import json
import os
import sys
import threading
import time

import requests


def say(line):
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def stop_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


def lines(chunks):
    """The stream's lines, split on CR, LF or CRLF, decoded as UTF-8 (a leading BOM dropped); an unended last line is not one."""
    pending, first = b"", True
    for chunk in chunks:
        pending += chunk
        if first:
            if len(pending) < 3 and b"\xef\xbb\xbf".startswith(pending):
                continue  # perhaps the start of a BOM
            pending, first = pending.removeprefix(b"\xef\xbb\xbf"), False
        while True:
            ends = [i for i in (pending.find(b"\r"), pending.find(b"\n")) if i >= 0]
            if not ends:
                break
            end = min(ends)
            if pending[end:end + 1] == b"\r" and end + 1 == len(pending):
                break  # a CR at the end of the chunk: an LF may follow
            skip = 2 if pending[end:end + 2] == b"\r\n" else 1
            yield pending[:end].decode("utf-8", errors="replace")
            pending = pending[end + skip:]
    if pending.endswith(b"\r"):
        yield pending[:-1].decode("utf-8", errors="replace")  # the stream ended right after a CR: the line had ended


def events(chunks, state):
    """Interprets the stream's lines as the spec says, yielding (type, data, last event ID) per dispatched event and
    keeping the last event ID string and the reconnection time in `state` for the reconnect. As the spec says, the
    buffers start empty on each stream (SseArea's first block on a stream, its position or an event, has an id)."""
    event, data, id_buffer = "", [], ""
    for line in lines(chunks):
        if line == "":
            state["last_id"] = id_buffer  # set on every blank line, even one that dispatches nothing
            if data:  # an empty data buffer dispatches nothing
                yield event, "\n".join(data), state["last_id"]
            event, data = "", []
        elif not line.startswith(":"):  # a line starting with a colon is a comment
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
            elif name == "id" and "\0" not in value:
                id_buffer = value
            elif name == "retry" and value.isascii() and value.isdigit():
                state["retry"] = int(value) / 1000
    # At the end of the stream an unfinished event, and an id it had, are dropped.


def follow(url, state):
    headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
    if state["last_id"]:
        headers["Last-Event-ID"] = state["last_id"]
    with requests.get(url, headers=headers, stream=True, timeout=(5, 60)) as response:
        if response.status_code != 200:
            say({"kind": "error", "message": f"HTTP {response.status_code}"})
            return
        say({"kind": "open"})
        for event, data, last_id in events(response.iter_content(chunk_size=None), state):
            if event == "sse-position":
                say({"kind": "position", "id": last_id})
            say({"kind": "message", "event": event, "data": data, "id": last_id})


def main():
    url = sys.argv[1]
    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    threading.Timer(60, os._exit, [0]).start()  # also while a stream is open: heartbeats would keep it open for ever
    state = {"last_id": "", "retry": 3.0}
    while True:
        try:
            follow(url, state)
        except requests.RequestException as error:
            say({"kind": "error", "message": str(error)})
        time.sleep(state["retry"])


if __name__ == "__main__":
    main()
