/// An append-only byte buffer with the few primitives the exposition writers need.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    mutating func append(_ string: String) {
        var string = string
        string.withUTF8 { bytes.append(contentsOf: $0) }
    }

    mutating func append(_ byte: UInt8) {
        bytes.append(byte)
    }

    mutating func append(contentsOf other: [UInt8]) {
        bytes.append(contentsOf: other)
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
        if value == 0 {
            bytes.append(UInt8(ascii: "0"))
            return
        }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            while magnitude > 0 {
                digits[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            }
            if value < 0 { bytes.append(UInt8(ascii: "-")) }
            for index in stride(from: count - 1, through: 0, by: -1) {
                bytes.append(digits[index])
            }
        }
    }

    /// Ends a `{...}` label set, dropping the comma after its last label.
    mutating func closeLabelSet() {
        if bytes.last == UInt8(ascii: ",") { bytes.removeLast() }
        bytes.append(UInt8(ascii: "}"))
    }

    /// Appends a label value or HELP text, escaping backslash, newline and (when asked) double quote.
    mutating func append(escaping text: String, quotes: Bool) {
        var text = text
        text.withUTF8 { utf8 in
            let needsEscaping = utf8.contains { $0 == 0x5C || $0 == 0x0A || (quotes && $0 == 0x22) }
            guard needsEscaping else {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
                case 0x0A: bytes.append(0x5C); bytes.append(UInt8(ascii: "n"))
                case 0x22 where quotes: bytes.append(0x5C); bytes.append(0x22)
                default: bytes.append(byte)
                }
            }
        }
    }
}
