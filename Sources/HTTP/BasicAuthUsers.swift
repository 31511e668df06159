import CCrypt
import CMicroHTTPDShims
import FoundationEssentials
import Glibc
import Synchronization
import Support

/// `basic_auth_users` of a web config: user names with bcrypt hashes, checked with libxcrypt's
/// `crypt_r`. A bcrypt check takes tens of milliseconds by design, so credentials that passed are
/// remembered (by a SHA-256 of user, hash and password, never the password itself; at most
/// `cacheLimit` of them) and a scrape repeating them costs a hash instead of a bcrypt run.
/// One bcrypt check runs at a time: a client guessing passwords occupies one server thread at most,
/// and the others keep serving remembered credentials.
package final class BasicAuthUsers: Sendable {
    package enum Verdict: Sendable {
        case allowed, denied
        /// Another bcrypt check is running; try again shortly.
        case busy
    }

    private let hashes: [String: String]
    private let cacheLimit: Int
    private let verified = Locked(Set<[UInt8]>())
    private let checking = Atomic<Bool>(false)
    /// Checked against when the user is unknown, so that unknown and known users take the same time.
    private let decoy = "$2y$10$abcdefghijklmnopqrstuuMzALlmpzDaP2z2Ik8aTtg9ovV7TtjYu"

    package init(hashes: [String: String], cacheLimit: Int = 1024) {
        self.hashes = hashes
        self.cacheLimit = cacheLimit
    }

    /// Whether a hash is one `crypt_r` checks as bcrypt.
    package static func isBcrypt(_ hash: String) -> Bool {
        hash.count == 60 && ["$2a$", "$2b$", "$2y$"].contains(where: hash.hasPrefix)
    }

    /// Whether an `Authorization: Basic ...` header value names a user with the right password.
    package func verdict(_ authorization: String?) -> Verdict {
        guard let (user, password) = Self.credentials(authorization) else { return .denied }
        let hash = hashes[user]
        let key = Self.cacheKey(user: user, hash: hash ?? "", password: password)
        if hash != nil, verified.withLock({ $0.contains(key) }) { return .allowed }
        guard checking.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return .busy }
        let matches = Self.check(password, against: hash ?? decoy) && hash != nil
        checking.store(false, ordering: .releasing)
        if matches {
            verified.withLock { cache in
                if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
                cache.insert(key)
            }
        }
        return matches ? .allowed : .denied
    }

    private static func credentials(_ authorization: String?) -> (String, String)? {
        let parts = authorization?.split(separator: " ", maxSplits: 1) ?? []
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = Data(base64Encoded: String(parts[1]).trimmingWhitespace()),
              let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }

    private static func cacheKey(user: String, hash: String, password: String) -> [UInt8] {
        let material = Array(user.utf8) + [0] + Array(hash.utf8) + [0] + Array(password.utf8)
        var digest = [UInt8](repeating: 0, count: 32)
        material.withUnsafeBytes { kx_sha256($0.baseAddress, $0.count, &digest) }
        return digest
    }

    private static func check(_ password: String, against hash: String) -> Bool {
        let data = UnsafeMutablePointer<crypt_data>.allocate(capacity: 1)
        defer { data.deallocate() }
        memset(data, 0, MemoryLayout<crypt_data>.size)
        guard let result = crypt_r(password, hash, data) else { return false }
        let computed = Array(String(cString: result).utf8), expected = Array(hash.utf8)
        guard computed.count == expected.count else { return false }
        return zip(computed, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
