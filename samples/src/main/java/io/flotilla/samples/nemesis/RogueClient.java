package io.flotilla.samples.nemesis;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.flotilla.codecs.MessageHeaderDecoder;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.Protocol;
import io.flotilla.codecs.RequestEncoder;
import io.flotilla.codecs.SessionAckDecoder;
import io.flotilla.codecs.SessionCloseEncoder;
import io.flotilla.codecs.SessionConnectEncoder;
import io.flotilla.engine.node.ClusterMembers;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A client that does not play by the rules, speaking the ingress protocol in raw SBE: requests sent into sessions
 * it did not open (ids it guessed, and ids next to the one it was given), a flood from one session that never
 * reads its responses, a burst of connects, and connects naming a response channel that would cost the node
 * memory. It remembers the sessions the cluster acknowledged and closes them on {@link #close()}.
 * <p>
 * One ingress publication per member and one response subscription, on the caller's media driver. Not thread safe.
 */
public final class RogueClient implements AutoCloseable
{
    private static final int RESPONSE_STREAM_ID = 31;
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;

    private final Aeron aeron;
    private final ExclusivePublication[] ingress;
    private final Subscription responses;
    private final String responseChannel;
    private final long sendTimeoutNs;
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final SessionConnectEncoder connectEncoder = new SessionConnectEncoder();
    private final SessionAckDecoder ackDecoder = new SessionAckDecoder();
    private final RequestEncoder requestEncoder = new RequestEncoder();
    private final SessionCloseEncoder closeEncoder = new SessionCloseEncoder();
    private final FragmentAssembler assembler = new FragmentAssembler(this::onResponse);
    /** Session id acknowledged, by the member that opened it. */
    private final Long2LongHashMap openedAt = new Long2LongHashMap(-1);
    private final LongArrayList acknowledgedCorrelations = new LongArrayList();
    private long nextCorrelationId = 1;
    private long newestSessionId;

    /**
     * @param aeronDirectoryName of the media driver to send from.
     * @param membersSpec        the cluster's members.
     * @param responseChannel    where this client receives (a UDP endpoint of its host).
     * @param sendTimeoutNs      how long one send may wait for its member.
     */
    public RogueClient(
        final String aeronDirectoryName, final String membersSpec, final String responseChannel,
        final long sendTimeoutNs)
    {
        final ClusterMembers members = ClusterMembers.parse(membersSpec);
        this.responseChannel = responseChannel;
        this.sendTimeoutNs = sendTimeoutNs;
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDirectoryName));
        ingress = new ExclusivePublication[ClusterMembers.MAX_MEMBER_ID + 1];
        try
        {
            responses = aeron.addSubscription(responseChannel, RESPONSE_STREAM_ID);
            for (final int id : members.ids())
            {
                ingress[id] = aeron.addExclusivePublication(
                    members.member(id).ingressChannel(), ClusterMembers.INGRESS_STREAM_ID);
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * Sends {@code count} SessionConnects to member {@code to} as fast as it takes them, naming
     * {@code channelParams} appended to this client's response channel (empty for none), then collects the
     * acknowledgements for {@code waitNs}.
     *
     * @return how many of them opened a session.
     */
    public int connect(final int to, final int count, final String channelParams, final long waitNs)
    {
        final long firstCorrelationId = nextCorrelationId;
        for (int i = 0; i < count; i++)
        {
            connectEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
                .correlationId(nextCorrelationId++)
                .responseStreamId(RESPONSE_STREAM_ID)
                .protocolVersion(Protocol.VERSION)
                .responseChannel(responseChannel + channelParams)
                .putCredentials(new byte[0], 0, 0);
            send(to, HEADER_LENGTH + connectEncoder.encodedLength());
        }
        drain(waitNs);
        int opened = 0;
        for (int i = 0; i < acknowledgedCorrelations.size(); i++)
        {
            opened += acknowledgedCorrelations.getLong(i) >= firstCorrelationId ? 1 : 0;
        }
        return opened;
    }

    /**
     * @return the id of the newest session the cluster acknowledged to this client, or 0 if none.
     */
    public long newestSession()
    {
        return newestSessionId;
    }

    /**
     * Requests carrying {@code command} sent to member {@code to} into sessions this client did not open: the
     * {@code around} ids on each side of {@code observedId} and {@code guesses} random ones, each with sequences
     * 1 to {@code sequences}.
     *
     * @return how many requests were sent.
     */
    public int hijack(
        final int to, final long observedId, final int around, final int guesses, final int sequences,
        final SplittableRandom random, final DirectBuffer command)
    {
        int sent = 0;
        for (int i = -around; i <= around + guesses; i++)
        {
            final long sessionId = i <= around ? observedId + i : random.nextLong();
            if (0 != sessionId && !openedAt.containsKey(sessionId))
            {
                for (int sequence = 1; sequence <= sequences; sequence++)
                {
                    sent += request(to, sessionId, sequence, command) ? 1 : 0;
                }
            }
        }
        return sent;
    }

    /**
     * {@code count} requests carrying {@code command} in session {@code sessionId} (one of this client's) as fast
     * as member {@code to} takes them, never reading a response.
     *
     * @return how many were sent.
     */
    public int flood(final int to, final long sessionId, final int count, final DirectBuffer command)
    {
        int sent = 0;
        for (int sequence = 1; sequence <= count; sequence++)
        {
            sent += request(to, sessionId, sequence, command) ? 1 : 0;
        }
        return sent;
    }

    /**
     * Closes every session the cluster opened for this client (best effort), then its publications.
     */
    @Override
    public void close()
    {
        if (null != responses)
        {
            drain(0);
            openedAt.forEachLong((sessionId, member) ->
            {
                closeEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).sessionId(sessionId);
                send((int)member, HEADER_LENGTH + closeEncoder.encodedLength());
            });
        }
        CloseHelper.quietCloseAll(ingress);
        CloseHelper.quietClose(responses);
        CloseHelper.quietClose(aeron);
    }

    private boolean request(final int to, final long sessionId, final long sequence, final DirectBuffer command)
    {
        requestEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(sessionId)
            .sequence(sequence)
            .putPayload(command, 0, command.capacity());
        return send(to, HEADER_LENGTH + requestEncoder.encodedLength());
    }

    private void drain(final long waitNs)
    {
        final long deadlineNs = System.nanoTime() + waitNs;
        int read;
        do
        {
            read = responses.poll(assembler, 64);
            if (0 == read)
            {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            }
        }
        while (read > 0 || System.nanoTime() - deadlineNs < 0);
    }

    private void onResponse(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length >= HEADER_LENGTH)
        {
            headerDecoder.wrap(buffer, offset);
            if (SessionAckDecoder.TEMPLATE_ID == headerDecoder.templateId())
            {
                ackDecoder.wrap(buffer, offset + HEADER_LENGTH, headerDecoder.blockLength(), headerDecoder.version());
                openedAt.put(ackDecoder.sessionId(), ackDecoder.leaderMemberId());
                acknowledgedCorrelations.addLong(ackDecoder.correlationId());
                newestSessionId = ackDecoder.sessionId();
            }
        }
    }

    private boolean send(final int to, final int length)
    {
        return RogueSends.offer(ingress[to], buffer, length, sendTimeoutNs);
    }
}
