package io.flotilla.engine.node;

import io.flotilla.engine.ConnectRequest;
import org.agrona.DirectBuffer;

/**
 * The SessionConnect being handled, as the {@link IngressAdapter} decoded it, with the connection it came on:
 * reused for every connect, valid during one call.
 */
final class IngressConnect implements ConnectRequest
{
    private long correlationId;
    private int responseStreamId;
    private int protocolVersion;
    private String responseChannel;
    private DirectBuffer buffer;
    private int channelOffset;
    private int channelLength;
    private int credentialsOffset;
    private int credentialsLength;
    private int aeronSessionId;
    private String sourceIdentity;
    private long nowNs;

    IngressConnect set(
        final long correlationId,
        final int responseStreamId,
        final int protocolVersion,
        final String responseChannel,
        final DirectBuffer buffer,
        final int channelOffset,
        final int channelLength,
        final int credentialsOffset,
        final int credentialsLength,
        final int aeronSessionId,
        final String sourceIdentity,
        final long nowNs)
    {
        this.correlationId = correlationId;
        this.responseStreamId = responseStreamId;
        this.protocolVersion = protocolVersion;
        this.responseChannel = responseChannel;
        this.buffer = buffer;
        this.channelOffset = channelOffset;
        this.channelLength = channelLength;
        this.credentialsOffset = credentialsOffset;
        this.credentialsLength = credentialsLength;
        this.aeronSessionId = aeronSessionId;
        this.sourceIdentity = sourceIdentity;
        this.nowNs = nowNs;
        return this;
    }

    public long correlationId()
    {
        return correlationId;
    }

    public int responseStreamId()
    {
        return responseStreamId;
    }

    int protocolVersion()
    {
        return protocolVersion;
    }

    public String responseChannel()
    {
        return responseChannel;
    }

    DirectBuffer buffer()
    {
        return buffer;
    }

    int channelOffset()
    {
        return channelOffset;
    }

    int channelLength()
    {
        return channelLength;
    }

    public DirectBuffer credentials()
    {
        return buffer;
    }

    public int credentialsOffset()
    {
        return credentialsOffset;
    }

    public int credentialsLength()
    {
        return credentialsLength;
    }

    public int aeronSessionId()
    {
        return aeronSessionId;
    }

    String sourceIdentity()
    {
        return sourceIdentity;
    }

    public long nowNs()
    {
        return nowNs;
    }
}
