package io.flotilla.samples.verify;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistoryFileTest
{
    @TempDir
    Path dir;

    @Test
    void historyRoundTripsThroughItsFile() throws IOException
    {
        final String[] awkward = {"", "nil", "with space", "quote \" and \\ backslash", "line\nbreak\ttab\r",
            "control \u0001 \u007f", "unicode \u00e9\u4e2d \ud83d\ude00", "lone \ud800 surrogate"};
        final HistoryBuilder builder = new HistoryBuilder();
        long t = 0;
        for (final String value : awkward)
        {
            builder.put(0, value, value, t, t + 5);
            builder.get(1, value, value, t + 1, t + 7);
            builder.cas(2, "k", value, value + "!", false, t + 2, t + 3);
            t += 10;
        }
        builder.get(1, "k", null, t, t + 1)
            .cas(2, "k", null, "x", true, t + 2, t + 3)
            .delete(0, "k", t + 4, t + 5)
            .fail(1, KvOp.put("k", "failed"), t + 6, t + 7)
            .info(2, KvOp.cas("k", "x", "y"), t + 8, t + 9)
            .info(0, KvOp.clear(), t + 10, t + 11)
            .pending(1, KvOp.get("k"), t + 12)
            .pending(2, KvOp.delete("k"), t + 12);
        final History history = builder.build();

        final Path file = dir.resolve("history.txt");
        history.write(file);
        assertEquals(history, History.read(file));

        final List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        final long completions = history.operations().stream().filter(Operation::completed).count();
        assertEquals(1 + history.operations().size() + completions, lines.size(), "a header, then one event a line");
        assertEquals(HistoryFormat.HEADER, lines.get(0));
    }

    @Test
    void handWrittenHistoryIsReadAndChecked() throws IOException
    {
        final Path file = write(
            "# a stale read after a leader change",
            "",
            "0 invoke 0 1 put \"x\" \"1\"",
            "10 ok 0 1",
            "20 invoke 1 1 put \"x\" \"2\"",
            "30 ok 1 1",
            "40 invoke 2 2 get \"x\"",
            "45 invoke 3 3 cas \"x\" nil \"3\"",
            "50 ok 2 2 \"1\"",
            "55 info 3 3");
        final History history = History.read(file);
        assertEquals(4, history.operations().size());
        assertEquals(Outcome.UNKNOWN, history.operations().get(3).outcome());
        final CheckResult result = new LinearizabilityChecker().check(history);
        assertEquals(Verdict.NOT_LINEARIZABLE, result.verdict());
        assertEquals(2, result.firstViolation().unplaceable().id());
    }

    @Test
    void malformedLinesAreRejectedWithTheirNumber() throws IOException
    {
        assertRejected("line 2", "0 invoke 0 1 get \"k\"", "5 done 0 1");
        assertRejected("not in flight", "0 invoke 0 1 get \"k\"", "5 ok 7 1 nil");
        assertRejected("invoked twice", "0 invoke 0 1 get \"k\"", "1 invoke 0 1 get \"k\"");
        assertRejected("invoked by process 1", "0 invoke 0 1 get \"k\"", "5 ok 0 2 nil");
        assertRejected("ok of a get", "0 invoke 0 1 get \"k\"", "5 ok 0 1");
        assertRejected("true or false", "0 invoke 0 1 cas \"k\" nil \"v\"", "5 ok 0 1 yes");
        assertRejected("quoted string", "0 invoke 0 1 put \"k\" v");
        assertRejected("cannot be nil", "0 invoke 0 1 put nil \"v\"");
        assertRejected("unterminated", "0 invoke 0 1 put \"k\" \"v");
        assertRejected("bad time", "x invoke 0 1 get \"k\"");
        assertRejected("unknown operation", "0 invoke 0 1 incr \"k\"");
        assertRejected("completes before", "10 invoke 0 1 get \"k\"", "5 ok 0 1 nil");
    }

    @Test
    void mainChecksSavedHistories() throws IOException
    {
        final Path good = dir.resolve("good.txt");
        new HistoryBuilder().put(0, "k", "1", 0, 10).get(1, "k", "1", 20, 30).build().write(good);
        final Path bad = dir.resolve("bad.txt");
        new HistoryBuilder().put(0, "k", "1", 0, 10).get(1, "k", null, 20, 30).build().write(bad);
        final Path malformed = write("0 oops");

        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(output, true, StandardCharsets.UTF_8);
        assertEquals(LinearizabilityChecker.EXIT_LINEARIZABLE,
            LinearizabilityChecker.run(new String[]{good.toString()}, out));
        assertEquals(LinearizabilityChecker.EXIT_NOT_LINEARIZABLE,
            LinearizabilityChecker.run(new String[]{good.toString(), bad.toString()}, out));
        assertEquals(LinearizabilityChecker.EXIT_BAD_INPUT,
            LinearizabilityChecker.run(new String[]{malformed.toString()}, out));
        assertEquals(LinearizabilityChecker.EXIT_BAD_INPUT,
            LinearizabilityChecker.run(new String[]{dir.resolve("missing").toString()}, out));
        assertEquals(LinearizabilityChecker.EXIT_NOT_LINEARIZABLE,
            LinearizabilityChecker.run(new String[]{malformed.toString(), bad.toString()}, out));
        assertEquals(LinearizabilityChecker.EXIT_BAD_INPUT, LinearizabilityChecker.run(new String[0], out));

        final String printed = output.toString(StandardCharsets.UTF_8);
        assertTrue(printed.contains(good + ": LINEARIZABLE"), printed);
        assertTrue(printed.contains(bad + ": NOT_LINEARIZABLE"), printed);
        assertTrue(printed.contains("cannot be placed: #1"), printed);
        assertTrue(printed.contains("usage:"), printed);
    }

    private void assertRejected(final String message, final String... lines) throws IOException
    {
        final Path file = write(lines);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> History.read(file));
        assertTrue(ex.getMessage().contains(message), ex.getMessage());
    }

    private Path write(final String... lines) throws IOException
    {
        final Path file = Files.createTempFile(dir, "history", ".txt");
        Files.write(file, List.of(lines), StandardCharsets.UTF_8);
        return file;
    }
}
