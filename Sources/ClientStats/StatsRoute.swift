import HTTP

/// `POST /api/v1/stats`: applications send the JSON their librdkafka hands to `stats_cb`, one document
/// per request. 204 when recorded; 400 for a document that is not valid statistics JSON, 401 for a
/// missing or wrong bearer token. Bodies over `maxBodyBytes` are answered 413 by the server before this
/// handler runs: count those by passing `countsTooLarge(collector:)` to `Router(onBodyRejected:)`.
public enum StatsRoute {
    public static let path = "/api/v1/stats"
    /// `--stats.max-bytes` default.
    public static let defaultMaxBodyBytes = 16 << 20

    public static func make(collector: ClientStatsCollector, maxBodyBytes: Int = defaultMaxBodyBytes, token: BearerToken?) -> Route {
        Route(.exact(path), methods: ["POST"], maxBodyBytes: maxBodyBytes) { request in
            if let token, !token.authorizes(request.header("authorization")) {
                collector.countRejection(.unauthorized)
                var response = HTTPResponse.text(401, "missing or wrong bearer token\n")
                response.headers.append(("WWW-Authenticate", "Bearer realm=\"kafka-exporter\""))
                return response
            }
            do {
                try collector.ingest(request.body, from: .http)
                return HTTPResponse(status: 204, content: .bytes([]))
            } catch {
                return .text(400, "not a librdkafka statistics document: \(error)\n")
            }
        }
    }

    /// For `Router(onBodyRejected:)`: counts this route's 413 answers as `too_large` rejections.
    public static func countsTooLarge(collector: ClientStatsCollector) -> @Sendable (_ path: String, _ status: Int) -> Void {
        { path, status in
            if path == StatsRoute.path && status == 413 { collector.countRejection(.tooLarge) }
        }
    }
}
