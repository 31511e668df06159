#if canImport(Glibc)
import Glibc
#endif

/// An append-only byte buffer for the exposition writers: a plain growable allocation written with
/// memcpy, since rendering 100k series per cycle is the exporter's hottest loop (BENCHMARKS.md).
struct ByteWriter: ~Copyable {
    private var storage: UnsafeMutablePointer<UInt8>
    private var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 64)
        storage = .allocate(capacity: self.capacity)
    }

    deinit {
        storage.deallocate()
    }

    /// The bytes written so far, handed over without copying; the writer is used up. Room reserved
    /// but not used (sizes are estimated ahead) is given back to the allocator: a snapshot keeps its
    /// bodies for a whole cycle, and reused heap pages count in the resident size even when unused.
    consuming func finish() -> Body {
        #if canImport(Glibc)
        // Swift allocates through malloc on Linux; shrinking in place splits the block, without a copy.
        if capacity - count > max(capacity / 16, 4096), let shrunk = realloc(storage, max(count, 1)) {
            storage = shrunk.assumingMemoryBound(to: UInt8.self)
        }
        #endif
        let body = Body(adopting: UnsafeMutableRawPointer(storage), count: count)
        discard self
        return body
    }

    /// Makes room for `extra` more bytes, so that a run of appends does not check capacity each time.
    mutating func reserve(_ extra: Int) {
        guard count + extra > capacity else { return }
        let newCapacity = max(capacity * 2, count + extra)
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        grown.update(from: storage, count: count)
        storage.deallocate()
        storage = grown
        capacity = newCapacity
    }

    /// Lets `write` fill up to `extra` bytes of spare room in place (a compressor's output); it returns
    /// how many it wrote.
    mutating func append(upTo extra: Int, _ write: (UnsafeMutableBufferPointer<UInt8>) -> Int) {
        reserve(extra)
        let written = write(UnsafeMutableBufferPointer(start: storage + count, count: extra))
        precondition(written <= extra, "wrote past the room it was given")
        count += written
    }

    mutating func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress else { return }
        reserve(bytes.count)
        (storage + count).update(from: base, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    mutating func append(_ body: Body) {
        append(UnsafeBufferPointer(start: body.baseAddress.assumingMemoryBound(to: UInt8.self), count: body.count))
    }

    mutating func append(_ string: String) {
        var string = string
        string.withUTF8 { append($0) }
    }

    /// Appends `value` in the spelling Prometheus parsers accept: integers without a fraction,
    /// `+Inf`, `-Inf` and `NaN` for the special values, shortest round-trip form otherwise.
    mutating func append(number value: Double) {
        if value.isNaN {
            append("NaN")
        } else if value.isInfinite {
            append(value > 0 ? "+Inf" : "-Inf")
        } else if value == value.rounded(.towardZero), abs(value) < 1e15 {
            append(integer: Int64(value))
        } else {
            append(value.description)
        }
    }

    mutating func append(integer value: Int64) {
        reserve(20)
        if value < 0 {
            storage[count] = UInt8(ascii: "-")
            count += 1
        }
        var magnitude = value.magnitude
        var digits = 1
        var probe = magnitude
        while probe >= 10 {
            probe /= 10
            digits += 1
        }
        var index = count + digits - 1
        repeat {
            storage[index] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
            index -= 1
        } while magnitude > 0
        count += digits
    }

    /// Appends a label value or HELP text, escaping backslash, newline and (when asked) double quote.
    mutating func append(escaping text: borrowing String, quotes: Bool) {
        // Native strings are contiguous: read them in place, without a retained copy.
        if let done = text.utf8.withContiguousStorageIfAvailable({ append(escaping: $0, quotes: quotes) }) {
            return done
        }
        let bytes = Array(text.utf8)
        bytes.withUnsafeBufferPointer { append(escaping: $0, quotes: quotes) }
    }

    private mutating func append(escaping utf8: UnsafeBufferPointer<UInt8>, quotes: Bool) {
        reserve(utf8.count * 2)
        for byte in utf8 {
            switch byte {
            case 0x5C:
                storage[count] = 0x5C
                storage[count + 1] = 0x5C
                count += 2
            case 0x0A:
                storage[count] = 0x5C
                storage[count + 1] = UInt8(ascii: "n")
                count += 2
            case 0x22 where quotes:
                storage[count] = 0x5C
                storage[count + 1] = 0x22
                count += 2
            default:
                storage[count] = byte
                count += 1
            }
        }
    }

    /// Ends a `{...}` label set, dropping the comma after its last label.
    mutating func closeLabelSet() {
        if count > 0 && storage[count - 1] == UInt8(ascii: ",") { count -= 1 }
        append(UInt8(ascii: "}"))
    }
}
