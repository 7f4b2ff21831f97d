"""A fake IAM Roles Anywhere on 127.0.0.1 for the launcher tests. POST /sessions is checked as the
service would: the X.509 SigV4 signature (AWS4-X509-RSA-SHA256 / AWS4-X509-ECDSA-SHA256) recomputed
here from the request as received and verified with the public key of the certificate in X-Amz-X509,
whose serial must be the one in Credential=; with --ca, the certificate must be issued by it (directly
or through X-Amz-X509-Chain). A good request gets 201 and the documented CreateSession JSON; a bad one
403 with {"message": why}. Writes its port to --port-file once it listens (the readiness marker) and
logs each request as one JSON line: {"path", "query", "headers", "body", "verified", "why"}."""
import argparse, base64, datetime, hashlib, http.server, json, os, threading, urllib.parse
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

parser = argparse.ArgumentParser()
parser.add_argument("--port-file", required=True)
parser.add_argument("--log", required=True)
parser.add_argument("--ca", default="")                    # PEM trust anchor the certificate must chain to
parser.add_argument("--error", default="")                 # STATUS:MESSAGE for every call
parser.add_argument("--lifetime", type=int, default=3600)  # seconds the credentials last (at most durationSeconds)
args = parser.parse_args()
counter = [0]
lock = threading.Lock()

def log(entry):
    with lock, open(args.log, "a") as f:
        f.write(json.dumps(entry) + "\n")

def quote(text):
    return urllib.parse.quote(text, safe="-_.~")

def canonical_request(method, path, query, headers, signed, body):
    pairs = sorted((quote(k), quote(v)) for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True))
    lines = [method, quote(path).replace("%2F", "/"), "&".join(f"{k}={v}" for k, v in pairs)]
    for name in signed:
        values = headers.get_all(name) or []
        lines.append(name + ":" + ",".join(" ".join(v.split()) for v in values))
    return "\n".join(lines + ["", ";".join(signed), hashlib.sha256(body).hexdigest()])

def verify(method, path, query, headers, body):
    """None when the request is signed right, else why not."""
    auth = headers.get("Authorization", "")
    algorithm, _, rest = auth.partition(" ")
    if algorithm not in ("AWS4-X509-RSA-SHA256", "AWS4-X509-ECDSA-SHA256"):
        return "unknown algorithm " + algorithm
    fields = dict(part.strip().split("=", 1) for part in rest.split(","))
    serial, date, region, service, terminator = fields["Credential"].split("/")
    signed = fields["SignedHeaders"].split(";")
    for needed in ("host", "x-amz-date", "x-amz-x509"):
        if needed not in signed:
            return needed + " is not signed"
    amz_date = headers.get("X-Amz-Date", "")
    when = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    if abs((datetime.datetime.now(datetime.timezone.utc) - when).total_seconds()) > 300 or date != amz_date[:8]:
        return "bad date"
    if service != "rolesanywhere" or terminator != "aws4_request":
        return "bad scope"
    cert = x509.load_der_x509_certificate(base64.b64decode(headers["X-Amz-X509"]))
    if str(cert.serial_number) != serial:
        return "the Credential serial is not the certificate's"
    scope = f"{date}/{region}/{service}/{terminator}"
    canonical = canonical_request(method, path, query, headers, signed, body)
    to_sign = f"{algorithm}\n{amz_date}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}".encode()
    signature = bytes.fromhex(fields["Signature"])
    key = cert.public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey) and algorithm.endswith("RSA-SHA256"):
            key.verify(signature, to_sign, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey) and algorithm.endswith("ECDSA-SHA256"):
            key.verify(signature, to_sign, ec.ECDSA(hashes.SHA256()))
        else:
            return "the algorithm does not fit the key"
    except Exception:
        return "signature does not verify"
    if args.ca:
        with open(args.ca, "rb") as f:
            anchor = x509.load_pem_x509_certificate(f.read())
        chain = [x509.load_der_x509_certificate(base64.b64decode(c)) for c in headers.get("X-Amz-X509-Chain", "").split(",") if c]
        issuer = cert
        for link in chain + [anchor]:
            try:
                issuer.verify_directly_issued_by(link)
            except Exception:
                return "the certificate does not chain to the trust anchor"
            issuer = link
            if link == anchor:
                break
    return None

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        try:
            why = verify("POST", url.path, url.query, self.headers, body)
        except Exception as e:
            why = "malformed signature: %r" % e
        log({"path": url.path, "query": query, "headers": dict(self.headers), "body": body.decode(errors="replace"),
             "verified": why is None, "why": why})
        if url.path != "/sessions":
            return self.answer(404, {"message": "no such path"})
        if why:
            return self.answer(403, {"message": why})
        if args.error:
            status, message = args.error.split(":", 1)
            return self.answer(int(status), {"message": message})
        with lock:
            counter[0] += 1
            n = counter[0]
        duration = json.loads(body or b"{}").get("durationSeconds", 3600)
        expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=min(duration, args.lifetime))
        role = query.get("roleArn", "")
        self.answer(201, {"credentialSet": [{
            "assumedRoleUser": {"arn": role.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/fake",
                                "assumedRoleId": "AROAFAKE:fake"},
            "credentials": {"accessKeyId": "ASIAFAKERA%09d" % n, "secretAccessKey": "fakeRaSecret%d/abcdefghijkl" % n,
                            "sessionToken": "fakeRaToken%d/mnopqrstuvwxyz" % n,
                            "expiration": expires.strftime("%Y-%m-%dT%H:%M:%SZ")},
            "packedPolicySize": 10, "roleArn": role, "sourceIdentity": "fake"}],
            "subjectArn": "arn:aws:rolesanywhere:us-east-1:111122223333:subject/fake"})

    def answer(self, status, document):
        data = json.dumps(document).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(args.port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]) + "\n")
os.rename(args.port_file + ".tmp", args.port_file)
server.serve_forever()
