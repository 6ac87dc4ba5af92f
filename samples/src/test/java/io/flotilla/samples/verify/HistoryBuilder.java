package io.flotilla.samples.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * Builds histories with explicit times for tests; ids in the order operations are added.
 */
final class HistoryBuilder
{
    private final List<Operation> operations = new ArrayList<>();

    HistoryBuilder put(final int process, final String key, final String value, final long invoke, final long end)
    {
        return add(process, KvOp.put(key, value), invoke, Outcome.OK, end, null, false);
    }

    HistoryBuilder delete(final int process, final String key, final long invoke, final long end)
    {
        return add(process, KvOp.delete(key), invoke, Outcome.OK, end, null, false);
    }

    HistoryBuilder get(final int process, final String key, final String read, final long invoke, final long end)
    {
        return add(process, KvOp.get(key), invoke, Outcome.OK, end, read, false);
    }

    HistoryBuilder cas(
        final int process,
        final String key,
        final String expected,
        final String value,
        final boolean swapped,
        final long invoke,
        final long end)
    {
        return add(process, KvOp.cas(key, expected, value), invoke, Outcome.OK, end, null, swapped);
    }

    HistoryBuilder fail(final int process, final KvOp op, final long invoke, final long end)
    {
        return add(process, op, invoke, Outcome.FAIL, end, null, false);
    }

    HistoryBuilder info(final int process, final KvOp op, final long invoke, final long end)
    {
        return add(process, op, invoke, Outcome.UNKNOWN, end, null, false);
    }

    HistoryBuilder pending(final int process, final KvOp op, final long invoke)
    {
        return add(process, op, invoke, Outcome.UNKNOWN, Operation.NEVER, null, false);
    }

    long lastId()
    {
        return operations.size() - 1;
    }

    History build()
    {
        return History.of(operations);
    }

    private HistoryBuilder add(
        final int process,
        final KvOp op,
        final long invoke,
        final Outcome outcome,
        final long end,
        final String read,
        final boolean swapped)
    {
        operations.add(new Operation(operations.size(), process, op, invoke, outcome, end, read, swapped));
        return this;
    }
}
