import HTTP

/// `POST /api/v1/stats`: applications send the JSON their librdkafka hands to `stats_cb`, one document
/// per request. 204 when recorded. Decided from the headers before the body is read: 401 for a
/// missing or wrong bearer token, 403 for a peer on another host when no token is configured (unless
/// `--stats.allow-remote`), 415 without `Content-Type: application/json`, 413 for a body over
/// `maxBodyBytes`. After the body: 400 for a document that is not valid statistics JSON, 413 for one
/// with more partitions than allowed, 429 for a new client beyond `--stats.max-clients`. Every
/// refusal is counted in `kafka_exporter_stats_rejected_total`.
package enum StatsRoute {
    package static let path = "/api/v1/stats"

    static func make(collector: ClientStatsCollector, maxBodyBytes: Int, token: BearerToken?, allowRemote: Bool) -> Route {
        Route(
            .exact(path), methods: ["POST"], maxBodyBytes: maxBodyBytes, onBodyTooLarge: { collector.countRejection(.tooLarge) },
            admit: { request in admission(request, collector: collector, token: token, allowRemote: allowRemote) }
        ) { request in
            do throws(StatsRefused) {
                try collector.ingest(request.body, from: .http)
                return HTTPResponse(status: 204, content: .bytes([]))
            } catch {
                switch error.reason {
                case .tooManyClients: return .text(429, "refused: \(error)\n")
                case .tooManyPartitions: return .text(413, "refused: \(error)\n")
                default: return .text(400, "not a librdkafka statistics document: \(error)\n")
                }
            }
        }
    }

    private static func admission(_ request: HTTPRequest, collector: ClientStatsCollector, token: BearerToken?, allowRemote: Bool) -> HTTPResponse? {
        if let token, !token.authorizes(request.header("authorization")) {
            collector.countRejection(.unauthorized)
            var response = HTTPResponse.text(401, "missing or wrong bearer token\n")
            response.headers.append(("WWW-Authenticate", "Bearer realm=\"kafka-exporter\""))
            return response
        }
        if token == nil, !allowRemote, !request.isFromLoopback {
            collector.countRejection(.remotePeer)
            return .text(403, "posting from another host needs --stats.token-file or --stats.allow-remote\n")
        }
        // Browsers may send text/plain across origins without asking first; application/json they may not.
        let mediaType = request.header("content-type")?.split(separator: ";").first?.trimmed.lowercased()
        guard mediaType == "application/json" else {
            collector.countRejection(.wrongContentType)
            return .text(415, "Content-Type must be application/json\n")
        }
        return nil
    }
}
