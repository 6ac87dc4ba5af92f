package io.flotilla.engine.node;

import io.flotilla.archive.LogStore;
import io.flotilla.engine.raft.RaftLog;
import org.agrona.DirectBuffer;

/**
 * The core's log port over the node's log store. A truncation also drops the in-process proposals waiting on the
 * entries it removed, so their callers hear at once that those entries will never commit.
 */
final class ArchiveRaftLog implements RaftLog
{
    private final LogStore log;
    private final Applier applier;

    ArchiveRaftLog(final LogStore log, final Applier applier)
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
        // The runtime installs no snapshot yet, so the core never asks for this.
        throw new UnsupportedOperationException(
            "reset(" + previousIndex + ", " + previousTerm + "): snapshot install is not supported by this log yet");
    }
}
