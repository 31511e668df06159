import FoundationEssentials
import Support

/// The secret that `POST /api/v1/stats` requires as `Authorization: Bearer <token>` (`--stats.token-file`).
package struct BearerToken: Sendable {
    package struct InvalidTokenFile: Error, CustomStringConvertible {
        package let description: String
    }

    private let secret: [UInt8]

    /// The file's content without surrounding whitespace (so a trailing newline does not count).
    package init(contentsOfFile path: String) throws(InvalidTokenFile) {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InvalidTokenFile(description: "--stats.token-file \(path): cannot read the file")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingWhitespace()
        guard !token.isEmpty else { throw InvalidTokenFile(description: "--stats.token-file \(path): the file is empty") }
        secret = Array(token.utf8)
    }

    package init(_ token: String) {
        precondition(!token.isEmpty, "an empty bearer token would let anyone in")
        secret = Array(token.utf8)
    }

    /// Whether an `Authorization` header value carries the token. The comparison takes the same time
    /// wherever the first difference is, so response times do not reveal the token byte by byte.
    package func authorizes(_ authorization: String?) -> Bool {
        let parts = authorization?.split(separator: " ", maxSplits: 1) ?? []
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        let presented = Array(parts[1].trimmingWhitespace().utf8)
        var difference = UInt8(presented.count == secret.count ? 0 : 1)
        for index in secret.indices {
            difference |= secret[index] ^ (index < presented.count ? presented[index] : 0)
        }
        return difference == 0
    }
}
