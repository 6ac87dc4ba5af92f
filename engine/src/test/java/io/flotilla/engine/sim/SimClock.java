package io.flotilla.engine.sim;

/**
 * One node's clock: monotonic, running at {@code 1 + drift} or {@code 1 - drift} times the simulation's rate in turn
 * (a triangle wave of its offset), so that its rate differs from true by up to the drift over any stretch shorter
 * than a half period, while its offset from true stays within the skew bound, as a disciplined host clock does. Leader
 * timestamps come from these clocks too (the runtime has one clock for timers and timestamps), and a clock running
 * far from its peers for long would put them out of order across leaders.
 */
final class SimClock
{
    private final double drift;
    private final double skewBoundNs;
    private final double periodNs;
    private final double phaseNs;

    /**
     * @param drift       how far from 1 the rate is, in [0, 1).
     * @param skewBoundNs the offset from true stays within plus or minus this.
     * @param phase       where in its period the clock starts, in [0, 1).
     */
    SimClock(final double drift, final long skewBoundNs, final double phase)
    {
        this.drift = drift;
        this.skewBoundNs = skewBoundNs;
        periodNs = drift > 0 ? 4 * skewBoundNs / drift : 1;
        phaseNs = phase * periodNs;
    }

    /**
     * @return the clock's reading at simulated time {@code nowNs}.
     */
    long at(final long nowNs)
    {
        if (0 == drift)
        {
            return nowNs;
        }
        final double position = (nowNs + phaseNs) % periodNs;
        final double half = periodNs / 2;
        // From -skew up to +skew and back; shifted by the bound so that no reading is negative.
        final double offset = position < half ? drift * position : 2 * skewBoundNs - drift * (position - half);
        return nowNs + (long)offset;
    }

    public String toString()
    {
        return "clock drift " + drift + " skew within " + (long)skewBoundNs / SimOptions.MS + "ms";
    }
}
