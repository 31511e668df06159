import Exposition
import TestSupport
import Testing

@Suite struct HistogramTests {
    private func latency() -> MetricFamily {
        var histogram = Histogram(bounds: [0.005, 0.1, 1])
        for value in [0.001, 0.005, 0.05, 0.2, 7] { histogram.observe(value) }
        var family = MetricFamily(name: "probe_latency_seconds", help: "Latency.", type: .histogram, labelNames: ["broker"])
        family.add(["1"], histogram)
        return family
    }

    @Test func bucketsAreCumulativeAndBoundsInclusive() {
        var histogram = Histogram(bounds: [1, 2])
        for value in [0.5, 1, 1.5, 2, 3] { histogram.observe(value) }
        #expect(histogram.cumulativeBuckets.map(\.count) == [2, 4])
        #expect(histogram.count == 5 && histogram.sum == 8)
    }

    @Test func textFormat() {
        #expect(ExpositionWriter(format: .text).render(latency()).string == """
            # HELP probe_latency_seconds Latency.
            # TYPE probe_latency_seconds histogram
            probe_latency_seconds_bucket{broker="1",le="0.005"} 2
            probe_latency_seconds_bucket{broker="1",le="0.1"} 3
            probe_latency_seconds_bucket{broker="1",le="1"} 4
            probe_latency_seconds_bucket{broker="1",le="+Inf"} 5
            probe_latency_seconds_sum{broker="1"} 7.256
            probe_latency_seconds_count{broker="1"} 5

            """)
    }

    @Test func openMetricsWritesCanonicalBounds() {
        #expect(ExpositionWriter(format: .openMetrics).render(latency()).string == """
            # HELP probe_latency_seconds Latency.
            # TYPE probe_latency_seconds histogram
            probe_latency_seconds_bucket{broker="1",le="0.005"} 2
            probe_latency_seconds_bucket{broker="1",le="0.1"} 3
            probe_latency_seconds_bucket{broker="1",le="1.0"} 4
            probe_latency_seconds_bucket{broker="1",le="+Inf"} 5
            probe_latency_seconds_sum{broker="1"} 7.256
            probe_latency_seconds_count{broker="1"} 5

            """)
    }

    @Test(.enabled(if: Promtool.isInstalled, "needs promtool: run `make test-deps` (or `make test`) to install it"))
    func promtoolAcceptsHistogramsWithAndWithoutLabels() throws {
        var unlabeled = MetricFamily(name: "commit_latency_seconds", help: "Commit latency.", type: .histogram)
        unlabeled.add([], Histogram(bounds: [0.01, 0.1]))
        let writer = ExpositionWriter(format: .text)
        let result = try Promtool.checkMetrics(writer.render(latency()).string + writer.render(unlabeled).string)
        #expect(result.passes, "\(result.output)")
    }
}
