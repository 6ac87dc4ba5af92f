package io.flotilla.engine.sim;

import io.flotilla.engine.raft.RaftConfig;

/**
 * What a {@link Simulation} runs: cluster size, the fault mix and its rates, timings. Fluent and mutable; every
 * time is simulated nanoseconds. With all fault rates at zero the network is reliable, in order per link only when
 * {@link #maxDelayNs} equals {@link #minDelayNs}, and nothing crashes: the setting for scripted scenario tests.
 */
public final class SimOptions
{
    public static final long MS = 1_000_000L;

    int nodes = 3;
    double lossRate;
    double duplicateRate;
    double sendFailRate;
    double longDelayRate;
    long minDelayNs = MS / 10;
    long maxDelayNs = MS / 10;
    long longDelayMaxNs = 100 * MS;
    long partitionMeanIntervalNs;
    long partitionMeanDurationNs = 400 * MS;
    long crashMeanIntervalNs;
    long downtimeMaxNs = 800 * MS;
    long diskDelayMaxNs = MS / 2;
    long proposalMeanIntervalNs;
    int proposalBurstMax = 1;
    long tickIntervalNs = 2 * MS;
    long faultPhaseNs = 4_000 * MS;
    long livenessBoundNs = 10_000 * MS;
    boolean randomizeRaftConfig;
    RaftConfig raftConfig = defaultRaftConfig();

    /**
     * @return the Raft settings the simulator uses unless told otherwise.
     */
    public static RaftConfig defaultRaftConfig()
    {
        return new RaftConfig()
            .electionTimeoutMinNs(150 * MS)
            .electionTimeoutMaxNs(300 * MS)
            .heartbeatIntervalNs(30 * MS)
            .resendTimeoutNs(60 * MS)
            .maxBatchBytes(1024)
            .maxInflight(4)
            .preVote(true)
            .checkQuorum(true)
            .maxUncommittedEntries(1024);
    }

    /**
     * Every fault at once: loss, duplication, reordering by random and long delays, send back-pressure,
     * partitions of all kinds, crashes and restarts, random proposals; Raft settings randomized per seed.
     *
     * @param nodes cluster size.
     * @return options for a chaos run.
     */
    public static SimOptions allFaults(final int nodes)
    {
        return new SimOptions()
            .nodes(nodes)
            .lossRate(0.05)
            .duplicateRate(0.03)
            .sendFailRate(0.02)
            .delayNs(MS / 10, 5 * MS)
            .longDelayRate(0.01)
            .partitionMeanIntervalNs(600 * MS)
            .crashMeanIntervalNs(700 * MS)
            .proposalMeanIntervalNs(5 * MS)
            .proposalBurstMax(8)
            .randomizeRaftConfig(true);
    }

    public SimOptions nodes(final int nodes)
    {
        this.nodes = nodes;
        return this;
    }

    public int nodes()
    {
        return nodes;
    }

    public SimOptions lossRate(final double lossRate)
    {
        this.lossRate = lossRate;
        return this;
    }

    public SimOptions duplicateRate(final double duplicateRate)
    {
        this.duplicateRate = duplicateRate;
        return this;
    }

    /**
     * @param sendFailRate probability that an outbox send answers false (back-pressure: not sent).
     * @return this for a fluent API.
     */
    public SimOptions sendFailRate(final double sendFailRate)
    {
        this.sendFailRate = sendFailRate;
        return this;
    }

    /**
     * @param minDelayNs least one-way delay.
     * @param maxDelayNs greatest usual one-way delay; random delays in between reorder messages.
     * @return this for a fluent API.
     */
    public SimOptions delayNs(final long minDelayNs, final long maxDelayNs)
    {
        this.minDelayNs = minDelayNs;
        this.maxDelayNs = maxDelayNs;
        return this;
    }

    /**
     * @param longDelayRate probability that a message is held up to {@code longDelayMaxNs} (stale arrivals).
     * @return this for a fluent API.
     */
    public SimOptions longDelayRate(final double longDelayRate)
    {
        this.longDelayRate = longDelayRate;
        return this;
    }

    public SimOptions partitionMeanIntervalNs(final long partitionMeanIntervalNs)
    {
        this.partitionMeanIntervalNs = partitionMeanIntervalNs;
        return this;
    }

    public SimOptions partitionMeanDurationNs(final long partitionMeanDurationNs)
    {
        this.partitionMeanDurationNs = partitionMeanDurationNs;
        return this;
    }

    public SimOptions crashMeanIntervalNs(final long crashMeanIntervalNs)
    {
        this.crashMeanIntervalNs = crashMeanIntervalNs;
        return this;
    }

    public SimOptions downtimeMaxNs(final long downtimeMaxNs)
    {
        this.downtimeMaxNs = downtimeMaxNs;
        return this;
    }

    /**
     * @param diskDelayMaxNs longest time before appended entries become durable.
     * @return this for a fluent API.
     */
    public SimOptions diskDelayMaxNs(final long diskDelayMaxNs)
    {
        this.diskDelayMaxNs = diskDelayMaxNs;
        return this;
    }

    /**
     * @param proposalMeanIntervalNs mean time between random client proposals to the leader; 0 for none.
     * @return this for a fluent API.
     */
    public SimOptions proposalMeanIntervalNs(final long proposalMeanIntervalNs)
    {
        this.proposalMeanIntervalNs = proposalMeanIntervalNs;
        return this;
    }

    public SimOptions proposalBurstMax(final int proposalBurstMax)
    {
        this.proposalBurstMax = proposalBurstMax;
        return this;
    }

    public SimOptions tickIntervalNs(final long tickIntervalNs)
    {
        this.tickIntervalNs = tickIntervalNs;
        return this;
    }

    /**
     * @param faultPhaseNs how long faults are injected before the cluster heals.
     * @return this for a fluent API.
     */
    public SimOptions faultPhaseNs(final long faultPhaseNs)
    {
        this.faultPhaseNs = faultPhaseNs;
        return this;
    }

    /**
     * @param livenessBoundNs simulated time after healing within which a leader must commit a new proposal and
     *                        every node must learn it.
     * @return this for a fluent API.
     */
    public SimOptions livenessBoundNs(final long livenessBoundNs)
    {
        this.livenessBoundNs = livenessBoundNs;
        return this;
    }

    /**
     * @param randomizeRaftConfig vary batch size, inflight limit, pre-vote and check-quorum per seed.
     * @return this for a fluent API.
     */
    public SimOptions randomizeRaftConfig(final boolean randomizeRaftConfig)
    {
        this.randomizeRaftConfig = randomizeRaftConfig;
        return this;
    }

    public SimOptions raftConfig(final RaftConfig raftConfig)
    {
        this.raftConfig = raftConfig;
        return this;
    }

    public RaftConfig raftConfig()
    {
        return raftConfig;
    }

    public String toString()
    {
        return "SimOptions{nodes=" + nodes + ", loss=" + lossRate + ", dup=" + duplicateRate +
            ", sendFail=" + sendFailRate + ", delay=" + minDelayNs + ".." + maxDelayNs +
            ", longDelayRate=" + longDelayRate + ", partitionEvery=" + partitionMeanIntervalNs +
            ", crashEvery=" + crashMeanIntervalNs + ", proposeEvery=" + proposalMeanIntervalNs +
            ", faultPhase=" + faultPhaseNs + ", randomizeRaftConfig=" + randomizeRaftConfig + '}';
    }
}
