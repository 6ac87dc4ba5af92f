package io.flotilla.admin.tool;

import io.flotilla.admin.AdminServer;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.TestCluster;
import io.flotilla.engine.Role;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import java.io.File;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tool's subcommands that talk to the admin endpoints, run against a real 3-node cluster over HTTP.
 */
class ClusterToolTest
{
    private static final String TOKEN = "cluster-tool-test-token-0123456789";
    private static final Pattern SNAPSHOT_LINE = Pattern.compile("member (\\d+) \\(.*\\): snapshot at index (\\d+)");

    @TempDir
    File tempDir;

    private final List<AdminServer> servers = new ArrayList<>();
    private TestCluster cluster;
    private String nodes;
    private String tokenFile;

    @AfterEach
    void close()
    {
        CloseHelper.closeAll(servers);
        CloseHelper.close(cluster);
    }

    private void startCluster() throws Exception
    {
        cluster = new TestCluster(tempDir, 3).startAll();
        for (int i = 0; i < 3; i++)
        {
            servers.add(AdminServer.launch(cluster.node(i), new AdminServer.Context().port(0).token(TOKEN)));
        }
        nodes = servers.stream().map((server) -> "127.0.0.1:" + server.port()).collect(Collectors.joining(","));
        final File file = new File(tempDir, "admin.token");
        Files.writeString(file.toPath(), TOKEN + "\n", StandardCharsets.UTF_8);
        tokenFile = file.getPath();
    }

    private ToolRun tool(final String... args)
    {
        return ToolRun.run(Map.of(AdminOptions.NODES_ENV, nodes), args);
    }

    private ToolRun toolWithToken(final String... args)
    {
        return ToolRun.run(Map.of(AdminOptions.NODES_ENV, nodes, AdminOptions.TOKEN_FILE_ENV, tokenFile), args);
    }

    @Test
    @Timeout(120)
    void statusLeaderAndMembersDescribeTheClusterAndAnUnreachableNodeIsNamed() throws Exception
    {
        startCluster();
        final ClusterNode leader = cluster.awaitLeader();
        TestCluster.proposeAll(leader, 200, 32, "tool-");
        cluster.awaitConverged(200);

        final ToolRun status = tool("status");
        assertEquals(FlotillaTool.EXIT_OK, status.exitCode, status.toString());
        final List<String> rows = status.out.lines().skip(1).toList();
        assertEquals(3, rows.size(), status.toString());
        assertEquals(1, rows.stream().filter((row) -> row.contains(" LEADER ")).count(), status.toString());
        assertEquals(2, rows.stream().filter((row) -> row.contains(" FOLLOWER ")).count(), status.toString());
        assertTrue(status.out.lines().findFirst().orElse("").startsWith("NODE"), status.toString());

        final ToolRun leaderRun = tool("leader");
        assertEquals(FlotillaTool.EXIT_OK, leaderRun.exitCode, leaderRun.toString());
        assertTrue(leaderRun.out.startsWith("member " + leader.memberId() + " "), leaderRun.toString());
        assertTrue(leaderRun.out.contains("admin 127.0.0.1:" + servers.get(leader.memberId()).port()),
            leaderRun.toString());

        final ToolRun members = tool("members");
        assertEquals(FlotillaTool.EXIT_OK, members.exitCode, members.toString());
        assertEquals(4, members.out.lines().count(), members.toString());
        for (int i = 0; i < 3; i++)
        {
            assertTrue(members.out.contains(cluster.consensusEndpoint(i)), members.toString());
        }

        final int follower = (leader.memberId() + 1) % 3;
        CloseHelper.close(servers.get(follower));
        final ToolRun partial = tool("status", "--timeout", "2s");
        assertEquals(FlotillaTool.EXIT_UNREACHABLE, partial.exitCode, partial.toString());
        assertTrue(partial.out.contains("UNREACHABLE"), partial.toString());
        assertTrue(partial.err.contains("127.0.0.1:" + servers.get(follower).port() + ": unreachable"),
            partial.toString());
        final ToolRun leaderStillKnown = tool("leader");
        assertEquals(FlotillaTool.EXIT_OK, leaderStillKnown.exitCode, leaderStillKnown.toString());
    }

    @Test
    @Timeout(120)
    void statusShowsAFencedNodeAndReadsANodeFromBeforeTheFenceWasReported() throws Exception
    {
        startCluster();
        final ClusterNode leader = cluster.awaitLeader();
        final int follower = (leader.memberId() + 1) % 3;
        final String current = get("http://127.0.0.1:" + servers.get(follower).port() + "/status");
        assertTrue(current.contains("\"votingFence\":false"), current);

        final HttpServer stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        final String[] body = {current.replace("\"votingFence\":false", "\"votingFence\":true")};
        stub.createContext("/status", (exchange) ->
        {
            final byte[] bytes = body[0].getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            try (exchange; OutputStream out = exchange.getResponseBody())
            {
                out.write(bytes);
            }
        });
        stub.start();
        try
        {
            final Map<String, String> stubOnly =
                Map.of(AdminOptions.NODES_ENV, "127.0.0.1:" + stub.getAddress().getPort());
            final ToolRun fenced = ToolRun.run(stubOnly, "status");
            assertEquals(FlotillaTool.EXIT_OK, fenced.exitCode, fenced.toString());
            assertTrue(fenced.out.contains(" FOLLOWER (FENCED) "), fenced.toString());

            body[0] = current.replaceFirst("\"votingFence\":false,?", "");
            assertFalse(body[0].contains("votingFence"), body[0]);
            final ToolRun earlier = ToolRun.run(stubOnly, "status");
            assertEquals(FlotillaTool.EXIT_OK, earlier.exitCode, earlier.toString());
            assertTrue(earlier.out.contains(" FOLLOWER ") && !earlier.out.contains("FENCED"), earlier.toString());
        }
        finally
        {
            stub.stop(0);
        }
    }

    private static String get(final String uri) throws Exception
    {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(uri)).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    @Test
    @Timeout(120)
    void transferMovesLeadershipOnlyWithTheTokenAndToAMember() throws Exception
    {
        startCluster();
        final ClusterNode leader = cluster.awaitLeader();
        final int target = (leader.memberId() + 2) % 3;

        final ToolRun noToken = tool("transfer", "--to", String.valueOf(target));
        assertEquals(FlotillaTool.EXIT_USAGE, noToken.exitCode, noToken.toString());
        assertTrue(noToken.err.contains("needs the admin token"), noToken.toString());

        final ToolRun noSuchMember = toolWithToken("transfer", "--to", "7");
        assertEquals(FlotillaTool.EXIT_USAGE, noSuchMember.exitCode, noSuchMember.toString());
        assertTrue(noSuchMember.err.contains("no such member"), noSuchMember.toString());
        assertEquals(Role.LEADER, leader.role(), "a refused transfer changes nothing");

        final ToolRun moved = toolWithToken("transfer", "--to", String.valueOf(target));
        assertEquals(FlotillaTool.EXIT_OK, moved.exitCode, moved.toString());
        assertTrue(moved.out.contains("from member " + leader.memberId() + " to member " + target), moved.toString());
        cluster.await("member " + target + " to lead", () -> Role.LEADER == cluster.node(target).role());

        final ToolRun already = toolWithToken("transfer", "--to", String.valueOf(target));
        assertEquals(FlotillaTool.EXIT_OK, already.exitCode, already.toString());
        assertTrue(already.out.contains("member " + target + " already leads"), already.toString());

        final ToolRun toAnyFollower = toolWithToken("transfer");
        assertEquals(FlotillaTool.EXIT_OK, toAnyFollower.exitCode, toAnyFollower.toString());
        cluster.await("another member to lead", () -> IntStream.range(0, 3)
            .anyMatch((i) -> i != target && Role.LEADER == cluster.node(i).role()));
    }

    @Test
    @Timeout(120)
    void memberChangesTheMembersOnTheLeaderAndRefusesByName() throws Exception
    {
        startCluster();
        final ClusterNode leader = cluster.awaitLeader();
        TestCluster.proposeAll(leader, 50, 16, "tool-");

        final ToolRun noToken = tool("member", "add-learner", "--id", "5", "--endpoint", "localhost:1:2");
        assertEquals(FlotillaTool.EXIT_USAGE, noToken.exitCode, noToken.toString());
        final ToolRun badOp = toolWithToken("member", "frob", "--id", "5");
        assertEquals(FlotillaTool.EXIT_USAGE, badOp.exitCode, badOp.toString());
        final ToolRun noEndpoint = toolWithToken("member", "add", "--id", "5");
        assertEquals(FlotillaTool.EXIT_USAGE, noEndpoint.exitCode, noEndpoint.toString());
        final ToolRun already = toolWithToken("member", "add-learner", "--id", "1", "--endpoint", "localhost:1:2");
        assertEquals(FlotillaTool.EXIT_FAILED, already.exitCode, already.toString());
        assertTrue(already.err.contains("ALREADY_MEMBER"), already.toString());
        final ToolRun badEndpoint = toolWithToken("member", "add-learner", "--id", "5", "--endpoint", "nowhere");
        assertEquals(FlotillaTool.EXIT_FAILED, badEndpoint.exitCode, badEndpoint.toString());
        assertTrue(badEndpoint.err.contains("INVALID_ENDPOINT"), badEndpoint.toString());
        assertEquals(0, leader.membership().learners().length, "a refused change changes nothing");

        // A learner that is never started: adding it as a learner only needs the voters.
        final ToolRun added = toolWithToken("member", "add-learner", "--id", "5", "--endpoint", "localhost:1:2");
        assertEquals(FlotillaTool.EXIT_OK, added.exitCode, added.toString());
        assertTrue(added.out.lines().anyMatch((line) -> line.matches("5 +learner +localhost:1:2 *")), added.toString());
        cluster.await("every node to list the learner", () -> IntStream.range(0, 3)
            .allMatch((i) -> cluster.node(i).membership().isLearner(5)));
        final ToolRun members = tool("members");
        assertTrue(members.out.lines().anyMatch((line) -> line.startsWith("5 ") && line.contains("learner")),
            members.toString());

        final ToolRun notCaughtUp = toolWithToken("member", "promote", "--id", "5");
        assertEquals(FlotillaTool.EXIT_FAILED, notCaughtUp.exitCode, notCaughtUp.toString());
        assertTrue(notCaughtUp.err.contains("NOT_CAUGHT_UP"), notCaughtUp.toString());

        final ToolRun removed = toolWithToken("member", "remove", "--id", "5");
        assertEquals(FlotillaTool.EXIT_OK, removed.exitCode, removed.toString());
        assertEquals(3, removed.out.lines().filter((line) -> line.contains(" voter ")).count(), removed.toString());
        assertTrue(removed.out.lines().noneMatch((line) -> line.startsWith("5 ")), removed.toString());
    }

    @Test
    @Timeout(120)
    void snapshotTakesOneOnTheNamedNodeOrOnEveryNode() throws Exception
    {
        startCluster();
        final ClusterNode leader = cluster.awaitLeader();
        TestCluster.proposeAll(leader, 300, 32, "snap-");
        cluster.awaitConverged(300);

        final ToolRun badNode = toolWithToken("snapshot", "--node", "one");
        assertEquals(FlotillaTool.EXIT_USAGE, badNode.exitCode, badNode.toString());

        final int follower = (leader.memberId() + 1) % 3;
        final ToolRun one = toolWithToken("snapshot", "--node", String.valueOf(follower));
        assertEquals(FlotillaTool.EXIT_OK, one.exitCode, one.toString());
        final Matcher line = SNAPSHOT_LINE.matcher(one.out.strip());
        assertTrue(line.matches(), one.toString());
        assertEquals(follower, Integer.parseInt(line.group(1)));
        final long index = Long.parseLong(line.group(2));
        assertTrue(index >= 300, one.toString());
        assertTrue(cluster.node(follower).snapshotIndex() >= index);

        final ToolRun all = toolWithToken("snapshot");
        assertEquals(FlotillaTool.EXIT_OK, all.exitCode, all.toString());
        final List<String> lines = all.out.lines().toList();
        assertEquals(3, lines.size(), all.toString());
        for (int i = 0; i < 3; i++)
        {
            final Matcher each = SNAPSHOT_LINE.matcher(lines.get(i));
            assertTrue(each.matches(), all.toString());
            assertEquals(i, Integer.parseInt(each.group(1)), "one node after the other, by member id");
            assertTrue(cluster.node(i).snapshotIndex() >= Long.parseLong(each.group(2)));
        }
        assertNotEquals(0, cluster.node(leader.memberId()).snapshotIndex());
    }
}
