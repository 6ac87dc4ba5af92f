package io.flotilla.admin.tool;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * Rows of text printed in left-aligned columns, two spaces apart, under a header line.
 */
final class TextTable
{
    private final List<String[]> rows = new ArrayList<>();
    private final int columns;

    TextTable(final String... header)
    {
        columns = header.length;
        rows.add(header);
    }

    void row(final Object... cells)
    {
        if (cells.length != columns)
        {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + columns);
        }
        final String[] row = new String[columns];
        for (int i = 0; i < columns; i++)
        {
            row[i] = String.valueOf(cells[i]);
        }
        rows.add(row);
    }

    void print(final PrintWriter out)
    {
        final int[] widths = new int[columns];
        for (final String[] row : rows)
        {
            for (int i = 0; i < columns; i++)
            {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        final StringBuilder line = new StringBuilder();
        for (final String[] row : rows)
        {
            line.setLength(0);
            for (int i = 0; i < columns; i++)
            {
                line.append(row[i]);
                if (i < columns - 1)
                {
                    line.append(" ".repeat(widths[i] - row[i].length() + 2));
                }
            }
            out.println(line);
        }
    }
}
