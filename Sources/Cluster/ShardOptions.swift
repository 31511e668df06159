import ArgumentParser
import Glibc
import Support

/// `--shard.*`: how replicas split one cluster (`Shard`; docs/sharding.md).
package struct ShardOptions: ParsableArguments, Sendable {
    @Option(name: .customLong("shard.count"), help: "Replicas that split the consumer groups of one cluster between them.") var count: Int = Shard.whole.count

    @Option(name: .customLong("shard.index"), help: "This replica's part, 0 to --shard.count - 1; replica 0 also reports the cluster-wide families.") var index: Int?

    @Flag(name: .customLong("shard.index-from-hostname"), help: "Take --shard.index from the host name's ordinal suffix (a StatefulSet pod's -N).") var indexFromHostname = false

    package init() {}

    package func shard(hostname: () -> String = ShardOptions.hostname) throws(ConfigurationError) -> Shard {
        if index != nil && indexFromHostname {
            throw ConfigurationError("--shard.index and --shard.index-from-hostname exclude each other")
        }
        let index = try indexFromHostname ? Shard.ordinal(ofHostname: hostname()) : (index ?? 0)
        return try Shard(index: index, count: count)
    }

    package static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
