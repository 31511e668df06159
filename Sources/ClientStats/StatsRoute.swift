import HTTP

/// `POST /api/v1/stats`: applications send the JSON their librdkafka hands to `stats_cb`, one document
/// per request. 204 when recorded; 400 for a document that is not valid statistics JSON, 401 for a
/// missing or wrong bearer token, 413 (answered by the server before the body is read in full) for one
/// over `maxBodyBytes`. Every refusal is counted in `kafka_exporter_stats_rejected_total`.
package enum StatsRoute {
    package static let path = "/api/v1/stats"

    static func make(collector: ClientStatsCollector, maxBodyBytes: Int, token: BearerToken?) -> Route {
        Route(.exact(path), methods: ["POST"], maxBodyBytes: maxBodyBytes, onBodyTooLarge: { collector.countRejection(.tooLarge) }) { request in
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
}
