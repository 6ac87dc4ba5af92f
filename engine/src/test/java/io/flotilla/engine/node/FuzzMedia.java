package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;

import java.io.File;

/**
 * The one media driver of a fuzz run and a client of it, with the node counters the adapters count into. Built once
 * per fuzz test class: the driver is far too slow to start per input. Both run their own threads: a client invoked
 * only from the fuzzing thread would be timed out by the driver while Jazzer starts up.
 */
final class FuzzMedia implements AutoCloseable
{
    private final MediaDriver driver;
    private final Aeron aeron;
    private final NodeCounters counters;

    FuzzMedia(final File directory)
    {
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(directory, "aeron").getPath())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = connect();
        counters = new NodeCounters(aeron, 0);
    }

    /**
     * @return a new client of the driver.
     */
    Aeron connect()
    {
        return Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
    }

    Aeron aeron()
    {
        return aeron;
    }

    NodeCounters counters()
    {
        return counters;
    }

    public void close()
    {
        CloseHelper.quietCloseAll(counters, aeron, driver);
    }
}
