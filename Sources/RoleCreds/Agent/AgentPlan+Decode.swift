/// Reading a plan back in the agent: every member checked, as strictly as the launch's own settings.
extension AgentPlan {
    /// The plan in `json` (the `plan` member of a request).
    public static func decode(_ json: JSON) throws(AgentProtocolError) -> AgentPlan {
        let r = Reader(json: json, path: "plan")
        guard try r.int("v") == version else { throw AgentProtocolError("plan version not understood (this agent reads \(version))") }
        let timeout = Int64(try r.int("timeout", in: 1...600_000))
        let attempts = try r.int("attempts", in: 1...20)
        let source = try decodeSource(r.member("source"))
        var settings = Settings(source: Setting(source, .defaultValue), timeoutMillis: Setting(timeout, .defaultValue),
                                attempts: Setting(attempts, .defaultValue), region: nil, setRegion: true, imdsEndpointOrigin: nil)
        guard case .array(let hops)? = json["hops"], hops.count <= 16 else { throw AgentProtocolError("plan: hops must be a list of at most 16") }
        for hop in hops {
            let h = Reader(json: hop, path: "plan.hops")
            let roleArn = try h.string("roleArn")
            guard IAMValues.isRoleArn(roleArn) else { throw AgentProtocolError("plan.hops: roleArn is not a role ARN") }
            let serial = try h.optionalString("mfaSerial")
            guard serial.map(IAMValues.isMFASerial) ?? true else { throw AgentProtocolError("plan.hops: mfaSerial is not an MFA device serial") }
            settings.hops.append(AssumeRoleSettings(roleArn: roleArn, sessionName: try h.optionalString("sessionName"),
                                                    externalId: try h.optionalString("externalId"),
                                                    durationSeconds: try h.optionalInt("duration"),
                                                    policy: try h.optionalString("policy"), mfaSerial: serial))
        }
        if let sts = json["sts"], sts != .null { settings.sts = try decodeEndpoint(sts, path: "plan.sts") }
        settings.caBundle = try r.optionalString("caBundle").map { Setting($0, .defaultValue) }
        guard case .array(let pairs)? = json["env"] else { throw AgentProtocolError("plan: env must be a list") }
        var environment: [(String, String)] = []
        for pair in pairs {
            guard case .array(let items) = pair, items.count == 2, case .string(let name) = items[0], case .string(let value) = items[1],
                  transportVariables.contains(name) else {
                throw AgentProtocolError("plan: env holds only the transport variables, as [NAME, VALUE]")
            }
            environment.append((name, value))
        }
        guard case .bool(let wantsRegion)? = json["region"] else { throw AgentProtocolError("plan: region must be true or false") }
        return AgentPlan(settings: settings, environment: environment, wantsRegion: wantsRegion)
    }

    static func decodeEndpoint(_ json: JSON, path: String) throws(AgentProtocolError) -> STSEndpoint {
        let e = Reader(json: json, path: path)
        return STSEndpoint(scheme: try e.string("scheme"), host: try e.string("host"),
                           port: UInt16(try e.int("port", in: 1...65_535)), path: try e.string("path"),
                           signingRegion: try e.string("signingRegion"), origin: try e.string("origin"))
    }

    /// Roles Anywhere's inputs, checked by the same rules as the launch's (`RolesAnywhereSettings.make`).
    static func decodeRolesAnywhere(_ r: Reader, _ json: JSON) throws(AgentProtocolError) -> Settings.Source {
        var settings: RolesAnywhereSettings
        do {
            settings = try RolesAnywhereSettings.make(
                certificate: try r.string("certificate"), privateKey: try r.string("privateKey"),
                intermediates: try r.optionalString("intermediates"), trustAnchorArn: try r.string("trustAnchorArn"),
                profileArn: try r.string("profileArn"), roleArn: try r.string("roleArn"),
                durationSeconds: try r.int("duration"), sessionName: try r.optionalString("sessionName"),
                environment: EnvironmentLookup([]), what: "plan.source")
        } catch let error as AgentProtocolError { throw error } catch {
            throw AgentProtocolError("plan.source: \(error)")
        }
        settings.endpoint = try decodeEndpoint(try r.member("endpoint"), path: "plan.source.endpoint")
        return .rolesAnywhere(settings)
    }

    static func decodeSource(_ json: JSON) throws(AgentProtocolError) -> Settings.Source {
        let r = Reader(json: json, path: "plan.source")
        func url(_ name: String) throws(AgentProtocolError) -> HTTPURL {
            do { return try HTTPURL.parse(try r.string(name), allowingHTTPS: true) } catch let error as AgentProtocolError { throw error } catch {
                throw AgentProtocolError("plan.source: \(name) is not a URL")
            }
        }
        switch try r.string("kind") {
        case "imds":
            return .imds(IMDSConfig(endpoint: try url("endpoint"), allowV1: try r.bool("allowV1"), v1Disabled: try r.bool("v1Disabled"),
                                    role: try r.optionalString("role"), timeoutMillis: Int64(try r.int("timeout", in: 1...600_000)),
                                    attempts: try r.int("attempts", in: 1...20)))
        case "container":
            var authorization = ContainerConfig.Authorization.none
            if let auth = json["auth"], auth != .null {
                let a = Reader(json: auth, path: "plan.source.auth")
                if let file = try a.optionalString("file") { authorization = .tokenFile(file) } else { authorization = .token(Secret(try a.string("token"))) }
            }
            return .container(ContainerConfig(url: try url("url"), authorization: authorization,
                                              timeoutMillis: Int64(try r.int("timeout", in: 1...600_000)), attempts: try r.int("attempts", in: 1...20)))
        case "web-identity":
            let t = Reader(json: try r.member("token"), path: "plan.source.token")
            let token: WebIdentityToken
            if let file = try t.optionalString("file") {
                token = .file(file)
            } else {
                guard let github = try? HTTPURL.parse(try t.string("github"), allowingHTTPS: true) else {
                    throw AgentProtocolError("plan.source.token: github is not a URL")
                }
                token = .github(url: github, requestToken: Secret(try t.string("requestToken")))
            }
            return .webIdentity(WebIdentitySettings(roleArn: try r.string("roleArn"), token: token, sessionName: try r.optionalString("sessionName")))
        case "static-keys":
            return .staticKeys(StaticKeys(accessKeyId: try r.string("accessKeyId"), secretAccessKey: Secret(try r.string("secretAccessKey")),
                                          sessionToken: try r.optionalString("sessionToken").map(Secret.init), profile: try r.string("profile")))
        case "roles-anywhere":
            return try decodeRolesAnywhere(r, json)
        default:
            throw AgentProtocolError("plan.source: unknown kind")
        }
    }
}

/// Typed access to the members of one JSON object, with errors that name the member, never its value.
struct Reader {
    let json: JSON
    let path: String

    init(json: JSON, path: String) { self.json = json; self.path = path }

    /// One message line of this protocol's version (`otherVersion`: the sentence for any other).
    init(line: [UInt8], path: String, otherVersion: String) throws(AgentProtocolError) {
        do { json = try JSON.parse(line) } catch { throw AgentProtocolError("the \(path) is not JSON: \(error)") }
        self.path = path
        guard try int("v") == AgentProtocol.version else { throw AgentProtocolError(otherVersion) }
    }

    func member(_ name: String) throws(AgentProtocolError) -> JSON {
        guard let value = json[name] else { throw AgentProtocolError("\(path): \(name) is missing") }
        return value
    }
    func string(_ name: String) throws(AgentProtocolError) -> String {
        guard case .string(let s) = try member(name) else { throw AgentProtocolError("\(path): \(name) must be a string") }
        return s
    }
    func optionalString(_ name: String) throws(AgentProtocolError) -> String? {
        guard let value = json[name], value != .null else { return nil }
        guard case .string(let s) = value else { throw AgentProtocolError("\(path): \(name) must be a string or null") }
        return s
    }
    func int(_ name: String, in range: ClosedRange<Int> = Int.min...Int.max) throws(AgentProtocolError) -> Int {
        guard case .number(let text) = try member(name), let n = Int(text), range.contains(n) else {
            throw AgentProtocolError("\(path): \(name) must be a whole number\(range.lowerBound == Int.min ? "" : " from \(range.lowerBound) to \(range.upperBound)")")
        }
        return n
    }
    func optionalInt(_ name: String) throws(AgentProtocolError) -> Int? {
        guard let value = json[name], value != .null else { return nil }
        return try int(name, in: 0...Int(Int32.max))
    }
    func bool(_ name: String) throws(AgentProtocolError) -> Bool {
        guard case .bool(let b) = try member(name) else { throw AgentProtocolError("\(path): \(name) must be true or false") }
        return b
    }
}
