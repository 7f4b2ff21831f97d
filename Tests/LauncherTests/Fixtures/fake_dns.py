"""A fake DNS server for tests inside a private network namespace: answers every A query with
--answer, logs each queried name (one line), and writes --ready once it listens. With --silent it
logs and never answers: a black-hole name server."""
import argparse, socket, struct

parser = argparse.ArgumentParser()
parser.add_argument("--listen", required=True)   # ADDRESS (port 53, UDP)
parser.add_argument("--answer", default="")      # the IPv4 address every A query gets
parser.add_argument("--silent", action="store_true")
parser.add_argument("--log", required=True)
parser.add_argument("--ready", required=True)
args = parser.parse_args()

sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind((args.listen, 53))
open(args.ready, "w").close()
while True:
    query, client = sock.recvfrom(4096)
    if len(query) < 12:
        continue
    labels, i = [], 12
    while i < len(query) and query[i] != 0:
        labels.append(query[i + 1:i + 1 + query[i]].decode("ascii", "replace"))
        i += 1 + query[i]
    question_end = i + 5
    qtype = struct.unpack("!H", query[i + 1:i + 3])[0] if i + 3 <= len(query) else 0
    with open(args.log, "a") as f:
        f.write(f"{'.'.join(labels)} type={qtype}\n")
    if args.silent:
        continue
    answers = qtype == 1
    header = query[:2] + struct.pack("!HHHHH", 0x8180, 1, 1 if answers else 0, 0, 0)
    reply = header + query[12:question_end]
    if answers:
        reply += struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(args.answer)
    sock.sendto(reply, client)
