import FoundationEssentials

/// `--web.config.file` in the Prometheus exporter-toolkit format (the file node_exporter and
/// kafka_exporter read, and `promtool check web-config` checks):
///
/// ```yaml
/// tls_server_config: {cert_file, key_file, client_auth_type, client_ca_file, min_version, max_version}
/// http_server_config: {headers: {Name: value}, http2: true}
/// basic_auth_users: {name: bcrypt hash}
/// ```
/// Keys the toolkit knows but libmicrohttpd cannot honour (cipher suites, curves, allowed SANs) are
/// refused rather than silently ignored; unknown keys are refused as the toolkit does.
package struct WebConfiguration: Sendable {
    package var tls: TLSSettings?
    package var basicAuthHashes: [String: String] = [:]
    package var headers: [(String, String)] = []

    package init() {}

    /// Headers the toolkit allows in `http_server_config.headers`.
    static let allowedHeaders = [
        "Cache-Control", "Content-Security-Policy", "Cross-Origin-Opener-Policy", "Strict-Transport-Security",
        "X-Content-Type-Options", "X-Frame-Options", "X-XSS-Protection",
    ]

    package init(contentsOfFile path: String) throws(HTTPServerError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HTTPServerError("--web.config.file \(path): cannot read the file")
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try self.init(yaml: String(decoding: data, as: UTF8.self), relativeTo: directory)
        } catch {
            throw HTTPServerError("--web.config.file \(path): \(error.description)")
        }
    }

    /// Parses the YAML; file names are relative to `directory` (the config file's, as in the toolkit).
    package init(yaml: String, relativeTo directory: String) throws(HTTPServerError) {
        self.init()
        let root: YAMLNode?
        do {
            root = try YAMLNode.parse(yaml)
        } catch {
            throw HTTPServerError("not valid YAML: \(error)")
        }
        guard let root else { return }
        let document = try Section(root, path: "")
        try document.allow(["tls_server_config", "http_server_config", "basic_auth_users"])
        if let tls = try document.section("tls_server_config") {
            self.tls = try TLSSettings(tls, relativeTo: directory)
        }
        if let server = try document.section("http_server_config") {
            try server.allow(["headers", "http2"])
            _ = try server.bool("http2")
            if let headers = try server.section("headers") {
                for (name, value) in try headers.strings() {
                    guard let allowed = Self.allowedHeaders.first(where: { $0.lowercased() == name.lowercased() }) else {
                        throw HTTPServerError("http_server_config.headers: \(name) is not one of \(Self.allowedHeaders.joined(separator: ", "))")
                    }
                    self.headers.append((allowed, value))
                }
            }
        }
        if let users = try document.section("basic_auth_users") {
            for (user, hash) in try users.strings() {
                guard BasicAuthUsers.isBcrypt(hash) else {
                    throw HTTPServerError("basic_auth_users.\(user): not a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters)")
                }
                basicAuthHashes[user] = hash
            }
        }
    }
}

/// A YAML mapping with the dotted path to it, for one-line errors that say where.
struct Section {
    let pairs: [(key: String, value: YAMLNode)]
    let path: String

    init(_ node: YAMLNode, path: String) throws(HTTPServerError) {
        guard let mapping = node.mapping else { throw HTTPServerError("\(path.isEmpty ? "the document" : path) must be a mapping") }
        var pairs: [(String, YAMLNode)] = []
        for (key, value) in mapping {
            guard let name = key.scalar else { throw HTTPServerError("\(path): keys must be strings") }
            pairs.append((name, value))
        }
        self.pairs = pairs
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func allow(_ keys: Set<String>) throws(HTTPServerError) {
        if let unknown = pairs.first(where: { !keys.contains($0.key) }) {
            throw HTTPServerError("\(name(unknown.key)): unknown or unsupported key (known: \(keys.sorted().joined(separator: ", ")))")
        }
    }

    private func value(_ key: String) -> YAMLNode? {
        pairs.first { $0.key == key }.flatMap { $0.value.scalar == "~" || $0.value.scalar == "null" ? nil : $0.value }
    }

    func section(_ key: String) throws(HTTPServerError) -> Section? {
        guard let node = value(key) else { return nil }
        return try Section(node, path: name(key))
    }

    func string(_ key: String) throws(HTTPServerError) -> String? {
        guard let node = value(key) else { return nil }
        guard let scalar = node.scalar else { throw HTTPServerError("\(name(key)) must be a string") }
        return scalar
    }

    func bool(_ key: String) throws(HTTPServerError) -> Bool? {
        guard let text = try string(key) else { return nil }
        guard let value = Bool(text.lowercased()) else { throw HTTPServerError("\(name(key)) must be true or false") }
        return value
    }

    /// Every value as a string (for `headers` and `basic_auth_users`).
    func strings() throws(HTTPServerError) -> [(String, String)] {
        var result: [(String, String)] = []
        for (key, _) in pairs {
            guard let text = try string(key) else { continue }
            result.append((key, text))
        }
        return result
    }
}
