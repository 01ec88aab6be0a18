"""The replay attacks of issue 15 (finding 2) against a test host on Redis, measured by Redis itself.

  amplifier: 16 channels x 100 events of 6 KB; one request for all 16 from their start (Last-Event-ID of 16 empty
             parts), then one with 0-0 x 16; Redis's bytes sent and script time for each.
  unknown:   one channel with 10 000 events; 200 requests with unknown ids, 20 at a time; Redis's script time per
             request and in all.
  crowd:     60 requests for all 16 channels from their start at once, and one ordinary publish meanwhile: how many
             streams opened, how many got 503, and whether the publish went through.

Prints one JSON line per attack. Loopback only; every request is bounded in time and closed.
Usage: python3 hostile-redis.py <host port> <redis port>  (run by hostile-redis.sh)
"""
import http.client
import json
import socket
import subprocess
import sys
import threading
import time

PORT, REDIS = int(sys.argv[1]), int(sys.argv[2])


def redis(*args):
    return subprocess.run(["redis-cli", "-p", str(REDIS), *args], capture_output=True, text=True, timeout=30, check=True).stdout


def redis_figures():
    stats = dict(l.split(":", 1) for l in redis("info", "stats").splitlines() if ":" in l)
    usec = 0
    for line in redis("info", "commandstats").splitlines():
        if line.startswith(("cmdstat_eval:", "cmdstat_evalsha:")):
            usec += int(dict(f.split("=") for f in line.split(":", 1)[1].split(","))["usec"])
    return int(stats["total_net_output_bytes"]), usec


class Publisher:
    def __init__(self):
        self.connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)

    def publish(self, channel, data, event_id=None):
        path = f"/test/publish?channel={channel}" + (f"&id={event_id}" if event_id else "")
        self.connection.request("POST", path, body=data.encode())
        response = self.connection.getresponse()
        response.read()
        return response.status


def stream(channels, last_event_id, read_until=b"sse-missed", limit=30_000_000, timeout=20):
    """Opens a stream and reads until `read_until`, `limit` bytes or 3 s of silence (then closes). Returns (status, bytes read)."""
    sock = socket.create_connection(("127.0.0.1", PORT), timeout=timeout)
    try:
        query = "&".join(f"channel={c}" for c in channels)
        sock.sendall(f"GET /sse/stream?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\nLast-Event-ID: {last_event_id}\r\n\r\n".encode())
        received = b""
        deadline = time.monotonic() + timeout
        while len(received) < limit and time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            received += chunk
            sock.settimeout(3)  # once it answered, a stream that went quiet for 3 s has sent what it had
            if b"\r\n\r\n" in received and not received.startswith(b"HTTP/1.1 200"):
                break
            if read_until in received:
                break
        status = int(received[9:12]) if received[:4] == b"HTTP" else 0
        return status, len(received)
    finally:
        sock.close()


publisher = Publisher()
channels = [f"attack.{i}" for i in range(16)]
for channel in channels:
    for _ in range(100):
        publisher.publish(channel, "x" * 6000)

for name, last_event_id in (("from-start", "," * 15), ("0-0", ",".join(["0-0"] * 16))):
    sent, usec = redis_figures()
    status, read = stream(channels, last_event_id)
    sent2, usec2 = redis_figures()
    print(json.dumps({"attack": f"amplifier ({name} x 16)", "status": status, "clientBytes": read,
                      "redisBytesSent": sent2 - sent, "redisScriptMs": round((usec2 - usec) / 1000, 1)}), flush=True)

for i in range(10_000):
    publisher.publish("attack.unknown", "e", event_id=f"order-{i}")
sent, usec = redis_figures()
started = time.monotonic()
statuses = []
lock = threading.Lock()


def unknown(i):
    result = stream(["attack.unknown"], f"no-such-id-{i}", read_until=b"sse-missed")
    with lock:
        statuses.append(result[0])


for batch in range(10):
    threads = [threading.Thread(target=unknown, args=(batch * 20 + k,)) for k in range(20)]
    [t.start() for t in threads]
    [t.join(30) for t in threads]
wall = time.monotonic() - started
sent2, usec2 = redis_figures()
print(json.dumps({"attack": "unknown ids (200, 20 at a time, history 10 000)", "ok": statuses.count(200),
                  "redisScriptMsPerRequest": round((usec2 - usec) / 1000 / 200, 2), "redisScriptMsTotal": round((usec2 - usec) / 1000, 1),
                  "wallSeconds": round(wall, 2)}), flush=True)

results, publish_status = [], []


def crowd():
    r = stream(channels, "," * 15, timeout=30)
    with lock:
        results.append(r[0])


threads = [threading.Thread(target=crowd) for _ in range(60)]
sent, usec = redis_figures()
started = time.monotonic()
[t.start() for t in threads]
publish_status.append(Publisher().publish("attack.ordinary", "hello"))
[t.join(40) for t in threads]
crowd_seconds = time.monotonic() - started
sent2, usec2 = redis_figures()
print(json.dumps({"attack": "crowd (60 x 16 channels from the start)", "streams200": results.count(200),
                  "status503": results.count(503), "crowdSeconds": round(crowd_seconds, 2), "other": len(results) - results.count(200) - results.count(503),
                  "ordinaryPublish": publish_status[0], "redisBytesSent": sent2 - sent,
                  "redisScriptMs": round((usec2 - usec) / 1000, 1)}), flush=True)
