import Cluster
import Exposition
import HTTP

/// The exporter's sources and the one path from them to the registry.
package final class SourceSet: Sendable {
    package let sources: [any MetricSource]
    private let registry: Registry
    private let observers: [any PublicationObserver]

    package init(_ sources: [any MetricSource], registry: Registry) {
        let names = sources.map(\.name)
        precondition(Set(names).count == names.count, "two sources share a name: \(names)")
        self.sources = sources
        self.registry = registry
        observers = sources.compactMap { $0 as? any PublicationObserver }
    }

    /// Every source's HTTP endpoints.
    package var routes: [Route] { sources.flatMap(\.routes) }

    package func start() {
        for source in sources {
            let name = source.name
            source.start { [registry, observers] families in
                Self.assertDeclared(families, by: source)
                registry.publish(source: name, families: families)
                for observer in observers { observer.observe([name: families], after: nil) }
            }
        }
    }

    /// Publishes what every source derives from `cycle`, as one new snapshot.
    package func publish(after cycle: CollectionCycle) {
        var updates: [String: [MetricFamily]] = [:]
        for source in sources {
            if let families = source.families(after: cycle) {
                Self.assertDeclared(families, by: source)
                updates[source.name] = families
            }
        }
        registry.publish(updates)
        for observer in observers { observer.observe(updates, after: cycle) }
    }

    package func stop() {
        for source in sources.reversed() { source.stop() }
    }

    /// Debug builds stop at a family published other than as its source declares it (docs/metrics.md
    /// is generated from the declarations); release builds skip the check.
    private static func assertDeclared(_ families: [MetricFamily], by source: any MetricSource) {
        assert(undeclared(families, by: source).isEmpty, "\(source.name) publishes undeclared \(undeclared(families, by: source))")
    }

    private static func undeclared(_ families: [MetricFamily], by source: any MetricSource) -> [String] {
        let declared = type(of: source).declaredFamilies
        return families.filter { !declared.contains($0.declaration) }.map(\.name)
    }
}
