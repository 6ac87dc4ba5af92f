package io.flotilla.admin;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.TestCluster;
import io.flotilla.engine.Role;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin endpoint of a real 3-node cluster, used with a real HTTP client.
 */
class AdminServerTest
{
    private static final Set<String> STATUS_FIELDS = Set.of("memberId", "role", "term", "leaderMemberId", "leader",
        "commitIndex", "appliedIndex", "durableIndex", "logFirstIndex", "logLastIndex", "snapshotIndex", "sessions",
        "votingFence", "running", "failure", "startedAtEpochMs", "uptimeMs", "version", "members", "followers");

    @TempDir
    File tempDir;

    private final List<AdminServer> servers = new ArrayList<>();
    private TestCluster cluster;

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(servers);
        CloseHelper.close(cluster);
    }

    private AdminClient serve(final ClusterNode node, final AdminServer.Context ctx)
    {
        final AdminServer server = AdminServer.launch(node, ctx);
        servers.add(server);
        return new AdminClient(server);
    }

    private AdminClient serve(final ClusterNode node)
    {
        return serve(node, new AdminServer.Context().port(0).token(AdminClient.TOKEN));
    }

    private AdminClient[] startCluster()
    {
        cluster = new TestCluster(tempDir, 3).startAll();
        final AdminClient[] clients = new AdminClient[3];
        for (int i = 0; i < 3; i++)
        {
            clients[i] = serve(cluster.node(i));
        }
        return clients;
    }

    @Test
    @Timeout(120)
    void statusAndHealthReportTheLeaderItsFollowersAndEveryNode()
    {
        final AdminClient[] admin = startCluster();
        final ClusterNode leader = cluster.awaitLeader();
        TestCluster.proposeAll(leader, 500, 64, "status-");
        cluster.awaitConverged(500);

        final AdminClient leaderAdmin = admin[leader.memberId()];
        cluster.await("followers at lag 0 in the leader's /status", () ->
        {
            final List<?> followers = (List<?>)AdminClient.json(leaderAdmin.get("/status")).get("followers");
            return 2 == followers.size() && followers.stream().allMatch((f) -> 0 == num(((Map<?, ?>)f).get("lag")));
        });

        final HttpResponse<String> response = leaderAdmin.get("/status");
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        final Map<String, Object> status = AdminClient.json(response);
        assertEquals(STATUS_FIELDS, status.keySet());
        assertEquals(leader.memberId(), num(status.get("memberId")));
        assertEquals("LEADER", status.get("role"));
        assertEquals(leader.term(), num(status.get("term")));
        assertEquals(leader.memberId(), num(status.get("leaderMemberId")));
        final Map<?, ?> leaderEntry = (Map<?, ?>)status.get("leader");
        assertEquals(leader.memberId(), num(leaderEntry.get("memberId")));
        assertEquals(cluster.ingressEndpoint(leader.memberId()), leaderEntry.get("ingressEndpoint"));
        assertTrue(num(status.get("commitIndex")) >= 500);
        assertTrue(num(status.get("appliedIndex")) >= 500);
        assertTrue(num(status.get("durableIndex")) > 0);
        assertEquals(1, num(status.get("logFirstIndex")));
        assertTrue(num(status.get("logLastIndex")) >= num(status.get("commitIndex")));
        assertEquals(0, num(status.get("snapshotIndex")));
        assertEquals(0, num(status.get("sessions")));
        assertEquals(true, status.get("running"));
        assertNull(status.get("failure"));
        assertTrue(num(status.get("uptimeMs")) >= 0);
        assertEquals(ClusterNode.version(), status.get("version"));
        assertEquals(3, ((List<?>)status.get("members")).size());
        for (final Object follower : (List<?>)status.get("followers"))
        {
            final Map<?, ?> entry = (Map<?, ?>)follower;
            assertEquals(num(status.get("logLastIndex")), num(entry.get("matchIndex")));
            assertNotEquals(leader.memberId(), num(entry.get("memberId")));
        }

        for (int i = 0; i < 3; i++)
        {
            assertEquals(200, admin[i].get("/health/live").statusCode());
            final HttpResponse<String> ready = admin[i].get("/health/ready");
            assertEquals(200, ready.statusCode(), ready.body());
            assertEquals(true, AdminClient.json(ready).get("ready"));
            if (i != leader.memberId())
            {
                final Map<String, Object> followerStatus = AdminClient.json(admin[i].get("/status"));
                assertEquals("FOLLOWER", followerStatus.get("role"));
                assertEquals(leader.memberId(), num(followerStatus.get("leaderMemberId")));
                assertEquals(List.of(), followerStatus.get("followers"));
            }
        }
    }

    @Test
    @Timeout(120)
    void proposeTransferAndSnapshotChangeTheClusterThroughTheLeaderOnly()
    {
        final AdminClient[] admin = startCluster();
        final ClusterNode leader = cluster.awaitLeader();
        final AdminClient leaderAdmin = admin[leader.memberId()];
        final long appliedBefore = cluster.machine(leader.memberId()).count();

        final HttpResponse<String> proposed = leaderAdmin.post("/propose", command("hello"), AdminClient.TOKEN);
        assertEquals(200, proposed.statusCode(), proposed.body());
        final Map<String, Object> result = AdminClient.json(proposed);
        assertEquals("OK", result.get("status"));
        final long index = num(result.get("index"));
        assertTrue(index > 0 && leader.appliedIndex() >= index);
        assertEquals(appliedBefore + 1, cluster.machine(leader.memberId()).count());
        Base64.getDecoder().decode((String)result.get("response"));

        final int followerId = (leader.memberId() + 1) % 3;
        final HttpResponse<String> notLeader = admin[followerId].post("/propose", command("x"), AdminClient.TOKEN);
        assertEquals(421, notLeader.statusCode());
        assertEquals("NOT_LEADER", AdminClient.json(notLeader).get("error"));
        assertEquals(leader.memberId(), num(AdminClient.json(notLeader).get("leaderMemberId")));

        final HttpResponse<String> snapshot = leaderAdmin.post("/snapshot", null, AdminClient.TOKEN);
        assertEquals(200, snapshot.statusCode(), snapshot.body());
        assertTrue(num(AdminClient.json(snapshot).get("snapshotIndex")) >= index);

        final HttpResponse<String> notLeaderTransfer =
            admin[followerId].post("/transfer-leadership", null, AdminClient.TOKEN);
        assertEquals(409, notLeaderTransfer.statusCode());

        final HttpResponse<String> moved = leaderAdmin.post(
            "/transfer-leadership", "{\"to\":" + followerId + "}", AdminClient.TOKEN);
        assertEquals(200, moved.statusCode(), moved.body());
        assertEquals(followerId, num(AdminClient.json(moved).get("leaderMemberId")));
        final ClusterNode newLeader = cluster.awaitLeader();
        assertEquals(followerId, newLeader.memberId());

        final HttpResponse<String> movedAgain = admin[followerId].post("/transfer-leadership", null, AdminClient.TOKEN);
        assertEquals(200, movedAgain.statusCode(), movedAgain.body());
        assertNotEquals(followerId, num(AdminClient.json(movedAgain).get("leaderMemberId")));
        assertNotEquals(followerId, cluster.awaitLeader().memberId());
    }

    @Test
    @Timeout(120)
    void badRequestsAreRefusedWithNamedErrorsAndChangeNothing()
    {
        final AdminClient[] admin = startCluster();
        final ClusterNode leader = cluster.awaitLeader();
        TestCluster.proposeAll(leader, 10, 10, "before-");
        cluster.awaitConverged(10);
        final AdminClient leaderAdmin = admin[leader.memberId()];
        final long commitBefore = leader.commitIndex();
        final long termBefore = leader.term();
        final String huge = "{\"command\":\"" + "A".repeat(AdminServer.Context.MAX_BODY_DEFAULT + 10) + "\"}";

        expect(leaderAdmin.post("/propose", "{\"command\":", AdminClient.TOKEN), 400, "BAD_REQUEST");
        expect(leaderAdmin.post("/propose", "[1,2]", AdminClient.TOKEN), 400, "BAD_REQUEST");
        expect(leaderAdmin.post("/propose", "{\"command\":\"aGk=\"} {}", AdminClient.TOKEN), 400, "BAD_REQUEST");
        expect(leaderAdmin.post("/propose", "{\"command\":\"aGk=\",\"extra\":1}", AdminClient.TOKEN), 400,
            "BAD_REQUEST");
        expect(leaderAdmin.post("/propose", "{\"command\":5}", AdminClient.TOKEN), 400, "BAD_REQUEST");
        expect(leaderAdmin.post("/propose", "{\"command\":\"not base64!\"}", AdminClient.TOKEN), 400, "BAD_REQUEST");
        expect(leaderAdmin.post("/propose", "{}", AdminClient.TOKEN), 400, "BAD_REQUEST");
        expect(leaderAdmin.post("/transfer-leadership", "{\"to\":\"one\"}", AdminClient.TOKEN), 400, "BAD_REQUEST");
        expect(leaderAdmin.post("/transfer-leadership", "{\"to\":" + leader.memberId() + "}", AdminClient.TOKEN),
            400, "BAD_REQUEST");
        expect(leaderAdmin.post("/transfer-leadership", "{\"to\":99}", AdminClient.TOKEN), 400, "BAD_REQUEST");
        expect(leaderAdmin.get("/nope"), 404, "NOT_FOUND");
        final HttpResponse<String> wrongMethod = leaderAdmin.get("/propose");
        expect(wrongMethod, 405, "METHOD_NOT_ALLOWED");
        assertEquals("POST", wrongMethod.headers().firstValue("Allow").orElse(null));
        final HttpResponse<String> noToken = leaderAdmin.post("/propose", command("x"), null);
        expect(noToken, 401, "UNAUTHORIZED");
        assertEquals("Bearer", noToken.headers().firstValue("WWW-Authenticate").orElse(null));
        expect(leaderAdmin.post("/propose", command("x"), "wrong-token-wrong-token"), 403, "FORBIDDEN");
        expect(leaderAdmin.post("/snapshot", null, null), 401, "UNAUTHORIZED");
        expect(leaderAdmin.post("/propose", huge, AdminClient.TOKEN), 413, "PAYLOAD_TOO_LARGE");
        expect(leaderAdmin.send(HttpRequest.newBuilder(URI.create(leaderAdmin.base() + "/propose"))
            .header("Authorization", "Bearer " + AdminClient.TOKEN)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                huge.getBytes(StandardCharsets.UTF_8))))), 413, "PAYLOAD_TOO_LARGE");
        expect(leaderAdmin.send(HttpRequest.newBuilder(URI.create(leaderAdmin.base() + "/propose"))
            .header("Authorization", "Bearer " + AdminClient.TOKEN)
            .header("Content-Type", "text/plain")
            .POST(HttpRequest.BodyPublishers.ofString(command("x")))), 415, "UNSUPPORTED_MEDIA_TYPE");
        final String tooLongCommand = "{\"command\":\"" +
            Base64.getEncoder().encodeToString(new byte[leader.maxCommandLength() + 1]) + "\"}";
        expect(leaderAdmin.post("/propose", tooLongCommand, AdminClient.TOKEN), 413, "PAYLOAD_TOO_LARGE");

        final AdminClient readOnly = serve(leader, new AdminServer.Context().port(0));
        expect(readOnly.post("/snapshot", null, AdminClient.TOKEN), 403, "FORBIDDEN");
        assertEquals(200, readOnly.get("/status").statusCode());

        assertEquals(commitBefore, leader.commitIndex(), "a refused request committed something");
        assertEquals(termBefore, leader.term());
        assertEquals(Role.LEADER, leader.role());
        assertEquals(0, leader.snapshotIndex());
    }

    @Test
    @Timeout(120)
    void aScrapeWithinTheMinimumIntervalGetsTheLastRenderingAgain()
    {
        cluster = new TestCluster(tempDir, 3).startAll();
        final ClusterNode leader = cluster.awaitLeader();
        final AdminClient reused = serve(leader, new AdminServer.Context().port(0).metricsMinInterval("60s"));
        final AdminClient fresh = serve(leader, new AdminServer.Context().port(0).metricsMinInterval("0"));
        final String reusedBefore = reused.get("/metrics").body();
        final String freshBefore = fresh.get("/metrics").body();

        TestCluster.proposeAll(leader, 50, 10, "scrape-");
        cluster.awaitConverged(50);

        assertEquals(reusedBefore, reused.get("/metrics").body(), "within 60s: the same rendering");
        final String member = String.valueOf(leader.memberId());
        final double commitBefore = new MetricsExposition(freshBefore).value("flotilla_commit_index", "member", member);
        final double commitAfter = new MetricsExposition(fresh.get("/metrics").body())
            .value("flotilla_commit_index", "member", member);
        assertTrue(commitAfter >= commitBefore + 50, "0: every scrape renders the node as it is: " + commitBefore +
            " then " + commitAfter);
        assertEquals(commitBefore, new MetricsExposition(reused.get("/metrics").body())
            .value("flotilla_commit_index", "member", member));
    }

    @Test
    @Timeout(60)
    void theServerSendsWithoutNaglesDelayUnlessTheUserSetIt()
    {
        // Nagle's algorithm held each response's body until the client's delayed ack of its headers: ~45 ms a request.
        final String before = System.getProperty("sun.net.httpserver.nodelay");
        cluster = new TestCluster(tempDir, 3);
        serve(cluster.start(0));
        assertEquals(null == before ? "true" : before, System.getProperty("sun.net.httpserver.nodelay"));
    }

    @Test
    @Timeout(60)
    void readyOnlyWithALeaderAndLiveOnlyWhileRunning()
    {
        cluster = new TestCluster(tempDir, 3);
        final ClusterNode alone = cluster.start(0);
        final AdminClient admin = serve(alone);
        assertEquals(200, admin.get("/health/live").statusCode());
        final HttpResponse<String> ready = admin.get("/health/ready");
        assertEquals(503, ready.statusCode());
        assertEquals(false, AdminClient.json(ready).get("ready"));
        assertTrue(((String)AdminClient.json(ready).get("reason")).length() > 0);

        cluster.stop(0);
        final HttpResponse<String> dead = admin.get("/health/live");
        assertEquals(503, dead.statusCode());
        assertEquals(false, AdminClient.json(dead).get("live"));
        assertEquals(false, AdminClient.json(admin.get("/status")).get("running"));
        assertEquals(503, admin.get("/health/ready").statusCode());
    }

    @Test
    void wrongSettingsFailAtStartNamingTheProperty()
    {
        assertMessage(new AdminServer.Context().port(0).bind("0.0.0.0"), AdminServer.Context.TOKEN_FILE_PROP);
        assertMessage(new AdminServer.Context().port(0).token("short"), AdminServer.Context.TOKEN_FILE_PROP);
        assertMessage(new AdminServer.Context().port(70000), AdminServer.Context.PORT_PROP);
        assertMessage(new AdminServer.Context().port(0).maxBody("lots"), AdminServer.Context.MAX_BODY_PROP);
        assertMessage(new AdminServer.Context().port(0).requestTimeout("5 parsecs"),
            AdminServer.Context.REQUEST_TIMEOUT_PROP);
        assertMessage(new AdminServer.Context().port(0).tokenFile(new File(tempDir, "missing").getPath()),
            AdminServer.Context.TOKEN_FILE_PROP);
        assertMessage(new AdminServer.Context().port(0).threads(0), AdminServer.Context.THREADS_PROP);
        assertMessage(new AdminServer.Context().port(0).metricsMinInterval("61s"),
            AdminServer.Context.METRICS_MIN_INTERVAL_PROP);
        assertMessage(new AdminServer.Context().port(0).metricsMinInterval("soon"),
            AdminServer.Context.METRICS_MIN_INTERVAL_PROP);
        assertMessage(new AdminServer.Context().port(0).bind("no-such-host.invalid"), AdminServer.Context.BIND_PROP);
    }

    @Test
    void aMisspelledAdminPropertyFailsAtStartNamingTheClosestOne()
    {
        System.setProperty("flotilla.admin.request.timout", "5s");
        try
        {
            assertMessage(new AdminServer.Context().port(0),
                "unknown property flotilla.admin.request.timout");
            assertMessage(new AdminServer.Context().port(0),
                "did you mean " + AdminServer.Context.REQUEST_TIMEOUT_PROP + "?");
        }
        finally
        {
            System.clearProperty("flotilla.admin.request.timout");
        }
    }

    private static void assertMessage(final AdminServer.Context ctx, final String property)
    {
        try
        {
            ctx.conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            assertTrue(ex.getMessage().contains(property), ex.getMessage());
            return;
        }
        throw new AssertionError("concluded without naming " + property);
    }

    private static void expect(final HttpResponse<String> response, final int status, final String error)
    {
        assertEquals(status, response.statusCode(), response.body());
        final Map<String, Object> json = AdminClient.json(response);
        assertEquals(error, json.get("error"), response.body());
        assertTrue(json.get("message") instanceof String && !((String)json.get("message")).isEmpty());
    }

    private static String command(final String text)
    {
        return "{\"command\":\"" + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "\"}";
    }

    private static long num(final Object value)
    {
        return ((Number)value).longValue();
    }
}
