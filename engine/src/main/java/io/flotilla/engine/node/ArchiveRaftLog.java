package io.flotilla.engine.node;

import io.flotilla.archive.ArchiveLogStore;
import io.flotilla.engine.raft.RaftLog;
import org.agrona.DirectBuffer;

/**
 * The core's log port over the node's log store. A truncation (or a reset after an installed snapshot) also drops
 * the in-process proposals waiting on the entries it removed, so their callers hear at once that those entries will
 * never commit. Appends are timed for the commit latency. Both are logged: they are rare (a leader change).
 */
final class ArchiveRaftLog implements RaftLog
{
    private static final System.Logger LOGGER = System.getLogger(ArchiveRaftLog.class.getName());

    private final int memberId;
    private final ArchiveLogStore log;
    private final Applier applier;
    private final CommitLatency commitLatency;

    ArchiveRaftLog(
        final int memberId, final ArchiveLogStore log, final Applier applier, final CommitLatency commitLatency)
    {
        this.memberId = memberId;
        this.log = log;
        this.applier = applier;
        this.commitLatency = commitLatency;
    }

    public long firstIndex()
    {
        return log.firstIndex();
    }

    public long lastIndex()
    {
        return log.lastIndex();
    }

    public long lastTerm()
    {
        return log.lastTerm();
    }

    public long termAt(final long index)
    {
        return log.termAt(index);
    }

    public long batchEnd(final long fromIndex, final int maxBytes)
    {
        return log.batchEnd(fromIndex, maxBytes);
    }

    public long durableIndex()
    {
        return log.durableIndex();
    }

    public void append(final DirectBuffer buffer, final int offset, final int length)
    {
        final long before = log.lastIndex();
        log.append(buffer, offset, length);
        commitLatency.onAppended(before + 1, log.lastIndex());
    }

    public void truncateAfter(final long index)
    {
        final long lastIndex = log.lastIndex();
        if (index < lastIndex)
        {
            // Normal Raft: entries of an earlier leader that never reached a majority give way to the new leader's.
            LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": truncating the log after index " + index +
                ": " + (lastIndex - index) + " uncommitted entries " + (index + 1) + ".." + lastIndex + " (terms " +
                log.termAt(index + 1) + ".." + log.lastTerm() + ") conflict with the leader's log");
        }
        log.truncateAfter(index);
        applier.onTruncated(index);
    }

    public void reset(final long previousIndex, final long previousTerm)
    {
        LOGGER.log(System.Logger.Level.INFO, "member " + memberId + ": discarding the log " + log.firstIndex() + ".." +
            log.lastIndex() + ": it does not continue the installed snapshot at index " + previousIndex + " term " +
            previousTerm + "; the log begins after it");
        log.reset(previousIndex, previousTerm);
        applier.onTruncated(previousIndex);
    }
}
