package struct HTTPRequest: Sendable {
    package let method: String
    package let path: String
    /// Header names in lower case.
    package let headers: [String: String]
    package let queryItems: [String: String]
    package internal(set) var body: [UInt8]
    /// The client's IPv4 (4 bytes) or IPv6 (16 bytes) address; empty when unknown.
    package let peer: [UInt8]

    package init(
        method: String, path: String, headers: [String: String] = [:], queryItems: [String: String] = [:], body: [UInt8] = [],
        peer: [UInt8] = []
    ) {
        self.method = method
        self.path = path
        self.headers = headers
        self.queryItems = queryItems
        self.body = body
        self.peer = peer
    }

    /// Whether the client connected from this host (127.0.0.0/8 or ::1).
    package var isFromLoopback: Bool {
        (peer.count == 4 && peer[0] == 127) || peer == Array(repeating: 0, count: 15) + [1]
    }

    package func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// Whether the client accepts a gzip-encoded body (`Accept-Encoding: gzip`, not `gzip;q=0`).
    package var acceptsGzip: Bool {
        guard let acceptEncoding = header("accept-encoding") else { return false }
        return MediaRange.parseList(acceptEncoding).contains { $0.type == "gzip" && $0.quality > 0 }
    }
}
