/// Why a statistics document was refused, with where: the key path and the byte offset.
package struct StatsParseError: Error, Sendable, Equatable, CustomStringConvertible {
    package enum Kind: Sendable, Equatable {
        /// Not JSON at all: truncated, a bad token, nested too deep, a number out of range.
        case malformedJSON
        /// Valid JSON, but not a librdkafka statistics document (no client name or type, or a known
        /// field of the wrong type).
        case notStatistics
    }

    package let kind: Kind
    package let message: String
    /// Byte offset in the document where the problem was found.
    package let offset: Int
    /// Object keys from the root down to the offending value.
    package private(set) var path: [String] = []

    init(_ kind: Kind, _ message: String, at offset: Int) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    /// The same error seen from the enclosing object.
    func inside(_ key: String) -> StatsParseError {
        var outer = self
        outer.path.insert(key, at: 0)
        return outer
    }

    package var description: String {
        let location = path.isEmpty ? "" : path.joined(separator: ".") + ": "
        return "\(location)\(message) (at byte \(offset))"
    }
}
