import Exposition
import Testing

@Suite struct RegistryTests {
    private func gauge(_ name: String, _ value: Double) -> MetricFamily {
        var family = MetricFamily(name: name, help: "\(name).", type: .gauge)
        family.add(value)
        return family
    }

    @Test func publishingReplacesOnlyThatSourcesFamilies() {
        let registry = Registry()
        registry.publish(source: "a", families: [gauge("alpha", 1), gauge("beta", 2)])
        registry.publish(source: "b", families: [gauge("gamma", 3)])
        registry.publish(source: "a", families: [gauge("alpha", 10)])
        let text = registry.snapshot.body(.text, gzip: false).string
        #expect(text.contains("alpha 10\n"))
        #expect(!text.contains("beta"))
        #expect(text.contains("gamma 3\n"))
    }

    @Test func familiesAreOrderedByName() {
        let registry = Registry()
        registry.publish(source: "z", families: [gauge("zeta", 1)])
        registry.publish(source: "a", families: [gauge("eta", 1), gauge("alpha", 1)])
        let names = registry.snapshot.body(.text, gzip: false).string
            .split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ")[0] }
        #expect(names == ["alpha", "eta", "zeta"])
    }

    @Test func gzipBodiesDecompressToThePlainOnes() {
        let registry = Registry()
        registry.publish(source: "a", families: (0..<500).map { gauge("metric_\($0)", Double($0)) })
        let snapshot = registry.snapshot
        for format in ExpositionFormat.allCases {
            let plain = snapshot.body(format, gzip: false).bytes
            let compressed = snapshot.body(format, gzip: true).bytes
            #expect(Gzip.decompress(compressed) == plain)
            #expect(compressed.count < plain.count / 4)
        }
    }

    @Test func openMetricsEndsWithEOFAndSnapshotsAreImmutable() {
        let registry = Registry()
        registry.publish(source: "a", families: [gauge("alpha", 1)])
        let first = registry.snapshot
        registry.remove(source: "a")
        #expect(first.body(.openMetrics, gzip: false).string.hasSuffix("alpha 1\n# EOF\n"))
        #expect(registry.snapshot.body(.openMetrics, gzip: false).string == "# EOF\n")
        #expect(registry.snapshot.generation == first.generation + 1)
        #expect(first.body(.text, gzip: false).string.contains("alpha 1"))
    }
}

extension RegistryTests {
    /// Bodies are built when first asked for, then ahead for every later snapshot: each snapshot's
    /// bodies show its own families, in both formats, plain and compressed.
    @Test func everyBodyShowsItsOwnSnapshotWhetherBuiltAheadOrOnRequest() {
        let registry = Registry()
        for value in 1...3 {
            registry.publish(source: "a", families: [gauge("alpha", Double(value))])
            let snapshot = registry.snapshot
            for format in ExpositionFormat.allCases {
                let plain = snapshot.body(format, gzip: false).string
                #expect(plain.contains("alpha \(value)\n"))
                #expect(Gzip.decompress(snapshot.body(format, gzip: true).bytes) == Array(plain.utf8))
            }
        }
    }
}

extension RegistryTests {
    /// A family large enough to be kept compressed, between small ones kept as text: every body is the
    /// families rendered alone, in name order, byte for byte.
    @Test func largeFamiliesKeptCompressedServeTheSameBytes() {
        var large = MetricFamily(name: "beta_offset", help: "Offsets.", type: .gauge, labelNames: ["topic", "partition"])
        for index in 0..<5_000 { large.add("topic-\(index / 10)", String(index % 10), Double(index * 31)) }
        var counter = MetricFamily(name: "gamma_total", help: "Say \"n\".", type: .counter)
        counter.add(7)
        let families = [gauge("alpha", 1), large, counter]
        let registry = Registry()
        registry.publish(source: "a", families: families)
        let snapshot = registry.snapshot
        for format in ExpositionFormat.allCases {
            let writer = ExpositionWriter(format: format)
            let expected = families.map { writer.render($0).string }.joined() + writer.trailer
            let plain = snapshot.body(format, gzip: false)
            #expect(plain.string == expected)
            #expect(Gzip.decompress(snapshot.body(format, gzip: true).bytes) == plain.bytes)
        }
        #expect(snapshot.body(.text, gzip: true).count < snapshot.body(.text, gzip: false).count / 5)
    }
}
