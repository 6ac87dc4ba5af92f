package io.flotilla.archive;

import io.flotilla.codecs.BooleanType;
import io.flotilla.codecs.Checksums;
import io.flotilla.codecs.EarlierNodeStateRecordDecoder;
import io.flotilla.codecs.FrameValidator;
import io.flotilla.codecs.FrameVerdict;
import io.flotilla.codecs.MessageHeaderDecoder;
import io.flotilla.codecs.MessageHeaderEncoder;
import io.flotilla.codecs.NodeStateRecordDecoder;
import io.flotilla.codecs.NodeStateRecordEncoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The node's small persistent state: current term, vote, a last-known commit index (a hint for how far recovery may
 * re-apply the log) and its voting fence (whether it is still rejoining after a data loss, and up to which term its
 * votes stay refused). {@link #write} and {@link #writeVotingFence} return only once the new state is durable.
 * <p>
 * The file has two slots, a block apart, each holding one SBE {@code NodeStateRecord} protected by a CRC32C and
 * numbered by a write sequence. A write goes to the slot not holding the current record, in place, forced with one
 * {@code fdatasync}: the file's size and name never change, so there is no metadata to journal, and a write torn by a
 * crash leaves the other slot, the last completed write, to be read. A write is on the election's path (a candidate's
 * and every voter's term and vote), where replacing a whole file costs several journal commits: tens of milliseconds
 * beside a log being written (docs/log-store.md). The first write lays the file out by an atomic replace (temporary
 * file, fsync, rename, fsync of the directory), which also converts a file of the earlier layout, a single record.
 * Records written before the fence was kept ({@code EarlierNodeStateRecord}) are read as unfenced, and replaced by
 * the current record at the next write.
 * <p>
 * A missing file is a fresh node; a file of any other length, or with no valid record, raises
 * {@link IllegalStateException} naming the file: it is never read as zeros. One damaged slot beside a valid one is
 * what a crash during a write leaves: it is reported at WARNING and the valid one used (the write it held had not
 * returned, so nothing it promised is lost). Opening reads and changes nothing; {@link #close()} releases the file
 * that writes opened.
 */
public final class NodeStateFile implements AutoCloseable
{
    /** The file's name in the node's data directory. */
    public static final String FILE_NAME = "node-state.dat";

    /** Vote value for "no vote cast this term". */
    public static final int NO_VOTE = -1;

    /** Bytes from one slot's start to the next's: a filesystem block each, so a torn write cannot reach the other. */
    static final int SLOT_LENGTH = 4096;
    /** The file's length: two slots. */
    static final int FILE_LENGTH = 2 * SLOT_LENGTH;
    /** Votes refused through no term: the node was never fenced. */
    public static final long NO_REFUSED_TERM = -1;

    /** One record. */
    static final int RECORD_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + NodeStateRecordEncoder.BLOCK_LENGTH;
    /** One record written before the fence was kept, and the whole length of a file of the earlier layout. */
    static final int EARLIER_RECORD_LENGTH =
        MessageHeaderEncoder.ENCODED_LENGTH + EarlierNodeStateRecordDecoder.BLOCK_LENGTH;

    private static final System.Logger LOGGER = System.getLogger(NodeStateFile.class.getName());
    private static final int CHECKSUM_END =
        MessageHeaderEncoder.ENCODED_LENGTH + NodeStateRecordEncoder.checksumEncodingOffset() + 4;

    private final Path file;
    private final Path tempFile;
    private final ByteBuffer byteBuffer = ByteBuffer.allocateDirect(RECORD_LENGTH);
    private final UnsafeBuffer buffer = new UnsafeBuffer(byteBuffer);
    private final NodeStateRecordEncoder encoder = new NodeStateRecordEncoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final boolean existed;
    private boolean laidOut;
    private FileChannel channel;
    private int sequence;
    private long currentTerm;
    private int votedFor = NO_VOTE;
    private long commitIndexHint;
    private boolean votingFence;
    private long votesRefusedThroughTerm = NO_REFUSED_TERM;

    private NodeStateFile(final File directory)
    {
        final Path path = directory.toPath();
        this.file = path.resolve(FILE_NAME);
        this.tempFile = path.resolve(FILE_NAME + ".tmp");
        this.existed = Files.exists(file);
        if (existed)
        {
            load();
        }
    }

    /**
     * Load the node's state from its data directory, or start fresh (term 0, no vote, hint 0, no fence) when there is
     * none.
     *
     * @param directory the node's data directory (created if missing).
     * @return the state.
     * @throws IllegalStateException naming the file when it exists but is damaged.
     */
    public static NodeStateFile open(final File directory)
    {
        try
        {
            Files.createDirectories(directory.toPath());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create node data directory " + directory, ex);
        }

        return new NodeStateFile(directory);
    }

    /**
     * Replace the term, vote and hint durably, keeping the voting fence: on return it survives a crash.
     *
     * @param currentTerm     the node's current term.
     * @param votedFor        the member voted for in that term, or {@link #NO_VOTE}.
     * @param commitIndexHint the highest index known committed.
     */
    public void write(final long currentTerm, final int votedFor, final long commitIndexHint)
    {
        write(currentTerm, votedFor, commitIndexHint, votingFence, votesRefusedThroughTerm);
    }

    /**
     * Replace the voting fence durably, keeping the term, vote and hint: on return it survives a crash.
     *
     * @param votingFence             whether the node is rejoining after a data loss, kept out of elections.
     * @param votesRefusedThroughTerm votes of this term and earlier stay refused, or {@link #NO_REFUSED_TERM}.
     */
    public void writeVotingFence(final boolean votingFence, final long votesRefusedThroughTerm)
    {
        write(currentTerm, votedFor, commitIndexHint, votingFence, votesRefusedThroughTerm);
    }

    private void write(
        final long currentTerm,
        final int votedFor,
        final long commitIndexHint,
        final boolean votingFence,
        final long votesRefusedThroughTerm)
    {
        final int nextSequence = sequence + 1;
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .checksum(0)
            .sequence(nextSequence & 0xFFFF_FFFFL)
            .currentTerm(currentTerm)
            .commitIndexHint(commitIndexHint)
            .votesRefusedThroughTerm(votesRefusedThroughTerm)
            .votedFor(votedFor)
            .votingFence(votingFence ? BooleanType.TRUE : BooleanType.FALSE);
        encoder.checksum(Checksums.crc32c(buffer, CHECKSUM_END, RECORD_LENGTH - CHECKSUM_END) & 0xFFFF_FFFFL);

        try
        {
            if (!laidOut)
            {
                layOut(nextSequence);
            }
            else
            {
                writeInPlace(nextSequence);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("failed to write node state file " + file, ex);
        }

        this.sequence = nextSequence;
        this.currentTerm = currentTerm;
        this.votedFor = votedFor;
        this.commitIndexHint = commitIndexHint;
        this.votingFence = votingFence;
        this.votesRefusedThroughTerm = votesRefusedThroughTerm;
    }

    /**
     * The first write to a missing file, or to one of the earlier layout: replace it atomically by the two-slot
     * layout holding the record.
     */
    private void layOut(final int nextSequence) throws IOException
    {
        final ByteBuffer image = ByteBuffer.allocate(FILE_LENGTH);
        image.position((int)slotOffset(nextSequence));
        image.put(byteBuffer.duplicate().clear());
        DurableFiles.replace(file, tempFile, image.clear());
        laidOut = true;
    }

    // Into the slot not holding the current record; the file is opened once, at the first write.
    private void writeInPlace(final int nextSequence) throws IOException
    {
        if (null == channel)
        {
            channel = FileChannel.open(file, StandardOpenOption.WRITE);
        }
        final ByteBuffer record = byteBuffer.duplicate().clear();
        final long position = slotOffset(nextSequence);
        while (record.hasRemaining())
        {
            channel.write(record, position + record.position());
        }
        channel.force(false);
    }

    private static long slotOffset(final int sequence)
    {
        return (sequence & 1) * (long)SLOT_LENGTH;
    }

    /**
     * Release the file, if a write opened it.
     */
    public void close()
    {
        CloseHelper.close(channel);
        channel = null;
    }

    /**
     * @return whether the file existed when opened (false = fresh node).
     */
    public boolean existed()
    {
        return existed;
    }

    public long currentTerm()
    {
        return currentTerm;
    }

    /**
     * @return the member voted for in {@link #currentTerm()}, or {@link #NO_VOTE}.
     */
    public int votedFor()
    {
        return votedFor;
    }

    public long commitIndexHint()
    {
        return commitIndexHint;
    }

    /**
     * @return whether the node is rejoining after a data loss and still kept out of elections.
     */
    public boolean votingFence()
    {
        return votingFence;
    }

    /**
     * @return the term through which votes stay refused (the one the fence lifted in), or {@link #NO_REFUSED_TERM}.
     */
    public long votesRefusedThroughTerm()
    {
        return votesRefusedThroughTerm;
    }

    /**
     * @return the state file's path.
     */
    public File file()
    {
        return file.toFile();
    }

    private void load()
    {
        final byte[] bytes;
        try
        {
            bytes = Files.readAllBytes(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read node state file " + file, ex);
        }

        final UnsafeBuffer content = new UnsafeBuffer(bytes);
        if (EARLIER_RECORD_LENGTH == bytes.length)
        {
            // The earlier layout, one record: read strictly, converted at the first write.
            final String damage = EarlierNodeStateRecordDecoder.TEMPLATE_ID == templateId(content, 0) ?
                damage(content, 0) : "not a record of the earlier layout";
            if (null != damage)
            {
                throw damaged(damage);
            }
            use(content, 0);
            return;
        }
        if (FILE_LENGTH != bytes.length)
        {
            throw new IllegalStateException("node state file " + file + " is " + bytes.length + " bytes, expected " +
                FILE_LENGTH + ": half-written or damaged; restore it or rebuild this node from its peers");
        }

        final String damage0 = isBlank(content, 0) ? "empty" : damage(content, 0);
        final String damage1 = isBlank(content, SLOT_LENGTH) ? "empty" : damage(content, SLOT_LENGTH);
        final int current;
        if (null == damage0 && null == damage1)
        {
            current = (int)(sequenceAt(content, SLOT_LENGTH) - sequenceAt(content, 0)) > 0 ? SLOT_LENGTH : 0;
        }
        else if (null == damage0 || null == damage1)
        {
            current = null == damage0 ? 0 : SLOT_LENGTH;
            final String otherDamage = null == damage0 ? damage1 : damage0;
            if (!"empty".equals(otherDamage))
            {
                LOGGER.log(System.Logger.Level.WARNING, "node state file " + file + ": the slot at " +
                    (SLOT_LENGTH - current) + " is damaged (" + otherDamage + "), as a crash during a write " +
                    "leaves it; using the last completed write, in the slot at " + current);
            }
        }
        else
        {
            throw damaged("slot at 0: " + damage0 + ", slot at " + SLOT_LENGTH + ": " + damage1);
        }
        use(content, current);
        laidOut = true;
    }

    private IllegalStateException damaged(final String damage)
    {
        return new IllegalStateException("node state file " + file + " is damaged (" + damage +
            "); restore it or rebuild this node from its peers");
    }

    /**
     * @return null when the record at {@code offset} (of either template) is valid, else what is wrong with it.
     */
    private static String damage(final UnsafeBuffer content, final int offset)
    {
        final int length = recordLength(templateId(content, offset));
        if (length < 0)
        {
            return "not a node state record";
        }
        final FrameVerdict verdict =
            FrameValidator.validate(content, offset, Math.min(length, content.capacity() - offset));
        return verdict.isValid() ? null : verdict.toString();
    }

    private static int templateId(final UnsafeBuffer content, final int offset)
    {
        return new MessageHeaderDecoder().wrap(content, offset).templateId();
    }

    private static int recordLength(final int templateId)
    {
        switch (templateId)
        {
            case NodeStateRecordDecoder.TEMPLATE_ID: return RECORD_LENGTH;
            case EarlierNodeStateRecordDecoder.TEMPLATE_ID: return EARLIER_RECORD_LENGTH;
            default: return -1;
        }
    }

    private static boolean isBlank(final UnsafeBuffer content, final int offset)
    {
        for (int i = offset; i < offset + SLOT_LENGTH; i++)
        {
            if (0 != content.getByte(i))
            {
                return false;
            }
        }
        return true;
    }

    private static long sequenceAt(final UnsafeBuffer content, final int offset)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        return EarlierNodeStateRecordDecoder.TEMPLATE_ID == templateId(content, offset) ?
            new EarlierNodeStateRecordDecoder().wrapAndApplyHeader(content, offset, header).sequence() :
            new NodeStateRecordDecoder().wrapAndApplyHeader(content, offset, header).sequence();
    }

    private void use(final UnsafeBuffer content, final int offset)
    {
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        if (EarlierNodeStateRecordDecoder.TEMPLATE_ID == templateId(content, offset))
        {
            final EarlierNodeStateRecordDecoder decoder =
                new EarlierNodeStateRecordDecoder().wrapAndApplyHeader(content, offset, header);
            sequence = (int)decoder.sequence();
            currentTerm = decoder.currentTerm();
            votedFor = decoder.votedFor();
            commitIndexHint = decoder.commitIndexHint();
            return;
        }
        final NodeStateRecordDecoder decoder = new NodeStateRecordDecoder().wrapAndApplyHeader(content, offset, header);
        sequence = (int)decoder.sequence();
        currentTerm = decoder.currentTerm();
        votedFor = decoder.votedFor();
        commitIndexHint = decoder.commitIndexHint();
        votingFence = BooleanType.TRUE == decoder.votingFence();
        votesRefusedThroughTerm = decoder.votesRefusedThroughTerm();
    }
}
