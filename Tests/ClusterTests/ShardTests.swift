import ArgumentParser
import Cluster
import Support
import Testing

@Suite struct ShardTests {
    /// The published FNV-1a 64-bit test vectors (Fowler, Noll, Vo): users may compute placement with
    /// any implementation of the same function.
    @Test func hashIsFNV1a64() {
        #expect(Shard.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(Shard.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(Shard.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
    }

    @Test func everyNameHasExactlyOneOwner() throws {
        let shards = try (0..<3).map { try Shard(index: $0, count: 3) }
        let names = (0..<300).map { "group-\($0)" } + ["", "ünïcode", "a\"b"]
        var perShard = [0, 0, 0]
        for name in names {
            let owners = shards.filter { $0.owns(name) }
            #expect(owners.count == 1, "\(name) is owned by \(owners)")
            if let owner = owners.first { perShard[owner.index] += 1 }
        }
        // 303 names spread over three shards: none is left empty by the hash.
        #expect(perShard.allSatisfy { $0 > 60 }, "\(perShard)")
        #expect(shards.map(\.ownsClusterWide) == [true, false, false])
        #expect(Shard.whole.owns("anything") && Shard.whole.ownsClusterWide)
    }

    @Test func ordinalComesFromTheStatefulSetPodName() throws {
        #expect(try Shard.ordinal(ofHostname: "kafka-exporter-0") == 0)
        #expect(try Shard.ordinal(ofHostname: "kafka-exporter-12") == 12)
        for hostname in ["kafka-exporter", "kafka-exporter-", "kafka-exporter-x1", "kafka-exporter-+1", "kafka-exporter-1x", "7", ""] {
            #expect(throws: ConfigurationError.self, "\(hostname)") { try Shard.ordinal(ofHostname: hostname) }
        }
    }

    @Test func flagsSelectTheShard() throws {
        let shard = { (arguments: [String], hostname: String) throws -> Shard in
            try ShardOptions.parse(arguments).shard { hostname }
        }
        #expect(try shard([], "h") == .whole)
        #expect(try shard(["--shard.count", "3", "--shard.index", "2"], "h") == Shard(index: 2, count: 3))
        #expect(try shard(["--shard.count", "3", "--shard.index-from-hostname"], "kafka-exporter-1") == Shard(index: 1, count: 3))
    }

    @Test func invalidShardsNameTheFlag() {
        let problem = { (arguments: [String], hostname: String) -> String? in
            do {
                _ = try ShardOptions.parse(arguments).shard { hostname }
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(problem(["--shard.count", "0"], "h")?.contains("--shard.count") == true)
        #expect(problem(["--shard.count", "3", "--shard.index", "3"], "h")?.contains("--shard.index 3") == true)
        #expect(problem(["--shard.count", "2", "--shard.index=-1"], "h")?.contains("--shard.index") == true)
        #expect(problem(["--shard.count", "3", "--shard.index-from-hostname"], "kafka-exporter-3")?.contains("--shard.index 3") == true)
        #expect(problem(["--shard.count", "3", "--shard.index-from-hostname"], "exporter")?.contains("--shard.index-from-hostname") == true)
        #expect(problem(["--shard.index", "0", "--shard.index-from-hostname"], "e-0")?.contains("exclude each other") == true)
    }
}
