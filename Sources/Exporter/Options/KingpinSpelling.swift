/// kafka_exporter parses its flags with kingpin, which also takes `--flag=true` and `--flag=false`
/// for a boolean flag, and an empty value as `--option=` (charts render `--sasl.mechanism=`). This
/// rewrites those into the `--flag` / `--no-flag` and `--option ""` forms the parser knows;
/// everything else passes unchanged.
struct KingpinSpelling {
    /// Long names (without `--`) of the boolean flags that have a `--no-` form.
    let booleanFlags: Set<String>

    /// The boolean flags listed in `help`: those shown with a `--no-` form. Read without a `Regex`, whose
    /// parser would be paged in at every start for this alone (BENCHMARKS.md, "The fixed cost at 1,000
    /// partitions").
    init(help: String) {
        var flags = Set<String>()
        for marker in ["--no-", "--[no-]"] {
            for following in help.split(separator: marker, omittingEmptySubsequences: false).dropFirst() {
                let name = following.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
                if let first = name.first, !"._-".contains(first) { flags.insert(String(name)) }
            }
        }
        booleanFlags = flags
    }

    /// The values Go's strconv.ParseBool (and so kingpin) accepts.
    private static let values: [String: Bool] = [
        "1": true, "t": true, "T": true, "true": true, "TRUE": true, "True": true,
        "0": false, "f": false, "F": false, "false": false, "FALSE": false, "False": false,
    ]

    func normalize(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            if argument == "--" {
                result.append(argument)
                result += rest
                break
            }
            guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else {
                result.append(argument)
                continue
            }
            let name = String(argument[argument.index(argument.startIndex, offsetBy: 2)..<equals])
            if argument.index(after: equals) == argument.endIndex, !booleanFlags.contains(name) {
                result += ["--\(name)", ""]
                continue
            }
            guard booleanFlags.contains(name), let value = Self.values[String(argument[argument.index(after: equals)...])] else {
                result.append(argument)
                continue
            }
            result.append(value ? "--\(name)" : "--no-\(name)")
        }
        return result
    }
}
