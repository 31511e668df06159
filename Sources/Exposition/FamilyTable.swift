/// Families that each take one sample from the same rows (a partition, a topic, a stage): declared once
/// as the columns of a table and filled in one pass.
package struct FamilyTable<Row>: Sendable {
    package struct Column: Sendable {
        let name: String
        let type: MetricType
        let help: String
        /// The row's sample; nil leaves the row out of this family.
        let value: @Sendable (Row) -> Double?

        package init(_ name: String, _ type: MetricType, _ help: String, value: @escaping @Sendable (Row) -> Double?) {
            self.name = name
            self.type = type
            self.help = help
            self.value = value
        }
    }

    package let labelNames: [String]
    package let columns: [Column]

    package init(labelNames: [String], _ columns: [Column]) {
        self.labelNames = labelNames
        self.columns = columns
    }

    /// One family per column, with the rows' samples in row order.
    package func families(_ rows: [(labels: [String], row: Row)]) -> [MetricFamily] {
        columns.map { column in
            var family = MetricFamily(name: column.name, help: column.help, type: column.type, labelNames: labelNames, capacity: rows.count)
            for (labels, row) in rows {
                if let value = column.value(row) { family.add(labels, value) }
            }
            return family
        }
    }
}
