import FoundationEssentials
import Support

/// The in-memory registry: each source (a collector) publishes its families; the registry renders
/// only those (their samples once, shared by both formats, and compressed once), and swaps in a new
/// snapshot made of the cached per-family pieces, with the bodies scrapers asked for lately built ahead.
package final class Registry: Sendable {
    private struct OwnedFamily {
        let source: String
        let rendered: RenderedFamily
    }

    private struct State {
        var families: [String: OwnedFamily] = [:]
        var generation: UInt64 = 0
    }

    private let textWriter: ExpositionWriter
    private let openMetricsWriter: ExpositionWriter
    private let state = Locked(State())
    private let current = Locked(Snapshot.empty)
    private let demand = ScrapeDemand()

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

    /// Publishes several sources at once, with a single new snapshot. Each family is let go as soon as
    /// it is rendered, so that a large cycle never holds all its families and all their bytes at once.
    package func publish(_ familiesBySource: consuming [String: [MetricFamily]]) {
        let sources = Set(familiesBySource.keys)
        var rendered: [(String, OwnedFamily)] = []
        let compressor = SegmentCompressor()
        while let (source, families) = familiesBySource.popFirst() {
            var families = families
            while let family = families.popLast() {
                guard !family.isEmpty else { continue }
                rendered.append((family.name, OwnedFamily(source: source, rendered: RenderedFamily(
                    textMetadata: textWriter.metadata(family), openMetricsMetadata: openMetricsWriter.metadata(family),
                    samples: textWriter.samples(family), compressor: compressor))))
            }
        }
        state.withLock { state in
            state.families = state.families.filter { !sources.contains($0.value.source) }
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
        state.generation += 1
        let snapshot = Snapshot(
            generation: state.generation, createdAt: Date(),
            families: state.families.keys.sorted().map { state.families[$0]!.rendered }, demand: demand)
        snapshot.prepare(demand.recent)
        current.withLock { $0 = snapshot }
    }
}
