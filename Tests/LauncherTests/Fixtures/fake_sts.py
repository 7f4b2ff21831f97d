"""A fake STS on 127.0.0.1 for the launcher tests: answers AssumeRole and AssumeRoleWithWebIdentity
with fresh credentials (or an error named by --error), logs each request as one JSON line, and
writes its port to --port-file once it listens (the readiness marker).

Also, on the same port: a GitHub Actions OIDC token service (GET /_apis/idtoken, with
--github-request-token and --github-jwt) and a container credential endpoint (GET /container-creds,
with --container-token). With --mfa SERIAL:CODE, AssumeRole needs that SerialNumber and TokenCode. With --tls CERT KEY it speaks only TLS and logs each handshake's outcome.

Log lines: {"form": ..., "headers": ...} for an STS call, {"get": PATH, "headers": ...} for a GET,
{"event": "handshake ok" | "handshake failed: ..."} for a TLS handshake."""
import argparse, datetime, http.server, json, os, ssl, threading, time, urllib.parse

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--error", default="")   # CODE:STATUS:MESSAGE (an empty CODE: a plain-text body, not XML)
parser.add_argument("--error-count", type=int, default=-1)  # only the first N STS calls fail; -1: all
parser.add_argument("--body", default="", choices=["", "malformed", "oversized"])  # a broken 200 answer
parser.add_argument("--lifetime", type=int, default=3600)  # seconds the credentials last
parser.add_argument("--delay-ms", type=int, default=0)  # added latency per STS call (the benchmark's network)
parser.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
parser.add_argument("--github-request-token", default="")
parser.add_argument("--github-jwt", default="")
parser.add_argument("--container-token", default="")
parser.add_argument("--listen", default="127.0.0.1")  # another address only inside a test's own namespace
parser.add_argument("--mfa", default="")  # SERIAL:CODE: an AssumeRole without both is refused, as real STS does
args = parser.parse_args()
counter = [0]
lock = threading.Lock()

def log(entry):
    with lock, open(args.log, "a") as f:
        f.write(json.dumps(entry) + "\n")

def expiration():
    when = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=args.lifetime)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass

    def do_GET(self):
        log({"get": self.path, "headers": dict(self.headers)})
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        auth = self.headers.get("Authorization", "")
        if url.path == "/_apis/idtoken":
            if auth != "Bearer " + args.github_request_token or not args.github_request_token:
                return self.answer(401, "{\"message\": \"bad bearer\"}", "application/json")
            if query.get("audience") != "sts.amazonaws.com":
                return self.answer(400, "{\"message\": \"bad audience\"}", "application/json")
            return self.answer(200, json.dumps({"count": 1, "value": args.github_jwt}), "application/json")
        if url.path == "/container-creds":
            if args.container_token and auth != args.container_token:
                return self.answer(401, "{\"code\": \"Unauthorized\", \"message\": \"bad token\"}", "application/json")
            with lock:
                counter[0] += 1
                n = counter[0]
            document = {"AccessKeyId": "ASIAFAKECONTAINER%03d" % n, "SecretAccessKey": "fakeContainerSecret%d/abcdef" % n,
                        "Token": "fakeContainerToken%d/ghijkl" % n, "Expiration": expiration(),
                        "AccountId": "444455556666"}
            return self.answer(200, json.dumps(document), "application/json")
        self.answer(404, "not found", "text/plain")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode()
        form = dict(urllib.parse.parse_qsl(body, keep_blank_values=True))
        log({"form": form, "headers": dict(self.headers)})
        if args.delay_ms:
            time.sleep(args.delay_ms / 1000)
        with lock:
            counter[0] += 1
            n = counter[0]
        action = form.get("Action", "")
        if args.error and (args.error_count < 0 or n <= args.error_count):
            code, status, message = args.error.split(":", 2)
            if not code:
                return self.answer(int(status), message, "text/html")
            xml = (f"<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                   f"<Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>")
            return self.answer(int(status), xml)
        if args.mfa and action == "AssumeRole":
            serial, code = args.mfa.rsplit(":", 1)
            if form.get("SerialNumber") != serial or form.get("TokenCode") != code:
                xml = ("<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
                       "<Message>MultiFactorAuthentication failed</Message></Error></ErrorResponse>")
                return self.answer(403, xml)
        arn = form.get("RoleArn", "arn:aws:iam::111122223333:role/none")
        account = arn.split(":")[4]
        name = arn.split("/")[-1]
        credentials = (f"<Credentials><AccessKeyId>ASIAFAKESTS{n:09d}</AccessKeyId><SecretAccessKey>fakeStsSecret{n}/abcdefghijkl</SecretAccessKey>"
                       f"<SessionToken>fakeStsToken{n}/mnopqrstuvwxyz</SessionToken><Expiration>{expiration()}</Expiration></Credentials>")
        if args.body == "malformed":
            # Cut off mid-document: the secret is there, the closing tags are not.
            return self.answer(200, f"<{action}Response><{action}Result>{credentials}<AssumedRoleUser><Arn>arn:aws")
        xml = (f"<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result>{credentials}"
               f"<AssumedRoleUser><Arn>arn:aws:sts::{account}:assumed-role/{name}/{form.get('RoleSessionName','')}</Arn>"
               f"<AssumedRoleId>AROAFAKE:{form.get('RoleSessionName','')}</AssumedRoleId></AssumedRoleUser>"
               f"</{action}Result></{action}Response>")
        if args.body == "oversized":
            # Well-formed, but padded far past any real answer (a proxy's page, a runaway server).
            xml = xml.replace("</Credentials>", "</Credentials>" + "<Padding>" + "x" * 256 * 1024 + "</Padding>")
        self.answer(200, xml)

    def answer(self, status, text, content_type="text/xml"):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except OSError:
            pass  # the client stopped reading (an oversized answer)

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    context = None

    def finish_request(self, request, client_address):
        # The handshake runs on the connection's own thread, so a stalled client stalls only itself.
        if self.context is not None:
            try:
                request = self.context.wrap_socket(request, server_side=True)
            except Exception as e:
                log({"event": "handshake failed: %s" % e})
                return
            log({"event": "handshake ok"})
        super().finish_request(request, client_address)

server = Server((args.listen, 0), Handler)
if args.tls:
    server.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server.context.load_cert_chain(args.tls[0], args.tls[1])
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]) + "\n")
os.rename(args.port_file + ".tmp", args.port_file)
server.serve_forever()
