package io.flotilla.engine.sim;

import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.FrameVerdict;
import io.flotilla.codecs.ReadMode;
import io.flotilla.engine.raft.RaftNode;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One consensus message in flight between two simulated nodes, with its own copy of any entry bytes (as a
 * datagram would have).
 */
final class SimMessage
{
    enum Kind
    {
        REQUEST_VOTE, VOTE_RESPONSE, APPEND_ENTRIES, APPEND_RESPONSE, TIMEOUT_NOW, READ_INDEX_REQUEST,
        READ_INDEX_RESPONSE, TERM_PROBE, TERM_PROBE_RESPONSE,
        /** Runtime traffic: a piece of a snapshot (handled by the receiving {@link SimNode}, not the core). */
        SNAPSHOT_CHUNK,
        /** Runtime traffic: how much of a snapshot the receiver holds. */
        SNAPSHOT_ACK,
        /** Runtime traffic: a leader tells a silent peer how to reach it (handled by the receiving node). */
        LEADER_INTRODUCTION
    }

    final Kind kind;
    final int from;
    final int to;
    final long term;
    final long a;
    final long b;
    final long c;
    final long d;
    final long e;
    final boolean flag1;
    final boolean flag2;
    final byte[] entries;

    private SimMessage(
        final Kind kind,
        final int from,
        final int to,
        final long term,
        final long a,
        final long b,
        final long c,
        final long d,
        final long e,
        final boolean flag1,
        final boolean flag2,
        final byte[] entries)
    {
        this.kind = kind;
        this.from = from;
        this.to = to;
        this.term = term;
        this.a = a;
        this.b = b;
        this.c = c;
        this.d = d;
        this.e = e;
        this.flag1 = flag1;
        this.flag2 = flag2;
        this.entries = entries;
    }

    static SimMessage requestVote(
        final int from, final int to, final long term, final long lastIndex, final long lastTerm,
        final boolean preVote, final boolean transfer)
    {
        return new SimMessage(Kind.REQUEST_VOTE, from, to, term, lastIndex, lastTerm, 0, 0, 0, preVote, transfer, null);
    }

    static SimMessage voteResponse(
        final int from, final int to, final long term, final boolean preVote, final boolean granted)
    {
        return new SimMessage(Kind.VOTE_RESPONSE, from, to, term, 0, 0, 0, 0, 0, preVote, granted, null);
    }

    static SimMessage appendEntries(
        final int from, final int to, final long term, final long prevIndex, final long prevTerm,
        final long leaderCommit, final long leaderStamp, final byte[] entries)
    {
        return new SimMessage(
            Kind.APPEND_ENTRIES, from, to, term, prevIndex, prevTerm, leaderCommit, leaderStamp, 0, false, false,
            entries);
    }

    static SimMessage appendResponse(
        final int from, final int to, final long term, final boolean success, final long lastAppended,
        final long durable, final long conflictIndex, final long conflictTerm, final long echoStamp)
    {
        return new SimMessage(
            Kind.APPEND_RESPONSE, from, to, term, lastAppended, durable, conflictIndex, conflictTerm, echoStamp,
            success, false, null);
    }

    static SimMessage readIndexRequest(
        final int from, final int to, final long term, final long readId, final ReadMode mode)
    {
        return new SimMessage(
            Kind.READ_INDEX_REQUEST, from, to, term, readId, 0, 0, 0, 0, ReadMode.LEASE == mode, false, null);
    }

    static SimMessage readIndexResponse(
        final int from, final int to, final long term, final long readId, final long readIndex, final boolean granted)
    {
        return new SimMessage(
            Kind.READ_INDEX_RESPONSE, from, to, term, readId, readIndex, 0, 0, 0, granted, false, null);
    }

    static SimMessage timeoutNow(final int from, final int to, final long term)
    {
        return new SimMessage(Kind.TIMEOUT_NOW, from, to, term, 0, 0, 0, 0, 0, false, false, null);
    }

    static SimMessage termProbe(final int from, final int to, final long probeId)
    {
        return new SimMessage(Kind.TERM_PROBE, from, to, 0, probeId, 0, 0, 0, 0, false, false, null);
    }

    static SimMessage termProbeResponse(final int from, final int to, final long term, final long probeId)
    {
        return new SimMessage(Kind.TERM_PROBE_RESPONSE, from, to, term, probeId, 0, 0, 0, 0, false, false, null);
    }

    static SimMessage leaderIntroduction(final int from, final int to, final long term)
    {
        return new SimMessage(Kind.LEADER_INTRODUCTION, from, to, term, 0, 0, 0, 0, 0, false, false, null);
    }

    /**
     * @param offset the chunk's position in the snapshot's bytes; the chunk announces the snapshot's index, term,
     *               length and CRC-32.
     */
    static SimMessage snapshotChunk(
        final int from, final int to, final long term, final SimSnapshot snapshot, final int offset, final int length)
    {
        final byte[] chunk = new byte[length];
        System.arraycopy(snapshot.bytes, offset, chunk, 0, length);
        return new SimMessage(Kind.SNAPSHOT_CHUNK, from, to, term, snapshot.index, snapshot.term,
            snapshot.bytes.length, snapshot.checksum, offset, false, false, chunk);
    }

    /**
     * @param received bytes of the snapshot held from its start.
     */
    static SimMessage snapshotAck(
        final int from, final int to, final long term, final long index, final long indexTerm, final long received)
    {
        return new SimMessage(
            Kind.SNAPSHOT_ACK, from, to, term, index, indexTerm, received, 0, 0, false, false, null);
    }

    /**
     * @return a copy of this chunk with one byte flipped, as a corrupting link would deliver it.
     */
    SimMessage corrupted(final int position)
    {
        final byte[] bytes = entries.clone();
        bytes[position] ^= 0x5A;
        return new SimMessage(kind, from, to, term, a, b, c, d, e, flag1, flag2, bytes);
    }

    void deliverTo(final RaftNode node)
    {
        switch (kind)
        {
            case REQUEST_VOTE:
                node.onRequestVote(from, term, a, b, flag1, flag2);
                break;
            case VOTE_RESPONSE:
                node.onVoteResponse(from, term, flag1, flag2);
                break;
            case APPEND_ENTRIES:
            {
                // As the runtime does: the block is validated before the core sees it. Nothing here corrupts
                // bytes, so an invalid block is a bug in the sender.
                final UnsafeBuffer buffer = new UnsafeBuffer(entries);
                final FrameVerdict verdict = entries.length > 0 ?
                    FrameValidator.validateEntries(buffer, 0, entries.length, a + 1) : FrameVerdict.VALID;
                if (!verdict.isValid())
                {
                    throw new SimulationFailure("invalid entries block (" + verdict + ") in " + this);
                }
                node.onAppendEntries(from, term, a, b, c, buffer, 0, entries.length, d);
                break;
            }
            case APPEND_RESPONSE:
                node.onAppendResponse(from, term, flag1, a, b, c, d, e);
                break;
            case TIMEOUT_NOW:
                node.onTimeoutNow(from, term);
                break;
            case READ_INDEX_REQUEST:
                node.onReadIndexRequest(from, term, a, flag1 ? ReadMode.LEASE : ReadMode.READ_INDEX);
                break;
            case READ_INDEX_RESPONSE:
                node.onReadIndexResponse(from, term, a, b, flag1);
                break;
            case TERM_PROBE:
                node.onTermProbe(from, a);
                break;
            case TERM_PROBE_RESPONSE:
                node.onTermProbeResponse(from, term, a);
                break;
            default:
                throw new IllegalStateException("unknown kind " + kind);
        }
    }

    public String toString()
    {
        final String route = kind + " " + from + "->" + to + " term=" + term;
        switch (kind)
        {
            case REQUEST_VOTE:
                return route + " last=" + a + "/t" + b + (flag1 ? " PRE" : "") + (flag2 ? " TRANSFER" : "");
            case VOTE_RESPONSE:
                return route + (flag1 ? " PRE" : "") + (flag2 ? " granted" : " denied");
            case APPEND_ENTRIES:
                return route + " prev=" + a + "/t" + b + " commit=" + c + " stamp=" + d + " entries=" +
                    describeEntries();
            case APPEND_RESPONSE:
                return route + (flag1 ? " ok" : " REJECT conflict=" + c + "/t" + d) + " appended=" + a +
                    " durable=" + b + " echo=" + e;
            case READ_INDEX_REQUEST:
                return route + " read=" + a + (flag1 ? " LEASE" : "");
            case READ_INDEX_RESPONSE:
                return route + " read=" + a + (flag1 ? " index=" + b : " REFUSED");
            case SNAPSHOT_CHUNK:
                return route + " snapshot " + a + "/t" + b + " bytes " + e + ".." + (e + entries.length) + " of " + c;
            case SNAPSHOT_ACK:
                return route + " snapshot " + a + "/t" + b + " received " + c;
            default:
                return route;
        }
    }

    private String describeEntries()
    {
        if (entries.length == 0)
        {
            return "none";
        }
        final UnsafeBuffer buffer = new UnsafeBuffer(entries);
        long first = -1;
        long last = -1;
        long lastTerm = -1;
        int position = 0;
        while (position < entries.length)
        {
            if (first < 0)
            {
                first = EntryFrame.index(buffer, position);
            }
            last = EntryFrame.index(buffer, position);
            lastTerm = EntryFrame.term(buffer, position);
            position += EntryFrame.frameLength(buffer, position);
        }
        return first + ".." + last + "(last t" + lastTerm + ")";
    }
}
