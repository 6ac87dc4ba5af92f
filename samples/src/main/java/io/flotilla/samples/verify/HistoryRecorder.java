package io.flotilla.samples.verify;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Records client operations as they happen, for a linearizability check. Thread-safe: many client threads share
 * one recorder. A client calls {@link #invoke(int, KvOp)} just before it sends a request and one of the
 * completions just after it learns the outcome, so the recorded interval contains the real one:
 * <ul>
 *     <li>{@link #ok(long)}, {@link #ok(long, String)}, {@link #ok(long, boolean)}: the operation took effect,
 *     with that result (a compare-and-set whose comparison failed is {@code ok(id, false)}, not a failure);</li>
 *     <li>{@link #fail(long)}: it definitely did not take effect (rejected before reaching the log);</li>
 *     <li>{@link #info(long)}: the outcome is unknown (a timeout, a lost connection): it may take effect
 *     at any later time, or never.</li>
 * </ul>
 * Operations still in flight when {@link #history()} is taken are unknown.
 * <p>
 * Given an event log, the recorder also writes each event to it as it happens, in the history file format, so a
 * long run leaves its history on disk even if it never gets to save it; {@link History#read(java.nio.file.Path)}
 * reads such a log, operations left in flight included.
 */
public final class HistoryRecorder
{
    private final LongSupplier nanoClock;
    private final Writer eventLog;
    private final Map<Long, Operation> inFlight = new HashMap<>();
    private final List<Operation> completed = new ArrayList<>();
    private long nextId;

    /**
     * A recorder on {@link System#nanoTime()}, in memory only.
     */
    public HistoryRecorder()
    {
        this(System::nanoTime, null);
    }

    /**
     * @param nanoClock monotonic clock in nanoseconds, shared by every client of the history.
     * @param eventLog  where to write each event as it is recorded, or {@code null} for none; see {@link #flush()};
     *                  the caller closes it after the last event.
     * @throws UncheckedIOException when the header cannot be written.
     */
    public HistoryRecorder(final LongSupplier nanoClock, final Writer eventLog)
    {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
        this.eventLog = eventLog;
        log(HistoryFormat.HEADER);
    }

    /**
     * Flush the event log, if there is one.
     *
     * @throws UncheckedIOException when it cannot be flushed.
     */
    public synchronized void flush()
    {
        if (null != eventLog)
        {
            try
            {
                eventLog.flush();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    /**
     * Record an invocation; call it before the request is sent.
     *
     * @param process the client making it.
     * @param op      the call.
     * @return the id to complete it with.
     */
    public synchronized long invoke(final int process, final KvOp op)
    {
        Objects.requireNonNull(op, "op");
        final long id = nextId++;
        // The clock is read under the lock so that ids, and the events, are in time order.
        final Operation invoked = new Operation(id, process, op, nanoClock.getAsLong(), Outcome.UNKNOWN,
            Operation.NEVER, null, false);
        inFlight.put(id, invoked);
        log(HistoryFormat.invocationLine(invoked));
        return id;
    }

    /**
     * A put, delete or clear completed.
     *
     * @param id from {@link #invoke(int, KvOp)}.
     */
    public synchronized void ok(final long id)
    {
        final Operation invoked = inFlightOperation(id);
        if (KvOp.Kind.GET == invoked.op().kind() || KvOp.Kind.CAS == invoked.op().kind())
        {
            throw new IllegalArgumentException("operation #" + id + " is a " + invoked.op().kind() +
                ": complete it with its result");
        }
        complete(invoked, Outcome.OK, null, false);
    }

    /**
     * A get completed.
     *
     * @param id    from {@link #invoke(int, KvOp)}.
     * @param value it read, {@code null} for absent.
     */
    public synchronized void ok(final long id, final String value)
    {
        final Operation invoked = inFlightOperation(id);
        if (KvOp.Kind.GET != invoked.op().kind())
        {
            throw new IllegalArgumentException("operation #" + id + " is a " + invoked.op().kind() + ", not a get");
        }
        complete(invoked, Outcome.OK, value, false);
    }

    /**
     * A compare-and-set completed.
     *
     * @param id      from {@link #invoke(int, KvOp)}.
     * @param swapped whether the value matched and was replaced.
     */
    public synchronized void ok(final long id, final boolean swapped)
    {
        final Operation invoked = inFlightOperation(id);
        if (KvOp.Kind.CAS != invoked.op().kind())
        {
            throw new IllegalArgumentException("operation #" + id + " is a " + invoked.op().kind() + ", not a cas");
        }
        complete(invoked, Outcome.OK, null, swapped);
    }

    /**
     * The operation definitely did not take effect.
     *
     * @param id from {@link #invoke(int, KvOp)}.
     */
    public synchronized void fail(final long id)
    {
        complete(inFlightOperation(id), Outcome.FAIL, null, false);
    }

    /**
     * The outcome is unknown: it may take effect at any later time, or never.
     *
     * @param id from {@link #invoke(int, KvOp)}.
     */
    public synchronized void info(final long id)
    {
        complete(inFlightOperation(id), Outcome.UNKNOWN, null, false);
    }

    /**
     * @return the number of operations invoked and not yet completed.
     */
    public synchronized int inFlightCount()
    {
        return inFlight.size();
    }

    /**
     * @return a snapshot of everything recorded so far; operations in flight appear as never completed.
     */
    public synchronized History history()
    {
        final List<Operation> operations = new ArrayList<>(completed);
        operations.addAll(inFlight.values());
        return History.of(operations);
    }

    private Operation inFlightOperation(final long id)
    {
        final Operation invoked = inFlight.get(id);
        if (null == invoked)
        {
            throw new IllegalStateException("operation #" + id + " is not in flight (never invoked or completed)");
        }
        return invoked;
    }

    private void complete(final Operation invoked, final Outcome outcome, final String value, final boolean swapped)
    {
        inFlight.remove(invoked.id());
        final Operation operation = new Operation(invoked.id(), invoked.process(), invoked.op(), invoked.invokeNs(),
            outcome, nanoClock.getAsLong(), value, swapped);
        completed.add(operation);
        log(HistoryFormat.completionLine(operation));
    }

    private void log(final String line)
    {
        if (null != eventLog)
        {
            try
            {
                eventLog.write(line);
                eventLog.write('\n');
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
