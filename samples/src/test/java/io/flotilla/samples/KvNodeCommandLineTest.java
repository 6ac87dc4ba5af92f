package io.flotilla.samples;

import io.flotilla.engine.ClusterNode;
import io.flotilla.engine.SharedSecretAuthenticator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * KvNode's command line without starting a node: help, usage errors, and the options reaching the node's context.
 * Nodes started from the command line are in {@link NodeFailureProcessTest} and the nemesis.
 */
class KvNodeCommandLineTest
{
    @TempDir
    Path dir;

    @Test
    void helpListsTheOptionsWithTheirDefaults()
    {
        final LauncherRun run = run("--help");
        assertEquals(0, run.exitCode, run::toString);
        assertTrue(run.out.startsWith("Usage: KvNode"), run::toString);
        for (final String option : new String[]{ "--member-id=N", "--members=SPEC", "--data-dir=DIR",
            "--secrets-file=FILE", "-D" + ClusterNode.Context.MEMBERS_PROP })
        {
            assertTrue(run.out.contains(option), option + "\n" + run);
        }
        assertTrue(run.out.contains("70 the node stopped"), run::toString);
    }

    @Test
    void aMistypedOptionIsAUsageErrorThatNamesIt()
    {
        final LauncherRun run = run("--member-id", "0", "--data", dir.toString());
        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.startsWith("KvNode: Unknown options: '--data', '" + dir + "'"), run::toString);
        assertTrue(run.err.contains("--data-dir"), "suggests the option: " + run);
    }

    @Test
    void aBadValueOrAMissingOneIsAUsageError()
    {
        final LauncherRun notANumber = run("--member-id", "one");
        assertEquals(2, notANumber.exitCode, notANumber::toString);
        assertTrue(notANumber.err.contains("Invalid value for option '--member-id': 'one' is not an int"),
            notANumber::toString);

        final LauncherRun noValue = run("--members");
        assertEquals(2, noValue.exitCode, noValue::toString);
        assertTrue(noValue.err.contains("Missing required parameter for option '--members' (SPEC)"),
            noValue::toString);
    }

    @Test
    void anUnreadableSecretsFileIsAUsageErrorBeforeTheNodeStarts()
    {
        final Path missing = dir.resolve("no-such-secrets");
        final LauncherRun run = run("--member-id", "0", "--members", "0=localhost:1:2", "--data-dir",
            dir.toString(), "--secrets-file", missing.toString());
        assertEquals(2, run.exitCode, run::toString);
        assertTrue(run.err.contains("--secrets-file " + missing + ": "), run::toString);
    }

    @Test
    void theOptionsReachTheNodesContext() throws Exception
    {
        final Path secrets = dir.resolve("secrets");
        Files.writeString(secrets, "kv:00112233445566778899aabbccddeeff\n", StandardCharsets.UTF_8);
        final CommandLine commandLine = KvNode.commandLine();
        commandLine.parseArgs("--member-id", "2", "--members", "0=a:1:2,1=b:1:2,2=c:1:2", "--data-dir",
            dir.toString(), "--secrets-file", secrets.toString());
        final ClusterNode.Context ctx = ((KvNode)commandLine.getCommand()).context();
        assertEquals(2, ctx.memberId());
        assertEquals("0=a:1:2,1=b:1:2,2=c:1:2", ctx.membersSpec());
        assertEquals(new File(dir.toString()), ctx.dataDirectory());
        assertInstanceOf(SharedSecretAuthenticator.class, ctx.authenticator());
    }

    private static LauncherRun run(final String... args)
    {
        return LauncherRun.run((out) -> KvNode.commandLine(), args);
    }
}
