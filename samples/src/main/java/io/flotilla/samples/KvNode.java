package io.flotilla.samples;

import io.flotilla.admin.AdminServer;
import io.flotilla.admin.cli.CommandLines;
import io.flotilla.admin.cli.FlotillaVersion;
import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.SharedSecretAuthenticator;
import io.flotilla.engine.NodeFailedException;
import io.flotilla.engine.Role;
import org.agrona.CloseHelper;
import org.agrona.concurrent.ShutdownSignalBarrier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * Runs one member of the replicated KV cache: a {@link ClusterNode} with a {@link KvStateMachine}.
 * <pre>
 *   KvNode [--member-id N] [--members SPEC] [--data-dir DIR] [--join] [--secrets-file FILE]   (--help for details)
 * </pre>
 * Options default to the {@code flotilla.member.id}, {@code flotilla.members} and {@code flotilla.data.dir}
 * system properties; {@code --secrets-file} (lines {@code principal:hexsecret}) lets only clients holding one of
 * those secrets open sessions ({@link SharedSecretAuthenticator}; without it, {@code flotilla.authenticator}
 * decides); every other {@code flotilla.*} node setting is read by {@link ClusterNode.Context}. With
 * {@code flotilla.admin.port} set the node serves its admin HTTP endpoint ({@link AdminServer}, the other
 * {@code flotilla.admin.*} settings read by {@link AdminServer.Context}).
 * Prints one line when ready and one per role change; keeps {@code DATA_DIR/kv-status} (applied index, state
 * digest, role) current for replica comparison; stops cleanly on SIGTERM or SIGINT. A node that stops itself
 * ({@link ClusterNode#failure()}: a full disk, no file handles, a throwing state machine, ...) has released its
 * lock, ports and Aeron directory; the launcher then writes role {@value ReplicaStatus#FAILED} and the cause to the
 * status file and exits with {@value #EXIT_NODE_FAILED}, so that a supervisor restarts it. A usage error exits with
 * 2.
 */
@Command(
    name = "KvNode",
    mixinStandardHelpOptions = true,
    versionProvider = FlotillaVersion.class,
    description = {
        "Run one member of the replicated KV cache sample until SIGTERM or SIGINT.",
        "Every other flotilla.* setting is a -D system property (docs/operations.md, Settings); with " +
            "-D" + AdminServer.Context.PORT_PROP + " the node serves its admin HTTP endpoint."
    },
    footer = {
        "",
        "Exit codes: 0 stopped on SIGTERM or SIGINT, 2 usage error, " + KvNode.EXIT_NODE_FAILED + " the node " +
            "stopped itself or could not start (see its kv-status file and log)."
    })
public final class KvNode implements Callable<Integer>
{
    /** Exit status after the node stopped itself, or failed to start (EX_SOFTWARE of sysexits.h). */
    public static final int EXIT_NODE_FAILED = 70;
    private static final long STATUS_INTERVAL_MS = 100;
    // Set before anything logs: the node's lines while it stops on SIGTERM survive java.util.logging's shutdown hook.
    private static final String LOG_MANAGER_PROP = "java.util.logging.manager";

    @Spec
    private CommandSpec spec;

    @Option(names = "--member-id", paramLabel = "N",
        description = "This member's id, one of those in the members spec (default: -D" +
            ClusterNode.Context.MEMBER_ID_PROP + ").")
    private Integer memberId;

    @Option(names = "--members", paramLabel = "SPEC",
        description = "Every voting member, this one included: id=host:consensusPort:ingressPort,... (default: -D" +
            ClusterNode.Context.MEMBERS_PROP + ").")
    private String members;

    @Option(names = "--data-dir", paramLabel = "DIR",
        description = "The node's log, snapshots and state (default: -D" + ClusterNode.Context.DATA_DIR_PROP + ").")
    private File dataDir;

    @Option(names = "--join",
        description = "Join a running cluster: start as no member, wait to be added (scripts/flotilla member add); " +
            "the members spec names the cluster's members and this node (default: -D" +
            ClusterNode.Context.JOIN_PROP + ").")
    private boolean join;

    @Option(names = "--secrets-file", paramLabel = "FILE",
        description = "Only clients holding one of the secrets in FILE (principal:hexsecret lines) may open " +
            "sessions (default: -D" + ClusterNode.Context.AUTHENTICATOR_PROP + " decides).")
    private Path secretsFile;

    private KvNode()
    {
    }

    /**
     * @return the launcher as a picocli command line: {@link CommandLine#execute(String...)} runs the node and gives
     * the exit status.
     */
    static CommandLine commandLine()
    {
        return CommandLines.create(new KvNode());
    }

    public static void main(final String[] args)
    {
        if (null == System.getProperty(LOG_MANAGER_PROP))
        {
            System.setProperty(LOG_MANAGER_PROP, ShutdownLogManager.class.getName());
        }
        final int exitStatus = commandLine().execute(args);
        // Exit 0 by returning: after SIGTERM the JVM is already shutting down, and System.exit would then block.
        if (0 != exitStatus)
        {
            System.exit(exitStatus);
        }
    }

    public Integer call()
    {
        final ClusterNode.Context ctx = context();
        final AdminServer.Context adminCtx = new AdminServer.Context();
        try
        {
            adminCtx.conclude();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new CommandLine.ParameterException(spec.commandLine(), ex.getMessage());
        }

        final KvStateMachine kv = new KvStateMachine();
        ctx.stateMachine(kv);
        // Return only once the barrier is closed: its shutdown hook waits for that.
        int exitStatus = EXIT_NODE_FAILED;
        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier())
        {
            ctx.terminationHook(barrier::signal);
            final ClusterNode node = launch(ctx, kv);
            if (null != node)
            {
                exitStatus = run(ctx, adminCtx, kv, node, barrier);
            }
        }
        finally
        {
            ShutdownLogManager.nodeStopped();
        }
        return exitStatus;
    }

    /**
     * @return the node's context: the options given over the system properties.
     * @throws CommandLine.ParameterException when the secrets file cannot be read or holds a bad line.
     */
    ClusterNode.Context context()
    {
        final ClusterNode.Context ctx = new ClusterNode.Context();
        if (null != memberId)
        {
            ctx.memberId(memberId);
        }
        if (null != members)
        {
            ctx.members(members);
        }
        if (null != dataDir)
        {
            ctx.dataDirectory(dataDir);
        }
        if (join)
        {
            ctx.join(true);
        }
        if (null != secretsFile)
        {
            try
            {
                ctx.authenticator(new SharedSecretAuthenticator(secretsFile));
            }
            catch (final RuntimeException ex)
            {
                throw new CommandLine.ParameterException(spec.commandLine(), "--secrets-file " + secretsFile + ": " +
                    ex.getMessage());
            }
        }
        return ctx;
    }

    /**
     * Until SIGTERM or SIGINT, or until the node stops itself.
     *
     * @return the exit status: 0, or {@value #EXIT_NODE_FAILED} after the node stopped itself.
     */
    private static int run(
        final ClusterNode.Context ctx,
        final AdminServer.Context adminCtx,
        final KvStateMachine kv,
        final ClusterNode node,
        final ShutdownSignalBarrier barrier)
    {
        AdminServer admin = null;
        if (AdminServer.Context.PORT_OFF != adminCtx.port())
        {
            try
            {
                admin = AdminServer.launch(node, adminCtx);
                log(node, "admin endpoint: http://" + admin.address().getHostString() + ":" + admin.port() +
                    (null == adminCtx.token() ? " (read only: no " + AdminServer.Context.TOKEN_FILE_PROP + ")" : ""));
            }
            catch (final RuntimeException ex)
            {
                log(node, "cannot start the admin endpoint: " + ex.getMessage());
                node.close();
                return EXIT_NODE_FAILED;
            }
        }
        final Path dataDir = ctx.dataDirectory().toPath();
        final StatusWriter status = new StatusWriter(node, kv, dataDir);
        log(node, "ready: members=" + ctx.membersSpec() + " data=" + dataDir + " aeron=" + node.aeronDirectoryName() +
            " durability=" + ctx.durability() + " threading=" + ctx.threading() + " peers=" +
            (ctx.insecurePeers() ? "UNAUTHENTICATED" : "signed (keys " + ctx.clusterKeys() + ")") +
            " appliedIndex=" + node.appliedIndex());
        status.start();

        barrier.await();
        final NodeFailedException failure = node.failure();
        log(node, null == failure ? "stopping" : "the node stopped itself (" + failure.failureCause() +
            "); exiting with status " + EXIT_NODE_FAILED);
        status.interrupt();
        join(status);
        CloseHelper.close(admin);
        node.close();
        // The final state, after the agent stopped.
        status.write(null == failure ? "STOPPED" : ReplicaStatus.FAILED, -1,
            null == failure ? null : failure.failureCause().name());
        log(node, "stopped: " + kv.summary() + " leader=" + node.leaderMemberId() + " term=" + node.term());
        return null == failure ? 0 : EXIT_NODE_FAILED;
    }

    /**
     * A node that cannot start (its data directory is full or locked, its port taken) fails as one that stops:
     * the reason in the status file, then exit status {@value #EXIT_NODE_FAILED}.
     *
     * @return the running node, or null when it could not start.
     */
    private static ClusterNode launch(final ClusterNode.Context ctx, final KvStateMachine kv)
    {
        try
        {
            return ClusterNode.launch(ctx);
        }
        catch (final RuntimeException ex)
        {
            System.err.println(Instant.now() + " KvNode member=" + ctx.memberId() + " cannot start: " + ex);
            ex.printStackTrace();
            if (null != ctx.dataDirectory() && ctx.dataDirectory().isDirectory())
            {
                final KvStateMachine.Summary summary = kv.summary();
                writeQuietly(ctx.dataDirectory().toPath(), new ReplicaStatus(summary.appliedIndex(),
                    String.format("%016x", summary.digest()), summary.size(), ReplicaStatus.FAILED, -1, -1,
                    ProcessHandle.current().pid(), "START"));
            }
            return null;
        }
    }

    /**
     * @return false when the status file could not be written (reported on stderr, the node goes on).
     */
    private static boolean writeQuietly(final Path dataDir, final ReplicaStatus status)
    {
        try
        {
            status.write(dataDir);
            return true;
        }
        catch (final IOException ex)
        {
            System.err.println(Instant.now() + " KvNode cannot write " + dataDir.resolve(ReplicaStatus.FILE_NAME) +
                ": " + ex);
            return false;
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

    /**
     * Publishes the replica's status file and reports role changes, every {@value #STATUS_INTERVAL_MS} ms.
     */
    private static final class StatusWriter extends Thread
    {
        private final ClusterNode node;
        private final KvStateMachine kv;
        private final Path dataDir;
        private final long pid = ProcessHandle.current().pid();
        private Role lastRole;
        private long lastTerm = -1;
        private ReplicaStatus lastStatus;

        StatusWriter(final ClusterNode node, final KvStateMachine kv, final Path dataDir)
        {
            super("kv-status-" + node.memberId());
            setDaemon(true);
            this.node = node;
            this.kv = kv;
            this.dataDir = dataDir;
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
                write(role.name(), node.leaderMemberId(), null);
                try
                {
                    Thread.sleep(STATUS_INTERVAL_MS);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        }

        void write(final String role, final int leader, final String failure)
        {
            final KvStateMachine.Summary summary = kv.summary();
            final ReplicaStatus status = new ReplicaStatus(summary.appliedIndex(), String.format("%016x", summary.digest()),
                summary.size(), role, lastTerm, leader, pid, failure);
            if (!status.equals(lastStatus) && writeQuietly(dataDir, status))
            {
                lastStatus = status;
            }
        }
    }
}
