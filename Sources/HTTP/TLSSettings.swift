import CMicroHTTPDShims
import FoundationEssentials

/// HTTPS for the exporter's own server (`tls_server_config`, or kafka_exporter's `--server.tls.*`),
/// served by libmicrohttpd's GnuTLS support.
package struct TLSSettings: Sendable {
    /// The toolkit's `client_auth_type`, as Go's crypto/tls names it.
    package enum ClientAuth: String, Sendable, CaseIterable {
        case none = "NoClientCert"
        case request = "RequestClientCert"
        case requireAny = "RequireAnyClientCert"
        case verifyIfGiven = "VerifyClientCertIfGiven"
        case requireAndVerify = "RequireAndVerifyClientCert"
    }

    static let versions = ["TLS10": "VERS-TLS1.0", "TLS11": "VERS-TLS1.1", "TLS12": "VERS-TLS1.2", "TLS13": "VERS-TLS1.3"]
    static let versionOrder = ["TLS10", "TLS11", "TLS12", "TLS13"]

    package var certificatePEM: String
    package var keyPEM: String
    package var clientAuth: ClientAuth = .none
    /// The CAs client certificates are verified against; microhttpd asks clients for a certificate
    /// only when it has them.
    package var clientCAPEM: String?
    package var minVersion = "TLS12"
    package var maxVersion = "TLS13"

    /// From files, as kafka_exporter's `--server.tls.cert-file`/`key-file`/`ca-file` name them.
    package init(certFile: String, keyFile: String, clientCAFile: String?, clientAuth: ClientAuth, what: String) throws(HTTPServerError) {
        certificatePEM = try Self.read(certFile, what: "\(what) certificate")
        keyPEM = try Self.read(keyFile, what: "\(what) key")
        clientCAPEM = try clientCAFile.map { (path: String) throws(HTTPServerError) in try Self.read(path, what: "\(what) client CA") }
        self.clientAuth = clientAuth
        try validate()
        if let problem = kx_tls_check(certificatePEM, keyPEM, clientCAPEM) {
            throw HTTPServerError("\(what): certificate \(certFile), key \(keyFile)\(clientCAFile.map { ", client CA \($0)" } ?? ""): \(String(cString: problem))")
        }
    }

    init(_ section: Section, relativeTo directory: String) throws(HTTPServerError) {
        try section.allow(["cert_file", "key_file", "client_auth_type", "client_ca_file", "min_version", "max_version"])
        guard let certFile = try section.string("cert_file"), let keyFile = try section.string("key_file") else {
            throw HTTPServerError("tls_server_config needs both cert_file and key_file")
        }
        func resolve(_ path: String) -> String { path.hasPrefix("/") ? path : "\(directory)/\(path)" }
        let clientAuthName = try section.string("client_auth_type") ?? ClientAuth.none.rawValue
        guard let clientAuth = ClientAuth(rawValue: clientAuthName) else {
            throw HTTPServerError("tls_server_config.client_auth_type \"\(clientAuthName)\" is not one of \(ClientAuth.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try self.init(
            certFile: resolve(certFile), keyFile: resolve(keyFile), clientCAFile: try section.string("client_ca_file").map(resolve),
            clientAuth: clientAuth, what: "tls_server_config")
        for (key, keyPath) in [("min_version", \TLSSettings.minVersion), ("max_version", \TLSSettings.maxVersion)] {
            guard let version = try section.string(key) else { continue }
            guard Self.versions[version] != nil else {
                throw HTTPServerError("tls_server_config.\(key) \"\(version)\" is not one of \(Self.versionOrder.joined(separator: ", "))")
            }
            self[keyPath: keyPath] = version
        }
        try validate()
    }

    private func validate() throws(HTTPServerError) {
        if clientCAPEM != nil && clientAuth == .none {
            throw HTTPServerError("client CAs are configured but client_auth_type is NoClientCert")
        }
        // microhttpd asks for client certificates only when it has CAs to present to clients.
        if clientCAPEM == nil && clientAuth != .none {
            throw HTTPServerError("client_auth_type \(clientAuth.rawValue) needs client_ca_file")
        }
        guard let low = Self.versionOrder.firstIndex(of: minVersion), let high = Self.versionOrder.firstIndex(of: maxVersion), low <= high else {
            throw HTTPServerError("tls_server_config: min_version \(minVersion) is above max_version \(maxVersion)")
        }
    }

    /// The GnuTLS priority string that allows exactly the versions from min to max.
    var priorities: String {
        let low = Self.versionOrder.firstIndex(of: minVersion)!, high = Self.versionOrder.firstIndex(of: maxVersion)!
        return "NORMAL:-VERS-ALL:" + Self.versionOrder[low...high].map { "+" + Self.versions[$0]! }.joined(separator: ":")
    }

    /// Whether a request is answered given its client certificate check
    /// (`kx_mhd_client_certificate`: 0 verified, 1 none, 2 invalid).
    func accepts(clientCertificate status: Int32) -> Bool {
        switch clientAuth {
        case .none, .request: true
        case .requireAny: status != 1
        case .verifyIfGiven: status != 2
        case .requireAndVerify: status == 0
        }
    }

    private static func read(_ path: String, what: String) throws(HTTPServerError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw HTTPServerError("\(what) file \(path) cannot be read")
        }
        let text = String(decoding: data, as: UTF8.self)
        guard text.contains("-----BEGIN ") else { throw HTTPServerError("\(what) file \(path) is not PEM") }
        return text
    }
}
