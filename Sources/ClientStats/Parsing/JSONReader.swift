#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A forward-only reader of one JSON text (RFC 8259) in UTF-8, for decoders that pick the values they
/// know and skip the rest without building a tree.
///
/// Every byte is checked, skipped values included: malformed input, invalid UTF-8, nesting deeper than
/// `maxDepth` and numbers beyond Double's range all end in a `StatsParseError`, never a trap.
/// The bytes must stay valid while the reader and the keys it returns are in use.
struct JSONReader {
    static let maxDepth = 64

    private let bytes: UnsafeRawBufferPointer
    private(set) var position = 0
    private var depth = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    // MARK: Structure

    /// Calls `body` with each member's key, positioned at the member's value, which `body` must read or
    /// skip. Errors thrown inside a member are reported with the member's key in their path.
    mutating func readObject(
        _ body: (inout JSONReader, JSONKey) throws(StatsParseError) -> Void
    ) throws(StatsParseError) {
        try expect(UInt8(ascii: "{"), "an object")
        try enterContainer()
        if try consume(UInt8(ascii: "}")) {
            depth -= 1
            return
        }
        repeat {
            let key = try readKey()
            do throws(StatsParseError) {
                try body(&self, key)
            } catch {
                throw error.inside(key.string)
            }
        } while try endOfMember(closing: UInt8(ascii: "}"))
        depth -= 1
    }

    /// Fails unless nothing but whitespace follows the value just read.
    mutating func expectEnd() throws(StatsParseError) {
        skipWhitespace()
        guard position == bytes.count else { throw malformed("unexpected data after the document") }
    }

    private mutating func readKey() throws(StatsParseError) -> JSONKey {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
            throw malformed(position < bytes.count ? "expected a string key" : "unexpected end of input")
        }
        let key = try scanString()
        try expect(UInt8(ascii: ":"), "':' after a key")
        return key
    }

    /// After a member or element: true at ',' (another follows), false at `closing`.
    private mutating func endOfMember(closing: UInt8) throws(StatsParseError) -> Bool {
        if try consume(UInt8(ascii: ",")) { return true }
        if try consume(closing) { return false }
        throw malformed(closing == UInt8(ascii: "}") ? "expected ',' or '}'" : "expected ',' or ']'")
    }

    private mutating func enterContainer() throws(StatsParseError) {
        depth += 1
        guard depth <= Self.maxDepth else { throw malformed("nested deeper than \(Self.maxDepth) levels") }
    }

    // MARK: Values

    /// A number, nil for `null`; any other value is the wrong type.
    mutating func readNumber() throws(StatsParseError) -> Double? {
        switch try peek() {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try scanNumber()
        case UInt8(ascii: "n"):
            try scanLiteral("null")
            return nil
        default: throw wrongType(expected: "a number")
        }
    }

    /// A string, nil for `null`; any other value is the wrong type.
    mutating func readString() throws(StatsParseError) -> String? {
        switch try peek() {
        case UInt8(ascii: "\""): return try scanString().string
        case UInt8(ascii: "n"):
            try scanLiteral("null")
            return nil
        default: throw wrongType(expected: "a string")
        }
    }

    /// True for an object (then read it), false for `null`; any other value is the wrong type.
    mutating func isObject() throws(StatsParseError) -> Bool {
        switch try peek() {
        case UInt8(ascii: "{"): return true
        case UInt8(ascii: "n"):
            try scanLiteral("null")
            return false
        default: throw wrongType(expected: "an object")
        }
    }

    /// Reads past one value of any type, checking it as thoroughly as if it were decoded.
    mutating func skipValue() throws(StatsParseError) {
        switch try peek() {
        case UInt8(ascii: "{"):
            try readObject { reader, _ throws(StatsParseError) in try reader.skipValue() }
        case UInt8(ascii: "["):
            position += 1
            try enterContainer()
            if try consume(UInt8(ascii: "]")) {
                depth -= 1
                return
            }
            repeat { try skipValue() } while try endOfMember(closing: UInt8(ascii: "]"))
            depth -= 1
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "t"): try scanLiteral("true")
        case UInt8(ascii: "f"): try scanLiteral("false")
        case UInt8(ascii: "n"): try scanLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try scanNumber()
        default: throw malformed("expected a value")
        }
    }

    // MARK: Scanning

    private mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    /// The next significant byte, not consumed.
    private mutating func peek() throws(StatsParseError) -> UInt8 {
        skipWhitespace()
        guard position < bytes.count else { throw malformed("unexpected end of input") }
        return bytes[position]
    }

    private mutating func consume(_ byte: UInt8) throws(StatsParseError) -> Bool {
        guard try peek() == byte else { return false }
        position += 1
        return true
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(StatsParseError) {
        guard try consume(byte) else { throw malformed("expected \(what)") }
    }

    private mutating func scanLiteral(_ literal: StaticString) throws(StatsParseError) {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - position >= count,
              memcmp(bytes.baseAddress! + position, literal.utf8Start, count) == 0
        else { throw malformed("invalid literal") }
        position += count
    }

    /// A string starting at the opening quote. Keys and values without escapes (all of librdkafka's)
    /// are returned as a view of the input; the rest are decoded.
    private mutating func scanString() throws(StatsParseError) -> JSONKey {
        position += 1
        let start = position
        var isASCII = true
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let raw = UnsafeRawBufferPointer(rebasing: bytes[start..<position])
                position += 1
                if !isASCII, String(validating: raw, as: UTF8.self) == nil {
                    throw malformed("invalid UTF-8 in a string", at: start)
                }
                return JSONKey(raw: raw, unescaped: nil)
            }
            if byte == UInt8(ascii: "\\") {
                return JSONKey(raw: UnsafeRawBufferPointer(start: nil, count: 0), unescaped: try decodeEscapedString(from: start))
            }
            guard byte >= 0x20 else { throw malformed("control character in a string") }
            if byte >= 0x80 { isASCII = false }
            position += 1
        }
        throw malformed("unterminated string")
    }

    /// Decodes a string containing escapes, from its first byte to past its closing quote.
    private mutating func decodeEscapedString(from start: Int) throws(StatsParseError) -> String {
        var utf8: [UInt8] = Array(bytes[start..<position])
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let string = String(validating: utf8, as: UTF8.self) else {
                    throw malformed("invalid UTF-8 in a string", at: start)
                }
                return string
            case UInt8(ascii: "\\"):
                try appendEscape(to: &utf8)
            case ..<0x20:
                throw malformed("control character in a string")
            default:
                utf8.append(byte)
            }
        }
        throw malformed("unterminated string")
    }

    private mutating func appendEscape(to utf8: inout [UInt8]) throws(StatsParseError) {
        guard position < bytes.count else { throw malformed("unterminated string") }
        let escape = bytes[position]
        position += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
        case UInt8(ascii: "b"): utf8.append(0x08)
        case UInt8(ascii: "f"): utf8.append(0x0C)
        case UInt8(ascii: "n"): utf8.append(0x0A)
        case UInt8(ascii: "r"): utf8.append(0x0D)
        case UInt8(ascii: "t"): utf8.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try readHex4())
            if (0xD800...0xDBFF).contains(scalar) {
                guard bytes.count - position >= 2, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw malformed("unpaired surrogate in \\u escape")
                }
                position += 2
                let low = UInt32(try readHex4())
                guard (0xDC00...0xDFFF).contains(low) else { throw malformed("unpaired surrogate in \\u escape") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw malformed("unpaired surrogate in \\u escape") }
            utf8.append(contentsOf: UTF8.encode(unicode)!)
        default:
            throw malformed("invalid escape")
        }
    }

    private mutating func readHex4() throws(StatsParseError) -> UInt16 {
        guard bytes.count - position >= 4 else { throw malformed("unterminated \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw malformed("invalid \\u escape")
            }
            value = value << 4 | UInt16(digit)
            position += 1
        }
        return value
    }

    /// A number per the JSON grammar. Integers of up to 18 digits (every librdkafka counter below
    /// 10^18) are converted exactly without strtod.
    private mutating func scanNumber() throws(StatsParseError) -> Double {
        let start = position
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        guard position < bytes.count, isDigit(bytes[position]) else { throw malformed("invalid number", at: start) }
        var integer: Int64 = 0
        let integerStart = position
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
        } else {
            while position < bytes.count, isDigit(bytes[position]) {
                if position - integerStart < 18 { integer = integer &* 10 &+ Int64(bytes[position] &- UInt8(ascii: "0")) }
                position += 1
            }
        }
        let integerDigits = position - integerStart
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            try scanDigits(numberStart: start)
        }
        if position < bytes.count, bytes[position] | 0x20 == UInt8(ascii: "e") {
            isInteger = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") { position += 1 }
            try scanDigits(numberStart: start)
        }
        if position < bytes.count, isDigit(bytes[position]) { throw malformed("leading zero in a number", at: start) }
        if isInteger && integerDigits <= 18 {
            return Double(negative ? -integer : integer)
        }
        return try convertWithStrtod(from: start)
    }

    private mutating func scanDigits(numberStart: Int) throws(StatsParseError) {
        guard position < bytes.count, isDigit(bytes[position]) else { throw malformed("invalid number", at: numberStart) }
        while position < bytes.count, isDigit(bytes[position]) { position += 1 }
    }

    private func convertWithStrtod(from start: Int) throws(StatsParseError) -> Double {
        let count = position - start
        let value = withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { text -> Double in
            text.baseAddress!.withMemoryRebound(to: UInt8.self, capacity: count + 1) { copy in
                copy.update(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + start, count: count)
                copy[count] = 0
            }
            return strtod(text.baseAddress!, nil)
        }
        guard value.isFinite else { throw malformed("number out of range", at: start) }
        return value
    }

    @inline(__always)
    private func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    // MARK: Errors

    private func malformed(_ message: String, at offset: Int? = nil) -> StatsParseError {
        StatsParseError(.malformedJSON, message, at: offset ?? position)
    }

    private func wrongType(expected: String) -> StatsParseError {
        let found: String
        switch bytes[position] {
        case UInt8(ascii: "{"): found = "an object"
        case UInt8(ascii: "["): found = "an array"
        case UInt8(ascii: "\""): found = "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): found = "a boolean"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): found = "a number"
        default: return malformed("expected a value")
        }
        return StatsParseError(.notStatistics, "expected \(expected), found \(found)", at: position)
    }
}

/// An object key (or string value) as read: a view of the input when it has no escapes.
struct JSONKey {
    let raw: UnsafeRawBufferPointer
    let unescaped: String?

    var string: String {
        unescaped ?? String(decoding: raw, as: UTF8.self)
    }

    /// Lets decoders `switch` over keys without creating Strings.
    static func ~= (pattern: StaticString, key: JSONKey) -> Bool {
        if let unescaped = key.unescaped { return unescaped == pattern.description }
        return key.raw.count == pattern.utf8CodeUnitCount
            && (key.raw.count == 0 || memcmp(key.raw.baseAddress!, pattern.utf8Start, key.raw.count) == 0)
    }
}
