import Cluster
import Exposition
import MetricSources
import Support

/// Publishes the probe's counters and histograms with every cycle, whether or not the cycle could read
/// the cluster: the probe is the signal that matters most when the cluster is in trouble.
package struct ProbeSource: MetricSource {
    package let name = "probe"
    package static var declaredFamilies: [MetricFamily] { ProbeFamilies.declared }
    let prober: Prober

    package func families(after cycle: CollectionCycle) -> [MetricFamily]? {
        ProbeFamilies.build(prober.snapshot())
    }

    package func start(publish: @escaping @Sendable ([MetricFamily]) -> Void) {
        prober.start()
    }

    package func stop() {
        prober.stop()
    }
}
