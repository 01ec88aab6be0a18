"""Follows an SseArea stream as a Python program would with `requests` (Debian's python3-requests; Debian has no
Python SSE library), reading the stream as the WHATWG spec says, and writes what its user sees, one JSON line each,
as client.mjs does: {"kind":"open"}, {"kind":"message","event":..,"data":..,"id":..}, {"kind":"position","id":..},
{"kind":"error","message":..}. Reconnects after the retry interval with Last-Event-ID. Ends when stdin closes, or
after 60 s.

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


def lines(response):
    """The stream's lines, split on CR, LF or CRLF, decoded as UTF-8."""
    pending = b""
    for chunk in response.iter_content(chunk_size=None):
        pending += chunk
        while True:
            cr, lf = pending.find(b"\r"), pending.find(b"\n")
            ends = [i for i in (cr, lf) if i >= 0]
            if not ends:
                break
            end = min(ends)
            if pending[end:end + 1] == b"\r" and end + 1 == len(pending):
                break  # a CR at the end of the chunk: an LF may follow
            skip = 2 if pending[end:end + 2] == b"\r\n" else 1
            yield pending[:end].decode("utf-8", errors="replace")
            pending = pending[end + skip:]


def follow(url, state):
    headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
    if state["last_id"]:
        headers["Last-Event-ID"] = state["last_id"]
    with requests.get(url, headers=headers, stream=True, timeout=(5, 60)) as response:
        if response.status_code != 200:
            say({"kind": "error", "message": f"HTTP {response.status_code}"})
            return
        say({"kind": "open"})
        event, data = "", []
        for line in lines(response):
            if line == "":
                if data:  # an empty data buffer dispatches nothing
                    text = "\n".join(data)
                    if event == "sse-position":
                        say({"kind": "position", "id": state["last_id"]})
                    say({"kind": "message", "event": event, "data": text, "id": state["last_id"]})
                event, data = "", []
                continue
            if line.startswith(":"):
                continue  # a comment
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
            elif name == "id" and "\0" not in value:
                state["last_id"] = value
            elif name == "retry" and value.isdigit():
                state["retry"] = int(value) / 1000


def main():
    url = sys.argv[1]
    threading.Thread(target=stop_when_stdin_closes, daemon=True).start()
    deadline = time.monotonic() + 60
    state = {"last_id": "", "retry": 3.0}
    while time.monotonic() < deadline:
        try:
            follow(url, state)
        except requests.RequestException as error:
            say({"kind": "error", "message": str(error)})
        time.sleep(state["retry"])


main()
