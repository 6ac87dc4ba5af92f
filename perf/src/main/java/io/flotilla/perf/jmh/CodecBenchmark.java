package io.flotilla.perf.jmh;

import io.flotilla.codecs.AppendEntriesDecoder;
import io.flotilla.codecs.AppendEntriesEncoder;
import io.flotilla.codecs.EntryFrame;
import io.flotilla.codecs.EntryType;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.FrameVerdict;
import io.flotilla.codecs.MessageHeaderDecoder;
import io.flotilla.codecs.MessageHeaderEncoder;
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
import org.openjdk.jmh.annotations.Warmup;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * The codec hot path: a leader encoding an AppendEntries of a batch of entries, and a follower validating and
 * decoding one. Run with {@code -prof gc} to see that neither allocates.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/java.util.zip=ALL-UNNAMED" })
public class CodecBenchmark
{
    @Param({ "100" })
    public int entryCount;

    @Param({ "32" })
    public int payloadLength;

    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final AppendEntriesEncoder appendEncoder = new AppendEntriesEncoder();
    private final AppendEntriesDecoder appendDecoder = new AppendEntriesDecoder();

    private UnsafeBuffer payload;
    private UnsafeBuffer entries;
    private UnsafeBuffer message;
    private int messageLength;
    private long nextIndex = 1;

    @Setup
    public void setup()
    {
        payload = new UnsafeBuffer(ByteBuffer.allocateDirect(payloadLength));
        entries = new UnsafeBuffer(ByteBuffer.allocateDirect(entryCount * EntryFrame.frameLength(payloadLength)));
        message = new UnsafeBuffer(ByteBuffer.allocateDirect(64 + entries.capacity()));
        for (int i = 0; i < payloadLength; i++)
        {
            payload.putByte(i, (byte)i);
        }
        messageLength = encodeAppendEntries();
        nextIndex = 1;
    }

    /**
     * Encode {@code entryCount} entry frames (checksums included) and wrap them in an AppendEntries.
     *
     * @return the message length.
     */
    @Benchmark
    public int encodeAppendEntries()
    {
        int position = 0;
        final long firstIndex = nextIndex;
        for (int i = 0; i < entryCount; i++)
        {
            position += EntryFrame.encode(
                entries, position, firstIndex + i, 3, 1_700_000_000_000_000_000L + i, EntryType.COMMAND,
                42, firstIndex + i, payload, 0, payloadLength);
        }

        appendEncoder.wrapAndApplyHeader(message, 0, headerEncoder)
            .term(3)
            .prevLogIndex(firstIndex - 1)
            .prevLogTerm(3)
            .leaderCommit(firstIndex - 1)
            .leaderId(1)
            .entryCount(entryCount)
            .putEntries(entries, 0, position);

        return MessageHeaderEncoder.ENCODED_LENGTH + appendEncoder.encodedLength();
    }

    /**
     * Validate an AppendEntries as untrusted bytes (every entry's checksum, indices, lengths), then decode its
     * header and walk its entries.
     *
     * @return a sum of the decoded fields, so nothing is optimised away.
     */
    @Benchmark
    public long validateAndDecodeAppendEntries()
    {
        if (FrameVerdict.VALID != FrameValidator.validate(message, 0, messageLength))
        {
            throw new IllegalStateException("benchmark message must be valid");
        }

        appendDecoder.wrapAndApplyHeader(message, 0, headerDecoder);
        long sum = appendDecoder.term() + appendDecoder.prevLogIndex() + appendDecoder.leaderCommit();
        final int blockLength = appendDecoder.entriesLength();
        final int blockOffset = appendDecoder.limit() + AppendEntriesDecoder.entriesHeaderLength();
        for (int position = blockOffset, end = blockOffset + blockLength; position < end; )
        {
            sum += EntryFrame.index(message, position) + EntryFrame.term(message, position);
            position += EntryFrame.frameLength(message, position);
        }

        return sum;
    }
}
