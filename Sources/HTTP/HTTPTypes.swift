import Exposition

public struct HTTPRequest: Sendable {
    public let method: String
    public let path: String
    /// Header names in lower case.
    public let headers: [String: String]
    public let queryItems: [String: String]
    public let body: [UInt8]

    public init(method: String, path: String, headers: [String: String] = [:], queryItems: [String: String] = [:], body: [UInt8] = []) {
        self.method = method
        self.path = path
        self.headers = headers
        self.queryItems = queryItems
        self.body = body
    }

    public func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }

    /// Whether the client accepts a gzip-encoded body (`Accept-Encoding: gzip`, not `gzip;q=0`).
    public var acceptsGzip: Bool {
        guard let acceptEncoding = header("accept-encoding") else { return false }
        return MediaRange.parseList(acceptEncoding).contains { $0.type == "gzip" && $0.quality > 0 }
    }
}

public struct HTTPResponse: Sendable {
    public enum Content: Sendable {
        case bytes([UInt8])
        /// Served without copying; the body stays alive until the response is sent.
        case shared(Body)
    }

    public var status: Int
    public var headers: [(String, String)]
    public var content: Content

    public init(status: Int, headers: [(String, String)] = [], content: Content) {
        self.status = status
        self.headers = headers
        self.content = content
    }

    public static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", contentType)], content: .bytes(Array(text.utf8)))
    }

    public static func json(_ status: Int, _ bytes: [UInt8]) -> HTTPResponse {
        HTTPResponse(status: status, headers: [("Content-Type", "application/json")], content: .bytes(bytes))
    }
}

/// One path the server answers, with the methods it allows.
public struct Route: Sendable {
    public enum Match: Sendable {
        case exact(String)
        /// The path and everything below it, e.g. `/api/v1/groups` and `/api/v1/groups/NAME`.
        case subtree(String)
    }

    public let match: Match
    public let methods: Set<String>
    /// Request bodies larger than this are refused with 413 before they are read in full.
    public let maxBodyBytes: Int
    public let handler: @Sendable (HTTPRequest) -> HTTPResponse

    public init(_ match: Match, methods: Set<String> = ["GET"], maxBodyBytes: Int = 0, handler: @escaping @Sendable (HTTPRequest) -> HTTPResponse) {
        self.match = match
        self.methods = methods.contains("GET") ? methods.union(["HEAD"]) : methods
        self.maxBodyBytes = maxBodyBytes
        self.handler = handler
    }

    func matches(_ path: String) -> Bool {
        switch match {
        case .exact(let exact): path == exact
        case .subtree(let root): path == root || path.hasPrefix(root + "/")
        }
    }
}

/// Finds the route for a request and answers 404 and 405 for the rest.
public struct Router: Sendable {
    public private(set) var routes: [Route]
    /// Called for every refused request body (too large), for the caller's counters.
    let onBodyRejected: @Sendable (_ path: String, _ status: Int) -> Void

    public init(routes: [Route] = [], onBodyRejected: @escaping @Sendable (String, Int) -> Void = { _, _ in }) {
        self.routes = routes
        self.onBodyRejected = onBodyRejected
    }

    public mutating func add(_ route: Route) {
        routes.append(route)
    }

    func route(for path: String) -> Route? {
        routes.first { $0.matches(path) }
    }

    /// The response to a request whose route has been found and whose body has been read.
    func respond(to request: HTTPRequest) -> HTTPResponse {
        guard let route = route(for: request.path) else {
            return .text(404, "404 page not found\n")
        }
        guard route.methods.contains(request.method) else {
            var response = HTTPResponse.text(405, "405 method not allowed\n")
            response.headers.append(("Allow", route.methods.sorted().joined(separator: ", ")))
            return response
        }
        return route.handler(request)
    }
}
