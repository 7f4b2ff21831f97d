#!/usr/bin/env python3
"""A stand-in agent on a Unix socket: to each connection it reads one request line, writes that connection's
answer (the Nth --answer for the Nth connection, the last one for any later; lines separated by "|"), and
closes. It writes the socket's path to --ready-file once it listens, and appends each
request's "op" and whether it carried MFA codes to --log (never the codes)."""
import argparse, json, os, socket

p = argparse.ArgumentParser()
p.add_argument("--socket", required=True)
p.add_argument("--ready-file", required=True)
p.add_argument("--log", required=True)
p.add_argument("--answer", action="append", default=[], help="one connection's answer lines, split by |")
a = p.parse_args()

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(a.socket)
s.listen(8)
tmp = a.ready_file + ".tmp"
with open(tmp, "w") as f:
    f.write(a.socket + "\n")
os.rename(tmp, a.ready_file)
count = 0
while True:
    c, _ = s.accept()
    answer = a.answer[min(count, len(a.answer) - 1)]
    count += 1
    data = b""
    while not data.endswith(b"\n"):
        chunk = c.recv(65536)
        if not chunk:
            break
        data += chunk
    try:
        request = json.loads(data)
        line = "op=%s codes=%s" % (request.get("op"), "yes" if request.get("mfaCodes") else "no")
    except ValueError:
        line = "bad request"
    with open(a.log, "a") as f:
        f.write(line + "\n")
    for part in answer.split("|"):
        c.sendall(part.encode() + b"\n")
    c.close()
