package io.flotilla.archive;

import org.agrona.concurrent.NanoClock;

/**
 * A warning that may recur on every duty cycle (a request refused and asked again): the first one is logged, then at
 * most one per interval with the number left out since.
 */
final class ThrottledWarning
{
    private final System.Logger logger;
    private final String what;
    private final NanoClock clock;
    private final long intervalNs;
    private long lastWarningNs;
    private int warningsSuppressed = -1;

    /**
     * @param logger     to log to.
     * @param what       warns, for the count left out: "read-back", "purge".
     * @param clock      measuring the interval.
     * @param intervalNs between two warnings logged.
     */
    ThrottledWarning(final System.Logger logger, final String what, final NanoClock clock, final long intervalNs)
    {
        this.logger = logger;
        this.what = what;
        this.clock = clock;
        this.intervalNs = intervalNs;
    }

    void warn(final String message)
    {
        final long nowNs = clock.nanoTime();
        if (warningsSuppressed < 0 || nowNs - lastWarningNs >= intervalNs)
        {
            logger.log(System.Logger.Level.WARNING, warningsSuppressed > 0 ?
                message + " (" + warningsSuppressed + " more " + what + " warnings since the last)" : message);
            lastWarningNs = nowNs;
            warningsSuppressed = 0;
        }
        else
        {
            warningsSuppressed++;
        }
    }
}
