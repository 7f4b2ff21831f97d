"""A fake STS on 127.0.0.1 for the launcher tests: answers AssumeRole and AssumeRoleWithWebIdentity
with fresh credentials (or an error named by --error), logs each request as one JSON line, and
writes its port to --port-file once it listens (the readiness marker)."""
import argparse, datetime, http.server, json, urllib.parse

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--error", default="")   # CODE:STATUS:MESSAGE
args = parser.parse_args()
counter = [0]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        with open(args.log, "a") as f:
            f.write(json.dumps({"form": form, "headers": dict(self.headers)}) + "\n")
        counter[0] += 1
        action = form.get("Action", "")
        if args.error:
            code, status, message = args.error.split(":", 2)
            xml = (f"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                   f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>")
            return self.answer(int(status), xml)
        n = counter[0]
        expiration = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        arn = form.get("RoleArn", "arn:aws:iam::111122223333:role/none")
        account = arn.split(":")[4]
        name = arn.split("/")[-1]
        xml = (f"<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result>"
               f"<Credentials><AccessKeyId>ASIAFAKESTS{n:09d}</AccessKeyId><SecretAccessKey>fakeStsSecret{n}/abcdefghijkl</SecretAccessKey>"
               f"<SessionToken>fakeStsToken{n}/mnopqrstuvwxyz</SessionToken><Expiration>{expiration}</Expiration></Credentials>"
               f"<AssumedRoleUser><Arn>arn:aws:sts::{account}:assumed-role/{name}/{form.get('RoleSessionName','')}</Arn>"
               f"<AssumedRoleId>AROAFAKE:{form.get('RoleSessionName','')}</AssumedRoleId></AssumedRoleUser>"
               f"</{action}Result></{action}Response>")
        self.answer(200, xml)
    def answer(self, status, xml):
        data = xml.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]) + "\n")
import os; os.rename(args.port_file + ".tmp", args.port_file)
server.serve_forever()
