import Exposition

extension Route {
    /// Serves the registry's latest snapshot: OpenMetrics when `Accept` asks for it, gzip when
    /// `Accept-Encoding` allows it. Bytes only: no Kafka call and no rendering on this path.
    package static func metrics(path: String, registry: Registry) -> Route {
        Route(.exact(path)) { request in
            let format = ExpositionFormat.negotiate(accept: request.header("accept"))
            let gzip = request.acceptsGzip
            var headers = [("Content-Type", format.contentType), ("Vary", "Accept, Accept-Encoding")]
            if gzip { headers.append(("Content-Encoding", "gzip")) }
            return HTTPResponse(status: 200, headers: headers, content: .shared(registry.snapshot.body(format, gzip: gzip)))
        }
    }
}
