import ArgumentParser
import Kafka
import Support

/// SASL authentication to the brokers, with kafka_exporter's flag names and values.
struct SASLOptions: ParsableArguments, Sendable {
    @Flag(name: .customLong("sasl.enabled"), inversion: .prefixedNo, help: "Connect using SASL.") var enabled = false

    @Option(name: .customLong("sasl.mechanism"), help: "SASL mechanism: plain (also when empty), scram-sha256, scram-sha512, gssapi or oauthbearer; any case, SCRAM-SHA-512 and sha512 spellings too.") var mechanism: String = "plain"

    @Option(name: .customLong("sasl.username"), help: "SASL user name (the client id with --sasl.oauthbearer-token-url).") var username: String?

    @Option(name: .customLong("sasl.password"), help: "SASL password (or set SASL_USER_PASSWORD in the environment).") var password: String?

    @Option(name: .customLong("sasl.service-name"), help: "Kerberos service name of the brokers (gssapi).") var serviceName: String?

    @Option(name: .customLong("sasl.realm"), help: "Kerberos realm: the principal is username@realm (gssapi).") var realm: String?

    @Option(name: .customLong("sasl.keytab-path"), help: "Kerberos keytab file (gssapi).") var keytabPath: String?

    @Option(name: .customLong("sasl.kerberos-config-path"), help: "Kerberos configuration file, passed to Kerberos as KRB5_CONFIG (gssapi).") var kerberosConfigPath: String?

    @Option(name: .customLong("sasl.kerberos-auth-type"), help: "keytabAuth logs in with --sasl.keytab-path; userAuth (a password login) is accepted for kafka_exporter and ignored.") var kerberosAuthType: String?

    @Option(name: .customLong("sasl.oauthbearer-token-url"), help: "OAuth token endpoint: OAUTHBEARER tokens by OIDC client credentials (--sasl.username, --sasl.password).") var oauthTokenURL: String?

    @Option(name: .customLong("sasl.oauthbearer-scopes"), help: "Comma-separated OAuth scopes to request.") var oauthScopes: String?

    @Flag(name: .customLong("sasl.handshake"), inversion: .prefixedNo, help: "Accepted for kafka_exporter; librdkafka always sends the SASL handshake, so false is ignored.") var handshake = true

    @Flag(name: .customLong("sasl.disable-PA-FX-FAST"), inversion: .prefixedNo, help: "Accepted for kafka_exporter; ignored (a Kerberos library setting).") var disablePAFXFast = false

    @Option(name: .customLong("sasl.aws-region"), help: "Accepted for kafka_exporter; ignored (librdkafka has no AWS MSK IAM mechanism).") var awsRegion: String?

    private static let mechanisms = [
        "plain": "PLAIN", "scramsha256": "SCRAM-SHA-256", "sha256": "SCRAM-SHA-256", "scramsha512": "SCRAM-SHA-512",
        "sha512": "SCRAM-SHA-512", "gssapi": "GSSAPI", "oauthbearer": "OAUTHBEARER", "": "PLAIN",
    ]

    /// librdkafka's name of the mechanism.
    private func librdkafkaMechanism() throws(ConfigurationError) -> String {
        let key = mechanism.lowercased().filter { $0 != "-" && $0 != "_" }
        if key == "awsiam" {
            throw ConfigurationError("--sasl.mechanism awsiam: librdkafka has no AWS MSK IAM mechanism; use scram-sha512 or oauthbearer")
        }
        guard let name = Self.mechanisms[key] else {
            throw ConfigurationError("--sasl.mechanism \"\(mechanism)\": use plain, scram-sha256, scram-sha512, gssapi or oauthbearer")
        }
        return name
    }

    func apply(to configuration: inout ClientConfiguration, tls: Bool, environment: [String: String]) throws(ConfigurationError) {
        try validateKerberosAuthType()
        if enabled || tls {
            configuration.set("security.protocol", enabled ? (tls ? "sasl_ssl" : "sasl_plaintext") : "ssl")
        }
        guard enabled else { return }
        let mechanism = try librdkafkaMechanism()
        configuration.set("sasl.mechanism", mechanism)
        let password = password ?? environment["SASL_USER_PASSWORD"]
        switch mechanism {
        case "GSSAPI":
            if let serviceName, !serviceName.isEmpty { configuration.set("sasl.kerberos.service.name", serviceName) }
            if let username, !username.isEmpty {
                configuration.set("sasl.kerberos.principal", realm.map { $0.isEmpty ? username : "\(username)@\($0)" } ?? username)
            }
            if let keytabPath, !keytabPath.isEmpty { configuration.set("sasl.kerberos.keytab", keytabPath) }
        case "OAUTHBEARER":
            guard let oauthTokenURL, !oauthTokenURL.isEmpty else { break }
            configuration.set("sasl.oauthbearer.method", "oidc")
            configuration.set("sasl.oauthbearer.token.endpoint.url", oauthTokenURL)
            if let username { configuration.set("sasl.oauthbearer.client.id", username) }
            if let password { configuration.set("sasl.oauthbearer.client.secret", password) }
            if let oauthScopes, !oauthScopes.isEmpty {
                configuration.set("sasl.oauthbearer.scope", oauthScopes.split(separator: ",").map { $0.trimmingWhitespace() }.joined(separator: " "))
            }
        default:
            if let username { configuration.set("sasl.username", username) }
            if let password { configuration.set("sasl.password", password) }
        }
    }

    /// The flag that set the librdkafka property a validation `message` names, where it is not obvious
    /// (the OIDC properties need a librdkafka built with libcurl).
    func flagBehind(_ message: String) -> String? {
        oauthTokenURL != nil && message.contains("sasl.oauthbearer.") ? "--sasl.oauthbearer-token-url" : nil
    }

    /// Environment the Kerberos library reads (`--sasl.kerberos-config-path`).
    var environment: [String: String] {
        guard enabled, let kerberosConfigPath, !kerberosConfigPath.isEmpty else { return [:] }
        return ["KRB5_CONFIG": kerberosConfigPath]
    }

    /// Kerberos auth types kafka_exporter knows (it treats anything but keytabAuth as userAuth).
    private func validateKerberosAuthType() throws(ConfigurationError) {
        guard let kerberosAuthType, !["", "keytabauth", "userauth"].contains(kerberosAuthType.lowercased()) else { return }
        throw ConfigurationError("--sasl.kerberos-auth-type \"\(kerberosAuthType)\": use keytabAuth or userAuth")
    }

    /// kafka_exporter flags given here that have no effect.
    var ignored: [String] {
        var ignored: [String] = []
        if !handshake { ignored.append("--sasl.handshake=false") }
        if disablePAFXFast { ignored.append("--sasl.disable-PA-FX-FAST") }
        if let awsRegion { ignored.append("--sasl.aws-region=\(awsRegion)") }
        if kerberosAuthType?.lowercased() == "userauth" { ignored.append("--sasl.kerberos-auth-type=userAuth") }
        return ignored
    }
}
