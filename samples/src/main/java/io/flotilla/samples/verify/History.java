package io.flotilla.samples.verify;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An immutable history of client operations, in invocation order, that can be saved to and read back from a
 * text file (one event per line, see {@link HistoryFormat}) so a history from a soak can be checked offline.
 */
public final class History
{
    private final List<Operation> operations;

    private History(final List<Operation> operations)
    {
        this.operations = operations;
    }

    /**
     * @param operations of the history, in any order; ids must be unique.
     * @return the history, its operations sorted by invocation time then id.
     */
    public static History of(final List<Operation> operations)
    {
        final List<Operation> sorted = new ArrayList<>(operations);
        sorted.sort(Comparator.comparingLong(Operation::invokeNs).thenComparingLong(Operation::id));
        final Set<Long> ids = new HashSet<>();
        for (final Operation operation : sorted)
        {
            if (!ids.add(operation.id()))
            {
                throw new IllegalArgumentException("duplicate operation id #" + operation.id());
            }
        }
        return new History(List.copyOf(sorted));
    }

    /**
     * @param file to read, written by {@link #write(Path)} or by hand in the same format.
     * @return the history it holds.
     * @throws IOException              when the file cannot be read.
     * @throws IllegalArgumentException when a line is malformed; the message names the line.
     */
    public static History read(final Path file) throws IOException
    {
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            return HistoryFormat.read(reader);
        }
    }

    /**
     * Write the history, replacing the file.
     *
     * @param file to write.
     * @throws IOException when it cannot be written.
     */
    public void write(final Path file) throws IOException
    {
        try (BufferedWriter writer = Files.newBufferedWriter(file, StandardCharsets.UTF_8))
        {
            HistoryFormat.write(this, writer);
        }
    }

    /**
     * @return the operations, in invocation order.
     */
    public List<Operation> operations()
    {
        return operations;
    }

    /**
     * @return the earliest invocation time, or 0 for an empty history; reports show times relative to it.
     */
    public long originNs()
    {
        return operations.isEmpty() ? 0 : operations.get(0).invokeNs();
    }

    /**
     * {@inheritDoc}
     */
    public boolean equals(final Object other)
    {
        return other instanceof History && operations.equals(((History)other).operations);
    }

    /**
     * {@inheritDoc}
     */
    public int hashCode()
    {
        return operations.hashCode();
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "History{" + operations.size() + " operations}";
    }
}
