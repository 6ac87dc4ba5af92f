package io.flotilla.engine.node;

import io.aeron.ExclusivePublication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.flotilla.codecs.BooleanType;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.RequestVoteEncoder;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.io.File;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * What the tests that drive a {@link ConsensusAdapter} over a real publication share: encoding a vote request,
 * offering it within a deadline, and polling the adapter until a condition holds.
 */
final class ConsensusTestMessages
{
    static final long DEADLINE_NS = TimeUnit.SECONDS.toNanos(10);
    /** For adapters whose test sends no ForwardedRequest that must arrive. */
    static final ForwardedRequestHandler IGNORE_FORWARDS = (sessionId, sequence, buffer, offset, length) -> {};
    /** For adapters whose test sends no LeaderIntroduction that must arrive. */
    static final LeaderIntroductionHandler IGNORE_INTRODUCTIONS = (leaderId, endpoint) -> {};

    private ConsensusTestMessages()
    {
    }

    /**
     * @return the length of a plain RequestVote (no pre-vote, no transfer, empty log) encoded at 0 in the buffer.
     */
    static int requestVote(final MutableDirectBuffer buffer, final int candidateId, final long term)
    {
        final RequestVoteEncoder encoder = new RequestVoteEncoder();
        encoder.wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .term(term)
            .lastLogIndex(0)
            .lastLogTerm(0)
            .candidateId(candidateId)
            .preVote(BooleanType.FALSE)
            .transfer(BooleanType.FALSE);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    static void offer(final ExclusivePublication publication, final DirectBuffer buffer, final int length)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (publication.offer(buffer, 0, length) < 0)
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("offer did not succeed before the deadline");
            }
            Thread.yield();
        }
    }

    static void awaitCondition(final BooleanSupplier condition, final String what, final ConsensusAdapter adapter)
    {
        awaitCondition(() ->
        {
            if (condition.getAsBoolean())
            {
                return true;
            }
            adapter.poll();
            return false;
        }, what);
    }

    static void awaitCondition(final BooleanSupplier condition, final String what)
    {
        final long deadlineNs = System.nanoTime() + DEADLINE_NS;
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                fail("no " + what + " before the deadline");
            }
            Thread.yield();
        }
    }

    /**
     * @return an embedded driver for one test, its directory under the test's own, deleted when it closes.
     */
    static MediaDriver launchDriver(final File tempDir)
    {
        return MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(new File(tempDir, "aeron").getPath())
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
    }
}
