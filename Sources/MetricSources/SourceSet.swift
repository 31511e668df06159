import Cluster
import Exposition
import HTTP

/// The exporter's sources and the one path from them to the registry.
package final class SourceSet: Sendable {
    package let sources: [any MetricSource]
    private let registry: Registry

    package init(_ sources: [any MetricSource], registry: Registry) {
        let names = sources.map(\.name)
        precondition(Set(names).count == names.count, "two sources share a name: \(names)")
        self.sources = sources
        self.registry = registry
    }

    /// Every source's HTTP endpoints.
    package var routes: [Route] { sources.flatMap(\.routes) }

    package func start() {
        for source in sources {
            let name = source.name
            source.start { [registry] families in registry.publish(source: name, families: families) }
        }
    }

    /// Publishes what every source derives from `cycle`, as one new snapshot.
    package func publish(after cycle: CollectionCycle) {
        var updates: [String: [MetricFamily]] = [:]
        for source in sources {
            if let families = source.families(after: cycle) { updates[source.name] = families }
        }
        registry.publish(updates)
    }

    package func stop() {
        for source in sources.reversed() { source.stop() }
    }
}
