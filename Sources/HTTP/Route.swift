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
