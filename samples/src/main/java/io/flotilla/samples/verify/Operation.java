package io.flotilla.samples.verify;

import java.util.Locale;
import java.util.Objects;

/**
 * One operation of a history: its call, who made it, when, and how it ended.
 *
 * @param id         unique within the history, in invocation order.
 * @param process    the client that made it; a label only, the checker does not rely on it.
 * @param op         the call.
 * @param invokeNs   when the client invoked it, {@link System#nanoTime()} of the recording JVM.
 * @param outcome    how it ended.
 * @param completeNs when the client saw it end; {@link #NEVER} when it never completed.
 * @param readValue  what a completed get returned, {@code null} for absent; {@code null} for other operations.
 * @param swapped    whether a completed compare-and-set swapped; {@code false} for other operations.
 */
public record Operation(
    long id,
    int process,
    KvOp op,
    long invokeNs,
    Outcome outcome,
    long completeNs,
    String readValue,
    boolean swapped)
{
    /** Completion time of an operation that never completed. */
    public static final long NEVER = Long.MAX_VALUE;

    /**
     * Validate the fields against each other.
     *
     * @param id         unique within the history.
     * @param process    the client that made it.
     * @param op         the call.
     * @param invokeNs   when it was invoked.
     * @param outcome    how it ended.
     * @param completeNs when it ended.
     * @param readValue  what a get returned.
     * @param swapped    whether a compare-and-set swapped.
     */
    public Operation
    {
        Objects.requireNonNull(op, "op");
        Objects.requireNonNull(outcome, "outcome");
        if (completeNs < invokeNs)
        {
            throw new IllegalArgumentException("operation #" + id + " completes before it is invoked");
        }
        if (NEVER == completeNs && Outcome.UNKNOWN != outcome)
        {
            throw new IllegalArgumentException("operation #" + id + " is " + outcome + " without a completion time");
        }
        final boolean okGet = Outcome.OK == outcome && KvOp.Kind.GET == op.kind();
        final boolean okCas = Outcome.OK == outcome && KvOp.Kind.CAS == op.kind();
        if ((null != readValue && !okGet) || (swapped && !okCas))
        {
            throw new IllegalArgumentException("operation #" + id + " carries a result its kind cannot have");
        }
    }

    /**
     * @return whether the client saw it complete (successfully or not).
     */
    public boolean completed()
    {
        return NEVER != completeNs;
    }

    /**
     * @return the result as text: the value a get read, whether a compare-and-set swapped, or the outcome.
     */
    public String resultText()
    {
        if (Outcome.OK != outcome)
        {
            return outcome.name().toLowerCase();
        }
        switch (op.kind())
        {
            case GET:
                return HistoryFormat.quote(readValue);
            case CAS:
                return swapped ? "swapped" : "not swapped";
            default:
                return "ok";
        }
    }

    /**
     * @param originNs time shown as zero.
     * @return a one-line description for reports: id, process, call, result, and invocation and completion times
     * in microseconds.
     */
    public String describe(final long originNs)
    {
        final String end = completed() ? micros(completeNs - originNs) + " us]" : "never]";
        return "#" + id + " p" + process + " " + op + " -> " + resultText() +
            " [" + micros(invokeNs - originNs) + " us, " + end;
    }

    private static String micros(final long ns)
    {
        return String.format(Locale.ROOT, "%.3f", ns / 1000.0);
    }
}
