import Support

/// Which part of the cluster this replica reports when several replicas split one cluster
/// (`--shard.index`/`--shard.count`). A consumer group belongs to replica
/// `FNV-1a-64(UTF-8 bytes of its name) % count`, and so does a topic watched for duplicates; the
/// cluster-wide families (brokers, topics, partitions, watermarks, topic rates) come from replica 0
/// only. Every replica still reads every topic's watermarks: its groups' lag needs them.
package struct Shard: Sendable, Equatable, CustomStringConvertible {
    package let index: Int
    package let count: Int

    /// One replica reporting everything.
    package static let whole = Shard(uncheckedIndex: 0, count: 1)

    package init(index: Int, count: Int) throws(ConfigurationError) {
        guard count >= 1 else { throw ConfigurationError("--shard.count must be at least 1") }
        guard (0..<count).contains(index) else {
            throw ConfigurationError("--shard.index \(index) must be between 0 and --shard.count - 1 (\(count - 1))")
        }
        self.init(uncheckedIndex: index, count: count)
    }

    private init(uncheckedIndex index: Int, count: Int) { (self.index, self.count) = (index, count) }

    package var description: String { "\(index)/\(count)" }

    /// Whether this replica publishes the families that do not belong to a group.
    package var ownsClusterWide: Bool { index == 0 }

    /// Whether this replica reports the consumer group or duplicate-watched topic with this name.
    package func owns(_ name: String) -> Bool {
        count == 1 || Int(Self.fnv1a64(name) % UInt64(count)) == index
    }

    /// FNV-1a, 64 bits, over the name's UTF-8 bytes: stable across versions, platforms and runs, so
    /// users can compute where a group lands (docs/sharding.md).
    package static func fnv1a64(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The ordinal a StatefulSet gives its pods: the digits after the host name's last `-`.
    package static func ordinal(ofHostname hostname: String) throws(ConfigurationError) -> Int {
        let digits = hostname.reversed().prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, hostname.dropLast(digits.count).hasSuffix("-"), let ordinal = Int(String(digits.reversed())) else {
            throw ConfigurationError("--shard.index-from-hostname: host name \"\(hostname)\" does not end in -<ordinal> (a StatefulSet pod name)")
        }
        return ordinal
    }
}
