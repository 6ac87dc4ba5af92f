package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

class ResponseChannelsTest
{
    private static final int CAP = 4;
    private static final int STREAM_ID = 7342;
    private static final long SECOND_NS = 1_000_000_000L;

    private MediaDriver driver;
    private Aeron aeron;
    private NodeCounters counters;
    private ResponseChannels channels;

    @BeforeEach
    void open()
    {
        final String dir = new File("/dev/shm").isDirectory() ? "/dev/shm" : System.getProperty("java.io.tmpdir");
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(new File(dir, "flotilla-test-channels-" + UUID.randomUUID()).getPath())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        counters = new NodeCounters(aeron, 0);
        channels = new ResponseChannels(
            aeron, new ResponseChannelPolicy(1024 * 1024, false), CAP, counters, Throwable::printStackTrace);
    }

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(channels, counters, aeron, driver);
    }

    private static String channel(final int i)
    {
        return "aeron:udp?endpoint=localhost:" + (42_000 + i);
    }

    @Test
    void atTheCapAnIdleChannelMakesRoomAndHeldOnesNever()
    {
        final ResponseChannels.Channel[] held = new ResponseChannels.Channel[CAP];
        for (int i = 0; i < CAP; i++)
        {
            held[i] = channels.acquire(channel(i), STREAM_ID, i);
            assertNotSame(ResponseChannels.NO_CHANNEL, held[i]);
        }
        assertSame(ResponseChannels.NO_CHANNEL, channels.acquire(channel(CAP), STREAM_ID, CAP));
        assertEquals(1, counters.responseChannelsUnavailable().get());

        // A channel already open costs nothing, also with parameters the node ignores.
        assertSame(held[1], channels.acquire(channel(1) + "|session-id=9", STREAM_ID, CAP));

        channels.release(held[2], CAP);
        final ResponseChannels.Channel fresh = channels.acquire(channel(CAP), STREAM_ID, CAP + 1);
        assertNotSame(ResponseChannels.NO_CHANNEL, fresh);
        // The released one was closed to make room; every other is held.
        assertSame(ResponseChannels.NO_CHANNEL, channels.acquire(channel(2), STREAM_ID, CAP + 2));
        assertEquals(2, counters.responseChannelsUnavailable().get());
    }

    @Test
    void rejectsOpenFewNewChannelsPerSecond()
    {
        final long nowNs = 10 * SECOND_NS;
        final ResponseChannels wide = new ResponseChannels(
            aeron, new ResponseChannelPolicy(1024 * 1024, false), 1000, counters, Throwable::printStackTrace);
        try
        {
            final ResponseChannels.Channel first = wide.acquireForReject(channel(0), STREAM_ID, nowNs);
            wide.release(first, nowNs);
            for (int i = 1; i < ResponseChannels.REJECT_CHANNELS_PER_SECOND; i++)
            {
                wide.release(wide.acquireForReject(channel(i), STREAM_ID, nowNs), nowNs);
            }
            assertEquals(0, counters.responseChannelsUnavailable().get());
            assertSame(ResponseChannels.NO_CHANNEL, wide.acquireForReject(channel(100), STREAM_ID, nowNs));
            assertEquals(1, counters.responseChannelsUnavailable().get());

            // An open channel needs no budget; the budget refills a second later.
            assertSame(first, wide.acquireForReject(channel(0), STREAM_ID, nowNs));
            assertNotSame(
                ResponseChannels.NO_CHANNEL, wide.acquireForReject(channel(100), STREAM_ID, nowNs + SECOND_NS));
        }
        finally
        {
            wide.close();
        }
    }

    @Test
    void aRefusedChannelIsCountedAndWhatIsSentOnItDropped()
    {
        final ResponseChannels.Channel refused =
            channels.acquire(channel(0) + "|term-length=64m|sparse=false", STREAM_ID, 0);
        assertSame(ResponseChannels.NO_CHANNEL, refused);
        assertSame(ResponseChannels.NO_CHANNEL, channels.acquireForReject("aeron:ipc", STREAM_ID, 0));
        assertEquals(2, counters.responseChannelsRefused().get());

        channels.send(refused, new UnsafeBuffer(new byte[8]), 0, 8, 0);
        channels.release(refused, 0);
        assertEquals(1, counters.droppedMessages().get());
        assertEquals(0, counters.responseChannelsUnavailable().get());
    }
}
