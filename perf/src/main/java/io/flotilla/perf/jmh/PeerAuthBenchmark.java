package io.flotilla.perf.jmh;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.flotilla.engine.ClusterKeys;
import io.flotilla.engine.node.MessageSigner;
import io.flotilla.engine.node.MessageVerifier;
import io.flotilla.engine.node.NodeCounters;
import org.agrona.CloseHelper;
import org.agrona.concurrent.SystemEpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * What peer authentication costs per consensus message: a sender signing it for one peer plus that peer verifying
 * it, for a vote-sized message and a 64 KiB AppendEntries. Run with {@code -prof gc} to see that neither allocates.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED" })
public class PeerAuthBenchmark
{
    @Param({ "100", "65536" })
    public int messageLength;

    private MediaDriver driver;
    private Aeron aeron;
    private NodeCounters counters;
    private MessageSigner signer;
    private MessageVerifier verifier;
    private UnsafeBuffer buffer;

    @Setup
    public void setup()
    {
        // The verifier counts failures in Aeron counters, so it needs a driver; none fail here.
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context().threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true).dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        counters = new NodeCounters(aeron, 0);
        final ClusterKeys keys = ClusterKeys.generate();
        final SystemEpochNanoClock clock = new SystemEpochNanoClock();
        signer = new MessageSigner(keys, 1, clock);
        verifier = new MessageVerifier(keys, 0, clock, TimeUnit.SECONDS.toNanos(5), counters);
        buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(messageLength + MessageSigner.TRAILER_LENGTH));
    }

    @TearDown
    public void tearDown()
    {
        CloseHelper.closeAll(counters, aeron, driver);
    }

    @Benchmark
    public int signAndVerify()
    {
        return verifier.verify(buffer, 0, signer.sign(0, buffer, 0, messageLength));
    }
}
