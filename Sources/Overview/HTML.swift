/// Text for HTML element content and quoted attribute values alike: the five characters that can end
/// a text or an attribute, or start a tag or a character reference, become references.
enum HTML {
    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(character)
            }
        }
        return escaped
    }

    /// A phrase with its names in `<code>`.
    static func phrase(_ phrase: Phrase) -> String {
        phrase.parts.map { part in
            switch part {
            case .text(let text): escape(text)
            case .name(let name): "<code>\(escape(name))</code>"
            }
        }.joined()
    }
}
