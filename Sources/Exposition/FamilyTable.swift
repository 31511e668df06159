/// Families that each take one sample from the same rows (a partition, a topic, a stage): declared once
/// as the columns of a table and filled row by row, with the labels given once per row.
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

    /// The families being filled, one per column. The positional `add`s allocate no label array per
    /// row: the partition families of a large cluster go through here.
    package struct Filling {
        @usableFromInline var filled: [MetricFamily]

        /// The families filled so far.
        package var families: [MetricFamily] { filled }
        /// The columns' value functions alone: reading a whole column per row would retain its strings.
        @usableFromInline let values: [@Sendable (Row) -> Double?]

        init(_ table: FamilyTable, capacity: Int) {
            values = table.columns.map(\.value)
            filled = table.columns.map { column in
                MetricFamily(name: column.name, help: column.help, type: column.type, labelNames: table.labelNames, capacity: capacity)
            }
        }

        @inlinable package mutating func add(_ row: Row, _ label: String) {
            for index in values.indices {
                if let value = values[index](row) { filled[index].add(label, value) }
            }
        }

        @inlinable package mutating func add(_ row: Row, _ first: String, _ second: String) {
            for index in values.indices {
                if let value = values[index](row) { filled[index].add(first, second, value) }
            }
        }

        @inlinable package mutating func add(_ row: Row, _ first: String, _ second: String, _ third: String) {
            for index in values.indices {
                if let value = values[index](row) { filled[index].add(first, second, third, value) }
            }
        }
    }

    package let labelNames: [String]
    package let columns: [Column]

    package init(labelNames: [String], _ columns: [Column]) {
        self.labelNames = labelNames
        self.columns = columns
    }

    /// The families the table fills, without samples.
    package var declaredFamilies: [MetricFamily] { filling().families }

    /// Empty families with room for `capacity` rows, to be filled with `add`.
    package func filling(capacity: Int = 0) -> Filling {
        Filling(self, capacity: capacity)
    }
}
