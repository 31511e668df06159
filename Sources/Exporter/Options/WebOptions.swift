import ArgumentParser
import HTTP
import Support

/// Where and how the exporter serves HTTP, validated: every `--web.*` flag, `--web.config.file`, and
/// kafka_exporter's `--server.tls.*`.
package struct WebSettings: Sendable {
    package var listenAddresses: [ListenAddress] = [ListenAddress(host: nil, port: 9308)]
    package var telemetryPath = "/metrics"
    package var server = HTTPServer.Options()

    package init() {}
}

/// The `--web.*` and `--server.tls.*` flags.
package struct WebOptions: ParsableArguments {
    private static let defaults = WebSettings()

    @Option(name: .customLong("web.listen-address"), help: "Address to listen on for HTTP: [host]:port (repeatable: listens on each).") var listenAddresses: [String] = defaults.listenAddresses.map(\.description)

    @Option(name: .customLong("web.telemetry-path"), help: "Path under which to expose metrics.") var telemetryPath: String = defaults.telemetryPath

    @Option(name: .customLong("web.config.file"), help: "Prometheus exporter-toolkit web config (YAML): TLS, basic auth, response headers.") var configFile: String?

    @Option(name: .customLong("web.auth-exempt-path"), help: "A path answered without basic auth, e.g. /healthz (repeatable).") var authExemptPaths: [String] = []

    @Option(name: .customLong("web.max-connections"), help: "Simultaneous HTTP connections at most; a further one closes the connection that has waited longest for a request.") var maxConnections: Int = defaults.server.limits.maxConnections

    @Option(name: .customLong("web.max-connections-per-ip"), help: "Simultaneous HTTP connections from one client address at most.") var maxConnectionsPerIP: Int = defaults.server.limits.maxConnectionsPerPeer

    @Option(name: .customLong("web.request-timeout"), help: "Time a client has to send a whole request (headers and body); the connection is closed after it.") var requestTimeout: String = DurationParsing.format(defaults.server.limits.requestTimeout)

    @Option(name: .customLong("web.max-body-bytes-in-flight"), help: "Request body bytes all connections may hold at once; requests beyond get 503.") var bodyBudget: Int = defaults.server.bodyBudget.limit

    @Flag(name: .customLong("server.tls.enabled"), help: "Serve HTTPS (kafka_exporter's flag; or tls_server_config in --web.config.file).") var tlsEnabled = false

    @Option(name: .customLong("server.tls.cert-file"), help: "Server certificate file for --server.tls.enabled.") var tlsCertFile: String?

    @Option(name: .customLong("server.tls.key-file"), help: "Server private key file for --server.tls.enabled.") var tlsKeyFile: String?

    @Option(name: .customLong("server.tls.ca-file"), help: "CA certificate file that client certificates are verified against.") var tlsCAFile: String?

    @Flag(name: .customLong("server.tls.mutual-auth-enabled"), help: "Require a client certificate signed by --server.tls.ca-file.") var tlsMutualAuth = false

    package init() {}

    package func settings() throws(ConfigurationError) -> WebSettings {
        var settings = WebSettings()
        settings.listenAddresses = try listenAddresses.map { (text: String) throws(ConfigurationError) -> ListenAddress in
            do {
                return try ListenAddress(parsing: text)
            } catch {
                throw ConfigurationError("--web.listen-address: \(error)")
            }
        }
        guard telemetryPath.hasPrefix("/"), !["/", "/healthz", "/ready"].contains(telemetryPath) else {
            throw ConfigurationError("--web.telemetry-path \"\(telemetryPath)\" must start with / and not be /, /healthz or /ready")
        }
        settings.telemetryPath = telemetryPath
        guard maxConnections >= 1 else { throw ConfigurationError("--web.max-connections must be at least 1") }
        guard maxConnectionsPerIP >= 1 else { throw ConfigurationError("--web.max-connections-per-ip must be at least 1") }
        guard bodyBudget >= 1024 else { throw ConfigurationError("--web.max-body-bytes-in-flight must be at least 1024") }
        settings.server.limits.maxConnections = maxConnections
        settings.server.limits.maxConnectionsPerPeer = maxConnectionsPerIP
        settings.server.limits.requestTimeout = try FlagValue.positiveDuration(requestTimeout, flag: "--web.request-timeout")
        settings.server.bodyBudget = BodyBudget(limit: bodyBudget)
        for path in authExemptPaths where !path.hasPrefix("/") {
            throw ConfigurationError("--web.auth-exempt-path \"\(path)\" must start with /")
        }
        settings.server.openPaths = Set(authExemptPaths)
        do {
            if let configFile {
                let web = try WebConfiguration(contentsOfFile: configFile)
                settings.server.tls = web.tls
                settings.server.basicAuth = web.basicAuthHashes.isEmpty ? nil : BasicAuthUsers(hashes: web.basicAuthHashes)
                settings.server.responseHeaders = web.headers
            }
            if let tls = try serverTLS() {
                guard settings.server.tls == nil else {
                    throw ConfigurationError("--server.tls.enabled and tls_server_config in --web.config.file: use one of them")
                }
                settings.server.tls = tls
            }
        } catch let error as HTTPServerError {
            throw ConfigurationError(error.description)
        } catch {
            throw error as! ConfigurationError
        }
        return settings
    }

    /// kafka_exporter's `--server.tls.*` flags as the same TLS settings a web config gives.
    private func serverTLS() throws -> TLSSettings? {
        guard tlsEnabled else {
            if tlsCertFile != nil || tlsKeyFile != nil || tlsCAFile != nil || tlsMutualAuth {
                throw ConfigurationError("--server.tls.* flags need --server.tls.enabled")
            }
            return nil
        }
        guard let tlsCertFile, let tlsKeyFile else {
            throw ConfigurationError("--server.tls.enabled needs --server.tls.cert-file and --server.tls.key-file")
        }
        if tlsMutualAuth && tlsCAFile == nil { throw ConfigurationError("--server.tls.mutual-auth-enabled needs --server.tls.ca-file") }
        return try TLSSettings(
            certFile: tlsCertFile, keyFile: tlsKeyFile, clientCAFile: tlsMutualAuth ? tlsCAFile : nil,
            clientAuth: tlsMutualAuth ? .requireAndVerify : .none, what: "--server.tls")
    }
}
