import CZlib

/// gzip (RFC 1952) compression with zlib.
package enum Gzip {
    /// Compresses `input` into a gzip member. Level 1 keeps publication cheap: exposition text is so
    /// repetitive that higher levels gain little (see BENCHMARKS.md). Snapshots join per-family
    /// `DeflateSegment`s instead; this is for bodies compressed whole.
    package static func compress(_ input: Body, level: Int32 = 1) -> Body {
        var stream = z_stream()
        let windowBitsWithGzipHeader: Int32 = 15 + 16
        let initResult = deflateInit2_(
            &stream, level, Z_DEFLATED, windowBitsWithGzipHeader, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(initResult == Z_OK, "deflateInit2 failed: \(initResult)")
        defer { deflateEnd(&stream) }

        let capacity = Int(deflateBound(&stream, UInt(input.count))) + 32
        let output = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress.assumingMemoryBound(to: UInt8.self))
        stream.avail_in = UInt32(input.count)
        stream.next_out = output
        stream.avail_out = UInt32(capacity)
        let result = deflate(&stream, Z_FINISH)
        precondition(result == Z_STREAM_END, "deflate did not finish: \(result)")
        return Body(adopting: UnsafeMutableRawPointer(output), count: capacity - Int(stream.avail_out))
    }

    /// Decompresses a gzip member; used by tests and benchmarks to check what is served.
    package static func decompress(_ input: [UInt8]) -> [UInt8]? {
        var stream = z_stream()
        guard inflateInit2_(&stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            return nil
        }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        return input.withUnsafeBufferPointer { source -> [UInt8]? in
            stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
            stream.avail_in = UInt32(source.count)
            while true {
                let (result, written) = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    let result = inflate(&stream, Z_NO_FLUSH)
                    return (result, buffer.count - Int(stream.avail_out))
                }
                output.append(contentsOf: chunk[..<written])
                if result == Z_STREAM_END { return output }
                if result != Z_OK { return nil }
            }
        }
    }
}
