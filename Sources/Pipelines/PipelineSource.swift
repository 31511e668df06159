import ArgumentParser
import Cluster
import Exposition
import FoundationEssentials
import MetricSources
import Support

/// Messages in and out of each declared pipeline stage and their ratio (`PipelineTracker`).
package struct PipelineSource: ClusterStateSource {
    package let name = "pipeline"
    package static var declaredFamilies: [MetricFamily] { PipelineTracker.declaredFamilies }
    let tracker: PipelineTracker

    package func families(from state: ClusterState) -> [MetricFamily] {
        tracker.families(tracker.update(with: state))
    }
}

/// `--pipeline`, `--pipeline.file` and `--pipeline.window`; off until a stage is declared.
package struct PipelineOptions: SourceOptions {
    private static let stageHelp = "A pipeline stage: the consumer group STAGE reads the input topics and writes the output topics (repeatable)."

    @Option(name: .customLong("pipeline"), help: ArgumentHelp(stageHelp, valueName: "stage: in,in -> out,out"))
    package var declarations: [String] = []

    @Option(name: .customLong("pipeline.file"), help: "File with one --pipeline declaration per line (# comments).") var file: String?

    @Option(name: .customLong("pipeline.window"), parsing: .unconditional, help: "Window of the pipeline rates and amplification ratio.") var window: String = "5m"

    package init() {}

    /// The declared stages (flags, then the file) and the window.
    package struct Settings: Sendable {
        package let stages: [PipelineStage]
        package let window: Duration
    }

    package func settings() throws(ConfigurationError) -> Settings {
        var stages = try declarations.map(PipelineStage.init(parsing:))
        if let file {
            guard let contents = FileManager.default.contents(atPath: file) else {
                throw ConfigurationError("--pipeline.file \(file): file not readable")
            }
            do {
                stages += try PipelineStage.parseFile(String(decoding: contents, as: UTF8.self))
            } catch {
                throw ConfigurationError("\(file): \(error)")
            }
        }
        let names = stages.map(\.name)
        if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw ConfigurationError("--pipeline: stage \"\(repeated)\" is declared twice")
        }
        return Settings(stages: stages, window: try FlagValue.positiveDuration(window, flag: "--pipeline.window"))
    }

    /// A stage's group must be collected even where groups cannot be listed.
    package func staticGroups(_ settings: Settings) -> [StaticGroup] {
        settings.stages.map { StaticGroup(id: $0.group, topics: $0.inputs) }
    }

    package func makeSource(_ settings: Settings, in context: SourceContext) throws -> PipelineSource? {
        guard !settings.stages.isEmpty else { return nil }
        return PipelineSource(tracker: PipelineTracker(stages: settings.stages, window: settings.window))
    }
}
