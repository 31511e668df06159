import Glibc

/// A TCP socket bound and listening on a `ListenAddress`, made before anything else starts (so a taken
/// port ends the process before any Kafka client connects) and handed to microhttpd later.
package final class ListeningSocket: Sendable {
    package let address: ListenAddress
    /// The bound port (differs from the requested one when it was 0).
    package let port: UInt16
    let descriptor: Int32

    package init(_ address: ListenAddress, backlog: Int32 = 128) throws(HTTPServerError) {
        self.address = address
        let resolved = try address.resolve()
        var candidates: [[UInt8]]
        if let resolved {
            candidates = [resolved]
        } else {
            // Every address: dual stack (IPv6 and IPv4) where the host has IPv6, else IPv4.
            var any6 = sockaddr_in6()
            any6.sin6_family = sa_family_t(AF_INET6)
            any6.sin6_port = address.port.bigEndian
            var any4 = sockaddr_in()
            any4.sin_family = sa_family_t(AF_INET)
            any4.sin_port = address.port.bigEndian
            candidates = [withUnsafeBytes(of: any6) { Array($0) }, withUnsafeBytes(of: any4) { Array($0) }]
        }
        var lastError: Int32 = 0
        for (index, socketAddress) in candidates.enumerated() {
            let family = socketAddress.withUnsafeBytes { Int32($0.load(as: sockaddr.self).sa_family) }
            let descriptor = socket(family, Int32(SOCK_STREAM.rawValue), 0)
            guard descriptor >= 0 else {
                lastError = errno
                continue
            }
            var one: Int32 = 1, zero: Int32 = 0
            setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            if family == AF_INET6 && resolved == nil {
                setsockopt(descriptor, Int32(IPPROTO_IPV6), IPV6_V6ONLY, &zero, socklen_t(MemoryLayout<Int32>.size))
            }
            let bound = socketAddress.withUnsafeBytes {
                bind(descriptor, $0.baseAddress!.assumingMemoryBound(to: sockaddr.self), socklen_t($0.count))
            }
            if bound == 0 && listen(descriptor, backlog) == 0 {
                _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
                self.descriptor = descriptor
                port = Self.boundPort(descriptor) ?? address.port
                return
            }
            lastError = errno
            close(descriptor)
            // Only a host without IPv6 moves on to IPv4; a taken port is the answer.
            if index == 0 && resolved == nil && lastError != EAFNOSUPPORT && lastError != EADDRNOTAVAIL { break }
        }
        throw HTTPServerError("cannot listen on \(address): \(String(cString: strerror(lastError)))")
    }

    /// Closes the socket if no server took it over.
    package func closeUnused() {
        close(descriptor)
    }

    private static func boundPort(_ descriptor: Int32) -> UInt16? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard result == 0 else { return nil }
        return withUnsafeBytes(of: storage) { bytes in
            // sin_port and sin6_port sit at the same offset, in network order.
            UInt16(bigEndian: bytes.load(fromByteOffset: 2, as: UInt16.self))
        }
    }
}
