#!/usr/bin/env python3
"""The host's side of a guest scenario that asks for hypervisor actions.

The guest prints a line "VRNG-QMP: COMMAND key=value ..." on its console;
this script follows the console log, sends each such request to QEMU's QMP
socket as {"execute": COMMAND, "arguments": {key: value}} and prints the
answer. The guest checks the effect itself (a device gone from sysfs, a
new one bound), so an answer here is a log line, not a verdict.

usage: qmp_host.py CONSOLE_LOG QMP_SOCKET
It ends when QEMU closes the socket (the guest powered off or was killed).
"""
import json
import os
import re
import socket
import sys
import time

REQUEST = re.compile(r"VRNG-QMP: (\S+)((?: \S+=\S+)*)\s*$")


def connect(path, wait=30.0):
    deadline = time.monotonic() + wait
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            return s
        except OSError:
            s.close()
            if time.monotonic() > deadline:
                sys.exit(f"qmp_host: no QMP socket at {path}")
            time.sleep(0.1)


class Qmp:
    def __init__(self, sock):
        self.sock = sock
        self.buf = b""
        self.sock.settimeout(0.2)

    def lines(self):
        """Complete JSON lines received so far; None once QEMU is gone."""
        try:
            data = self.sock.recv(65536)
            if not data:
                return None
            self.buf += data
        except socket.timeout:
            pass
        out = []
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            if line.strip():
                out.append(json.loads(line))
        return out

    def send(self, cmd, args=None):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        self.sock.sendall(json.dumps(msg).encode() + b"\n")
        print(f"qmp_host: -> {json.dumps(msg)}", flush=True)


def main():
    logpath, sockpath = sys.argv[1], sys.argv[2]
    qmp = Qmp(connect(sockpath))
    qmp.send("qmp_capabilities")
    pos = 0
    pending = ""
    while True:
        got = qmp.lines()
        if got is None:
            print("qmp_host: QEMU closed the socket", flush=True)
            return
        for msg in got:
            print(f"qmp_host: <- {json.dumps(msg)}", flush=True)
        if os.path.exists(logpath):
            with open(logpath, "rb") as f:
                f.seek(pos)
                chunk = f.read()
                pos += len(chunk)
            pending += chunk.decode(errors="replace")
            *complete, pending = pending.split("\n")
            for line in complete:
                m = REQUEST.search(line.rstrip("\r"))
                if m:
                    args = dict(kv.split("=", 1) for kv in m.group(2).split())
                    qmp.send(m.group(1), args)


if __name__ == "__main__":
    main()
