import CYAML

/// A YAML document as libyaml composes it (anchors and aliases resolved), for the web config: the
/// C library Yams wraps, read without Yams, which would link full Foundation.
indirect enum YAMLNode {
    case scalar(String)
    case sequence([YAMLNode])
    case mapping([(key: YAMLNode, value: YAMLNode)])

    var scalar: String? {
        if case .scalar(let text) = self { return text }
        return nil
    }

    var mapping: [(key: YAMLNode, value: YAMLNode)]? {
        if case .mapping(let pairs) = self { return pairs }
        return nil
    }

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// Deeper documents are refused: an alias inside the node it names would otherwise nest forever.
    static let maxDepth = 64

    /// The single document in `text`, or nil when `text` holds none.
    static func parse(_ text: String) throws(Invalid) -> YAMLNode? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { throw Invalid(description: "out of memory") }
        defer { yaml_parser_delete(&parser) }
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { (input) throws(Invalid) -> YAMLNode? in
            yaml_parser_set_input_string(&parser, input.baseAddress, input.count)
            let root = try load(&parser)
            if root != nil, try load(&parser) != nil { throw Invalid(description: "more than one document") }
            return root
        }
    }

    /// The parser's next document, converted, or nil at the end of the stream.
    private static func load(_ parser: inout yaml_parser_t) throws(Invalid) -> YAMLNode? {
        var document = yaml_document_t()
        guard yaml_parser_load(&parser, &document) == 1 else { throw Invalid(description: problem(parser)) }
        defer { yaml_document_delete(&document) }
        guard let root = yaml_document_get_root_node(&document) else { return nil }
        return try convert(root, in: &document, depth: 0)
    }

    private static func convert(_ node: UnsafePointer<yaml_node_t>, in document: inout yaml_document_t, depth: Int) throws(Invalid) -> YAMLNode {
        guard depth < maxDepth else { throw Invalid(description: "nested deeper than \(maxDepth) levels") }
        func child(_ index: Int32) throws(Invalid) -> YAMLNode {
            guard let node = yaml_document_get_node(&document, index) else { throw Invalid(description: "dangling node reference") }
            return try convert(node, in: &document, depth: depth + 1)
        }
        switch node.pointee.type {
        case YAML_SCALAR_NODE:
            let scalar = node.pointee.data.scalar
            return .scalar(String(decoding: UnsafeBufferPointer(start: scalar.value, count: scalar.length), as: UTF8.self))
        case YAML_SEQUENCE_NODE:
            let items = node.pointee.data.sequence.items
            var nodes: [YAMLNode] = []
            for item in UnsafeBufferPointer(start: items.start, count: items.top - items.start) {
                nodes.append(try child(item))
            }
            return .sequence(nodes)
        default:
            let pairs = node.pointee.data.mapping.pairs
            var converted: [(key: YAMLNode, value: YAMLNode)] = []
            for pair in UnsafeBufferPointer(start: pairs.start, count: pairs.top - pairs.start) {
                converted.append((try child(pair.key), try child(pair.value)))
            }
            return .mapping(converted)
        }
    }

    /// "did not find expected node content at line 1, column 5 (while parsing a flow node)".
    private static func problem(_ parser: yaml_parser_t) -> String {
        guard parser.error != YAML_MEMORY_ERROR, let problem = parser.problem else { return "out of memory" }
        let place = parser.error == YAML_READER_ERROR
            ? "at byte \(parser.problem_offset)"
            : "at line \(parser.problem_mark.line + 1), column \(parser.problem_mark.column + 1)"
        let context = parser.context.map { " (\(String(cString: $0)))" } ?? ""
        return "\(String(cString: problem)) \(place)\(context)"
    }
}
