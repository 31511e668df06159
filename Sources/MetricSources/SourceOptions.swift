import ArgumentParser
import Cluster
import Support

/// A source's flags (an `@OptionGroup` of the exporter's options), their defaults and validation, and
/// how they make the source. Errors are `ConfigurationError`s that name the flag.
package protocol SourceOptions: ParsableArguments, Sendable {
    /// librdkafka properties every handle of the exporter gets (e.g. `statistics.interval.ms`).
    func kafkaProperties() throws(ConfigurationError) -> [(key: String, value: String)]

    /// Consumer groups the collection must read even where the broker does not list groups.
    func staticGroups() throws(ConfigurationError) -> [StaticGroup]

    /// The source these flags ask for; nil when they leave it off.
    func makeSource(in context: SourceContext) throws -> (any MetricSource)?
}

extension SourceOptions {
    package func kafkaProperties() throws(ConfigurationError) -> [(key: String, value: String)] { [] }
    package func staticGroups() throws(ConfigurationError) -> [StaticGroup] { [] }
}
