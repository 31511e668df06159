import CZlib

/// gzip (RFC 1952) compression with zlib.
package enum Gzip {
    /// Compresses `input` into a gzip member. Level 1 keeps publication cheap: exposition text is so
    /// repetitive that higher levels gain little (see BENCHMARKS.md).
    package static func compress(_ input: Body, level: Int32 = 1) -> Body {
        compress([input], level: level)
    }

    /// Compresses the concatenation of `parts` without building it: a snapshot's families go straight
    /// from their rendered bytes into one gzip member. The output grows as needed rather than being
    /// sized for incompressible input (deflateBound), which would reserve as much as the input again.
    package static func compress(_ parts: [Body], level: Int32 = 1) -> Body {
        var stream = z_stream()
        let windowBitsWithGzipHeader: Int32 = 15 + 16
        let initResult = deflateInit2_(
            &stream, level, Z_DEFLATED, windowBitsWithGzipHeader, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(initResult == Z_OK, "deflateInit2 failed: \(initResult)")
        defer { deflateEnd(&stream) }

        let total = parts.reduce(0) { $0 + $1.count }
        var output = ByteWriter(capacity: total / 8 + 64)
        let room = 64 * 1024
        var index = 0
        repeat {
            let last = index >= parts.count - 1
            if index < parts.count {
                stream.next_in = UnsafeMutablePointer(mutating: parts[index].baseAddress.assumingMemoryBound(to: UInt8.self))
                stream.avail_in = UInt32(parts[index].count)
            }
            var result = Z_OK
            repeat {
                output.append(upTo: room) { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    result = deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH)
                    return buffer.count - Int(stream.avail_out)
                }
                precondition(result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR, "deflate failed: \(result)")
            } while last ? result != Z_STREAM_END : stream.avail_out == 0
            index += 1
        } while index < parts.count
        withExtendedLifetime(parts) {}
        return output.finish()
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
