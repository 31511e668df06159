import Foundation
import Synchronization

/// The in-memory registry: each source (a collector) publishes its families; the registry renders
/// only those, reassembles the exposition from cached per-family bytes and swaps in a new snapshot.
package final class Registry: Sendable {
    private struct RenderedFamily {
        let source: String
        let text: Body
        let openMetrics: Body
    }

    private struct State {
        var families: [String: RenderedFamily] = [:]
        var generation: UInt64 = 0
    }

    private let textWriter: ExpositionWriter
    private let openMetricsWriter: ExpositionWriter
    private let state = Mutex(State())
    private let current = Mutex(Snapshot.empty)

    package init(constantLabels: [(name: String, value: String)] = []) {
        textWriter = ExpositionWriter(format: .text, constantLabels: constantLabels)
        openMetricsWriter = ExpositionWriter(format: .openMetrics, constantLabels: constantLabels)
    }

    /// The latest snapshot; cheap enough for every scrape.
    package var snapshot: Snapshot {
        current.withLock { $0 }
    }

    /// Replaces every family previously published by `source` with `families`.
    /// A family name belongs to the first source that publishes it; a clash is a programming error.
    package func publish(source: String, families: [MetricFamily]) {
        publish([source: families])
    }

    /// Publishes several sources at once, with a single new snapshot.
    package func publish(_ familiesBySource: [String: [MetricFamily]]) {
        let rendered = familiesBySource.flatMap { source, families in
            families.map { family in
                (family.name, RenderedFamily(
                    source: source, text: textWriter.render(family), openMetrics: openMetricsWriter.render(family)))
            }
        }
        state.withLock { state in
            state.families = state.families.filter { familiesBySource[$0.value.source] == nil }
            for (name, family) in rendered {
                if let owner = state.families[name] {
                    preconditionFailure("family \(name) published by both \(owner.source) and \(family.source)")
                }
                state.families[name] = family
            }
            swapSnapshot(&state)
        }
    }

    /// Forgets every family of `source`.
    package func remove(source: String) {
        state.withLock { state in
            state.families = state.families.filter { $0.value.source != source }
            swapSnapshot(&state)
        }
    }

    private func swapSnapshot(_ state: inout State) {
        let families = state.families.keys.sorted().map { state.families[$0]! }
        var text = ByteWriter(capacity: families.reduce(0) { $0 + $1.text.count })
        var openMetrics = ByteWriter(capacity: families.reduce(16) { $0 + $1.openMetrics.count })
        for family in families {
            text.append(family.text)
            openMetrics.append(family.openMetrics)
        }
        openMetrics.append(openMetricsWriter.trailer)
        state.generation += 1
        let snapshot = Snapshot(
            generation: state.generation, createdAt: Date(), text: text.finish(), openMetrics: openMetrics.finish())
        current.withLock { $0 = snapshot }
    }
}
