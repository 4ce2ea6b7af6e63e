#!/usr/bin/env python3
"""fault_server.py ROOT PORTFILE LOGFILE - a small HTTP/1.1 server (python3
standard library) that serves the files under ROOT with the faults nginx
cannot make. The first path segment picks the behaviour, the rest is the file:

  /ok/KEY        the file, with Range, ETag and If-None-Match (304)
  /truncate/KEY  full Content-Length, half the body, then the connection closes
  /badlen/KEY    Content-Length one byte short (a "complete" short body)
  /reset/KEY     half the body, then a TCP reset
  /hang/KEY      reads the request, then never answers
  /stall/KEY     headers and half the body, then nothing more
  /flaky/KEY     503 with Retry-After: 1 for the first request of each KEY, then ok
  /corrupt/KEY   the body with one byte flipped (the middle one of what is sent)
  /503/KEY       always 503 with Retry-After: 1
  /404/KEY       always 404

GET /_control?path=KEY&mode=MODE[&count=N] makes the next N (default: all)
requests for KEY, whatever their first segment, behave as MODE; mode=ok
clears it. It binds 127.0.0.1 on a free port, writes the port to PORTFILE
once listening, and appends "METHOD PATH STATUS RANGE" per request to LOGFILE.
"""
import hashlib
import os
import socket
import struct
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ROOT, PORTFILE, LOGFILE = sys.argv[1], sys.argv[2], sys.argv[3]
MODES = {"ok", "truncate", "badlen", "reset", "hang", "stall", "flaky",
         "corrupt", "503", "404"}
lock = threading.Lock()
overrides = {}  # key -> [mode, remaining count or None]
flaky_seen = set()
log = open(LOGFILE, "a", buffering=1)


def log_line(method, path, status, rng):
    with lock:
        log.write("%s %s %s %s\n" % (method, path, status, rng or "-"))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_HEAD(self):
        self.serve(head=True)

    def do_GET(self):
        self.serve(head=False)

    def reply(self, status, headers=(), body=b"", head=False):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)
        log_line(self.command, self.path, status, self.headers.get("Range"))

    def control(self, query):
        q = urllib.parse.parse_qs(query)
        key = q.get("path", [""])[0].lstrip("/")
        mode = q.get("mode", ["ok"])[0]
        if mode not in MODES:
            return self.reply(400, body=b"unknown mode\n")
        count = int(q["count"][0]) if "count" in q else None
        with lock:
            if mode == "ok":
                overrides.pop(key, None)
            else:
                overrides[key] = [mode, count]
        self.reply(200, body=b"ok\n")

    def pick_mode(self, seg, key):
        with lock:
            o = overrides.get(key)
            if o:
                mode = o[0]
                if o[1] is not None:
                    o[1] -= 1
                    if o[1] <= 0:
                        del overrides[key]
                return mode
        return seg

    def serve(self, head):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/_control":
            return self.control(url.query)
        parts = urllib.parse.unquote(url.path).lstrip("/").split("/", 1)
        if len(parts) != 2 or parts[0] not in MODES:
            return self.reply(404, head=head)
        key = parts[1]
        mode = self.pick_mode(parts[0], key)
        full = os.path.realpath(os.path.join(ROOT, key))
        if not full.startswith(os.path.realpath(ROOT) + "/") or not os.path.isfile(full):
            return self.reply(404, head=head)
        if mode == "404":
            return self.reply(404, head=head)
        if mode == "503":
            return self.reply(503, [("Retry-After", "1")], b"busy\n", head)
        if mode == "flaky":
            with lock:
                first = key not in flaky_seen
                flaky_seen.add(key)
            if first:
                return self.reply(503, [("Retry-After", "1")], b"busy\n", head)
        if mode == "hang":
            log_line(self.command, self.path, "hang", self.headers.get("Range"))
            time.sleep(3600)
            return
        with open(full, "rb") as f:
            data = f.read()
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:32]
        if self.headers.get("If-None-Match") == etag:
            return self.reply(304, [("ETag", etag)], head=head)
        status, headers, body = 200, [("ETag", etag), ("Accept-Ranges", "bytes")], data
        rng = self.headers.get("Range")
        if rng and rng.startswith("bytes="):
            a, _, b = rng[6:].partition("-")
            start = int(a) if a else max(0, len(data) - int(b))
            end = min(int(b), len(data) - 1) if (a and b) else len(data) - 1
            if start >= len(data) or start > end:
                return self.reply(416, [("Content-Range", "bytes */%d" % len(data))], head=head)
            body = data[start:end + 1]
            status = 206
            headers.append(("Content-Range", "bytes %d-%d/%d" % (start, end, len(data))))
        if mode == "corrupt" and body:
            i = len(body) // 2
            body = body[:i] + bytes([body[i] ^ 0x01]) + body[i + 1:]
        length = len(body) - 1 if (mode == "badlen" and body) else len(body)
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(length))
        self.end_headers()
        log_line(self.command, self.path, status if mode in ("ok", "flaky", "corrupt", "badlen") else mode, rng)
        if head:
            return
        if mode in ("truncate", "reset", "stall"):
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            if mode == "stall":
                time.sleep(3600)
            elif mode == "reset":
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                os.close(self.connection.detach())  # no FIN first: a reset
            self.close_connection = True
            return
        self.wfile.write(body[:length])


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = Server(("127.0.0.1", 0), Handler)
with open(PORTFILE + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
os.rename(PORTFILE + ".tmp", PORTFILE)
srv.serve_forever()
