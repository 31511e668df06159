import ArgumentParser
import Cluster
import Support

/// A source's flags (an `@OptionGroup` of the exporter's options), their defaults and validation, and
/// how they make the source. `settings()` validates the flags and derives everything the source needs
/// (files read, regexes compiled) once; the other requirements only use that result. Errors are
/// `ConfigurationError`s that name the flag.
package protocol SourceOptions: ParsableArguments, Sendable {
    /// What the flags amount to once validated; `Void` for a source without flags.
    associatedtype Settings: Sendable = Void
    /// The source the flags make.
    associatedtype Source: MetricSource

    /// Validates the flags and derives the settings; called once at start.
    func settings() throws(ConfigurationError) -> Settings

    /// librdkafka properties every handle of the exporter gets (e.g. `statistics.interval.ms`).
    func kafkaProperties(_ settings: Settings) -> [(key: String, value: String)]

    /// Consumer groups the collection must read even where the broker does not list groups.
    func staticGroups(_ settings: Settings) -> [StaticGroup]

    /// The source these settings ask for; nil when they leave it off.
    func makeSource(_ settings: Settings, in context: SourceContext) throws -> Source?
}

extension SourceOptions {
    package func kafkaProperties(_ settings: Settings) -> [(key: String, value: String)] { [] }
    package func staticGroups(_ settings: Settings) -> [StaticGroup] { [] }

    /// The type of the source, whose families are known without making it.
    package var sourceType: any MetricSource.Type { Source.self }

    /// Validates the flags and derives the settings, once.
    package func plan() throws(ConfigurationError) -> SourcePlan {
        let settings = try settings()
        return SourcePlan(kafkaProperties: kafkaProperties(settings), staticGroups: staticGroups(settings)) { context in
            try makeSource(settings, in: context)
        }
    }
}

extension SourceOptions where Settings == Void {
    package func settings() {}
}

/// A source's validated flags: what the exporter needs before it makes the source, and how to make it.
package struct SourcePlan: Sendable {
    package let kafkaProperties: [(key: String, value: String)]
    package let staticGroups: [StaticGroup]
    private let make: @Sendable (SourceContext) throws -> (any MetricSource)?

    package init(
        kafkaProperties: [(key: String, value: String)] = [], staticGroups: [StaticGroup] = [],
        make: @escaping @Sendable (SourceContext) throws -> (any MetricSource)?
    ) {
        self.kafkaProperties = kafkaProperties
        self.staticGroups = staticGroups
        self.make = make
    }

    package func makeSource(in context: SourceContext) throws -> (any MetricSource)? {
        try make(context)
    }
}
