import Cluster
import Exposition

/// A source that reads what the other sources publish (the overview page reads rates, lag, ratios
/// and client statistics by their family names). `SourceSet` tells it after every publication, on
/// the publishing thread: after each collection cycle, and whenever a source with a clock of its
/// own publishes.
package protocol PublicationObserver: Sendable {
    /// `familiesBySource` replaces everything each named source published before. `cycle` is the
    /// collection cycle the families were derived from; nil for a source publishing on its own clock.
    func observe(_ familiesBySource: [String: [MetricFamily]], after cycle: CollectionCycle?)
}
