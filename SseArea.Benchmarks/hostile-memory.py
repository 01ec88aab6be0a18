"""The memory attacks of issue 15 against a running test host, measured as the server's RSS growth.

  replay: events of 14 KB are published to 10 channels (100 each, history on); 30 sockets ask for all 10 channels
          from the start (a Last-Event-ID of 10 empty parts) and never read.
  live:   40 sockets follow one channel and never read; 1 000 events of 14 KB are published to it.

  payload (with a Redis port): 40 sockets follow one channel and never read; one 10 MB payload is PUBLISHed on Redis
          by another client (redis-cli), as another publisher would.

Prints one JSON line per attack: RSS before, after, growth per hostile connection (KiB). Loopback only; every socket
is closed at the end. Usage: python3 hostile-memory.py <port> <pid> [redis port]  (run by hostile-memory.sh)
"""
import json
import socket
import subprocess
import sys
import time
import urllib.request

PORT, PID = int(sys.argv[1]), int(sys.argv[2])
REDIS = int(sys.argv[3]) if len(sys.argv) > 3 else None
EVENT = "x" * (14 * 1024)


def rss_kib():
    with open(f"/proc/{PID}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))


def publish(channel, data):
    request = urllib.request.Request(f"http://127.0.0.1:{PORT}/test/publish?channel={channel}", data=data.encode(), method="POST")
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def hostile(path, last_event_id=None):
    sock = socket.create_connection(("127.0.0.1", PORT), timeout=10)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: the server's side fills fast
    head = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
    if last_event_id:
        head += f"Last-Event-ID: {last_event_id}\r\n"
    sock.sendall((head + "\r\n").encode())
    return sock  # never read


def settle():
    # RSS after the work: the same two samples apart (bounded: 10 s).
    previous, deadline = -1, time.monotonic() + 10
    while time.monotonic() < deadline:
        time.sleep(1)
        current = rss_kib()
        if abs(current - previous) < 512:
            return current
        previous = current
    return rss_kib()


channels = [f"hostile.{i}" for i in range(10)]
for channel in channels:
    for _ in range(100):
        publish(channel, EVENT)
before = settle()
sockets = [hostile("/sse/stream?" + "&".join(f"channel={c}" for c in channels), "," * 9) for _ in range(30)]
after = settle()
print(json.dumps({"attack": "replay", "connections": 30, "rssBeforeKiB": before, "rssAfterKiB": after, "perConnectionKiB": round((after - before) / 30)}))
for sock in sockets:
    sock.close()

before = settle()
sockets = [hostile("/sse/stream?channel=live") for _ in range(40)]
time.sleep(1)
for _ in range(1000):
    publish("live", EVENT)
after = settle()
print(json.dumps({"attack": "live", "connections": 40, "rssBeforeKiB": before, "rssAfterKiB": after, "perConnectionKiB": round((after - before) / 40)}))
for sock in sockets:
    sock.close()

if REDIS:
    before = settle()
    sockets = [hostile("/sse/stream?channel=big") for _ in range(40)]
    time.sleep(1)
    payload = '{"data": "' + "x" * (10 * 1024 * 1024) + '"}'
    subprocess.run(["redis-cli", "-p", str(REDIS), "-x", "PUBLISH", "big"], input=payload.encode(), capture_output=True, timeout=60, check=True)
    after = settle()
    print(json.dumps({"attack": "10 MB payload on Redis", "connections": 40, "rssBeforeKiB": before, "rssAfterKiB": after, "perConnectionKiB": round((after - before) / 40)}))
    for sock in sockets:
        sock.close()
