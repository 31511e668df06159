import ClientStats
import Collectors
import Foundation

extension ExporterOptions {
    func pipelineStages() throws(ConfigurationError) -> [PipelineStage] {
        do {
            var stages = try pipelines.map(PipelineStage.init(parsing:))
            if let pipelineFile {
                guard let contents = FileManager.default.contents(atPath: pipelineFile) else {
                    throw ConfigurationError("--pipeline.file \(pipelineFile): file not readable")
                }
                stages += try PipelineStage.parseFile(String(decoding: contents, as: UTF8.self))
            }
            let names = stages.map(\.name)
            if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
                throw ConfigurationError("--pipeline: stage \"\(repeated)\" is declared twice")
            }
            return stages
        } catch let error as PipelineStage.ParseError {
            throw ConfigurationError(pipelineFile.map { "\($0): \(error)" } ?? error.description)
        } catch {
            throw error as! ConfigurationError
        }
    }

    func duplicateSettings() throws(ConfigurationError) -> DuplicateDetector.Settings? {
        guard let duplicatesTopic else { return nil }
        let filter: NameFilter
        do {
            filter = try NameFilter(include: duplicatesTopic)
        } catch {
            throw ConfigurationError("--duplicates.topic: \(error)")
        }
        var settings = DuplicateDetector.Settings(topics: filter)
        settings.window = try duration(duplicatesWindow, flag: "--duplicates.window")
        guard duplicatesSample >= 1 else { throw ConfigurationError("--duplicates.sample must be at least 1") }
        guard duplicatesMaxEntries >= 1 else { throw ConfigurationError("--duplicates.max-entries must be at least 1") }
        settings.samplingFactor = duplicatesSample
        settings.maxEntriesPerTopic = duplicatesMaxEntries
        return settings
    }

    func statisticsSettings() throws(ConfigurationError) -> StatisticsSettings {
        var settings = StatisticsSettings()
        let interval: Duration
        do {
            interval = try DurationParsing.parse(statsInterval)
        } catch {
            throw ConfigurationError("--stats.interval: \(error)")
        }
        settings.ownClientsInterval = interval > .zero ? interval : nil
        if let statsTokenFile {
            do {
                settings.token = try BearerToken(contentsOfFile: statsTokenFile)
            } catch {
                throw ConfigurationError("--stats.token-file: \(error)")
            }
        }
        if let statsTopic {
            guard !statsTopic.isEmpty else { throw ConfigurationError("--stats.topic: empty topic name") }
            settings.topic = statsTopic
        }
        settings.expiry = try statsExpiry.map { (text: String) throws(ConfigurationError) -> Duration in
            try duration(text, flag: "--stats.expiry")
        }
        guard statsMaxBytes >= 1024 else { throw ConfigurationError("--stats.max-bytes must be at least 1024") }
        settings.maxBodyBytes = statsMaxBytes
        return settings
    }
}
