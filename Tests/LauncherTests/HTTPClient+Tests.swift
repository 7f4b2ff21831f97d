import RoleCreds

extension HTTPClient {
    /// A plain-http client of `host:port` (the mock, the endpoint under test).
    convenience init(host: String, port: UInt16) {
        self.init(url: HTTPURL(host: host, port: port), tls: nil)
    }
}
