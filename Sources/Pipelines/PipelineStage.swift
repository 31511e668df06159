import Support

/// A stage of a pipeline declared with `--pipeline 'router: _rawdata -> _policy,_flow'`: the consumer
/// group named like the stage reads the input topics and produces into the output topics.
package struct PipelineStage: Sendable, Equatable {
    package let name: String
    package let inputs: [String]
    package let outputs: [String]

    package init(name: String, inputs: [String], outputs: [String]) {
        self.name = name
        self.inputs = inputs
        self.outputs = outputs
    }

    /// The consumer group whose commits on the inputs measure what the stage takes in.
    package var group: String { name }

    /// Parses a `--pipeline` value.
    package init(parsing text: String) throws(ConfigurationError) {
        let problem = { (reason: String) in ConfigurationError("--pipeline \"\(text)\": \(reason) (expected 'stage: in,in -> out,out')") }
        guard let colon = text.firstIndex(of: ":") else { throw problem("no ':' after the stage name") }
        let name = text[..<colon].trimmingWhitespace()
        let flow = text[text.index(after: colon)...].split(separator: "->", omittingEmptySubsequences: false)
        guard !name.isEmpty else { throw problem("empty stage name") }
        guard flow.count == 2 else { throw problem("one '->' needed") }
        let topics = { (side: Substring) in
            side.split(separator: ",").map { $0.trimmingWhitespace() }.filter { !$0.isEmpty }
        }
        let inputs = topics(flow[0]), outputs = topics(flow[1])
        guard !inputs.isEmpty, !outputs.isEmpty else { throw problem("input and output topics are both needed") }
        self.init(name: name, inputs: inputs, outputs: outputs)
    }

    /// Stages from a file: one declaration per line, `#` starts a comment.
    package static func parseFile(_ contents: String) throws(ConfigurationError) -> [PipelineStage] {
        var stages: [PipelineStage] = []
        for line in contents.split(separator: "\n") {
            let declaration = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
                .trimmingWhitespace()
            if !declaration.isEmpty { stages.append(try PipelineStage(parsing: declaration)) }
        }
        return stages
    }
}
