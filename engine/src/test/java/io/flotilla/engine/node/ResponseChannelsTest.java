package io.flotilla.engine.node;

import io.aeron.ChannelUri;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ResponseChannelsTest
{
    @Test
    void replyPublicationsGetASmallSparseTermUnlessTheClientChoseOne()
    {
        final ChannelUri plain = ChannelUri.parse(
            ResponseChannels.publicationChannel("aeron:udp?endpoint=localhost:40123"));
        assertEquals("localhost:40123", plain.get("endpoint"));
        assertEquals(String.valueOf(ResponseChannels.REPLY_TERM_LENGTH), plain.get("term-length"));
        assertEquals("true", plain.get("sparse"));

        final ChannelUri chosen = ChannelUri.parse(
            ResponseChannels.publicationChannel("aeron:ipc?term-length=64k|sparse=false"));
        assertEquals("64k", chosen.get("term-length"));
        assertEquals("false", chosen.get("sparse"));
    }
}
