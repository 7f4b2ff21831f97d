import Foundation
import Testing
@testable import RoleCreds

/// A private PKI made with the `openssl` command in a scratch directory: a CA and certificates it
/// (or nobody) signed, each with the names a test needs.
final class TestPKI {
    let dir = TempDir()
    /// The CA certificate (PEM) that trusted certificates chain to.
    var ca: String { dir.path("ca.pem") }

    init() async throws {
        try await Self.openssl(["req", "-x509"] + Self.newKey + ["-keyout", dir.path("ca.key"), "-out", ca, "-days", "2",
                          "-subj", "/CN=wrc-test-ca", "-addext", "basicConstraints=critical,CA:TRUE",
                          "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    }

    /// A server certificate and key for `names` (`DNS:localhost,IP:127.0.0.1`): signed by the CA, or
    /// self-signed (so trusted by nobody); `days: -1` makes one that has already expired.
    func issue(_ name: String, names: String, selfSigned: Bool = false, days: Int = 1) async throws -> (cert: String, key: String) {
        let (cert, key, csr, ext) = (dir.path("\(name).pem"), dir.path("\(name).key"), dir.path("\(name).csr"), dir.path("\(name).ext"))
        if selfSigned {
            try await Self.openssl(["req", "-x509"] + Self.newKey + ["-keyout", key, "-out", cert, "-days", "\(days)",
                              "-subj", "/CN=\(name)", "-addext", "subjectAltName=\(names)"])
        } else {
            try await Self.openssl(["req"] + Self.newKey + ["-keyout", key, "-out", csr, "-subj", "/CN=\(name)"])
            try "subjectAltName=\(names)\nextendedKeyUsage=serverAuth\n".write(toFile: ext, atomically: true, encoding: .utf8)
            try await Self.openssl(["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", dir.path("ca.key"), "-set_serial", "\(Int.random(in: 2...1_000_000))",
                              "-days", "\(days)", "-extfile", ext, "-out", cert])
        }
        return (cert, key)
    }

    /// A certificate signed by the CA whose only name is its subject's Common Name (no subjectAltName).
    func issueWithoutSubjectAltName(commonName: String) async throws -> (cert: String, key: String) {
        let (cert, key, csr, ext) = (dir.path("cn-only.pem"), dir.path("cn-only.key"), dir.path("cn-only.csr"), dir.path("cn-only.ext"))
        try await Self.openssl(["req"] + Self.newKey + ["-keyout", key, "-out", csr, "-subj", "/CN=\(commonName)"])
        try "extendedKeyUsage=serverAuth\n".write(toFile: ext, atomically: true, encoding: .utf8)
        try await Self.openssl(["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", dir.path("ca.key"), "-set_serial", "\(Int.random(in: 2...1_000_000))",
                          "-days", "1", "-extfile", ext, "-out", cert])
        return (cert, key)
    }

    private static let newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]

    private static func openssl(_ arguments: [String]) async throws { try await runTool(["openssl"] + arguments) }
}

/// A Python server on 127.0.0.1 and an ephemeral port: `https` (a TLS HTTP server that logs each
/// handshake's outcome and every request it decrypted) or `proxy` (an http CONNECT proxy that logs
/// each request line). Ready once its port file is complete.
final class PythonServer {
    let server: HelperServer
    var dir: TempDir { server.dir }
    var port: UInt16 { UInt16(server.ready)! }

    /// A TLS HTTP server presenting `cert`. `ending`: `length` answers with Content-Length and keeps the
    /// connection; `close-notify` and `abrupt` answer with a body that ends at the close, with or
    /// without TLS's close_notify.
    static func https(cert: String, key: String, ending: String = "length") async throws -> PythonServer {
        try await PythonServer(["https", cert, key, ending])
    }

    /// A CONNECT proxy; with `userInfo`, requests without `Proxy-Authorization: Basic` of it get a 407.
    static func proxy(userInfo: String? = nil) async throws -> PythonServer { try await PythonServer(["proxy", userInfo ?? "-"]) }

    private init(_ arguments: [String]) async throws {
        let dir = TempDir()
        try Self.script.write(toFile: dir.path("server.py"), atomically: true, encoding: .utf8)
        server = try await HelperServer("python3 \(arguments[0]) server", readyFile: "port", dir: dir) { dir in
            ["/usr/bin/env", "python3", dir.path("server.py"), dir.path("port"), dir.path("log")] + arguments
        }
    }

    /// The log so far, one line per event.
    func log() -> [String] {
        ((try? String(contentsOfFile: dir.path("log"), encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Waits (up to 10 s) for a log line starting with `prefix`, and returns the log.
    func waitForLog(_ prefix: String) async -> [String] {
        _ = await eventually { log().contains { $0.hasPrefix(prefix) } }
        return log()
    }

    private static let script = #"""
import base64, os, select, socket, ssl, sys, threading

port_file, log_file, mode = sys.argv[1], sys.argv[2], sys.argv[3]
lock = threading.Lock()

def log(line):
    with lock, open(log_file, "a") as f:
        f.write(line + "\n")

def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None, data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1").split("\r\n"), rest

def serve_https(conn, context):
    try:
        tls = context.wrap_socket(conn, server_side=True)
    except Exception as e:
        log("handshake failed: %s" % e)
        return
    log("handshake ok")
    with tls:
        while True:
            lines, rest = read_head(tls)
            if lines is None:
                if rest:
                    log("partial: %r" % rest)
                return
            log("request: " + lines[0])
            for line in lines[1:]:
                log("header: " + line)
            length = 0
            for line in lines[1:]:
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            while len(rest) < length:
                rest += tls.recv(4096)
            log("body: " + rest[:length].decode("latin-1"))
            body = ("hello over tls: " + lines[0]).encode()
            if sys.argv[6] == "length":
                tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
                continue
            tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n" + body)
            if sys.argv[6] == "close-notify":
                tls.unwrap()
            log("closed: " + sys.argv[6])
            return

def relay(a, b):
    sockets = [a, b]
    while True:
        readable, _, _ = select.select(sockets, [], [])
        for s in readable:
            data = s.recv(65536)
            if not data:
                return
            (b if s is a else a).sendall(data)

def serve_proxy(conn, user_info):
    with conn:
        lines, rest = read_head(conn)
        if lines is None:
            return
        log("proxy: " + lines[0])
        auth = None
        for line in lines[1:]:
            if line.lower().startswith("proxy-authorization:"):
                auth = line.split(":", 1)[1].strip()
        if user_info != "-" and auth != "Basic " + base64.b64encode(user_info.encode()).decode():
            log("proxy auth: refused")
            conn.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n")
            return
        log("proxy auth: " + ("none" if auth is None else "ok"))
        host, port = lines[0].split(" ")[1].rsplit(":", 1)
        with socket.create_connection((host.strip("[]"), int(port))) as upstream:
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            relay(conn, upstream)

server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(16)
if mode == "https":
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(sys.argv[4], sys.argv[5])
    handler = lambda conn: serve_https(conn, context)
else:
    handler = lambda conn: serve_proxy(conn, sys.argv[4])
with open(port_file + ".tmp", "w") as f:
    f.write("%d\n" % server.getsockname()[1])
os.rename(port_file + ".tmp", port_file)
while True:
    conn, _ = server.accept()
    threading.Thread(target=handler, args=(conn,), daemon=True).start()
"""#
}
