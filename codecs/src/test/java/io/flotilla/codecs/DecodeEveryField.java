package io.flotilla.codecs;

import org.agrona.DirectBuffer;

/**
 * Runs the generated decoder of a message's template over every field, enums and var data included (its
 * {@code appendTo} reads them all), for the fuzz tests' check that a {@link FrameValidator}-valid slice decodes.
 */
final class DecodeEveryField
{
    private DecodeEveryField()
    {
    }

    /**
     * @param templateId of the message, from its header.
     * @param buffer     holding the message at offset 0.
     * @param header     wrapped on the message's header.
     * @return the length the decoder walked after the header.
     */
    static int decodedLength(final int templateId, final DirectBuffer buffer, final MessageHeaderDecoder header)
    {
        final StringBuilder fields = new StringBuilder();
        switch (templateId)
        {
            case LogEntryDecoder.TEMPLATE_ID:
            {
                final LogEntryDecoder decoder = new LogEntryDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case AppendEntriesDecoder.TEMPLATE_ID:
            {
                final AppendEntriesDecoder decoder = new AppendEntriesDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case AppendResponseDecoder.TEMPLATE_ID:
            {
                final AppendResponseDecoder decoder = new AppendResponseDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case RequestVoteDecoder.TEMPLATE_ID:
            {
                final RequestVoteDecoder decoder = new RequestVoteDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case VoteResponseDecoder.TEMPLATE_ID:
            {
                final VoteResponseDecoder decoder = new VoteResponseDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case TimeoutNowDecoder.TEMPLATE_ID:
            {
                final TimeoutNowDecoder decoder = new TimeoutNowDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case LeaderIntroductionDecoder.TEMPLATE_ID:
            {
                final LeaderIntroductionDecoder decoder =
                    new LeaderIntroductionDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case TermProbeDecoder.TEMPLATE_ID:
            {
                final TermProbeDecoder decoder = new TermProbeDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case TermProbeResponseDecoder.TEMPLATE_ID:
            {
                final TermProbeResponseDecoder decoder =
                    new TermProbeResponseDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case SnapshotChunkDecoder.TEMPLATE_ID:
            {
                final SnapshotChunkDecoder decoder = new SnapshotChunkDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case SnapshotAckDecoder.TEMPLATE_ID:
            {
                final SnapshotAckDecoder decoder = new SnapshotAckDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case SessionConnectDecoder.TEMPLATE_ID:
            {
                final SessionConnectDecoder decoder = new SessionConnectDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case SessionAckDecoder.TEMPLATE_ID:
            {
                final SessionAckDecoder decoder = new SessionAckDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case SessionRejectDecoder.TEMPLATE_ID:
            {
                final SessionRejectDecoder decoder = new SessionRejectDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case RequestDecoder.TEMPLATE_ID:
            {
                final RequestDecoder decoder = new RequestDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case ResponseDecoder.TEMPLATE_ID:
            {
                final ResponseDecoder decoder = new ResponseDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case SessionKeepAliveDecoder.TEMPLATE_ID:
            {
                final SessionKeepAliveDecoder decoder = new SessionKeepAliveDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case SessionCloseDecoder.TEMPLATE_ID:
            {
                final SessionCloseDecoder decoder = new SessionCloseDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case SessionAttachDecoder.TEMPLATE_ID:
            {
                final SessionAttachDecoder decoder = new SessionAttachDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case ReadIndexRequestDecoder.TEMPLATE_ID:
            {
                final ReadIndexRequestDecoder decoder = new ReadIndexRequestDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case ReadIndexResponseDecoder.TEMPLATE_ID:
            {
                final ReadIndexResponseDecoder decoder = new ReadIndexResponseDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case ForwardedRequestDecoder.TEMPLATE_ID:
            {
                final ForwardedRequestDecoder decoder = new ForwardedRequestDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case QueryDecoder.TEMPLATE_ID:
            {
                final QueryDecoder decoder = new QueryDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case QueryResponseDecoder.TEMPLATE_ID:
            {
                final QueryResponseDecoder decoder = new QueryResponseDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case SessionMessageDecoder.TEMPLATE_ID:
            {
                final SessionMessageDecoder decoder = new SessionMessageDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case SessionMessageAckDecoder.TEMPLATE_ID:
            {
                final SessionMessageAckDecoder decoder =
                    new SessionMessageAckDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case NodeStateRecordDecoder.TEMPLATE_ID:
            {
                final NodeStateRecordDecoder decoder = new NodeStateRecordDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            case EarlierNodeStateRecordDecoder.TEMPLATE_ID:
            {
                final EarlierNodeStateRecordDecoder decoder = new EarlierNodeStateRecordDecoder().wrapAndApplyHeader(buffer, 0, header);
                decoder.appendTo(fields);
                return decoder.sbeDecodedLength();
            }
            default:
                throw new IllegalArgumentException("template " + templateId + " is not in the schema");
        }
    }
}
