import Glibc

/// A `--web.listen-address` value: `:9308` (every address), `127.0.0.1:9308`, `[::1]:9308`, `localhost:0`.
package struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    /// Nil for every local address.
    package let host: String?
    package let port: UInt16

    package init(host: String?, port: UInt16) {
        self.host = host
        self.port = port
    }

    package init(parsing text: String) throws(HTTPServerError) {
        guard let colon = text.lastIndex(of: ":") else {
            throw HTTPServerError("listen address \"\(text)\" must be HOST:PORT or :PORT")
        }
        var host = String(text[..<colon])
        guard let port = UInt16(text[text.index(after: colon)...]) else {
            throw HTTPServerError("listen address \"\(text)\" has an invalid port")
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.init(host: host.isEmpty ? nil : host, port: port)
    }

    package var description: String {
        guard let host else { return ":\(port)" }
        return host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    /// The socket address to bind, resolved with getaddrinfo; nil means every address.
    func resolve() throws(HTTPServerError) -> [UInt8]? {
        guard let host else { return nil }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let first = result else {
            throw HTTPServerError("cannot resolve listen address \(self): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(result) }
        return Array(UnsafeRawBufferPointer(start: first.pointee.ai_addr, count: Int(first.pointee.ai_addrlen)))
    }
}

package struct HTTPServerError: Error, CustomStringConvertible, Sendable {
    package let description: String
    package init(_ description: String) { self.description = description }
}
