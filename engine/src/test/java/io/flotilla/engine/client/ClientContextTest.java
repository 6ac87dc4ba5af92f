package io.flotilla.engine.client;

import io.flotilla.engine.raft.RaftConfig;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClientContextTest
{
    private static String failure(final FlotillaClient.Context ctx)
    {
        return assertThrows(IllegalArgumentException.class, ctx::conclude).getMessage();
    }

    @Test
    void parsesMembersSpec()
    {
        final IngressEndpoints endpoints = IngressEndpoints.parse("0=h0:20110:20111, 1=h1:20120:20121");
        assertEquals(2, endpoints.size());
        assertEquals("h1:20121", endpoints.endpoint(1));
        assertEquals(1, endpoints.memberId(1));
        assertEquals("aeron:udp?endpoint=h0:20111", endpoints.channel(0));
    }

    @Test
    void parsesEndpointListAndIpc()
    {
        final IngressEndpoints endpoints = IngressEndpoints.parse("localhost:1,aeron:ipc");
        assertEquals(IngressEndpoints.UNKNOWN_MEMBER, endpoints.memberId(0));
        assertEquals("aeron:ipc", endpoints.channel(1));
    }

    @Test
    void resolvesHintsByMemberThenEndpointAndLearnsNewOnes()
    {
        final IngressEndpoints endpoints = IngressEndpoints.parse("a:1,b:2");
        assertEquals(1, endpoints.resolve(7, "b:2"));
        assertEquals(7, endpoints.memberId(1));
        assertEquals(1, endpoints.resolve(7, ""));
        assertEquals(-1, endpoints.resolve(-1, ""));
        assertEquals(2, endpoints.resolve(-1, "c:3"));
        assertEquals(3, endpoints.size());
    }

    @Test
    void sharedSecretCredentialsNeedBothHalvesAndNameTheProperty()
    {
        final FlotillaClient.Context base = new FlotillaClient.Context().ingressEndpoints("localhost:1");
        assertTrue(failure(base.principal("alice")).contains(FlotillaClient.Context.SECRET_FILE_PROP));
        assertTrue(failure(new FlotillaClient.Context().ingressEndpoints("localhost:1").secret(new byte[16]))
            .contains(FlotillaClient.Context.PRINCIPAL_PROP));
        assertTrue(failure(new FlotillaClient.Context().ingressEndpoints("localhost:1").principal("alice")
            .secretFile("/nonexistent/secret")).contains(FlotillaClient.Context.SECRET_FILE_PROP));
        assertTrue(failure(new FlotillaClient.Context().ingressEndpoints("localhost:1").principal("alice")
            .secret(new byte[16]).credentials(new byte[]{ 1 })).contains("not both"));
    }

    @Test
    void rejectsBadEndpointsNamingThem()
    {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IngressEndpoints.parse("x=h:1:2"))
            .getMessage().contains("member id"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IngressEndpoints.parse("h:99999"))
            .getMessage().contains("out of range"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IngressEndpoints.parse("0=h:1"))
            .getMessage().contains("id=host:consensusPort:ingressPort"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> IngressEndpoints.parse("h:1,h:1"))
            .getMessage().contains("twice"));
        assertTrue(failure(new FlotillaClient.Context().ingressEndpoints(null))
            .contains(FlotillaClient.Context.INGRESS_ENDPOINTS_PROP));
    }

    @Test
    void rejectsBadSettingsNamingTheProperty()
    {
        assertTrue(failure(new FlotillaClient.Context().ingressEndpoints("h:1").responseTimeoutNs(0))
            .contains(FlotillaClient.Context.RESPONSE_TIMEOUT_PROP));
        assertTrue(failure(new FlotillaClient.Context().ingressEndpoints("h:1")
            .connectTimeoutNs(TimeUnit.MILLISECONDS.toNanos(100)).responseTimeoutNs(TimeUnit.SECONDS.toNanos(1)))
            .contains(FlotillaClient.Context.CONNECT_TIMEOUT_PROP));
        assertTrue(failure(new FlotillaClient.Context().ingressEndpoints("h:1").responseChannel("aeron:xyz"))
            .contains(FlotillaClient.Context.RESPONSE_CHANNEL_PROP));
        // Channels the cluster would refuse, and so never answer on.
        assertTrue(failure(new FlotillaClient.Context().ingressEndpoints("h:1")
            .responseChannel("aeron:udp?endpoint=localhost:0|term-length=64m|sparse=false"))
            .contains("flotilla.response.max.term.length"));
        assertTrue(failure(new FlotillaClient.Context().ingressEndpoints("h:1")
            .responseChannel("aeron:udp?endpoint=localhost:0|sparse=false"))
            .contains(FlotillaClient.Context.RESPONSE_CHANNEL_PROP));
        assertTrue(failure(new FlotillaClient.Context().ingressEndpoints("h:1").responseChannel("aeron:udp"))
            .contains("endpoint"));
        assertTrue(failure(new FlotillaClient.Context().ingressEndpoints("h:1").maxRequestLength(0))
            .contains(FlotillaClient.Context.MAX_REQUEST_LENGTH_PROP));
        assertTrue(failure(new FlotillaClient.Context().ingressEndpoints("h:1").ingressStreamId(0))
            .contains(FlotillaClient.Context.INGRESS_STREAM_ID_PROP));
    }

    @Test
    void readsSystemPropertyDefaults()
    {
        System.setProperty(FlotillaClient.Context.INGRESS_ENDPOINTS_PROP, "h:5");
        System.setProperty(FlotillaClient.Context.RESPONSE_TIMEOUT_PROP, "250ms");
        try
        {
            final FlotillaClient.Context ctx = new FlotillaClient.Context();
            ctx.conclude();
            assertEquals("h:5", ctx.ingressEndpoints());
            assertEquals(TimeUnit.MILLISECONDS.toNanos(250), ctx.responseTimeoutNs());
        }
        finally
        {
            System.clearProperty(FlotillaClient.Context.INGRESS_ENDPOINTS_PROP);
            System.clearProperty(FlotillaClient.Context.RESPONSE_TIMEOUT_PROP);
        }
    }

    @Test
    void anUnknownOrMisspelledPropertyFailsNamingTheClosestOne()
    {
        System.setProperty("flotilla.client.response.timout", "250ms");
        try
        {
            final String message = failure(new FlotillaClient.Context().ingressEndpoints("h:1"));
            assertTrue(message.contains("unknown property flotilla.client.response.timout") &&
                message.contains("did you mean " + FlotillaClient.Context.RESPONSE_TIMEOUT_PROP + "?"), message);
        }
        finally
        {
            System.clearProperty("flotilla.client.response.timout");
        }

        // A node's settings in the client's JVM (one set of JAVA_OPTS for both) are known, not refused.
        System.setProperty(RaftConfig.HEARTBEAT_INTERVAL_PROP_NAME, "50ms");
        try
        {
            new FlotillaClient.Context().ingressEndpoints("h:1").conclude();
        }
        finally
        {
            System.clearProperty(RaftConfig.HEARTBEAT_INTERVAL_PROP_NAME);
        }
    }

    @Test
    void propertiesThatDoNotParseNameTheProperty()
    {
        System.setProperty(FlotillaClient.Context.CONNECT_TIMEOUT_PROP, "5 s");
        System.setProperty(FlotillaClient.Context.MAX_REQUEST_LENGTH_PROP, "32k");
        try
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, FlotillaClient.Context::new);
            assertTrue(ex.getMessage().contains(FlotillaClient.Context.CONNECT_TIMEOUT_PROP + "=5 s is not a duration"),
                ex.getMessage());
            System.clearProperty(FlotillaClient.Context.CONNECT_TIMEOUT_PROP);
            assertEquals(32 * 1024, new FlotillaClient.Context().maxRequestLength());
        }
        finally
        {
            System.clearProperty(FlotillaClient.Context.CONNECT_TIMEOUT_PROP);
            System.clearProperty(FlotillaClient.Context.MAX_REQUEST_LENGTH_PROP);
        }
    }
}
