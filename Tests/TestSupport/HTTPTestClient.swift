import Foundation
import Support

/// A minimal HTTP/1.1 client over a POSIX socket, so tests control connections (keep-alive) and see
/// exactly what the server sent.
package final class HTTPTestClient {
    package struct Response {
        package let status: Int
        /// Header names in lower case.
        package let headers: [String: String]
        package let body: [UInt8]

        package var text: String { String(decoding: body, as: UTF8.self) }
    }

    package struct Failure: Error, CustomStringConvertible {
        package let description: String
    }

    private let socketDescriptor: Int32
    private var buffer: [UInt8] = []

    /// `source` binds the client's end to a loopback address of its own (e.g. 127.0.0.2), so that tests
    /// can act as several hosts.
    package init(port: UInt16, host: String = "127.0.0.1", source: String? = nil) throws {
        // Kept in a local until connected: a class whose init throws after setting every property is
        // deinitialized, and a second close would hit whatever descriptor reused the number.
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if let source {
            var local = sockaddr_in()
            local.sin_family = sa_family_t(AF_INET)
            inet_pton(AF_INET, source, &local.sin_addr)
            _ = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // Large bodies (the benchmarks' 8 MB scrapes) arrive in fewer wake-ups with a larger buffer.
        var receiveBuffer: Int32 = 4 << 20
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVBUF, &receiveBuffer, socklen_t(MemoryLayout<Int32>.size))
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(socketDescriptor)
            throw Failure(description: "connect to \(host):\(port) failed: \(reason)")
        }
        self.socketDescriptor = socketDescriptor
    }

    deinit {
        close(socketDescriptor)
    }

    package func request(_ method: String = "GET", _ path: String, headers: [String: String] = [:], body: [UInt8] = []) throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: localhost\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        try send(Array(head.utf8) + body)
        return try readResponse(method: method)
    }

    /// Sends raw bytes (for malformed requests) and reads one response.
    package func raw(_ bytes: [UInt8]) throws -> Response {
        try send(bytes)
        return try readResponse(method: "GET")
    }

    /// Sends bytes without waiting for an answer.
    package func write(_ bytes: [UInt8]) throws {
        try send(bytes)
    }

    /// Everything the server sends until it closes the connection (or 10 s pass without a byte).
    package func readUntilClosed() -> [UInt8] {
        var received = buffer
        buffer = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = recv(socketDescriptor, &chunk, chunk.count, 0)
            guard count > 0 else { return received }
            received.append(contentsOf: chunk[..<count])
        }
    }

    /// True when the server closed the connection.
    package var isClosedByServer: Bool {
        var byte: UInt8 = 0
        let flags = fcntl(socketDescriptor, F_GETFL)
        _ = fcntl(socketDescriptor, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(socketDescriptor, F_SETFL, flags) }
        return recv(socketDescriptor, &byte, 1, Int32(MSG_PEEK)) == 0
    }

    private func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Foundation.send(socketDescriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw Failure(description: "send failed: \(String(cString: strerror(errno)))") }
            offset += written
        }
    }

    private func readResponse(method: String) throws -> Response {
        let headerEnd = try readUntilHeaderEnd()
        let head = String(decoding: buffer[..<headerEnd], as: UTF8.self)
        buffer.removeFirst(headerEnd + 4)
        var lines = head.components(separatedBy: "\r\n")
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, let status = Int(statusLine[1]) else { throw Failure(description: "bad status line: \(head)") }
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = method == "HEAD" ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        return Response(status: status, headers: headers, body: try readBody(length: length))
    }

    /// Reads the body straight into its final array, so large bodies are not copied chunk by chunk.
    private func readBody(length: Int) throws -> [UInt8] {
        let buffered = min(length, buffer.count)
        var failure: Failure?
        let body = [UInt8](unsafeUninitializedCapacity: length) { destination, initialized in
            for index in 0..<buffered { destination[index] = buffer[index] }
            initialized = buffered
            while initialized < length {
                let count = recv(socketDescriptor, destination.baseAddress! + initialized, length - initialized, 0)
                guard count > 0 else {
                    failure = Failure(description: "connection closed after \(initialized) of \(length) body bytes")
                    return
                }
                initialized += count
            }
        }
        buffer.removeFirst(buffered)
        if let failure { throw failure }
        return body
    }

    /// The index of the blank line (CR LF CR LF) that ends the head, reading until it arrives.
    private func readUntilHeaderEnd() throws -> Int {
        var searched = 0
        while true {
            while searched + 3 < buffer.count {
                if buffer[searched] == 13, buffer[searched + 1] == 10, buffer[searched + 2] == 13, buffer[searched + 3] == 10 {
                    return searched
                }
                searched += 1
            }
            try receive()
        }
    }

    private func receive() throws {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let count = recv(socketDescriptor, &chunk, chunk.count, 0)
        guard count > 0 else { throw Failure(description: count == 0 ? "connection closed by server" : "recv failed: \(String(cString: strerror(errno)))") }
        buffer.append(contentsOf: chunk[..<count])
    }
}

extension HTTPTestClient {
    /// One request on a fresh connection.
    package static func get(port: UInt16, _ path: String, headers: [String: String] = [:]) throws -> Response {
        try HTTPTestClient(port: port).request("GET", path, headers: headers)
    }
}

extension HTTPTestClient {
    /// Sends `bytes` one at a time, `interval` apart, as a slow client does, and stops once the server
    /// has closed the connection: returns how long that took, nil if it never closed it.
    package func dribble(_ bytes: [UInt8], every interval: Duration) -> Duration? {
        let started = ContinuousClock.now
        for byte in bytes {
            if isClosedByServer { return ContinuousClock.now - started }
            try? write([byte])
            Thread.sleep(forTimeInterval: interval.seconds)
        }
        return isClosedByServer ? ContinuousClock.now - started : nil
    }
}
