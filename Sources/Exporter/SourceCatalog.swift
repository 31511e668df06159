import ArgumentParser
import ClientStats
import ClusterMetrics
import Duplicates
import Insights
import MetricSources
import Probe

/// Every metric source the exporter can run, with its flags. Adding a source is one `@OptionGroup`
/// line here; the exporter makes the sources in this order (docs/architecture.md).
struct SourceCatalog: ParsableArguments, Sendable {
    @OptionGroup var health: ExporterHealthOptions
    @OptionGroup var cluster: ClusterSourceOptions
    @OptionGroup var brokerLoad: BrokerLoadOptions
    @OptionGroup var brokerPresence: BrokerPresenceOptions
    @OptionGroup var groupDetail: GroupDetailOptions
    @OptionGroup var topicDetail: TopicDetailOptions
    @OptionGroup var insights: InsightsOptions
    @OptionGroup var pipelines: PipelineOptions
    @OptionGroup var duplicates: DuplicateOptions
    @OptionGroup var clientStatistics: ClientStatsOptions
    @OptionGroup var probe: ProbeOptions

    /// The option groups above, in declaration order.
    var all: [any SourceOptions] {
        Mirror(reflecting: self).children.compactMap { ($0.value as? any SourceOptionGroup)?.options }
    }
}

/// Lets `SourceCatalog.all` read its `@OptionGroup` properties without naming each one again.
private protocol SourceOptionGroup {
    var options: any SourceOptions { get }
}

extension OptionGroup: SourceOptionGroup where Value: SourceOptions {
    fileprivate var options: any SourceOptions { wrappedValue }
}
