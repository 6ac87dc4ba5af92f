package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.flotilla.codecs.BooleanType;
import io.flotilla.codecs.MessageHeaderDecoder;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.Protocol;
import io.flotilla.codecs.QueryEncoder;
import io.flotilla.codecs.QueryResponseDecoder;
import io.flotilla.codecs.ReadMode;
import io.flotilla.codecs.RequestEncoder;
import io.flotilla.codecs.ResponseDecoder;
import io.flotilla.codecs.ResponseStatus;
import io.flotilla.codecs.SessionAckDecoder;
import io.flotilla.codecs.SessionAttachEncoder;
import io.flotilla.codecs.SessionCloseEncoder;
import io.flotilla.codecs.SessionConnectEncoder;
import io.flotilla.codecs.SessionKeepAliveEncoder;
import io.flotilla.codecs.SessionMessageAckEncoder;
import io.flotilla.codecs.SessionMessageDecoder;
import io.flotilla.codecs.SessionRejectDecoder;
import io.flotilla.engine.TestCluster;
import io.flotilla.engine.client.AttachProof;
import javax.crypto.spec.SecretKeySpec;
import java.io.File;
import java.util.ArrayDeque;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.agrona.CloseHelper;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A bare-bones client speaking the ingress protocol with raw SBE, to test the server side on its own: it sends
 * exactly what the test says (duplicates and gaps included) and records every reply.
 */
final class RawIngressClient implements AutoCloseable
{
    static final int RESPONSE_STREAM_ID = 20;

    private final MediaDriver driver;
    private final Aeron aeron;
    private final Subscription responses;
    private final ClusterMembers members;
    private final ExclusivePublication[] ingress;
    private final String responseChannel;
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final ArrayDeque<Object> replies = new ArrayDeque<>();
    private final FragmentAssembler assembler = new FragmentAssembler(this::onReply);
    private long lastAttachTimestampNs;
    private long attachCorrelationId = 1_000_000;

    record Ack(long correlationId, long sessionId, long leaderTerm, int leaderMemberId, byte[] sessionKey)
    {
    }

    record Reject(long correlationId, int leaderMemberId, String reason, String leaderEndpoint, String detail)
    {
    }

    record Reply(long sessionId, long sequence, long logIndex, int leaderMemberId, ResponseStatus status,
        String leaderEndpoint, byte[] payload)
    {
        long payloadLong()
        {
            return new UnsafeBuffer(payload).getLong(0);
        }
    }

    record Message(long sessionId, long sequence, long logIndex, ResponseStatus status, byte[] payload)
    {
        long payloadLong()
        {
            return new UnsafeBuffer(payload).getLong(0);
        }
    }

    record QueryReply(long sessionId, long queryId, long readIndex, int leaderMemberId, ResponseStatus status,
        String leaderEndpoint, byte[] payload)
    {
        String payloadAscii()
        {
            return new String(payload, java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    /**
     * A client over UDP with its own media driver.
     */
    RawIngressClient(final ClusterMembers members)
    {
        this(members, null);
    }

    /**
     * @param members         of the cluster.
     * @param nodeAeronDir    null for a UDP client with its own driver; else the directory of a (single) node's
     *                        driver, reached over {@code aeron:ipc}.
     */
    RawIngressClient(final ClusterMembers members, final String nodeAeronDir)
    {
        this.members = members;
        final boolean ipc = null != nodeAeronDir;
        if (ipc)
        {
            driver = null;
        }
        else
        {
            final String dir = new File("/dev/shm").isDirectory() ? "/dev/shm" : System.getProperty("java.io.tmpdir");
            driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
                .aeronDirectoryName(new File(dir, "flotilla-test-client-" + UUID.randomUUID()).getPath())
                .threadingMode(ThreadingMode.SHARED)
                .dirDeleteOnStart(true)
                .dirDeleteOnShutdown(true));
        }
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(ipc ? nodeAeronDir : driver.aeronDirectoryName()));
        responseChannel = ipc ? "aeron:ipc" : "aeron:udp?endpoint=localhost:" + TestCluster.freeUdpPorts(1)[0];
        responses = aeron.addSubscription(responseChannel, RESPONSE_STREAM_ID);
        ingress = new ExclusivePublication[members.size()];
        for (int i = 0; i < members.size(); i++)
        {
            ingress[i] = aeron.addExclusivePublication(
                ipc ? "aeron:ipc" : members.at(i).ingressChannel(), ClusterMembers.INGRESS_STREAM_ID);
        }
    }

    void connect(final int memberId, final long correlationId, final int protocolVersion)
    {
        connect(memberId, correlationId, protocolVersion, new byte[0]);
    }

    void connect(final int memberId, final long correlationId, final int protocolVersion, final byte[] credentials)
    {
        connect(memberId, correlationId, protocolVersion, credentials, responseChannel, RESPONSE_STREAM_ID);
    }

    /**
     * A connect naming any response channel and stream, this client's own or not.
     */
    void connect(
        final int memberId,
        final long correlationId,
        final int protocolVersion,
        final byte[] credentials,
        final String responseChannel,
        final int responseStreamId)
    {
        final SessionConnectEncoder encoder = new SessionConnectEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .responseStreamId(responseStreamId)
            .protocolVersion(protocolVersion)
            .responseChannel(responseChannel)
            .putCredentials(credentials, 0, credentials.length);
        send(memberId, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /**
     * Open a session at the leader, again if leadership moved meanwhile (a loaded machine).
     */
    Ack openSession(final TestCluster cluster)
    {
        for (int attempt = 1; ; attempt++)
        {
            connect(cluster.awaitLeader().memberId(), attempt, Protocol.VERSION);
            final Object reply = await(Object.class);
            if (reply instanceof Ack ack)
            {
                return ack;
            }
            assertTrue(attempt < 5, "no session after " + attempt + " connects, last answer " + reply);
        }
    }

    /**
     * A SessionAttach with a proof under the key for this client's publication to the member.
     */
    void attach(
        final int memberId, final long correlationId, final long sessionId, final long timestampNs, final byte[] key)
    {
        attach(memberId, correlationId, sessionId, timestampNs, key, aeronSessionId(memberId));
    }

    /**
     * A SessionAttach whose proof names the given Aeron session id (another client's, to forge one).
     */
    void attach(
        final int memberId,
        final long correlationId,
        final long sessionId,
        final long timestampNs,
        final byte[] key,
        final int proofAeronSessionId)
    {
        final byte[] proof = new AttachProof().key(new SecretKeySpec(key, AttachProof.ALGORITHM))
            .compute(sessionId, proofAeronSessionId, timestampNs);
        final SessionAttachEncoder encoder = new SessionAttachEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .correlationId(correlationId)
            .sessionId(sessionId)
            .timestamp(timestampNs)
            .putProof(proof, 0, AttachProof.LENGTH);
        send(memberId, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /**
     * Attach to a member, again while it does not answer: a member that has not applied the session's open yet
     * drops the attach.
     *
     * @return the answer, an {@link Ack} or a {@link Reply} refusing the attach.
     */
    Object attachAnswered(final int memberId, final long sessionId, final byte[] key)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TestCluster.TIMEOUT_MS);
        while (System.nanoTime() - deadline < 0)
        {
            // Each attach must be newer than the last one the member took.
            lastAttachTimestampNs = Math.max(lastAttachTimestampNs + 1, System.currentTimeMillis() * 1_000_000L);
            attach(memberId, ++attachCorrelationId, sessionId, lastAttachTimestampNs, key);
            final Object reply = awaitAny(TimeUnit.MILLISECONDS.toNanos(100));
            if (null != reply)
            {
                return reply;
            }
        }
        return fail("member " + memberId + " did not answer an attach within " + TestCluster.TIMEOUT_MS + " ms");
    }

    /**
     * @return the Aeron session id of this client's publication to the member, which the member sees.
     */
    int aeronSessionId(final int memberId)
    {
        return ingress[indexOf(memberId)].sessionId();
    }

    String responseChannel()
    {
        return responseChannel;
    }

    /**
     * @return replies received so far (polling the response channel once), consumed.
     */
    java.util.List<Object> drainReplies()
    {
        responses.poll(assembler, 100);
        final java.util.List<Object> drained = new java.util.ArrayList<>(replies);
        replies.clear();
        return drained;
    }

    void request(final int memberId, final long sessionId, final long sequence, final String payload)
    {
        final byte[] bytes = payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final RequestEncoder encoder = new RequestEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(sessionId)
            .sequence(sequence)
            .putPayload(bytes, 0, bytes.length);
        send(memberId, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    void keepAlive(final int memberId, final long sessionId)
    {
        final SessionKeepAliveEncoder encoder = new SessionKeepAliveEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(sessionId);
        send(memberId, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    void query(
        final int memberId, final long sessionId, final long queryId, final ReadMode mode, final String payload)
    {
        final byte[] bytes = payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        final QueryEncoder encoder = new QueryEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(sessionId)
            .queryId(queryId)
            .mode(mode)
            .putPayload(bytes, 0, bytes.length);
        send(memberId, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    void sessionMessageAck(final int memberId, final long sessionId, final long received, final boolean resend)
    {
        final SessionMessageAckEncoder encoder = new SessionMessageAckEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(sessionId)
            .received(received)
            .resend(resend ? BooleanType.TRUE : BooleanType.FALSE);
        send(memberId, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    void closeSession(final int memberId, final long sessionId)
    {
        final SessionCloseEncoder encoder = new SessionCloseEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .sessionId(sessionId);
        send(memberId, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    void sendRaw(final int memberId, final UnsafeBuffer bytes, final int length)
    {
        buffer.putBytes(0, bytes, 0, length);
        send(memberId, length);
    }

    /**
     * Await the next reply that answers a request, passing over the redirects a closing node sends its bound clients
     * (NOT_LEADER with sequence 0, SessionManager.redirectBoundSessions): a test that stops nodes may get them first.
     */
    Reply awaitAnswer()
    {
        while (true)
        {
            final Reply reply = await(Reply.class);
            if (0 != reply.sequence() || ResponseStatus.NOT_LEADER != reply.status())
            {
                return reply;
            }
        }
    }

    <T> T await(final Class<T> type)
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TestCluster.TIMEOUT_MS);
        while (true)
        {
            final Object reply = replies.poll();
            if (null != reply)
            {
                if (type.isInstance(reply))
                {
                    return type.cast(reply);
                }
                fail("expected a " + type.getSimpleName() + " but got " + reply);
            }
            if (0 == responses.poll(assembler, 10))
            {
                if (System.nanoTime() > deadline)
                {
                    fail("no " + type.getSimpleName() + " within " + TestCluster.TIMEOUT_MS + " ms");
                }
                Thread.yield();
            }
        }
    }

    /**
     * @param timeoutNs how long to wait.
     * @return the next reply of any kind, or null when none came in time.
     */
    Object awaitAny(final long timeoutNs)
    {
        final long deadline = System.nanoTime() + timeoutNs;
        while (replies.isEmpty() && System.nanoTime() - deadline < 0)
        {
            if (0 == responses.poll(assembler, 10))
            {
                Thread.yield();
            }
        }
        return replies.poll();
    }

    private void send(final int memberId, final int length)
    {
        final ExclusivePublication publication = ingress[indexOf(memberId)];
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TestCluster.TIMEOUT_MS);
        while (publication.offer(buffer, 0, length) < 0)
        {
            if (System.nanoTime() > deadline)
            {
                fail("could not send to member " + memberId);
            }
            Thread.yield();
        }
    }

    private int indexOf(final int memberId)
    {
        for (int i = 0; i < members.size(); i++)
        {
            if (members.at(i).id() == memberId)
            {
                return i;
            }
        }
        throw new IllegalArgumentException("no member " + memberId);
    }

    private void onReply(final org.agrona.DirectBuffer buffer, final int offset, final int length,
        final io.aeron.logbuffer.Header header)
    {
        headerDecoder.wrap(buffer, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        switch (headerDecoder.templateId())
        {
            case SessionAckDecoder.TEMPLATE_ID:
            {
                final SessionAckDecoder d = new SessionAckDecoder()
                    .wrap(buffer, body, headerDecoder.blockLength(), headerDecoder.version());
                final byte[] key = new byte[SessionOpenPayload.KEY_LENGTH];
                d.getSessionKey(key, 0, key.length);
                replies.add(new Ack(d.correlationId(), d.sessionId(), d.leaderTerm(), d.leaderMemberId(), key));
                break;
            }
            case SessionRejectDecoder.TEMPLATE_ID:
            {
                final SessionRejectDecoder d = new SessionRejectDecoder()
                    .wrap(buffer, body, headerDecoder.blockLength(), headerDecoder.version());
                replies.add(new Reject(d.correlationId(), d.leaderMemberId(), d.reason().name(), d.leaderEndpoint(),
                    d.detail()));
                break;
            }
            case ResponseDecoder.TEMPLATE_ID:
            {
                final ResponseDecoder d = new ResponseDecoder()
                    .wrap(buffer, body, headerDecoder.blockLength(), headerDecoder.version());
                final long sessionId = d.sessionId();
                final long sequence = d.sequence();
                final long logIndex = d.logIndex();
                final int leader = d.leaderMemberId();
                final ResponseStatus status = d.status();
                final String endpoint = d.leaderEndpoint();
                final byte[] payload = new byte[d.payloadLength()];
                d.getPayload(payload, 0, payload.length);
                replies.add(new Reply(sessionId, sequence, logIndex, leader, status, endpoint, payload));
                break;
            }
            case SessionMessageDecoder.TEMPLATE_ID:
            {
                final SessionMessageDecoder d = new SessionMessageDecoder()
                    .wrap(buffer, body, headerDecoder.blockLength(), headerDecoder.version());
                final long sessionId = d.sessionId();
                final long sequence = d.sequence();
                final long logIndex = d.logIndex();
                final ResponseStatus status = d.status();
                final byte[] payload = new byte[d.payloadLength()];
                d.getPayload(payload, 0, payload.length);
                replies.add(new Message(sessionId, sequence, logIndex, status, payload));
                break;
            }
            case QueryResponseDecoder.TEMPLATE_ID:
            {
                final QueryResponseDecoder d = new QueryResponseDecoder()
                    .wrap(buffer, body, headerDecoder.blockLength(), headerDecoder.version());
                final long sessionId = d.sessionId();
                final long queryId = d.queryId();
                final long readIndex = d.readIndex();
                final int leader = d.leaderMemberId();
                final ResponseStatus status = d.status();
                final String endpoint = d.leaderEndpoint();
                final byte[] payload = new byte[d.payloadLength()];
                d.getPayload(payload, 0, payload.length);
                replies.add(new QueryReply(sessionId, queryId, readIndex, leader, status, endpoint, payload));
                break;
            }
            default:
                replies.add("unexpected template " + headerDecoder.templateId());
        }
    }

    public void close()
    {
        CloseHelper.closeAll(aeron, driver);
    }
}
