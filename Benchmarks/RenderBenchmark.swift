import Cluster
import ClusterMetrics
import Exposition
#if PrometheusBaseline
import Prometheus
#endif

/// Rendering the kafka_exporter families from the model: ours end to end (families built from the
/// model, then rendered) against swift-prometheus 2.4.1 holding and emitting the same series.
enum RenderBenchmark {
    static func run() {
        let state = SyntheticCluster.state(topics: 10, partitionsPerTopic: 1000, groups: 15)
        // glibc's default first: mallopt cannot be taken back within the process.
        let oursWithDefaultMalloc = Measure.fastest { _ = renderOurs(state) }
        AllocationPolicy.reuseLargeBuffers()
        print("## Rendering the cluster families (text format)")
        print("series    ours (build+render)  per series")
        for partitionsPerTopic in [250, 500, 1000, 2000] {
            let state = SyntheticCluster.state(topics: 10, partitionsPerTopic: partitionsPerTopic, groups: 10)
            let time = Measure.fastest { _ = renderOurs(state) }
            let series = SyntheticCluster.seriesCount(state)
            print(String(format: "%7d   %18@  %7.1f ns", series, time.formatted, time.milliseconds * 1e6 / Double(series)))
        }

        #if PrometheusBaseline
        let series = SyntheticCluster.seriesCount(state)
        let ours = Measure.fastest { _ = renderOurs(state) }
        var registration = Duration.zero
        let prometheus = registerWithSwiftPrometheus(state, took: &registration)
        var emitted: [UInt8] = []
        let emit = Measure.fastest {
            emitted.removeAll(keepingCapacity: true)
            prometheus.emit(into: &emitted)
        }
        let oursBytes = renderOurs(state).reduce(0) { $0 + $1.count }
        print("\n\(series) series (\(oursBytes) bytes ours, \(emitted.count) bytes swift-prometheus):")
        print("  ours, model → families → text:            \(ours.formatted)  (\(oursWithDefaultMalloc.formatted) before AllocationPolicy, which the exporter applies at start)")
        print("  swift-prometheus 2.4.1, register + set:   \(registration.formatted)")
        print("  swift-prometheus 2.4.1, emit alone:       \(emit.formatted)")
        print("  ratio swift-prometheus emit / ours:       \(ratio(emit, ours))  (goal ≥ 2×)")
        #else
        print("\nours before AllocationPolicy: \(oursWithDefaultMalloc.formatted); the swift-prometheus comparison needs --traits PrometheusBaseline (make bench)")
        #endif
    }

    static func renderOurs(_ state: ClusterState) -> [Body] {
        let writer = ExpositionWriter(format: .text)
        var bytes: [Body] = []
        for family in ClusterFamilies.build(state) { bytes.append(writer.render(family)) }
        return bytes
    }

    #if PrometheusBaseline
    private static func registerWithSwiftPrometheus(_ state: ClusterState, took: inout Duration) -> PrometheusCollectorRegistry {
        let registry = PrometheusCollectorRegistry()
        let start = ContinuousClock.now
        for family in ClusterFamilies.build(state) {
            let descriptor = MetricNameDescriptor(metricName: family.name, unitName: "", helpText: family.help)
            for sample in family.samples {
                registry.makeGauge(descriptor: descriptor, labels: Array(zip(family.labelNames, sample.labelValues))).set(sample.value)
            }
        }
        took = .now - start
        return registry
    }
    #endif
}
