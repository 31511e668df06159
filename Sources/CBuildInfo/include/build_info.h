#pragma once

/// The git commit the binary was built from (KAFKA_EXPORTER_REVISION when the manifest was loaded),
/// or "unknown".
const char *kafka_exporter_revision(void);
