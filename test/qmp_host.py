#!/usr/bin/env python3
"""The host's side of a guest scenario that asks for hypervisor actions.

The guest prints a line "VRNG-QMP: COMMAND key=value ..." on its console;
this script follows the console log, sends each such request to QEMU's QMP
socket as {"execute": COMMAND, "arguments": {key: value}} and prints the
answer. The guest checks the effect itself (a device gone from sysfs, a
new one bound), so an answer here is a log line, not a verdict.

One request is not a QMP command: "VRNG-QMP: snapshot" migrates the
running VM to the file $VRNG_SNAPSHOT (without stopping it first, as a
hypervisor takes a live snapshot), waits for the migration to complete and
ends QEMU. With $VRNG_RESTORED set (to a role, such as "same" or "new"),
QEMU was started from such a file (-incoming): once the VM runs again,
this script types the line "VRNG-RESTORED ROLE" on the guest's console
(the FIFO that is QEMU's stdin), so that the guest knows it is a restored
copy, and which.

usage: qmp_host.py CONSOLE_LOG QMP_SOCKET [CONSOLE_INPUT_FIFO]
It ends when QEMU closes the socket (the guest powered off or was killed).
"""
import json
import os
import re
import socket
import sys
import time

REQUEST = re.compile(r"VRNG-QMP: (\S+)((?: \S+=\S+)*)\s*$")
POLL = 0.5


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
        except OSError:
            return None
        out = []
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            if line.strip():
                out.append(json.loads(line))
        return out

    def send(self, cmd, args=None, tag=None):
        msg = {"execute": cmd}
        if args:
            msg["arguments"] = args
        if tag:
            msg["id"] = tag
        try:
            self.sock.sendall(json.dumps(msg).encode() + b"\n")
        except OSError:
            return
        print(f"qmp_host: -> {json.dumps(msg)}", flush=True)


class Console:
    """The guest's console log, read as it grows, one line at a time."""

    def __init__(self, path):
        self.path = path
        self.pos = 0
        self.pending = ""

    def new_lines(self):
        if not os.path.exists(self.path):
            return []
        with open(self.path, "rb") as f:
            f.seek(self.pos)
            chunk = f.read()
            self.pos += len(chunk)
        self.pending += chunk.decode(errors="replace")
        *complete, self.pending = self.pending.split("\n")
        return [line.rstrip("\r") for line in complete]


class Host:
    """What the host does besides relaying commands: snapshot, restore."""

    def __init__(self, qmp, console_input):
        self.qmp = qmp
        self.console_input = console_input
        self.snapshot = os.environ.get("VRNG_SNAPSHOT")
        self.migrating = False
        self.role = os.environ.get("VRNG_RESTORED")
        self.restoring = bool(self.role)
        self.next_poll = 0.0

    def request(self, cmd, args):
        if cmd != "snapshot":
            self.qmp.send(cmd, args)
            return
        if not self.snapshot:
            print("qmp_host: snapshot asked, but no $VRNG_SNAPSHOT", flush=True)
            return
        self.qmp.send("migrate", {"uri": f"exec:cat>{self.snapshot}"})
        self.migrating = True

    def poll(self):
        """Ask QEMU for the state the host waits on, twice a second."""
        if time.monotonic() < self.next_poll:
            return
        self.next_poll = time.monotonic() + POLL
        if self.migrating:
            self.qmp.send("query-migrate", tag="migrate")
        if self.restoring:
            self.qmp.send("query-status", tag="status")

    def answer(self, msg):
        ret = msg.get("return")
        if msg.get("id") == "migrate" and self.migrating and isinstance(ret, dict):
            if ret.get("status") in ("completed", "failed", "cancelled"):
                print(f"qmp_host: snapshot {ret.get('status')}", flush=True)
                self.migrating = False
                self.qmp.send("quit")
        if msg.get("id") == "status" and self.restoring and isinstance(ret, dict):
            if ret.get("status") == "running":
                self.restoring = False
                with open(self.console_input, "w") as f:
                    f.write(f"VRNG-RESTORED {self.role}\n")
                print("qmp_host: restored VM runs; told its console", flush=True)


def main():
    logpath, sockpath = sys.argv[1], sys.argv[2]
    qmp = Qmp(connect(sockpath))
    host = Host(qmp, sys.argv[3] if len(sys.argv) > 3 else None)
    console = Console(logpath)
    qmp.send("qmp_capabilities")
    while True:
        got = qmp.lines()
        if got is None:
            print("qmp_host: QEMU closed the socket", flush=True)
            return
        for msg in got:
            print(f"qmp_host: <- {json.dumps(msg)}", flush=True)
            host.answer(msg)
        for line in console.new_lines():
            m = REQUEST.search(line)
            if m:
                args = dict(kv.split("=", 1) for kv in m.group(2).split())
                host.request(m.group(1), args)
        host.poll()


if __name__ == "__main__":
    main()
