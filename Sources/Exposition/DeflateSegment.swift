import CZlib

/// Bytes compressed once into a piece of a deflate stream that ends on a byte boundary and is not the
/// last block, so that pieces compressed separately join into one gzip member by concatenation (the
/// way pigz compresses in parallel): a large family is kept compressed (~1/12 of its text), and a
/// snapshot's gzip body copies its pieces end to end instead of compressing everything again.
package struct DeflateSegment: Sendable {
    package let compressed: Body
    /// CRC-32 and length of the uncompressed bytes, which the gzip trailer combines.
    let crc: UInt32
    let count: Int

    init(compressed: Body, of parts: [Body]) {
        self.compressed = compressed
        crc = UInt32(parts.reduce(UInt(0)) { crc, part in
            CZlib.crc32(crc, part.baseAddress.assumingMemoryBound(to: UInt8.self), UInt32(part.count))
        })
        count = parts.reduce(0) { $0 + $1.count }
    }
}

/// Compresses pieces one after another with one zlib state, reset between them.
package final class SegmentCompressor {
    private var stream = z_stream()

    package init(level: Int32 = 1) {
        let result = deflateInit2_(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(result == Z_OK, "deflateInit2 failed: \(result)")
    }

    deinit {
        deflateEnd(&stream)
    }

    /// A raw deflate piece of the concatenation of `parts`, ending with a sync flush (an empty stored
    /// block) instead of a final block.
    package func segment(_ parts: [Body]) -> DeflateSegment {
        deflateReset(&stream)
        var output = ByteWriter(capacity: parts.reduce(0) { $0 + $1.count } / 8 + 64)
        for (index, part) in parts.enumerated() {
            let flush = index == parts.count - 1 ? Z_SYNC_FLUSH : Z_NO_FLUSH
            stream.next_in = UnsafeMutablePointer(mutating: part.baseAddress.assumingMemoryBound(to: UInt8.self))
            stream.avail_in = UInt32(part.count)
            repeat {
                output.append(upTo: 64 * 1024) { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = UInt32(buffer.count)
                    let result = deflate(&stream, flush)
                    precondition(result == Z_OK || result == Z_BUF_ERROR, "deflate failed: \(result)")
                    return buffer.count - Int(stream.avail_out)
                }
            } while stream.avail_out == 0
        }
        return DeflateSegment(compressed: output.finish(), of: parts)
    }
}

extension Gzip {
    /// One gzip member whose data is the concatenation of the segments' bytes.
    package static func member(_ segments: [DeflateSegment]) -> Body {
        var writer = ByteWriter(capacity: segments.reduce(20) { $0 + $1.compressed.count })
        // Header: magic, deflate, no flags, no time, no extra flags, OS unknown.
        writer.append([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 255])
        var crc: UInt = 0
        var length = 0
        for segment in segments {
            writer.append(segment.compressed)
            crc = crc32_combine(crc, UInt(segment.crc), Int(segment.count))
            length += segment.count
        }
        writer.append([0x03, 0x00])  // a final, empty block with fixed codes
        for shift in stride(from: 0, to: 32, by: 8) { writer.append(UInt8((UInt32(truncatingIfNeeded: crc) >> shift) & 0xFF)) }
        for shift in stride(from: 0, to: 32, by: 8) { writer.append(UInt8((UInt32(truncatingIfNeeded: length) >> shift) & 0xFF)) }
        return writer.finish()
    }

    /// The uncompressed bytes of segments, in one body.
    package static func inflated(_ segments: [DeflateSegment]) -> Body {
        var writer = ByteWriter(capacity: segments.reduce(0) { $0 + $1.count })
        appendInflated(segments, to: &writer)
        return writer.finish()
    }

    static func appendInflated(_ segments: [DeflateSegment], to writer: inout ByteWriter) {
        var stream = z_stream()
        precondition(inflateInit2_(&stream, -15, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK, "inflateInit2 failed")
        defer { inflateEnd(&stream) }
        for segment in segments {
            stream.next_in = UnsafeMutablePointer(mutating: segment.compressed.baseAddress.assumingMemoryBound(to: UInt8.self))
            stream.avail_in = UInt32(segment.compressed.count)
            // One byte more than the segment holds, so that inflate never stops for room before it
            // has read the segment's last (empty) block.
            writer.append(upTo: segment.count + 1) { buffer in
                stream.next_out = buffer.baseAddress
                stream.avail_out = UInt32(buffer.count)
                let result = inflate(&stream, Z_SYNC_FLUSH)
                precondition(result == Z_OK || result == Z_BUF_ERROR, "inflate of our own segment failed: \(result)")
                return buffer.count - Int(stream.avail_out)
            }
            precondition(stream.avail_in == 0, "inflate left part of a segment unread")
        }
    }
}
