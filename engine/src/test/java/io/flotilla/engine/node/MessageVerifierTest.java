package io.flotilla.engine.node;

import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.flotilla.codecs.AppendEntriesEncoder;
import io.flotilla.codecs.BooleanType;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.RequestVoteEncoder;
import io.flotilla.engine.ClusterKeys;
import org.agrona.CloseHelper;
import org.agrona.concurrent.EpochNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static io.flotilla.engine.node.MessageVerifier.NOT_AUTHENTIC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Signing and verifying consensus messages on their own: what a receiver accepts, what it drops and counts, and
 * what it logs (once) so that an operator can tell which member holds which key.
 */
class MessageVerifierTest
{
    private static final long SKEW_NS = TimeUnit.SECONDS.toNanos(5);
    private static final com.sun.management.ThreadMXBean THREADS =
        (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();

    @TempDir
    File tempDir;

    private final ClusterKeys keys = ClusterKeys.generate();
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(128 * 1024));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final RequestVoteEncoder requestVoteEncoder = new RequestVoteEncoder();
    private final AppendEntriesEncoder appendEntriesEncoder = new AppendEntriesEncoder();
    private final List<LogRecord> errors = new CopyOnWriteArrayList<>();
    private final Handler logCapture = new Handler()
    {
        public void publish(final LogRecord record)
        {
            if (record.getLevel().intValue() >= Level.SEVERE.intValue())
            {
                errors.add(record);
            }
        }

        public void flush()
        {
        }

        public void close()
        {
        }
    };
    private final Logger logger = Logger.getLogger(MessageVerifier.class.getName());
    private long nowNs = TimeUnit.DAYS.toNanos(20_000);
    private final EpochNanoClock clock = () -> nowNs;
    private MediaDriver driver;
    private Aeron aeron;
    private NodeCounters counters;

    @BeforeEach
    void setUp()
    {
        logger.addHandler(logCapture);
        driver = ConsensusTestMessages.launchDriver(tempDir);
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(driver.aeronDirectoryName()));
        counters = new NodeCounters(aeron, 0);
    }

    @AfterEach
    void tearDown()
    {
        logger.removeHandler(logCapture);
        CloseHelper.closeAll(counters, aeron, driver);
    }

    @Test
    void aSignedMessageIsAcceptedOnceWithItsTrailerStripped()
    {
        final MessageVerifier verifier = verifier(keys);
        final int length = requestVote(1);
        final int signedLength = signer(keys, 1).sign(0, buffer, 0, length);
        assertEquals(length + MessageSigner.TRAILER_LENGTH, signedLength);

        assertEquals(length, verifier.verify(buffer, 0, signedLength));
        assertTrue(verifier.isSignedBy(1));
        assertFalse(verifier.isSignedBy(2), "member 1 signed a message claiming member 2");
        assertEquals(1, counters.authenticationFailures().get());

        assertEquals(NOT_AUTHENTIC, verifier.verify(buffer, 0, signedLength), "a replay");
        assertEquals(1, counters.replayedMessages().get());
    }

    @Test
    void changingAnyByteOfMessageOrTrailerFailsAuthentication()
    {
        final MessageVerifier verifier = verifier(keys);
        final int signedLength = signer(keys, 1).sign(0, buffer, 0, appendEntries(1));
        for (int i = 0; i < signedLength; i++)
        {
            buffer.putByte(i, (byte)(buffer.getByte(i) ^ 0x10));
            assertEquals(NOT_AUTHENTIC, verifier.verify(buffer, 0, signedLength), "byte " + i + " changed");
            buffer.putByte(i, (byte)(buffer.getByte(i) ^ 0x10));
        }
        assertEquals(signedLength, counters.authenticationFailures().get());
        assertEquals(0, counters.replayedMessages().get());
        assertEquals(signedLength - MessageSigner.TRAILER_LENGTH, verifier.verify(buffer, 0, signedLength));
    }

    @Test
    void aMessageSignedForAnotherMemberOrTooShortIsDropped()
    {
        final MessageVerifier verifier = verifier(keys);
        final int signedLength = signer(keys, 1).sign(2, buffer, 0, requestVote(1));
        assertEquals(NOT_AUTHENTIC, verifier.verify(buffer, 0, signedLength));
        assertEquals(NOT_AUTHENTIC, verifier.verify(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + 31));
        assertEquals(2, counters.authenticationFailures().get());
    }

    @Test
    void aWrongKeyIsDroppedAndLoggedOnceWithBothSidesFingerprints()
    {
        final ClusterKeys otherKeys = ClusterKeys.generate();
        final MessageVerifier verifier = verifier(keys);
        final MessageSigner signer = signer(otherKeys, 1);
        for (int i = 0; i < 3; i++)
        {
            assertEquals(NOT_AUTHENTIC, verifier.verify(buffer, 0, signer.sign(0, buffer, 0, requestVote(1))));
        }

        assertEquals(3, counters.authenticationFailures().get());
        assertEquals(1, errors.size(), "one error per peer and key");
        final String message = errors.get(0).getMessage();
        assertTrue(message.contains("member 1 signs with key " + ClusterKeys.toHex(otherKeys.fingerprint(0))), message);
        assertTrue(message.contains("this node holds keys " + ClusterKeys.toHex(keys.fingerprint(0))), message);
    }

    @Test
    void anUnsignedMessageIsDroppedAndItsSenderNamed()
    {
        final MessageVerifier verifier = verifier(keys);
        final int length = appendEntries(2);
        assertEquals(NOT_AUTHENTIC, verifier.verify(buffer, 0, signer(null, 2).sign(0, buffer, 0, length)));
        assertEquals(NOT_AUTHENTIC, verifier.verify(buffer, 0, length));

        assertEquals(2, counters.authenticationFailures().get());
        assertEquals(1, errors.size());
        assertTrue(errors.get(0).getMessage().contains(
            "member 2 sends unauthenticated messages: they are dropped; set flotilla.cluster.key.file on member 2"),
            errors.get(0).getMessage());
    }

    @Test
    void anUnauthenticatedNodeSaysWhichMemberSigns()
    {
        final MessageVerifier verifier = verifier(null);
        final int signedLength = signer(keys, 1).sign(0, buffer, 0, requestVote(1));
        assertEquals(signedLength, verifier.verify(buffer, 0, signedLength), "unchecked: left to the validator");
        verifier.onInvalid(buffer, 0, signedLength);
        verifier.onInvalid(buffer, 0, signedLength);

        assertEquals(1, errors.size());
        assertTrue(errors.get(0).getMessage().contains("this node is unauthenticated but member 1 signs"),
            errors.get(0).getMessage());
    }

    @Test
    void aMessageFromBeforeTheReceiverStartedOrFromTooFarAheadIsDropped()
    {
        final MessageSigner signer = signer(keys, 1);
        final int oldLength = signer.sign(0, buffer, 0, requestVote(1));
        final UnsafeBuffer old = new UnsafeBuffer(new byte[oldLength]);
        old.putBytes(0, buffer, 0, oldLength);

        nowNs += SKEW_NS + 1;
        final MessageVerifier restarted = verifier(keys);
        assertEquals(NOT_AUTHENTIC, restarted.verify(old, 0, oldLength), "recorded before the restart");
        assertEquals(1, counters.replayedMessages().get());

        final MessageSigner ahead = signer(keys, 2);
        nowNs += SKEW_NS + 1;
        final int aheadLength = ahead.sign(0, buffer, 0, requestVote(2));
        nowNs -= SKEW_NS + 1;
        assertEquals(NOT_AUTHENTIC, restarted.verify(buffer, 0, aheadLength), "a clock too far ahead");
        assertEquals(2, counters.replayedMessages().get());
        assertTrue(errors.get(0).getMessage().contains("member 2's clock"), errors.get(0).getMessage());

        final int freshLength = signer.sign(0, buffer, 0, requestVote(1));
        assertEquals(freshLength - MessageSigner.TRAILER_LENGTH, restarted.verify(buffer, 0, freshLength));
    }

    @Test
    void duringKeyRotationAReceiverHoldingBothKeysAcceptsBoth()
    {
        final ClusterKeys oldKey = ClusterKeys.generate();
        final ClusterKeys newKey = ClusterKeys.generate();
        final ClusterKeys rotating = ClusterKeys.fromHex(hex(newKey), hex(oldKey));
        final MessageVerifier verifier = verifier(rotating);

        final int length = requestVote(1);
        assertEquals(length, verifier.verify(buffer, 0, signer(oldKey, 1).sign(0, buffer, 0, length)));
        nowNs++; // member 1 restarted with the new key first
        assertEquals(length, verifier.verify(buffer, 0, signer(rotating, 1).sign(0, buffer, 0, length)));
        assertEquals(NOT_AUTHENTIC, verifier(oldKey).verify(buffer, 0, signer(newKey, 1).sign(0, buffer, 0, length)));
    }

    @Test
    void signingAndVerifyingAllocateNothing()
    {
        final MessageSigner signer = signer(keys, 1);
        final MessageVerifier verifier = verifier(keys);
        final int small = requestVote(1);
        final int large = appendEntries(1) + 64 * 1024;
        for (int i = 0; i < 20_000; i++)
        {
            signAndVerify(signer, verifier, small, large);
        }

        final long before = THREADS.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000; i++)
        {
            signAndVerify(signer, verifier, small, large);
        }
        assertEquals(0, THREADS.getCurrentThreadAllocatedBytes() - before);
    }

    private void signAndVerify(
        final MessageSigner signer, final MessageVerifier verifier, final int small, final int large)
    {
        requestVote(1);
        assertEquals(small, verifier.verify(buffer, 0, signer.sign(0, buffer, 0, small)));
        appendEntries(1);
        buffer.putInt(AppendEntriesEncoder.BLOCK_LENGTH + MessageHeaderEncoder.ENCODED_LENGTH, 64 * 1024);
        assertEquals(large, verifier.verify(buffer, 0, signer.sign(0, buffer, 0, large)));
    }

    private static String hex(final ClusterKeys keys)
    {
        final StringBuilder hex = new StringBuilder();
        for (final byte b : keys.key(0))
        {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    private MessageVerifier verifier(final ClusterKeys keys)
    {
        return new MessageVerifier(keys, 0, clock, SKEW_NS, counters);
    }

    private MessageSigner signer(final ClusterKeys keys, final int memberId)
    {
        return new MessageSigner(keys, memberId, clock);
    }

    private int requestVote(final int candidateId)
    {
        requestVoteEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .term(3)
            .lastLogIndex(0)
            .lastLogTerm(0)
            .candidateId(candidateId)
            .preVote(BooleanType.FALSE)
            .transfer(BooleanType.FALSE);
        return MessageHeaderEncoder.ENCODED_LENGTH + requestVoteEncoder.encodedLength();
    }

    private int appendEntries(final int leaderId)
    {
        appendEntriesEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .term(3)
            .prevLogIndex(0)
            .prevLogTerm(0)
            .leaderCommit(0)
            .leaderId(leaderId)
            .entryCount(0);
        buffer.putInt(appendEntriesEncoder.limit(), 0);
        return appendEntriesEncoder.limit() + 4;
    }
}
