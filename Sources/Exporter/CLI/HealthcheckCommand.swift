import ArgumentParser
import HTTP
import Support

/// `kafka-exporter healthcheck`: whether the exporter on this host answers /healthz, for an image
/// without a shell or curl (its HEALTHCHECK) and for Kubernetes exec probes.
struct HealthcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Ask a running exporter's /healthz: exit 0 when it answers 200, 1 otherwise.",
        discussion: """
            Takes the exporter's --web.* and --server.tls.* flags, so a probe passes the ones the exporter \
            runs with: it asks the first --web.listen-address (over loopback when that is every address), \
            over TLS when the exporter serves TLS, without verifying the server's certificate and presenting \
            it as the client certificate when client certificates are required (which passes where the client CA \
            issued it). Prints one line.
            """)

    static let defaultTimeout = Duration.seconds(3)

    @OptionGroup var web: WebOptions

    @Option(name: .customLong("healthcheck.timeout"), help: "How long connecting, the TLS handshake and the answer may each take.")
    var timeout: String = DurationParsing.format(defaultTimeout)

    func run() throws {
        let settings = try web.settings()
        let timeout = try FlagValue.positiveDuration(timeout, flag: "--healthcheck.timeout")
        do {
            print(try HealthCheck.ask(serverListeningOn: settings.listenAddresses[0], tls: settings.server.tls, timeout: timeout))
        } catch {
            throw RuntimeFailure(error.description)
        }
    }
}
