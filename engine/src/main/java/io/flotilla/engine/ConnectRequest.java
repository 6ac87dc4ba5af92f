package io.flotilla.engine;

import org.agrona.DirectBuffer;

/**
 * A client's SessionConnect as an {@link Authenticator} sees it: the fields a credential's MAC may cover, the
 * credentials themselves and the node's clock. A view over the received message, valid only during the call.
 */
public interface ConnectRequest
{
    /**
     * @return the connect's correlation id, chosen by the client.
     */
    long correlationId();

    /**
     * @return the stream the client wants its replies on.
     */
    int responseStreamId();

    /**
     * @return the channel the client wants its replies on.
     */
    String responseChannel();

    /**
     * @return the Aeron session id of the client's publication the connect arrived on (one per client and member).
     */
    int aeronSessionId();

    /**
     * @return the buffer holding the credentials.
     */
    DirectBuffer credentials();

    /**
     * @return offset of the credentials in {@link #credentials()}.
     */
    int credentialsOffset();

    /**
     * @return length of the credentials, 0 when the client sent none.
     */
    int credentialsLength();

    /**
     * @return the node's clock, epoch nanoseconds, for a freshness check.
     */
    long nowNs();
}
