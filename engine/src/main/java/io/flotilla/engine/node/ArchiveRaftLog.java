package io.flotilla.engine.node;

import io.flotilla.archive.ArchiveLogStore;
import io.flotilla.engine.raft.RaftLog;
import org.agrona.DirectBuffer;

/**
 * The core's log port over the node's log store. A truncation (or a reset after an installed snapshot) also drops
 * the in-process proposals waiting on the entries it removed, so their callers hear at once that those entries will
 * never commit.
 */
final class ArchiveRaftLog implements RaftLog
{
    private final ArchiveLogStore log;
    private final Applier applier;

    ArchiveRaftLog(final ArchiveLogStore log, final Applier applier)
    {
        this.log = log;
        this.applier = applier;
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
        log.append(buffer, offset, length);
    }

    public void truncateAfter(final long index)
    {
        log.truncateAfter(index);
        applier.onTruncated(index);
    }

    public void reset(final long previousIndex, final long previousTerm)
    {
        log.reset(previousIndex, previousTerm);
        applier.onTruncated(previousIndex);
    }
}
