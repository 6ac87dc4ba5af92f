package io.flotilla.archive;

import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.PrintStream;

/**
 * Child JVM for {@link CrashRecoveryTest}: appends standard 32-byte entries as fast as the log takes them and
 * prints {@code D <index>} each time its durable index advances, until it is killed.
 * Arguments: data directory, Aeron directory, durability.
 */
public final class CrashingAppender
{
    private static final int BLOCK = 64;
    private static final int MAX_AHEAD = 20_000;

    private CrashingAppender()
    {
    }

    public static void main(final String[] args)
    {
        final PrintStream out = System.out;
        final LogTestSupport log = new LogTestSupport(new File(args[0]), Durability.valueOf(args[2]), 0, args[1]);
        final UnsafeBuffer block = new UnsafeBuffer(new byte[BLOCK * 128]);
        long reported = log.store.durableIndex();
        out.println("D " + reported);
        out.flush();
        while (true)
        {
            if (log.store.lastIndex() - log.store.durableIndex() < MAX_AHEAD)
            {
                int length = 0;
                final long first = log.store.lastIndex() + 1;
                for (long index = first; index < first + BLOCK; index++)
                {
                    length += LogTestSupport.encode(block, length, index, 32);
                }
                log.store.append(block, 0, length);
            }
            log.doWork();

            final long durable = log.store.durableIndex();
            if (durable > reported)
            {
                reported = durable;
                out.println("D " + durable);
                out.flush();
            }
        }
    }
}
