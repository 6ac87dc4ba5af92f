package io.flotilla.samples.verify;

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
 */
public final class HistoryRecorder
{
    private final LongSupplier nanoClock;
    private final Map<Long, Operation> inFlight = new HashMap<>();
    private final List<Operation> completed = new ArrayList<>();
    private long nextId;

    /**
     * A recorder on {@link System#nanoTime()}.
     */
    public HistoryRecorder()
    {
        this(System::nanoTime);
    }

    /**
     * @param nanoClock monotonic clock in nanoseconds, shared by every client of the history.
     */
    public HistoryRecorder(final LongSupplier nanoClock)
    {
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
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
        inFlight.put(id, new Operation(id, process, op, nanoClock.getAsLong(), Outcome.UNKNOWN, Operation.NEVER,
            null, false));
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
        completed.add(new Operation(invoked.id(), invoked.process(), invoked.op(), invoked.invokeNs(), outcome,
            nanoClock.getAsLong(), value, swapped));
    }
}
