import CMicroHTTPDShims

/// Asks a running exporter's `/healthz`, as `kafka-exporter healthcheck` (and so the image's
/// HEALTHCHECK and a Kubernetes exec probe) does: over loopback when the server listens on every
/// address, over TLS when the server serves TLS.
package enum HealthCheck {
    package struct Unhealthy: Error, CustomStringConvertible {
        package let description: String
    }

    package static let path = "/healthz"

    /// The one-line report of a 200; any other answer, or none within `timeout` per step, throws.
    package static func ask(serverListeningOn address: ListenAddress, tls: TLSSettings?, timeout: Duration) throws(Unhealthy) -> String {
        let host = loopbackHost(for: address.host)
        let target = "\(tls == nil ? "http" : "https")://\(ListenAddress(host: host, port: address.port))\(path)"
        let (seconds, attoseconds) = timeout.components
        let milliseconds = Int32(clamping: min(seconds, Int64(Int32.max / 1000)) * 1000 + attoseconds / 1_000_000_000_000_000)
        var error = [CChar](repeating: 0, count: 256)
        // The server's own certificate, presented only where one is required (one that fails
        // verification would be refused where none is). GnuTLS presents it only when its issuer is
        // among the server's client CAs, so it passes where that CA issued it.
        let clientCertificate = tls.flatMap { [.requireAny, .requireAndVerify].contains($0.clientAuth) ? $0 : nil }
        let status = kx_health_get(
            host, String(address.port), path, tls == nil ? 0 : 1, clientCertificate?.certificatePEM, clientCertificate?.keyPEM,
            max(milliseconds, 1), &error, error.count)
        guard status >= 0 else {
            throw Unhealthy(description: "\(target): \(String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))")
        }
        guard status == 200 else {
            let hint = status == 401 ? " (exempt \(path) from basic auth: --web.auth-exempt-path \(path))" : ""
            throw Unhealthy(description: "\(target): HTTP \(status)\(hint)")
        }
        return "\(target): HTTP 200"
    }

    /// The address to ask: a server on every address (`:9308`, `0.0.0.0`, `::`) answers on loopback.
    static func loopbackHost(for host: String?) -> String {
        switch host {
        case nil, "0.0.0.0": "127.0.0.1"
        case "::": "::1"
        case let host?: host
        }
    }
}
