package io.flotilla.samples;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.SharedSecretAuthenticator;
import io.flotilla.engine.raft.Role;
import org.agrona.concurrent.ShutdownSignalBarrier;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Runs one member of the replicated KV cache: a {@link ClusterNode} with a {@link KvStateMachine}.
 * <pre>
 *   KvNode [--member-id N] [--members SPEC] [--data-dir DIR] [--secrets-file FILE]
 * </pre>
 * Options default to the {@code flotilla.member.id}, {@code flotilla.members} and {@code flotilla.data.dir}
 * system properties; {@code --secrets-file} (lines {@code principal:hexsecret}) lets only clients holding one of
 * those secrets open sessions ({@link SharedSecretAuthenticator}; without it, {@code flotilla.authenticator} decides); every other {@code flotilla.*} node setting is read by {@link ClusterNode.Context}.
 * Prints one line when ready and one per role change; keeps {@code DATA_DIR/kv-status} (applied index, state
 * digest, role) current for replica comparison; stops cleanly on SIGTERM or SIGINT.
 */
public final class KvNode
{
    private static final long STATUS_INTERVAL_MS = 100;

    private KvNode()
    {
    }

    public static void main(final String[] args)
    {
        final ClusterNode.Context ctx = new ClusterNode.Context();
        for (int i = 0; i < args.length; i += 2)
        {
            if (i + 1 >= args.length)
            {
                usage("option " + args[i] + " needs a value");
            }
            switch (args[i])
            {
                case "--member-id":
                    ctx.memberId(Integer.parseInt(args[i + 1]));
                    break;
                case "--members":
                    ctx.members(args[i + 1]);
                    break;
                case "--data-dir":
                    ctx.dataDirectory(new File(args[i + 1]));
                    break;
                case "--secrets-file":
                    ctx.authenticator(new SharedSecretAuthenticator(Path.of(args[i + 1])));
                    break;
                default:
                    usage("unknown option " + args[i]);
            }
        }

        final KvStateMachine kv = new KvStateMachine();
        ctx.stateMachine(kv);
        final boolean failed;
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier())
        {
            final ClusterNode node = ClusterNode.launch(ctx);
            final Path dataDir = ctx.dataDirectory().toPath();
            final StatusWriter status = new StatusWriter(node, kv, dataDir, barrier);
            log(node, "ready: members=" + ctx.membersSpec() + " data=" + dataDir + " aeron=" + node.aeronDirectoryName() +
                " durability=" + ctx.durability() + " threading=" + ctx.threading() + " peers=" +
                (ctx.insecurePeers() ? "UNAUTHENTICATED" : "signed (keys " + ctx.clusterKeys() + ")") +
                " appliedIndex=" + node.appliedIndex());
            status.start();

            barrier.await();
            log(node, "stopping");
            status.interrupt();
            join(status);
            failed = status.agentFailed;
            node.close();
            status.write("STOPPED", -1); // the final state, after the agent stopped
            log(node, "stopped: " + kv.summary());
        }
        if (failed)
        {
            System.exit(1);
        }
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    static void log(final ClusterNode node, final String message)
    {
        System.out.println(Instant.now() + " KvNode member=" + node.memberId() + " " + message);
    }

    private static void usage(final String problem)
    {
        System.err.println("KvNode: " + problem);
        System.err.println("usage: KvNode [--member-id N] [--members id=host:consensusPort:ingressPort,...] " +
            "[--data-dir DIR] [--secrets-file FILE]   (or -Dflotilla.member.id, -Dflotilla.members, -Dflotilla.data.dir," +
            " -Dflotilla.authenticator=io.flotilla.engine.SharedSecretAuthenticator " +
            "-Dflotilla.authenticator.secrets.file=FILE)");
        System.exit(2);
    }

    /**
     * Publishes the replica's status file and reports role changes, every {@value #STATUS_INTERVAL_MS} ms.
     */
    private static final class StatusWriter extends Thread
    {
        private final ClusterNode node;
        private final KvStateMachine kv;
        private final Path dataDir;
        private final ShutdownSignalBarrier barrier;
        private final long pid = ProcessHandle.current().pid();
        private Role lastRole;
        private long lastTerm = -1;
        private ReplicaStatus lastStatus;
        private volatile boolean agentFailed;

        StatusWriter(final ClusterNode node, final KvStateMachine kv, final Path dataDir, final ShutdownSignalBarrier barrier)
        {
            super("kv-status-" + node.memberId());
            setDaemon(true);
            this.node = node;
            this.kv = kv;
            this.dataDir = dataDir;
            this.barrier = barrier;
        }

        public void run()
        {
            while (!isInterrupted())
            {
                final Role role = node.role();
                final long term = node.term();
                if (role != lastRole || term != lastTerm)
                {
                    lastRole = role;
                    lastTerm = term;
                    log(node, "role=" + role + " term=" + term + " leader=" + node.leaderMemberId());
                }
                write(role.name(), node.leaderMemberId());
                try
                {
                    Thread.sleep(STATUS_INTERVAL_MS);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                if (!node.isRunning())
                {
                    log(node, "agent stopped unexpectedly (see the error above); shutting down");
                    agentFailed = true;
                    barrier.signal();
                    return;
                }
            }
        }

        void write(final String role, final int leader)
        {
            final KvStateMachine.Summary summary = kv.summary();
            final ReplicaStatus status = new ReplicaStatus(summary.appliedIndex(), String.format("%016x", summary.digest()),
                summary.size(), role, lastTerm, leader, pid);
            if (status.equals(lastStatus))
            {
                return;
            }
            try
            {
                status.write(dataDir);
                lastStatus = status;
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }
}
