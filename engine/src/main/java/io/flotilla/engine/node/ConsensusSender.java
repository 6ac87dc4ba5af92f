package io.flotilla.engine.node;

import io.flotilla.codecs.AppendEntriesDecoder;
import io.flotilla.codecs.AppendResponseDecoder;
import io.flotilla.codecs.ForwardedRequestDecoder;
import io.flotilla.codecs.LeaderIntroductionDecoder;
import io.flotilla.codecs.MessageHeaderDecoder;
import io.flotilla.codecs.ReadIndexRequestDecoder;
import io.flotilla.codecs.ReadIndexResponseDecoder;
import io.flotilla.codecs.RequestVoteDecoder;
import io.flotilla.codecs.SnapshotAckDecoder;
import io.flotilla.codecs.SnapshotChunkDecoder;
import io.flotilla.codecs.TermProbeDecoder;
import io.flotilla.codecs.TermProbeResponseDecoder;
import io.flotilla.codecs.TimeoutNowDecoder;
import io.flotilla.codecs.VoteResponseDecoder;
import org.agrona.DirectBuffer;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * The member a consensus message says it comes from (leaderId, followerId, candidateId, voterId, memberId,
 * responderId or senderId, by template).
 */
final class ConsensusSender
{
    /** What {@link #claimedId} returns for a message that is not a consensus message. */
    static final int NOT_CONSENSUS = Integer.MIN_VALUE;

    private ConsensusSender()
    {
    }

    /**
     * @param buffer holding a message that passed {@code FrameValidator}.
     * @param offset of its header.
     * @return the sender id it claims, or {@link #NOT_CONSENSUS}.
     */
    static int claimedId(final DirectBuffer buffer, final int offset)
    {
        final int templateId =
            buffer.getShort(offset + MessageHeaderDecoder.templateIdEncodingOffset(), LITTLE_ENDIAN) & 0xFFFF;
        final int idOffset;
        switch (templateId)
        {
            case AppendEntriesDecoder.TEMPLATE_ID: idOffset = AppendEntriesDecoder.leaderIdEncodingOffset(); break;
            case AppendResponseDecoder.TEMPLATE_ID: idOffset = AppendResponseDecoder.followerIdEncodingOffset(); break;
            case RequestVoteDecoder.TEMPLATE_ID: idOffset = RequestVoteDecoder.candidateIdEncodingOffset(); break;
            case VoteResponseDecoder.TEMPLATE_ID: idOffset = VoteResponseDecoder.voterIdEncodingOffset(); break;
            case TimeoutNowDecoder.TEMPLATE_ID: idOffset = TimeoutNowDecoder.leaderIdEncodingOffset(); break;
            case LeaderIntroductionDecoder.TEMPLATE_ID:
                idOffset = LeaderIntroductionDecoder.leaderIdEncodingOffset();
                break;
            case TermProbeDecoder.TEMPLATE_ID: idOffset = TermProbeDecoder.memberIdEncodingOffset(); break;
            case TermProbeResponseDecoder.TEMPLATE_ID:
                idOffset = TermProbeResponseDecoder.responderIdEncodingOffset();
                break;
            case SnapshotChunkDecoder.TEMPLATE_ID: idOffset = SnapshotChunkDecoder.leaderIdEncodingOffset(); break;
            case SnapshotAckDecoder.TEMPLATE_ID: idOffset = SnapshotAckDecoder.followerIdEncodingOffset(); break;
            case ReadIndexRequestDecoder.TEMPLATE_ID:
                idOffset = ReadIndexRequestDecoder.followerIdEncodingOffset();
                break;
            case ReadIndexResponseDecoder.TEMPLATE_ID:
                idOffset = ReadIndexResponseDecoder.leaderIdEncodingOffset();
                break;
            case ForwardedRequestDecoder.TEMPLATE_ID:
                idOffset = ForwardedRequestDecoder.senderIdEncodingOffset();
                break;
            default: return NOT_CONSENSUS;
        }
        return buffer.getInt(offset + MessageHeaderDecoder.ENCODED_LENGTH + idOffset, LITTLE_ENDIAN);
    }
}
