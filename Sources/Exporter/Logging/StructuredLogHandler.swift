import FoundationEssentials
import Glibc
import Logging
import Support

/// Writes one line per event to standard error, as logfmt (`ts=... level=info msg="..." key=value`)
/// or as a JSON object.
struct StructuredLogHandler: LogHandler {
    let label: String
    let format: LogSettings.Format
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var fields: [(String, String)] = [
            ("ts", Self.timestamp()), ("level", event.level.rawValue), ("msg", event.message.description),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for key in merged.keys.sorted() {
            fields.append((key, merged[key]!.description))
        }
        let line = format == .json ? Self.json(fields) : Self.logfmt(fields)
        StandardError.write(line + "\n")
    }

    private static func timestamp() -> String {
        Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeZone(separator: .omitted))
    }

    static func logfmt(_ fields: [(String, String)]) -> String {
        fields.map { key, value in
            let needsQuotes = value.isEmpty || value.contains { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "\n" }
            guard needsQuotes else { return "\(key)=\(value)" }
            let escaped = value.replacing("\\", with: "\\\\")
                .replacing("\"", with: "\\\"")
                .replacing("\n", with: "\\n")
            return "\(key)=\"\(escaped)\""
        }.joined(separator: " ")
    }

    private static let encoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    static func json(_ fields: [(String, String)]) -> String {
        var object: [String: String] = [:]
        for (key, value) in fields { object[key] = value }
        return String(decoding: (try? encoder.encode(object)) ?? Data(), as: UTF8.self)
    }
}

/// Serialises writes to standard error so that lines from different threads never interleave.
enum StandardError {
    private static let lock = Locked(())

    static func write(_ text: String) {
        lock.withLock { _ in
            SystemFile.write(text, to: STDERR_FILENO)
        }
    }
}
