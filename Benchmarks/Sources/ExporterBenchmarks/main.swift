import Foundation

// Prints ratios measured in one run; see BENCHMARKS.md for recorded results.
let selected = Set(CommandLine.arguments.dropFirst())
if selected.isEmpty || selected.contains("render") { RenderBenchmark.run() }
