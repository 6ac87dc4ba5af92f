package io.flotilla.perf.baseline;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.logbuffer.Header;
import io.flotilla.perf.harness.EchoHandler;
import io.flotilla.perf.harness.LoadTarget;
import io.flotilla.perf.harness.Payload;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The floor: raw Aeron UDP ping-pong on loopback between two embedded media drivers with separate Aeron
 * directories (SHARED threading, default idle strategies). The load generator publishes to the far driver, whose
 * {@link EchoAgent} (Aeron's default back-off idle strategy) republishes each message back.
 */
public final class RawPingTarget implements LoadTarget
{
    private static final int PING_STREAM_ID = 1001;
    private static final int PONG_STREAM_ID = 1002;
    private static final int FRAGMENT_LIMIT = 64;
    private static final long CONNECT_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    private final FragmentAssembler assembler = new FragmentAssembler(this::onEcho);
    private LoopbackResources resources;
    private MediaDriver pingDriver;
    private MediaDriver pongDriver;
    private Aeron pingAeron;
    private Aeron pongAeron;
    private ExclusivePublication pingPublication;
    private Subscription pingSubscription;
    private AgentRunner echoRunner;
    private EchoAgent echoAgent;
    private UnsafeBuffer sendBuffer;
    private int messageLength;
    private EchoHandler echoHandler;
    private long malformed;

    public String name()
    {
        return "ping";
    }

    public String config()
    {
        return "threading=SHARED idle=default";
    }

    public void start(final int messageLength) throws TimeoutException
    {
        this.messageLength = Payload.checkLength(messageLength);
        sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(messageLength));
        resources = new LoopbackResources("flotilla-perf-ping");
        final int[] ports = LoopbackResources.freeUdpPorts(2);
        final String pingChannel = "aeron:udp?endpoint=localhost:" + ports[0];
        final String pongChannel = "aeron:udp?endpoint=localhost:" + ports[1];

        pingDriver = resources.launchDriver("ping");
        pongDriver = resources.launchDriver("pong");
        pingAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(pingDriver.aeronDirectoryName()));
        pongAeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(pongDriver.aeronDirectoryName()));

        final Subscription echoSubscription = pongAeron.addSubscription(pingChannel, PING_STREAM_ID);
        final ExclusivePublication echoPublication = pongAeron.addExclusivePublication(pongChannel, PONG_STREAM_ID);
        pingSubscription = pingAeron.addSubscription(pongChannel, PONG_STREAM_ID);
        pingPublication = pingAeron.addExclusivePublication(pingChannel, PING_STREAM_ID);

        echoAgent = new EchoAgent(echoSubscription, echoPublication);
        echoRunner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null, echoAgent);
        AgentRunner.startOnThread(echoRunner);

        final long deadlineNs = System.nanoTime() + CONNECT_TIMEOUT_NS;
        while (!pingPublication.isConnected() || !echoPublication.isConnected())
        {
            if (System.nanoTime() > deadlineNs)
            {
                throw new TimeoutException("ping and echo publications not connected within 10 s on " +
                    pingChannel + " and " + pongChannel);
            }
            Thread.onSpinWait();
            Thread.yield();
        }
    }

    public boolean offer(final long sendTimeNs)
    {
        Payload.writeSendTime(sendBuffer, 0, sendTimeNs);
        return pingPublication.offer(sendBuffer, 0, messageLength) > 0;
    }

    public int poll(final EchoHandler handler)
    {
        echoHandler = handler;
        return pingSubscription.poll(assembler, FRAGMENT_LIMIT);
    }

    public long malformedEchoes()
    {
        return malformed;
    }

    public void close()
    {
        CloseHelper.closeAll(echoRunner, pingAeron, pongAeron, pingDriver, pongDriver);
        if (null != echoAgent && echoAgent.dropped() > 0)
        {
            System.err.println("ping: the echo side dropped " + echoAgent.dropped() + " messages (not connected)");
        }
        if (null != resources)
        {
            resources.deleteDirectories();
        }
    }

    private void onEcho(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length != messageLength)
        {
            malformed++;
            return;
        }
        echoHandler.onEcho(Payload.readSendTime(buffer, offset));
    }
}
