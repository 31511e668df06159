import Exposition

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

package struct HTTPResponse: Sendable {
    package enum Content: Sendable {
        case bytes([UInt8])
        /// Served without copying; the body stays alive until the response is sent.
        case shared(Body)
    }

    package var status: Int
    package var headers: [(String, String)]
    package var content: Content

    package init(status: Int, headers: [(String, String)] = [], content: Content) {
        self.status = status
        self.headers = headers
        self.content = content
    }

    package static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], content: .bytes(Array(text.utf8)))
    }

    package static func json(_ status: Int, _ bytes: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], content: .bytes(bytes))
    }
}

/// One path the server answers, with the methods it allows.
package struct Route: Sendable {
    package enum Match: Sendable {
        case exact(String)
        /// The path and everything below it, e.g. `/api/v1/groups` and `/api/v1/groups/NAME`.
        case subtree(String)
    }

    package let match: Match
    /// Listed on the landing page under this title when set.
    package let title: String?
    package let methods: Set<String>
    /// Request bodies larger than this are refused with 413 before they are read in full.
    package let maxBodyBytes: Int
    /// Called when the server refuses a body over `maxBodyBytes` (413) without calling `handler`.
    package let onBodyTooLarge: @Sendable () -> Void
    /// Decides from the request line and headers, before any body byte is read (and before
    /// `100 Continue`): a response refuses the request, nil lets its body be read.
    package let admit: @Sendable (HTTPRequest) -> HTTPResponse?
    package let handler: @Sendable (HTTPRequest) -> HTTPResponse

    package init(
        _ match: Match, title: String? = nil, methods: Set<String> = ["GET"], maxBodyBytes: Int = 0,
        onBodyTooLarge: @escaping @Sendable () -> Void = {}, admit: @escaping @Sendable (HTTPRequest) -> HTTPResponse? = { _ in nil },
        handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse
    ) {
        self.admit = admit
        self.match = match
        self.title = title
        self.methods = methods.contains("GET") ? methods.union(["HEAD"]) : methods
        self.maxBodyBytes = maxBodyBytes
        self.onBodyTooLarge = onBodyTooLarge
        self.handler = handler
    }

    /// The landing page's link to this route, for routes with a title.
    package var link: (path: String, title: String)? {
        guard let title else { return nil }
        switch match {
        case .exact(let path), .subtree(let path): return (path, title)
        }
    }

    func matches(_ path: String) -> Bool {
        switch match {
        case .exact(let exact): path == exact
        case .subtree(let root): path == root || path.hasPrefix(root + "/")
        }
    }
}

/// Finds the route for a request and answers 404 and 405 for the rest.
package struct Router: Sendable {
    package let routes: [Route]

    package init(routes: [Route]) {
        self.routes = routes
    }

    func route(for path: String) -> Route? {
        routes.first { $0.matches(path) }
    }

    /// The refusal of a request from its headers alone (no route, method not allowed, the route's
    /// own `admit`), or nil when its body may be read and `respond` called.
    func refusal(of request: HTTPRequest) -> HTTPResponse? {
        guard let route = route(for: request.path) else {
            return .text(404, "404 page not found\n")
        }
        guard route.methods.contains(request.method) else {
            var response = HTTPResponse.text(405, "405 method not allowed\n")
            response.headers.append(("Allow", route.methods.sorted().joined(separator: ", ")))
            return response
        }
        return route.admit(request)
    }

    /// The response to a request whose body has been read.
    func respond(to request: HTTPRequest) -> HTTPResponse {
        if let refusal = refusal(of: request) { return refusal }
        return route(for: request.path)!.handler(request)
    }
}
