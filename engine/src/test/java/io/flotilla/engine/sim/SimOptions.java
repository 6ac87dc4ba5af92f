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
    int snapshotThreshold;
    int snapshotKeepMax;
    int snapshotChunkBytes = 128;
    int snapshotWindow = 2;
    long snapshotWriteMaxNs = 10 * MS;
    boolean randomizeSnapshots;
    double snapshotCorruptRate;
    long wipeMeanIntervalNs;
    long rogueMeanIntervalNs;
    long membershipMeanIntervalNs;
    int initialVoters;
    long readMeanIntervalNs;
    boolean timers;
    int readBurstMax = 4;
    long pauseMeanIntervalNs;
    long pauseMaxNs = 900 * MS;
    double clockDrift;
    long clockSkewMaxNs = 20 * MS;

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
     * partitions of all kinds, crashes and restarts, random proposals; Raft settings randomized per seed; snapshots,
     * compaction and installs all the time (settings randomized per seed), chunks corrupted in flight, and a node's
     * data directory lost now and then; client reads of both modes at every node; nodes paused, often past the
     * election timeout; every node's clock at its own rate, up to the drift the lease tolerates.
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
            .randomizeRaftConfig(true)
            .randomizeSnapshots(true)
            .snapshotCorruptRate(0.01)
            .wipeMeanIntervalNs(3_000 * MS)
            .readMeanIntervalNs(4 * MS)
            .timers(true)
            .pauseMeanIntervalNs(800 * MS)
            .clockDrift(1);
    }

    /**
     * Every fault of {@link #allFaults(int)} and a rogue peer forging a consensus message every 2 ms on average.
     *
     * @param nodes cluster size.
     * @return options for a chaos run with a rogue peer.
     */
    /**
     * All faults, with membership changes: the cluster starts with one to all of the nodes as its voters (the rest
     * exist but are not members), and the leader is asked for a random change every 150 ms on average (add a learner,
     * promote one, remove a voter or the leader itself, remove a learner, replace a voter by a learner, or a change it
     * must refuse).
     */
    public static SimOptions membershipFaults(final int nodes)
    {
        return allFaults(nodes).membershipMeanIntervalNs(150 * MS);
    }

    public static SimOptions rogueFaults(final int nodes)
    {
        return allFaults(nodes).rogueMeanIntervalNs(2 * MS);
    }

    /**
     * @param membershipMeanIntervalNs mean time between membership changes proposed to the leader; 0 keeps every
     *                                 node a voter of the bootstrap configuration for good.
     */
    public SimOptions membershipMeanIntervalNs(final long membershipMeanIntervalNs)
    {
        this.membershipMeanIntervalNs = membershipMeanIntervalNs;
        return this;
    }

    /**
     * @param initialVoters the bootstrap configuration's voters, nodes 0..initialVoters-1; 0 for every node (with
     *                      random membership changes: one to all of them, by seed).
     */
    public SimOptions initialVoters(final int initialVoters)
    {
        this.initialVoters = initialVoters;
        return this;
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

    /**
     * @param snapshotThreshold entries a node applies after its last snapshot before it writes the next (each node
     *                          adds a stagger of up to half of it); 0 for no snapshots.
     * @return this for a fluent API.
     */
    public SimOptions snapshotThreshold(final int snapshotThreshold)
    {
        this.snapshotThreshold = snapshotThreshold;
        return this;
    }

    /**
     * @param snapshotKeepMax most entries a node keeps in its log behind a snapshot (each node draws 0..max).
     * @return this for a fluent API.
     */
    public SimOptions snapshotKeepMax(final int snapshotKeepMax)
    {
        this.snapshotKeepMax = snapshotKeepMax;
        return this;
    }

    /**
     * @param snapshotChunkBytes bytes of a snapshot per chunk message.
     * @return this for a fluent API.
     */
    public SimOptions snapshotChunkBytes(final int snapshotChunkBytes)
    {
        this.snapshotChunkBytes = snapshotChunkBytes;
        return this;
    }

    /**
     * @param snapshotWindow chunks a sender has unacknowledged at most.
     * @return this for a fluent API.
     */
    public SimOptions snapshotWindow(final int snapshotWindow)
    {
        this.snapshotWindow = snapshotWindow;
        return this;
    }

    /**
     * @param snapshotWriteMaxNs longest time writing a snapshot to disk takes.
     * @return this for a fluent API.
     */
    public SimOptions snapshotWriteMaxNs(final long snapshotWriteMaxNs)
    {
        this.snapshotWriteMaxNs = snapshotWriteMaxNs;
        return this;
    }

    /**
     * @param randomizeSnapshots draw per seed the snapshot threshold (8..64), the entries kept behind (up to 32),
     *                           the chunk size and the window.
     * @return this for a fluent API.
     */
    public SimOptions randomizeSnapshots(final boolean randomizeSnapshots)
    {
        this.randomizeSnapshots = randomizeSnapshots;
        return this;
    }

    /**
     * @param snapshotCorruptRate probability that a snapshot chunk arrives with a byte flipped.
     * @return this for a fluent API.
     */
    public SimOptions snapshotCorruptRate(final double snapshotCorruptRate)
    {
        this.snapshotCorruptRate = snapshotCorruptRate;
        return this;
    }

    /**
     * @param wipeMeanIntervalNs mean time between losses of a node's whole data directory (one fenced node at a
     *                           time, see {@link SimNode}); 0 for none.
     * @return this for a fluent API.
     */
    public SimOptions wipeMeanIntervalNs(final long wipeMeanIntervalNs)
    {
        this.wipeMeanIntervalNs = wipeMeanIntervalNs;
        return this;
    }

    /**
     * @param rogueMeanIntervalNs mean time between consensus messages forged by a rogue peer (see
     *                            {@link RoguePeer}) during the fault phase; 0 for none.
     * @return this for a fluent API.
     */
    public SimOptions rogueMeanIntervalNs(final long rogueMeanIntervalNs)
    {
        this.rogueMeanIntervalNs = rogueMeanIntervalNs;
        return this;
    }

    /**
     * @param readMeanIntervalNs mean time between batches of client reads, at a random node in a random mode,
     *                           during the fault phase; 0 for none.
     * @return this for a fluent API.
     */
    public SimOptions readMeanIntervalNs(final long readMeanIntervalNs)
    {
        this.readMeanIntervalNs = readMeanIntervalNs;
        return this;
    }

    /**
     * @param timers whether proposed commands carry timer operations ({@link SimTimers}); without, no timer is
     *               scheduled and no TIMER entry appended, so scripted scenarios see only their own entries.
     * @return this for a fluent API.
     */
    public SimOptions timers(final boolean timers)
    {
        this.timers = timers;
        return this;
    }

    /**
     * @param readBurstMax most client reads in one batch (one readId).
     * @return this for a fluent API.
     */
    public SimOptions readBurstMax(final int readBurstMax)
    {
        this.readBurstMax = readBurstMax;
        return this;
    }

    /**
     * @param pauseMeanIntervalNs mean time between pauses of a node (the leader half the time) during the fault
     *                            phase; 0 for none.
     * @return this for a fluent API.
     */
    public SimOptions pauseMeanIntervalNs(final long pauseMeanIntervalNs)
    {
        this.pauseMeanIntervalNs = pauseMeanIntervalNs;
        return this;
    }

    /**
     * @param pauseMaxNs longest pause (each drawn uniformly up to it).
     * @return this for a fluent API.
     */
    public SimOptions pauseMaxNs(final long pauseMaxNs)
    {
        this.pauseMaxNs = pauseMaxNs;
        return this;
    }

    /**
     * @param clockDrift how far each node's clock rate may be from true, as a multiple of what the lease tolerates
     *                   ({@code leaseMarginNs / electionTimeoutMinNs / 2} either way): 0 for exact clocks, 1 for the
     *                   most a correct lease survives; above 1 only to show that the margin matters.
     * @return this for a fluent API.
     */
    public SimOptions clockDrift(final double clockDrift)
    {
        this.clockDrift = clockDrift;
        return this;
    }

    /**
     * @param clockSkewMaxNs how far a drifting clock's reading strays from true at most (see {@link SimClock}).
     * @return this for a fluent API.
     */
    public SimOptions clockSkewMaxNs(final long clockSkewMaxNs)
    {
        this.clockSkewMaxNs = clockSkewMaxNs;
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
            ", faultPhase=" + faultPhaseNs + ", randomizeRaftConfig=" + randomizeRaftConfig +
            ", snapshotThreshold=" + snapshotThreshold + ", snapshotKeepMax=" + snapshotKeepMax +
            ", randomizeSnapshots=" + randomizeSnapshots + ", snapshotCorrupt=" + snapshotCorruptRate +
            ", wipeEvery=" + wipeMeanIntervalNs + ", rogueEvery=" + rogueMeanIntervalNs +
            ", membershipEvery=" + membershipMeanIntervalNs + ", initialVoters=" + initialVoters +
            ", readEvery=" + readMeanIntervalNs + ", pauseEvery=" + pauseMeanIntervalNs + ", pauseMax=" + pauseMaxNs +
            ", clockDrift=" + clockDrift + ", clockSkewMax=" + clockSkewMaxNs + ", timers=" + timers + '}';
    }
}
