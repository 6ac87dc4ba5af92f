package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.flotilla.engine.ClusterNode;
import org.agrona.concurrent.status.CountersReader;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One of a running node's {@link NodeCounters}, read through its Aeron directory.
 */
final class NodeCounterReader implements AutoCloseable
{
    private final Aeron aeron;
    private final int counterId;

    /**
     * @param node   whose counter to read.
     * @param typeId of the counter, one of the {@code NodeCounters} type ids.
     */
    NodeCounterReader(final ClusterNode node, final int typeId)
    {
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(node.aeronDirectoryName()));
        final CountersReader counters = aeron.countersReader();
        final int[] found = { -1 };
        counters.forEach((id, type, keyBuffer, label) ->
        {
            if (typeId == type && label.endsWith("memberId=" + node.memberId()))
            {
                found[0] = id;
            }
        });
        counterId = found[0];
        assertTrue(counterId >= 0, "no counter of type " + typeId + " on member " + node.memberId());
    }

    long value()
    {
        return aeron.countersReader().getCounterValue(counterId);
    }

    public void close()
    {
        aeron.close();
    }
}
