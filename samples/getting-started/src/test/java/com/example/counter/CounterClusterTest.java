package com.example.counter;

import io.flotilla.engine.ClusterKeys;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.ProposalStatus;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramSocket;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three Flotilla nodes in this JVM, each with its own Counter: a command proposed to the leader is answered with the
 * new total once a majority holds it, and every node applies it.
 */
class CounterClusterTest
{
    private static final long TIMEOUT_MS = 30_000;

    @TempDir
    Path dataDir;

    @Test
    void everyNodeAppliesTheCommandTheLeaderAnswers() throws Exception
    {
        final String members = members(3);
        final ClusterKeys keys = ClusterKeys.generate();   // the key every member signs consensus messages with
        final ClusterNode[] nodes = new ClusterNode[3];
        try
        {
            for (int id = 0; id < nodes.length; id++)
            {
                nodes[id] = ClusterNode.launch(new ClusterNode.Context()
                    .memberId(id)
                    .members(members)
                    .clusterKeys(keys)
                    .dataDirectory(dataDir.resolve("node-" + id).toFile())
                    .stateMachine(new Counter()));
            }

            assertEquals(42, addOnLeader(nodes, 42));
            assertEquals(50, addOnLeader(nodes, 8));

            final long committed = awaitLeader(nodes).commitIndex();
            for (final ClusterNode node : nodes)
            {
                await("member " + node.memberId() + " applies index " + committed,
                    () -> node.appliedIndex() >= committed);
            }
        }
        finally
        {
            CloseHelper.closeAll(nodes);
        }
    }

    /**
     * The counter's answer to one command: how it ended and, when OK, the new total.
     */
    record Answer(ProposalStatus status, long total)
    {
    }

    /**
     * Propose "add {@code amount}" to a node; the future completes once the command is applied (or refused).
     */
    static CompletableFuture<Answer> add(final ClusterNode node, final long amount)
    {
        final UnsafeBuffer command = new UnsafeBuffer(new byte[Long.BYTES]);
        command.putLong(0, amount);
        final CompletableFuture<Answer> answer = new CompletableFuture<>();
        node.propose(command, 0, Long.BYTES, (result) -> answer.complete(new Answer(result.status(),
            ProposalStatus.OK == result.status() ? result.buffer().getLong(result.offset()) : 0)));
        return answer;
    }

    /**
     * Add through whichever node leads. A leader elected a moment ago can lose its leadership on a loaded machine:
     * a command it then answers NOT_LEADER or DROPPED was not applied, so it is proposed again to the new leader.
     */
    private static long addOnLeader(final ClusterNode[] nodes, final long amount) throws Exception
    {
        final long deadlineMs = System.currentTimeMillis() + TIMEOUT_MS;
        while (true)
        {
            final Answer answer = add(awaitLeader(nodes), amount).get(TIMEOUT_MS, TimeUnit.MILLISECONDS);
            if (ProposalStatus.OK == answer.status())
            {
                return answer.total();
            }
            assertTrue(ProposalStatus.NOT_LEADER == answer.status() || ProposalStatus.DROPPED == answer.status(),
                "add " + amount + ": " + answer);
            assertTrue(System.currentTimeMillis() < deadlineMs, "add " + amount + ": no leader applied it");
        }
    }

    private static ClusterNode awaitLeader(final ClusterNode[] nodes) throws InterruptedException
    {
        final ClusterNode[] leader = new ClusterNode[1];
        await("a leader", () ->
        {
            for (final ClusterNode node : nodes)
            {
                if (node.leaderMemberId() == node.memberId())
                {
                    leader[0] = node;
                    return true;
                }
            }
            return false;
        });
        return leader[0];
    }

    private static void await(final String what, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadlineMs = System.currentTimeMillis() + TIMEOUT_MS;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.currentTimeMillis() < deadlineMs, "timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    /**
     * A members spec on loopback, {@code id=host:consensusPort:ingressPort,...}, with ports free now.
     */
    private static String members(final int count) throws IOException
    {
        final DatagramSocket[] sockets = new DatagramSocket[2 * count];
        try
        {
            final StringBuilder spec = new StringBuilder();
            for (int id = 0; id < count; id++)
            {
                sockets[2 * id] = new DatagramSocket(0);
                sockets[2 * id + 1] = new DatagramSocket(0);
                spec.append(id == 0 ? "" : ",").append(id).append("=localhost:")
                    .append(sockets[2 * id].getLocalPort()).append(':').append(sockets[2 * id + 1].getLocalPort());
            }
            return spec.toString();
        }
        finally
        {
            CloseHelper.closeAll(sockets);
        }
    }
}
