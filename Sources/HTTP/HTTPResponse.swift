import Exposition

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
