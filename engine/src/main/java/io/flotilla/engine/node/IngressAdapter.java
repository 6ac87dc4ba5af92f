package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.flotilla.codecs.BooleanType;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.MessageHeaderDecoder;
import io.flotilla.codecs.QueryDecoder;
import io.flotilla.codecs.RequestDecoder;
import io.flotilla.codecs.SessionAttachDecoder;
import io.flotilla.codecs.SessionCloseDecoder;
import io.flotilla.codecs.SessionConnectDecoder;
import io.flotilla.codecs.SessionKeepAliveDecoder;
import io.flotilla.codecs.SessionMessageAckDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;

/**
 * What clients send to this member's ingress endpoint (and to {@code aeron:ipc} when enabled): SessionConnect,
 * Request, SessionKeepAlive, SessionClose and SessionAttach, validated before decoding and handed, decoded in place
 * and with the identity of the image they came on (its Aeron session id and source), to the {@link SessionManager};
 * a Query goes to the {@link ReadService} once the session manager has found its session. Invalid messages, and valid ones that have no business on the ingress, are counted and dropped.
 * <p>
 * One flooding client cannot take every duty cycle: {@link Subscription#poll} starts at the next image on each call
 * and the fragment limit is shared by all images, so each client's image leads in turn.
 */
public final class IngressAdapter implements AutoCloseable
{
    private static final int FRAGMENT_LIMIT = 64;

    private final SessionManager sessionManager;
    private final ReadService reads;
    private final AtomicCounter invalidMessages;
    private final Subscription udpSubscription;
    private final Subscription ipcSubscription;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final SessionConnectDecoder connectDecoder = new SessionConnectDecoder();
    private final RequestDecoder requestDecoder = new RequestDecoder();
    private final SessionKeepAliveDecoder keepAliveDecoder = new SessionKeepAliveDecoder();
    private final SessionCloseDecoder closeDecoder = new SessionCloseDecoder();
    private final SessionAttachDecoder attachDecoder = new SessionAttachDecoder();
    private final SessionMessageAckDecoder messageAckDecoder = new SessionMessageAckDecoder();
    private final QueryDecoder queryDecoder = new QueryDecoder();
    private final IngressConnect connect = new IngressConnect();

    private long nowNs;

    /**
     * @param aeron           client of the node's media driver.
     * @param ingressChannel  this member's ingress channel.
     * @param ipcIngress      whether to accept clients over {@code aeron:ipc} too.
     * @param sessionManager  to hand decoded messages to.
     * @param reads           to hand queries to.
     * @param invalidMessages counts messages dropped as invalid.
     */
    public IngressAdapter(
        final Aeron aeron,
        final String ingressChannel,
        final boolean ipcIngress,
        final SessionManager sessionManager,
        final ReadService reads,
        final AtomicCounter invalidMessages)
    {
        this.sessionManager = sessionManager;
        this.reads = reads;
        this.invalidMessages = invalidMessages;

        udpSubscription = aeron.addSubscription(ingressChannel, ClusterMembers.INGRESS_STREAM_ID);
        Subscription ipc = null;
        if (ipcIngress)
        {
            try
            {
                ipc = aeron.addSubscription("aeron:ipc", ClusterMembers.INGRESS_STREAM_ID);
            }
            catch (final RuntimeException ex)
            {
                CloseHelper.quietClose(udpSubscription);
                throw ex;
            }
        }
        ipcSubscription = ipc;
    }

    /**
     * Read client messages.
     *
     * @param nowNs current time, when the messages were heard.
     * @return fragments read.
     */
    public int poll(final long nowNs)
    {
        this.nowNs = nowNs;
        int work = udpSubscription.poll(assembler, FRAGMENT_LIMIT);
        if (null != ipcSubscription)
        {
            work += ipcSubscription.poll(assembler, FRAGMENT_LIMIT);
        }
        return work;
    }

    public void close()
    {
        CloseHelper.quietCloseAll(ipcSubscription, udpSubscription);
    }

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (!FrameValidator.validate(buffer, offset, length).isValid())
        {
            invalidMessages.incrementRelease();
            return;
        }

        final int aeronSessionId = header.sessionId();
        final String sourceIdentity = header.context() instanceof Image image ? image.sourceIdentity() : "";
        headerDecoder.wrap(buffer, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (headerDecoder.templateId())
        {
            case RequestDecoder.TEMPLATE_ID:
                requestDecoder.wrap(buffer, body, blockLength, version);
                sessionManager.onSessionRequest(
                    requestDecoder.sessionId(),
                    requestDecoder.sequence(),
                    buffer,
                    requestDecoder.limit() + RequestDecoder.payloadHeaderLength(),
                    requestDecoder.payloadLength(),
                    aeronSessionId,
                    sourceIdentity,
                    nowNs);
                break;

            case QueryDecoder.TEMPLATE_ID:
                queryDecoder.wrap(buffer, body, blockLength, version);
                onQuery(buffer);
                break;

            case SessionKeepAliveDecoder.TEMPLATE_ID:
                keepAliveDecoder.wrap(buffer, body, blockLength, version);
                sessionManager.onSessionKeepAlive(keepAliveDecoder.sessionId(), aeronSessionId, sourceIdentity, nowNs);
                break;

            case SessionCloseDecoder.TEMPLATE_ID:
                closeDecoder.wrap(buffer, body, blockLength, version);
                sessionManager.onSessionClose(closeDecoder.sessionId(), aeronSessionId, sourceIdentity, nowNs);
                break;

            case SessionMessageAckDecoder.TEMPLATE_ID:
                messageAckDecoder.wrap(buffer, body, blockLength, version);
                sessionManager.onSessionMessageAck(
                    messageAckDecoder.sessionId(),
                    messageAckDecoder.received(),
                    BooleanType.TRUE == messageAckDecoder.resend(),
                    aeronSessionId,
                    sourceIdentity,
                    nowNs);
                break;

            case SessionAttachDecoder.TEMPLATE_ID:
                attachDecoder.wrap(buffer, body, blockLength, version);
                sessionManager.onSessionAttach(
                    attachDecoder.correlationId(),
                    attachDecoder.sessionId(),
                    attachDecoder.timestamp(),
                    buffer,
                    body + SessionAttachDecoder.proofEncodingOffset(),
                    aeronSessionId,
                    sourceIdentity,
                    nowNs);
                break;

            case SessionConnectDecoder.TEMPLATE_ID:
                connectDecoder.wrap(buffer, body, blockLength, version);
                onSessionConnect(buffer, aeronSessionId, sourceIdentity);
                break;

            default:
                // A valid schema message that has no business on the ingress (a consensus message, a reply).
                invalidMessages.incrementRelease();
        }
    }

    private void onQuery(final DirectBuffer buffer)
    {
        final long queryId = queryDecoder.queryId();
        final Session session = sessionManager.onQuery(queryDecoder.sessionId(), queryId, nowNs);
        if (null != session)
        {
            reads.onQuery(session, queryId, queryDecoder.mode(), buffer,
                queryDecoder.limit() + QueryDecoder.payloadHeaderLength(), queryDecoder.payloadLength(), nowNs);
        }
    }

    private void onSessionConnect(final DirectBuffer buffer, final int aeronSessionId, final String sourceIdentity)
    {
        final long correlationId = connectDecoder.correlationId();
        final int responseStreamId = connectDecoder.responseStreamId();
        final int protocolVersion = connectDecoder.protocolVersion();
        final int channelOffset = connectDecoder.limit() + SessionConnectDecoder.responseChannelHeaderLength();
        final int channelLength = connectDecoder.responseChannelLength();
        final String responseChannel = connectDecoder.responseChannel();
        final int credentialsOffset = connectDecoder.limit() + SessionConnectDecoder.credentialsHeaderLength();
        final int credentialsLength = connectDecoder.credentialsLength();
        sessionManager.onSessionConnect(connect.set(
            correlationId,
            responseStreamId,
            protocolVersion,
            responseChannel,
            buffer,
            channelOffset,
            channelLength,
            credentialsOffset,
            credentialsLength,
            aeronSessionId,
            sourceIdentity,
            nowNs));
    }
}
