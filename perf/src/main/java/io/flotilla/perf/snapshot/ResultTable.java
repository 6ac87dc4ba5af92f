package io.flotilla.perf.snapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table with columns as wide as their widest cell, for the snapshot benchmarks' printed results.
 */
final class ResultTable
{
    private final String[] header;
    private final List<String[]> rows = new ArrayList<>();

    /**
     * @param header the column names.
     */
    ResultTable(final String... header)
    {
        this.header = header;
    }

    /**
     * @param cells one per column.
     * @return this.
     */
    ResultTable row(final Object... cells)
    {
        if (cells.length != header.length)
        {
            throw new IllegalArgumentException(cells.length + " cells for " + header.length + " columns");
        }
        final String[] row = new String[cells.length];
        for (int i = 0; i < cells.length; i++)
        {
            row[i] = String.valueOf(cells[i]);
        }
        rows.add(row);
        return this;
    }

    /**
     * @return the table, one line per row after the header and a rule, columns right-aligned.
     */
    String render()
    {
        final int[] widths = new int[header.length];
        for (int i = 0; i < header.length; i++)
        {
            widths[i] = header[i].length();
            for (final String[] row : rows)
            {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        final StringBuilder out = new StringBuilder();
        line(out, header, widths);
        for (int i = 0; i < header.length; i++)
        {
            out.append(0 == i ? "" : "  ").append("-".repeat(widths[i]));
        }
        out.append(System.lineSeparator());
        for (final String[] row : rows)
        {
            line(out, row, widths);
        }
        return out.toString();
    }

    private static void line(final StringBuilder out, final String[] cells, final int[] widths)
    {
        for (int i = 0; i < cells.length; i++)
        {
            out.append(0 == i ? "" : "  ").append(" ".repeat(widths[i] - cells[i].length())).append(cells[i]);
        }
        out.append(System.lineSeparator());
    }
}
