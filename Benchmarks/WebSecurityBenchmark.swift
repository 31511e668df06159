import ClusterMetrics
import Exposition
import Foundation
import HTTP
import TestSupport

/// What basic auth and TLS (`--web.config.file`) cost a scrape: the same 10k-series snapshot served
/// plain, with basic auth (bcrypt cost 10, remembered after the first success), over TLS, and both.
enum WebSecurityBenchmark {
    // Password "scrape-secret", bcrypt cost 10, made with Python's crypt module.
    static let hash = "$2b$10$EPf8Jp1hUiT7lIRIA6FYze0INgpk6g6dfwpoxg74HDzmeRt0vFIfy"
    static let password = "scrape-secret"

    static func run(requests: Int = 1000) throws {
        let registry = Registry()
        let state = SyntheticCluster.state(topics: 10, partitionsPerTopic: 100, groups: 5)
        registry.publish(source: "cluster", families: ClusterFamilies.build(state))
        let router = Router(routes: [.metrics(path: "/metrics", registry: registry)])
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("kx-bench-tls-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try makeCertificate(in: directory)
        let tls = try TLSSettings(certFile: "\(directory)/server.pem", keyFile: "\(directory)/server.key", clientCAFile: nil, clientAuth: .none, what: "bench")
        let users = BasicAuthUsers(hashes: ["prometheus": hash])
        let authorization = "Basic " + Data("prometheus:\(password)".utf8).base64EncodedString()
        let body = registry.snapshot.body(.text, gzip: false).count

        func server(tls: TLSSettings?, auth: Bool) throws -> HTTPServer {
            var options = HTTPServer.Options()
            options.tls = tls
            options.basicAuth = auth ? users : nil
            return try HTTPServer(address: ListenAddress(host: "127.0.0.1", port: 0), router: router, options: options)
        }

        print("\n## Basic auth and TLS on a scrape of the \(SyntheticCluster.seriesCount(state))-series snapshot (\(body) B, \(requests) requests)")
        let plain = try server(tls: nil, auth: false), authenticated = try server(tls: nil, auth: true)
        defer { plain.stop(); authenticated.stop() }
        let withoutAuth = try scrapes(port: plain.port, headers: [:], requests: requests)
        let withAuth = try scrapes(port: authenticated.port, headers: ["Authorization": authorization], requests: requests)
        print("keep-alive, in-process client   p50 plain \(median(withoutAuth).formatted), basic auth \(median(withAuth).formatted): \(ratio(median(withAuth), median(withoutAuth))) (goal ≤ 1.2×)")

        let secure = try server(tls: tls, auth: false), secureAuthenticated = try server(tls: tls, auth: true)
        defer { secure.stop(); secureAuthenticated.stop() }
        print("curl, p50 per scrape        plain        basic auth   TLS          TLS + basic auth   TLS / plain")
        for reuse in [true, false] {
            let user = "prometheus:\(password)"
            let columns = try [
                curl("http://127.0.0.1:\(plain.port)/metrics", requests: requests / 4, reuse: reuse, directory: directory),
                curl("http://127.0.0.1:\(authenticated.port)/metrics", requests: requests / 4, reuse: reuse, directory: directory, user: user),
                curl("https://127.0.0.1:\(secure.port)/metrics", requests: requests / 4, reuse: reuse, directory: directory),
                curl("https://127.0.0.1:\(secureAuthenticated.port)/metrics", requests: requests / 4, reuse: reuse, directory: directory, user: user),
            ].map(median)
            let label = reuse ? "keep-alive" : "new connection each"
            print(([label.padding(toLength: 26, withPad: " ", startingAt: 0)] + columns.map { $0.formatted.padding(toLength: 12, withPad: " ", startingAt: 0) })
                .joined(separator: " ") + "       " + ratio(columns[2], columns[0]))
        }
    }

    private static func median(_ sorted: [Duration]) -> Duration { Measure.percentile(sorted, 0.5) }

    private static func scrapes(port: UInt16, headers: [String: String], requests: Int) throws -> [Duration] {
        let client = try HTTPTestClient(port: port)
        _ = try client.request("GET", "/metrics", headers: headers)  // the first one pays bcrypt
        return try (0..<requests).map { _ in
            let start = ContinuousClock.now
            let response = try client.request("GET", "/metrics", headers: headers)
            precondition(response.status == 200, "status \(response.status)")
            return .now - start
        }.sorted()
    }

    /// One curl process fetching the URL `requests` times; its own per-transfer times.
    private static func curl(_ url: String, requests: Int, reuse: Bool, directory: String, user: String? = nil) throws -> [Duration] {
        var arguments = ["curl", "-s", "--cacert", "\(directory)/server.pem", "-w", "%{http_code} %{time_total}\\n"]
        if let user { arguments += ["-u", user] }
        if !reuse { arguments += ["-H", "Connection: close"] }
        for _ in 0...requests { arguments += [url, "-o", "/dev/null"] }
        let result = try Subprocess.run(arguments)
        let lines = result.standardOutput.split(separator: "\n").dropFirst()  // the first one warms up
        return lines.map { line in
            let fields = line.split(separator: " ")
            precondition(fields.first == "200", "curl \(url): \(line)")
            return .microseconds(Int64((Double(fields[1]) ?? 0) * 1e6))
        }.sorted()
    }

    private static func makeCertificate(in directory: String) throws {
        let result = try Subprocess.run([
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "\(directory)/server.key", "-out", "\(directory)/server.pem", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
        ])
        guard result.status == 0 else { throw HTTPServerError("openssl: \(result.standardError)") }
    }
}
