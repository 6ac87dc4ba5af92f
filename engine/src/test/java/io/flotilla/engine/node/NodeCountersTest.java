package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import org.agrona.CloseHelper;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The follower match index counters follow the configuration without the node thread waiting on the media driver:
 * asked for by {@code followers}, taken by {@code takeFollowerCounters}, holding the match index known meanwhile.
 */
class NodeCountersTest
{
    @TempDir
    File tempDir;

    private MediaDriver driver;
    private Aeron aeron;
    private NodeCounters counters;

    @BeforeEach
    void setUp()
    {
        driver = ConsensusTestMessages.launchDriver(tempDir);
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        counters = new NodeCounters(aeron, 0);
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.closeAll(counters, aeron, driver);
    }

    @Test
    @Timeout(30)
    void followerCountersAreAskedForTakenWithTheKnownValueAndClosedWithTheMember()
    {
        counters.followers((id) -> 1 == id || 2 == id);
        counters.followerMatchIndex(1, 42);
        assertEquals(42, counters.followerMatchIndex(1), "readable before its counter is made");
        final int[] taken = { 0 };
        ConsensusTestMessages.awaitCondition(() -> (taken[0] += counters.takeFollowerCounters()) == 2,
            "both counters taken");
        assertEquals(0, counters.takeFollowerCounters(), "nothing more awaited");
        assertEquals("{1=42, 2=-1}", followerCounters().toString());

        counters.followerMatchIndex(2, 40);
        counters.followers((id) -> 1 == id || 3 == id);
        assertEquals(-1, counters.followerMatchIndex(2), "a member removed has no match index");
        counters.followers((id) -> 1 == id);
        assertEquals(0, counters.takeFollowerCounters(), "member 3's counter was withdrawn before it was taken");
        // The driver frees a closed counter when it has processed the close.
        ConsensusTestMessages.awaitCondition(() -> "{1=42}".equals(followerCounters().toString()),
            "member 2's counter freed, member 3's never made");
    }

    /**
     * @return by peer id, the values of this node's follower counters in the driver's counters file.
     */
    private TreeMap<Integer, Long> followerCounters()
    {
        final TreeMap<Integer, Long> values = new TreeMap<>();
        final CountersReader reader = aeron.countersReader();
        reader.forEach((counterId, typeId, keyBuffer, label) ->
        {
            if (NodeCounters.FOLLOWER_MATCH_INDEX_TYPE_ID == typeId && CountersReader.RECORD_ALLOCATED ==
                reader.getCounterState(counterId))
            {
                final int peer = Integer.parseInt(label.substring(label.indexOf("peer=") + "peer=".length()));
                values.put(peer, reader.getCounterValue(counterId));
            }
        });
        return values;
    }
}
