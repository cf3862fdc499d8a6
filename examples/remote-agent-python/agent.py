#!/usr/bin/env python3
"""A minimal remote agent in Python 3, standard library only.

It speaks plain WebSocket (RFC 6455) itself: the HTTP upgrade handshake and the frame format are
written out below, so the example runs anywhere Python does. It connects to an arena, says hello
with its owner's token, plays Brick episodes with a trivial policy and prints each result.

    python3 examples/remote-agent-python/agent.py --server http://127.0.0.1:8080 --token aa_... \
        [--agent py-example] [--game brick] [--episodes 1]

Exit status 0 when every episode ended OK, 1 otherwise.
"""

import argparse
import base64
import hashlib
import json
import os
import socket
import struct
import sys
import urllib.parse

WS_PATH = "/ws/agent"
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # fixed by RFC 6455
# Protocol 2's observation header: kind, version, format, lives, step, score, bank left (ms),
# steps missed in a row; 24 bytes, then the pixels (docs/remote-agents.md, section 4).
HEADER = struct.Struct("<BBBBIdII")


class WebSocket:
    """Just enough of a WebSocket client: text out, text and binary in, ping and close."""

    def __init__(self, host, port, path):
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        if " 101 " not in lines[0] + " ":
            raise ConnectionError(f"upgrade refused: {lines[0]}")
        headers = {k.strip().lower(): v.strip() for k, v in (l.split(":", 1) for l in lines[1:])}
        accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != accept:
            raise ConnectionError("bad Sec-WebSocket-Accept")

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed")
        self.buffer += chunk

    def _take(self, n):
        while len(self.buffer) < n:
            self._fill()
        out, self.buffer = self.buffer[:n], self.buffer[n:]
        return out

    def _send_frame(self, opcode, payload):
        # Client frames are always masked (RFC 6455 section 5.3).
        mask = os.urandom(4)
        n = len(payload)
        if n < 126:
            head = struct.pack("!BB", 0x80 | opcode, 0x80 | n)
        elif n < 1 << 16:
            head = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, n)
        else:
            head = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, n)
        masked = bytes(b ^ mask[i & 3] for i, b in enumerate(payload))
        self.sock.sendall(head + mask + masked)

    def send_text(self, text):
        self._send_frame(0x1, text.encode())

    def receive(self):
        """The next message: str (text), bytes (binary), or None once the server closed."""
        parts, kind = [], None
        while True:
            b0, b1 = self._take(2)
            opcode, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                (n,) = struct.unpack("!H", self._take(2))
            elif n == 127:
                (n,) = struct.unpack("!Q", self._take(8))
            payload = self._take(n)  # server frames are never masked
            if opcode == 0x8:  # close: answer it and stop
                try:
                    self._send_frame(0x8, payload[:2])
                except OSError:
                    pass
                return None
            if opcode == 0x9:  # ping
                self._send_frame(0xA, payload)
                continue
            if opcode == 0xA:  # pong
                continue
            if opcode in (0x1, 0x2):
                kind = opcode
            parts.append(payload)
            if b0 & 0x80:  # FIN: the message is complete
                data = b"".join(parts)
                return data.decode() if kind == 0x1 else data

    def close(self):
        self.sock.close()


def choose_action(step, actions):
    """The policy: serve, then sweep the paddle left and right. Replace with your own."""
    def named(name):
        return actions.index(name) if name in actions else 0

    if step % 16 == 0:
        return named("FIRE")
    return named("LEFT") if (step // 24) % 2 == 0 else named("RIGHT")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--server", default="http://127.0.0.1:8080")
    parser.add_argument("--token", default=os.environ.get("ARENA_TOKEN", ""))
    parser.add_argument("--agent", default="py-example")
    parser.add_argument("--game", default="brick")
    parser.add_argument("--episodes", type=int, default=1)
    args = parser.parse_args()
    if not args.token:
        sys.exit("pass --token (an owner token from POST /api/owners) or set ARENA_TOKEN")

    url = urllib.parse.urlparse(args.server)
    ws = WebSocket(url.hostname, url.port or 80, WS_PATH)
    ws.send_text(json.dumps({
        "type": "hello", "protocol": 2, "token": args.token, "agent": args.agent,
        "game": args.game, "mode": "episodes", "observation": "frame", "episodes": args.episodes,
    }))
    actions, failed = [], False
    while True:
        message = ws.receive()
        if message is None:
            break
        if isinstance(message, bytes):
            kind, version, fmt, lives, step, score, bank_ms, missed = HEADER.unpack_from(message)
            pixels = message[HEADER.size:]  # 84x84 grayscale, row-major
            # bank_ms: how far past stepMs this reply may run; a slow policy could check it here.
            action = choose_action(step, actions)
            ws.send_text(json.dumps({"type": "action", "step": step, "action": action}))
            continue
        msg = json.loads(message)
        if msg["type"] == "welcome":
            actions = msg["actions"]
            print(f"playing {msg['game']} as {args.agent} v{msg['version']}: "
                  f"{msg['episodes']} episode(s), {msg['budget']['stepMs']} ms per step", flush=True)
        elif msg["type"] == "late":
            what = "missed (played as NOOP)" if msg["missed"] else "late"
            print(f"step {msg['step']} {what} after {msg['elapsedMs']} ms: "
                  f"{msg['bankMs']} ms left in the bank", flush=True)
        elif msg["type"] == "episode_end":
            reason = f" ({msg['reason']})" if msg["reason"] else ""
            print(f"episode {msg['episode']}: {msg['outcome']}, score {msg['score']:g}, "
                  f"{msg['frames']} frames{reason}", flush=True)
            failed = failed or msg["outcome"] != "OK"
        elif msg["type"] == "done":
            print(f"done: {msg['episodes']} episode(s)", flush=True)
        elif msg["type"] == "error":
            print(f"{msg['code']}: {msg['message']}", file=sys.stderr, flush=True)
            failed = True
    ws.close()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
