#!/usr/bin/env python3
"""A real SMTP server for Brygga's e-mail tests: accepts every message on 127.0.0.1:PORT and
writes each one to DIR as NNNNNN.json (the envelope, the raw message, and the headers and text
body decoded by Python's own e-mail parser), first to a temporary
name and then renamed, so a reader never sees half a message. Prints "READY <port>" on stdout
once it listens; stops on SIGTERM or when its standard input closes (the test process died).

    .venv/bin/python tests/smtp/sink.py --port 2525 --dir /tmp/inbox
"""
import argparse
import itertools
import email
import email.policy
import json
import os
import signal
import sys
import threading

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, directory):
        self.directory = directory
        self.counter = itertools.count(1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            n = next(self.counter)
        parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        body = parsed.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": envelope.original_content.decode("utf-8", "replace"),
            "headers": {k.lower(): str(v) for k, v in parsed.items()},
            "body": body.get_content() if body is not None else None,
        }
        tmp = os.path.join(self.directory, f".{n:06d}.tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f)
        os.rename(tmp, os.path.join(self.directory, f"{n:06d}.json"))
        return "250 OK"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    controller = Controller(Sink(args.dir), hostname="127.0.0.1", port=args.port)
    controller.start()
    print(f"READY {args.port}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    # Standard input closing means the test process is gone: do not outlive it.
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    controller.stop()


if __name__ == "__main__":
    main()
