#!/usr/bin/env python3
"""A webhook receiver for the demo (docs/events.md): checks each request's Standard Webhooks signature
and prints the CloudEvent it carries, one line each, and the first one whole.

    python3 demo/webhook.py PORT SECRET_FILE      listens on 127.0.0.1:PORT until killed
"""
import base64
import hashlib
import hmac
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, SECRET_FILE = int(sys.argv[1]), sys.argv[2]
with open(SECRET_FILE, encoding="ascii") as f:
    KEY = base64.b64decode(f.read().strip().removeprefix("whsec_"))
shown_whole = False
printing = threading.Lock()  # requests arrive in parallel: one event's lines together


class Receiver(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one connection carries many events

    def do_POST(self):
        global shown_whole
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        msg_id, stamp = self.headers.get("webhook-id", ""), self.headers.get("webhook-timestamp", "0")
        expected = "v1," + base64.b64encode(hmac.new(KEY, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()).decode()
        signatures = self.headers.get("webhook-signature", "").split(" ")
        if not any(hmac.compare_digest(s, expected) for s in signatures) or abs(time.time() - int(stamp)) > 300:
            print(f"REFUSED a request with a bad signature or timestamp (webhook-id {msg_id})", flush=True)
            self.send_response(401)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        event = json.loads(body)
        data = event.get("data", {})
        with printing:
            print(f"{event['type']}  {event['id']}  from {', '.join(data.get('from') or ['-'])}: "
                  f"{data.get('subject') or data.get('reason')!r}, {data.get('attachmentCount', 0)} attachments", flush=True)
            if not shown_whole:
                print(json.dumps(event, indent=2, ensure_ascii=False), flush=True)
                shown_whole = True
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass  # one line per event is enough


ThreadingHTTPServer(("127.0.0.1", PORT), Receiver).serve_forever()
