import Exporter
import Exposition

// Before any thread starts.
AllocationPolicy.reuseLargeBuffers()
ExporterCLI.main()
