import Exposition
import Foundation

// Prints ratios measured in one run; BENCHMARKS.md records results. `make bench` runs all of them.
let selected = Set(CommandLine.arguments.dropFirst())
func wanted(_ name: String) -> Bool { selected.isEmpty || selected.contains(name) }
if wanted("render") { RenderBenchmark.run() }
// The exporter applies AllocationPolicy at start; the render benchmark also measures without it.
AllocationPolicy.reuseLargeBuffers()
if wanted("scrape") { try ScrapeBenchmark.run() }
if wanted("collect") {
    try CollectionBenchmark.run()
    try LagTimestampBenchmark.run()
}
if wanted("stats") { try StatsParseBenchmark.run() }
if wanted("web") { try WebSecurityBenchmark.run() }
if wanted("overview") { OverviewBenchmark.run() }
if wanted("probe") { try ProbeBenchmark.run() }
if wanted("filter") { try NameFilterBenchmark.run() }
// Not part of a plain `make bench`: it needs the peer kit and takes tens of minutes.
if selected.contains("peer") {
    try PeerBenchmark.run(arguments: Array(CommandLine.arguments.drop { $0 != "peer" }.dropFirst()))
}
