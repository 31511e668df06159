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
