import Primitives

/// How `next` and `status` lay out a table: on a terminal, the narrow columns fitted to its
/// width (long cells shortened with `…`); piped or with `--wide`, every column in full, so
/// scripts that cut columns get whole values. `--no-legend` drops the header and the footer.
package struct TableLayout: Sendable, Equatable {
    /// The width to fit; nil: every column, nothing shortened.
    package var width: Int?
    package var legend: Bool

    package init(width: Int? = nil, legend: Bool = true) {
        self.width = width
        self.legend = legend
    }

    /// Every column, in full, with header and footer.
    package static let full = TableLayout()

    /// Whether the narrow set of columns is shown (wide-only columns left out).
    var narrow: Bool { width != nil }
}

/// One column of a report table.
package struct TableColumn: Sendable {
    var title: String
    /// The width a long cell is shortened to at the least; nil: never shortened.
    var minWidth: Int?
    /// Shown only with the full layout (`--wide`, or piped).
    var wideOnly: Bool
    /// Shortened before the names are (tokens, execution ids, errors: `--wide` has them whole).
    var shortenFirst: Bool

    init(_ title: String, shortenTo minWidth: Int? = nil, first: Bool = false, wideOnly: Bool = false) {
        self.title = title
        self.minWidth = minWidth
        self.wideOnly = wideOnly
        self.shortenFirst = first
    }
}

extension ReportFormat {
    /// Rows under their columns' titles (without with `legend` off), laid out for `layout`.
    /// Cells hold what the endpoint said (execution ids, error codes and messages) and what the
    /// ledger file holds: control characters are escaped, so no cell can drive the terminal or
    /// break the table's lines.
    static func table(_ columns: [TableColumn], _ rows: [[String]], layout: TableLayout) -> String {
        let shown = columns.indices.filter { !(layout.narrow && columns[$0].wideOnly) }
        var cells = rows.map { row in shown.map { $0 < row.count ? TerminalText.escaped(row[$0]) : "" } }
        if layout.legend { cells.insert(shown.map { columns[$0].title }, at: 0) }
        guard let width = layout.width else { return self.columns(cells) }
        var widths = shown.indices.map { c in cells.map { $0[c].count }.max() ?? 0 }
        let floors = shown.enumerated().map { c, index in
            columns[index].minWidth.map { min($0, widths[c]) } ?? widths[c]
        }
        // Shorten one character at a time until the table fits: the widest of the columns to
        // shorten first (tokens, ids, errors), then the widest of the others (names).
        while widths.reduce(0, +) + 2 * (widths.count - 1) > width {
            let open = widths.indices.filter { widths[$0] > floors[$0] }
            let first = open.filter { columns[shown[$0]].shortenFirst }
            guard let c = (first.isEmpty ? open : first).max(by: { widths[$0] < widths[$1] }) else { break }
            widths[c] -= 1
        }
        cells = cells.map { row in row.enumerated().map { c, cell in shorten(cell, to: widths[c]) } }
        return self.columns(cells)
    }

    /// `cell`, or its first characters and `…` to fit `width`.
    static func shorten(_ cell: String, to width: Int) -> String {
        cell.count <= width ? cell : String(cell.prefix(max(0, width - 1))) + "…"
    }
}
