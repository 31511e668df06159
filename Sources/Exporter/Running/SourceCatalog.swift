import ArgumentParser
import ClientStats
import ClusterMetrics
import Duplicates
import Pipelines
import RatesAndLag
import MetricSources
import Overview
import ProcessMetrics
import Support
import Probe

/// Every metric source the exporter can run, with its flags. Adding a source is one `@OptionGroup`
/// line here; the exporter makes the sources in this order (docs/architecture.md).
struct SourceCatalog: ParsableArguments, Sendable {
    @OptionGroup var health: ExporterHealthOptions
    @OptionGroup var process: ProcessMetricsOptions
    @OptionGroup var cluster: ClusterSourceOptions
    @OptionGroup var brokerLoad: BrokerLoadOptions
    @OptionGroup var brokerPresence: BrokerPresenceOptions
    @OptionGroup var groupDetail: GroupDetailOptions
    @OptionGroup var topicDetail: TopicDetailOptions
    @OptionGroup var insights: RatesAndLagOptions
    @OptionGroup var pipelines: PipelineOptions
    @OptionGroup var duplicates: DuplicateOptions
    @OptionGroup var clientStatistics: ClientStatsOptions
    @OptionGroup var probe: ProbeOptions
    @OptionGroup var overview: OverviewOptions

    /// The option groups above, in declaration order.
    var all: [any SourceOptions] {
        Mirror(reflecting: self).children.compactMap { ($0.value as? any SourceOptionGroup)?.options }
    }

    /// Every source's flags validated and its settings derived, once, in declaration order.
    func plans() throws(ConfigurationError) -> [SourcePlan] {
        try all.map { (options: any SourceOptions) throws(ConfigurationError) -> SourcePlan in try options.plan() }
    }
}

/// Lets `SourceCatalog.all` read its `@OptionGroup` properties without naming each one again.
private protocol SourceOptionGroup {
    var options: any SourceOptions { get }
}

extension OptionGroup: SourceOptionGroup where Value: SourceOptions {
    fileprivate var options: any SourceOptions { wrappedValue }
}
