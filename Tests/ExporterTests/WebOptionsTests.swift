import Exporter
import Foundation
import HTTP
import Testing
import TestSupport

/// `--web.*` and kafka_exporter's `--server.tls.*` flags, mapped onto the server's settings.
@Suite struct WebOptionsTests {
    private static func settings(_ arguments: [String]) throws -> WebSettings {
        try ExporterOptions.parse(arguments).makeConfiguration().web
    }

    /// A self-signed certificate (its own CA) made with openssl.
    private static func pemFiles() throws -> (certificate: String, key: String, ca: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kx-web-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let result = try Subprocess.run([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "\(directory)/server.key", "-out", "\(directory)/server.pem", "-days", "1", "-subj", "/CN=127.0.0.1",
        ])
        #expect(result.status == 0, "\(result.standardError)")
        try FileManager.default.copyItem(atPath: "\(directory)/server.pem", toPath: "\(directory)/ca.pem")
        return ("\(directory)/server.pem", "\(directory)/server.key", "\(directory)/ca.pem")
    }

    @Test func defaultsAndRepeatedListenAddresses() throws {
        let defaults = try Self.settings([])
        #expect(defaults.listenAddresses == [ListenAddress(host: nil, port: 9308)])
        #expect(defaults.server.limits.maxConnections == 256 && defaults.server.limits.maxConnectionsPerPeer == 32)
        #expect(defaults.server.limits.requestTimeout == .seconds(10))
        #expect(defaults.server.bodyBudget.limit == 64 << 20)
        #expect(defaults.server.tls == nil && defaults.server.basicAuth == nil)
        let two = try Self.settings(["--web.listen-address", "127.0.0.1:9308", "--web.listen-address", "[::1]:9309"])
        #expect(two.listenAddresses == [ListenAddress(host: "127.0.0.1", port: 9308), ListenAddress(host: "::1", port: 9309)])
    }

    @Test func kafkaExporterServerTLSFlagsMapOntoTheTLSSettings() throws {
        let files = try Self.pemFiles()
        let plain = try Self.settings(["--server.tls.enabled", "--server.tls.cert-file", files.certificate, "--server.tls.key-file", files.key])
        #expect(plain.server.tls?.clientAuth == TLSSettings.ClientAuth.none)
        let mutual = try Self.settings([
            "--server.tls.enabled", "--server.tls.cert-file", files.certificate, "--server.tls.key-file", files.key,
            "--server.tls.ca-file", files.ca, "--server.tls.mutual-auth-enabled",
        ])
        #expect(mutual.server.tls?.clientAuth == .requireAndVerify && mutual.server.tls?.clientCAPEM != nil)
        #expect(mutual.server.tls?.minVersion == "TLS12")
    }

    @Test(arguments: [
        (["--server.tls.cert-file", "x.pem"], "--server.tls.* flags need --server.tls.enabled"),
        (["--server.tls.enabled", "--server.tls.cert-file", "x.pem"], "--server.tls.enabled needs --server.tls.cert-file and --server.tls.key-file"),
        (["--web.max-connections-per-ip", "0"], "--web.max-connections-per-ip must be at least 1"),
        (["--web.auth-exempt-path", "healthz"], "--web.auth-exempt-path \"healthz\" must start with /"),
    ])
    func invalidWebFlagsNameTheFlag(arguments: [String], message: String) {
        #expect {
            try ExporterOptions.parse(arguments).makeConfiguration()
        } throws: { error in
            ExporterOptions.message(for: error) == message
        }
    }

    @Test func unusableCertificatesAreAConfigurationError() throws {
        let files = try Self.pemFiles()
        #expect {
            try Self.settings(["--server.tls.enabled", "--server.tls.cert-file", files.certificate, "--server.tls.key-file", files.certificate])
        } throws: { error in
            ExporterOptions.message(for: error).hasPrefix("--server.tls: certificate \(files.certificate), key \(files.certificate): ")
        }
    }

    @Test func bothTLSSourcesAtOnceAreRefused() throws {
        let files = try Self.pemFiles()
        let config = URL(fileURLWithPath: files.certificate).deletingLastPathComponent().appendingPathComponent("web.yml").path
        try "tls_server_config:\n  cert_file: server.pem\n  key_file: server.key\n".write(toFile: config, atomically: true, encoding: .utf8)
        #expect(try Self.settings(["--web.config.file", config]).server.tls != nil, "paths are relative to the file")
        #expect {
            try Self.settings([
                "--web.config.file", config, "--server.tls.enabled", "--server.tls.cert-file", files.certificate, "--server.tls.key-file", files.key,
            ])
        } throws: { error in
            ExporterOptions.message(for: error) == "--server.tls.enabled and tls_server_config in --web.config.file: use one of them"
        }
    }
}
