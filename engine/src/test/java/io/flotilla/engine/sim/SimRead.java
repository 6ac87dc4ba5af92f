package io.flotilla.engine.sim;

import io.flotilla.codecs.ReadMode;

/**
 * A batch of client reads that reached one node together and share one readId (as the runtime batches the queries of
 * one mode in a duty cycle), from the moment the node hands it to its core until it is served, failed, refused or lost
 * in a crash.
 */
public final class SimRead
{
    /**
     * What became of the batch.
     */
    public enum Outcome
    {
        /** Started; the core has not answered, or answered with a read index not yet applied here. */
        PENDING,
        /** {@code requestReadIndex} answered false: no read could start. */
        REFUSED,
        /** {@code onReadIndexFailed}: the client would hear NOT_LEADER. */
        FAILED,
        /** Answered from the state machine once it had applied the read index. */
        SERVED,
        /** The node crashed before answering. */
        LOST
    }

    final long readId;
    final ReadMode mode;
    final int count;
    final long requestedAtNs;
    ReadKind kind;
    long committedAtRequest;
    long readIndex = -1;
    long applyDeadlineNs;
    long servedIndex = -1;
    long servedState;
    Outcome outcome = Outcome.PENDING;

    SimRead(final long readId, final ReadMode mode, final int count, final long requestedAtNs)
    {
        this.readId = readId;
        this.mode = mode;
        this.count = count;
        this.requestedAtNs = requestedAtNs;
    }

    public Outcome outcome()
    {
        return outcome;
    }

    /**
     * @return the read index the core answered with, or -1.
     */
    public long readIndex()
    {
        return readIndex;
    }

    /**
     * @return the applied index the read was served at, or -1.
     */
    public long servedIndex()
    {
        return servedIndex;
    }

    public ReadKind kind()
    {
        return kind;
    }

    public String toString()
    {
        return "read " + readId + " " + kind + " x" + count + " at " + requestedAtNs / SimOptions.MS + "ms " + outcome +
            " (committed anywhere at request " +
            committedAtRequest + ", read index " + readIndex + ", served at " + servedIndex + ")";
    }
}
