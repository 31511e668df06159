import Exporter

ExporterCLI.main()
