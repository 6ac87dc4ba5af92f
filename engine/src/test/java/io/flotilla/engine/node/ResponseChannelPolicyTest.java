package io.flotilla.engine.node;

import io.aeron.ChannelUri;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResponseChannelPolicyTest
{
    private final ResponseChannelPolicy policy = new ResponseChannelPolicy(1024 * 1024, true);

    @Test
    void theNodeBuildsItsOwnSparseChannelFromTheAllowedParameters()
    {
        final ChannelUri plain = policy.publicationUri("aeron:udp?endpoint=localhost:40123");
        assertEquals(ChannelUri.parse("aeron:udp?endpoint=localhost:40123|term-length=1048576|sparse=true"), plain);
        assertEquals(128 * 1024, ResponseChannelPolicy.maxMessageLength(plain));

        final ChannelUri chosen = policy.publicationUri("aeron:udp?endpoint=10.0.0.1:40123|term-length=64k|mtu=8k");
        assertEquals(
            ChannelUri.parse("aeron:udp?endpoint=10.0.0.1:40123|term-length=65536|mtu=8192|sparse=true"), chosen);

        // Everything else is ignored: it never reaches the node's driver, and does not make a channel distinct.
        assertEquals(plain, policy.publicationUri("aeron:udp?endpoint=localhost:40123|session-id=7|alias=x|" +
            "so-sndbuf=64m|linger=1h|tags=1,2|rcv-wnd=2m|sparse=true"));
        assertEquals(ChannelUri.parse("aeron:ipc?term-length=1048576|sparse=true"), policy.publicationUri("aeron:ipc"));
    }

    @Test
    void refusesWhatWouldMakeTheNodeAllocateOrPublishElsewhere()
    {
        for (final String channel : new String[]{
            "aeron:udp?endpoint=localhost:40123|term-length=64m",
            "aeron:udp?endpoint=localhost:40123|term-length=2m",
            "aeron:udp?endpoint=localhost:40123|term-length=100000",
            "aeron:udp?endpoint=localhost:40123|term-length=32k",
            "aeron:udp?endpoint=localhost:40123|term-length=lots",
            "aeron:udp?endpoint=localhost:40123|sparse=false",
            "aeron:udp?endpoint=localhost:40123|mtu=32",
            "aeron:udp?endpoint=localhost:40123|mtu=1500",
            "aeron:udp?endpoint=localhost:40123|mtu=128k",
            "aeron:udp?endpoint=localhost:70000",
            "aeron:udp?endpoint=localhost",
            "aeron:udp?endpoint=:40123",
            "aeron:udp?control=localhost:40123",
            "aeron-spy:aeron:udp?endpoint=localhost:40123",
            "aeron:tcp?endpoint=localhost:40123",
            "http://localhost:40123",
            "",
        })
        {
            assertNull(policy.publicationUri(channel), channel);
            assertNotNull(policy.clientRefusal(channel), channel);
        }
        assertNull(policy.publicationUri(null));
        // Only a client about to bind may name port 0: the node cannot publish to it.
        assertNull(policy.publicationUri("aeron:udp?endpoint=localhost:0"));
    }

    @Test
    void ipcOnlyWhenTheNodeAcceptsIpcIngress()
    {
        final ResponseChannelPolicy udpOnly = new ResponseChannelPolicy(1024 * 1024, false);
        assertNull(udpOnly.publicationUri("aeron:ipc"));
        assertNotNull(udpOnly.publicationUri("aeron:udp?endpoint=[::1]:40123"));
    }

    @Test
    void aClientMayNameAWildcardPortAndLearnsWhatToChange()
    {
        assertNull(policy.clientRefusal("aeron:udp?endpoint=localhost:0"));
        assertTrue(policy.clientRefusal("aeron:udp?endpoint=localhost:0|term-length=64m|sparse=false")
            .contains(ResponseChannelPolicy.MAX_TERM_LENGTH_PROP));
        assertTrue(policy.clientRefusal("aeron:udp?endpoint=localhost:0|sparse=false").contains("sparse=false"));
    }

    @Test
    void theBoundItselfIsChecked()
    {
        assertNull(ResponseChannelPolicy.maxTermLengthRefusal(64 * 1024));
        assertNull(ResponseChannelPolicy.maxTermLengthRefusal(16 * 1024 * 1024));
        assertNotNull(ResponseChannelPolicy.maxTermLengthRefusal(32 * 1024 * 1024));
        assertNotNull(ResponseChannelPolicy.maxTermLengthRefusal(3 * 1024 * 1024));
        assertNotNull(ResponseChannelPolicy.maxTermLengthRefusal(0));
    }
}
