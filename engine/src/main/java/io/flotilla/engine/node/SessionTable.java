package io.flotilla.engine.node;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongArrayQueue;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;

/**
 * The client sessions, replicated state: changed only by applying SESSION_OPEN, SESSION_CLOSE and COMMAND entries,
 * so every replica holds the same table. Closed sessions are remembered for a while (up to
 * {@link #CLOSED_SESSIONS_KEPT}) so a late request can still be answered SESSION_EXPIRED on its channel.
 */
public final class SessionTable
{
    /** Closed sessions remembered to answer SESSION_EXPIRED. */
    public static final int CLOSED_SESSIONS_KEPT = 1024;

    private final Long2ObjectHashMap<Session> sessions = new Long2ObjectHashMap<>();
    private final ArrayList<Session> openSessions = new ArrayList<>();
    private final LongArrayQueue closedIds = new LongArrayQueue();
    private final Long2ObjectHashMap<IngressBinding> proposedOpens = new Long2ObjectHashMap<>();
    private final ResponseChannels responseChannels;

    /**
     * @param responseChannels to reach sessions' clients.
     */
    public SessionTable(final ResponseChannels responseChannels)
    {
        this.responseChannels = responseChannels;
    }

    /**
     * The leader proposed a SESSION_OPEN: its id is taken, it counts towards the session limit until applied, and
     * when it is applied here the session is bound to the connection that asked for it.
     *
     * @param sessionId drawn for the session.
     * @param binding   the connection of the connect.
     */
    public void proposedOpen(final long sessionId, final IngressBinding binding)
    {
        proposedOpens.put(sessionId, binding);
    }

    /**
     * @return SESSION_OPEN entries this leader proposed that are not applied yet.
     */
    public int proposedOpenCount()
    {
        return proposedOpens.size();
    }

    /**
     * Forget the proposed opens (leadership changed: they are applied, or lost with the old leader's log).
     */
    public void clearProposedOpens()
    {
        proposedOpens.clear();
    }

    /**
     * @param sessionId a candidate for a new session.
     * @return whether it may not be used: 0, open, remembered closed, or already proposed.
     */
    public boolean isTaken(final long sessionId)
    {
        return 0 == sessionId || sessions.containsKey(sessionId) || proposedOpens.containsKey(sessionId);
    }

    /**
     * Apply a SESSION_OPEN entry. An id already in the table (two leaders drew the same one, or a forged log) opens
     * nothing, the same on every replica.
     *
     * @param sessionId        drawn by the leader.
     * @param key              the session key.
     * @param principal        the authenticated principal.
     * @param responseChannel  of the client.
     * @param responseStreamId of the client.
     * @param nowNs            local time, the session's first activity.
     * @return the new session, or null when the id is 0 or taken.
     */
    public Session open(
        final long sessionId,
        final byte[] key,
        final String principal,
        final String responseChannel,
        final int responseStreamId,
        final long nowNs)
    {
        final IngressBinding binding = proposedOpens.remove(sessionId);
        if (0 == sessionId || sessions.containsKey(sessionId))
        {
            return null;
        }
        final Session session = new Session(sessionId, key, principal, responseChannel, responseStreamId);
        session.lastActivityNs(nowNs);
        session.bind(binding);
        sessions.put(sessionId, session);
        openSessions.add(session);
        return session;
    }

    /**
     * Apply a SESSION_CLOSE entry.
     *
     * @param sessionId of the session.
     * @param nowNs     local time.
     * @return whether the session was open (and is now closed).
     */
    public boolean close(final long sessionId, final long nowNs)
    {
        final Session session = sessions.get(sessionId);
        if (null == session || session.isClosed())
        {
            return false;
        }

        session.close();
        openSessions.remove(session);
        if (null != session.channel())
        {
            responseChannels.release(session.channel(), nowNs);
            session.channel(null);
        }
        closedIds.addLong(sessionId);
        if (closedIds.size() > CLOSED_SESSIONS_KEPT)
        {
            sessions.remove(closedIds.pollLong());
        }
        return true;
    }

    /**
     * @param sessionId of a session.
     * @return the session, open or recently closed, or null.
     */
    public Session get(final long sessionId)
    {
        return sessions.get(sessionId);
    }

    /**
     * @return the number of open sessions.
     */
    public int openCount()
    {
        return openSessions.size();
    }

    /**
     * @param i 0 to {@link #openCount()} - 1.
     * @return an open session.
     */
    public Session openSession(final int i)
    {
        return openSessions.get(i);
    }

    /**
     * The channel to a session's client, opened on first use (a closed session gets a temporary one, released at
     * once: it lingers long enough to carry the reply).
     *
     * @param session to reach.
     * @param nowNs   local time.
     * @return the channel.
     */
    public ResponseChannels.Channel channel(final Session session, final long nowNs)
    {
        ResponseChannels.Channel channel = session.channel();
        if (null == channel)
        {
            channel = responseChannels.acquire(session.responseChannel(), session.responseStreamId(), nowNs);
            if (session.isClosed() || ResponseChannels.NO_CHANNEL == channel)
            {
                // Not kept when none could be had: the next reply tries again.
                responseChannels.release(channel, nowNs);
            }
            else
            {
                session.channel(channel);
            }
        }
        return channel;
    }

    /**
     * This node became leader: every open session's inactivity clock restarts (a new leader counts from its
     * election), and nothing of an earlier term is in flight any more.
     *
     * @param nowNs local time.
     */
    public void onLeadershipAcquired(final long nowNs)
    {
        proposedOpens.clear();
        for (int i = 0, size = openSessions.size(); i < size; i++)
        {
            final Session session = openSessions.get(i);
            session.lastActivityNs(nowNs);
            session.closeProposed(false);
            session.clearProposalsInFlight();
        }
    }

    /**
     * Write the replicated table for a snapshot: the open sessions in opening order, then the remembered closed
     * ones oldest first.
     *
     * @param out where the table goes.
     * @throws IOException when writing fails.
     */
    public void writeTo(final DataOutput out) throws IOException
    {
        out.writeInt(openSessions.size());
        for (int i = 0, size = openSessions.size(); i < size; i++)
        {
            openSessions.get(i).writeTo(out);
        }
        out.writeInt(closedIds.size());
        for (int i = 0, size = closedIds.size(); i < size; i++)
        {
            final long id = closedIds.pollLong();
            sessions.get(id).writeTo(out);
            closedIds.addLong(id);
        }
    }

    /**
     * Replace the table with one written by {@link #writeTo}: every current session is dropped (its channel
     * released) and the snapshot's sessions count as active from now.
     *
     * @param in         the table.
     * @param withEgress whether the sessions carry their messages (see {@link Session#readFrom}).
     * @param nowNs      local time, the loaded sessions' last activity.
     * @throws IOException when the bytes are not a session table.
     */
    public void loadFrom(final DataInput in, final boolean withEgress, final long nowNs) throws IOException
    {
        for (int i = openSessions.size() - 1; i >= 0; i--)
        {
            final Session session = openSessions.get(i);
            if (null != session.channel())
            {
                responseChannels.release(session.channel(), nowNs);
                session.channel(null);
            }
        }
        sessions.clear();
        openSessions.clear();
        closedIds.clear();
        proposedOpens.clear();

        final int open = in.readInt();
        if (open < 0)
        {
            throw new IOException("session table claims " + open + " open sessions");
        }
        for (int i = 0; i < open; i++)
        {
            final Session session = Session.readFrom(in, withEgress);
            if (session.isClosed())
            {
                throw new IOException("session " + session.id() + " is listed open but is closed");
            }
            session.lastActivityNs(nowNs);
            sessions.put(session.id(), session);
            openSessions.add(session);
        }
        final int closed = in.readInt();
        if (closed < 0 || closed > CLOSED_SESSIONS_KEPT)
        {
            throw new IOException("session table claims " + closed + " closed sessions");
        }
        for (int i = 0; i < closed; i++)
        {
            final Session session = Session.readFrom(in, withEgress);
            if (!session.isClosed())
            {
                throw new IOException("session " + session.id() + " is listed closed but is open");
            }
            sessions.put(session.id(), session);
            closedIds.addLong(session.id());
        }
    }
}
