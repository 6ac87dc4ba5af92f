package io.flotilla.perf.baseline;

import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;

/**
 * The far side of the raw ping: republishes every message it receives, retrying while back pressured. A message
 * that cannot be sent because the publication is closed or not connected is counted as dropped.
 */
final class EchoAgent implements Agent
{
    private static final int FRAGMENT_LIMIT = 16;

    private final Subscription subscription;
    private final Publication publication;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onMessage);
    private long dropped;

    EchoAgent(final Subscription subscription, final Publication publication)
    {
        this.subscription = subscription;
        this.publication = publication;
    }

    public int doWork()
    {
        return subscription.poll(assembler, FRAGMENT_LIMIT);
    }

    public String roleName()
    {
        return "ping-echo";
    }

    long dropped()
    {
        return dropped;
    }

    private void onMessage(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        long result;
        while ((result = publication.offer(buffer, offset, length)) < 0)
        {
            if (result == Publication.CLOSED || result == Publication.NOT_CONNECTED ||
                result == Publication.MAX_POSITION_EXCEEDED)
            {
                dropped++;
                return;
            }
            Thread.onSpinWait();
        }
    }
}
