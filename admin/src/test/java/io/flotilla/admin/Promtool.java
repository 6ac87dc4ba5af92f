package io.flotilla.admin;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Prometheus's own {@code promtool}, to check an exposition with the real parser and linter: the one on
 * {@code PATH}, else a copy cached under {@code target/promtool/}, else one fetched into that cache from Debian's
 * {@code prometheus} package ({@code apt-get download prometheus}, unpacked with {@code dpkg-deb -x}; only
 * {@code usr/bin/promtool} is kept). When none can be had the test fails saying how to install it.
 */
final class Promtool
{
    private static final long FETCH_TIMEOUT_S = 300;
    private static final long CHECK_TIMEOUT_S = 60;
    private static final String INSTALL_HINT = "install promtool (Debian/Ubuntu: apt-get install prometheus; " +
        "or the prometheus release archive from https://prometheus.io/download/) and put it on PATH";

    private static Path executable;

    /**
     * What {@code promtool check metrics} said about an exposition.
     */
    record Result(int exitCode, String output)
    {
    }

    private Promtool()
    {
    }

    /**
     * Run {@code promtool check metrics} on an exposition: it parses the text format and lints it.
     *
     * @param exposition to check, UTF-8 text format.
     * @return its exit code and everything it printed.
     */
    static Result checkMetrics(final byte[] exposition)
    {
        final Path promtool = executable();
        try
        {
            final Path input = Files.createTempFile("exposition-", ".txt");
            final Path output = Files.createTempFile("promtool-", ".out");
            try
            {
                Files.write(input, exposition);
                final int exitCode = run(
                    null, CHECK_TIMEOUT_S, input, output, promtool.toString(), "check", "metrics");
                return new Result(exitCode, Files.readString(output, StandardCharsets.UTF_8));
            }
            finally
            {
                Files.delete(input);
                Files.delete(output);
            }
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot run " + promtool + ": " + ex.getMessage(), ex);
        }
    }

    private static synchronized Path executable()
    {
        if (null == executable)
        {
            executable = onPath();
        }
        if (null == executable)
        {
            final Path cached = cacheDirectory().resolve("promtool");
            if (!Files.isExecutable(cached))
            {
                fetchInto(cached);
            }
            executable = cached;
        }
        return executable;
    }

    private static Path onPath()
    {
        final String path = System.getenv("PATH");
        if (null != path)
        {
            for (final String directory : path.split(File.pathSeparator))
            {
                final Path candidate = Path.of(directory.isEmpty() ? "." : directory, "promtool");
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
                {
                    return candidate;
                }
            }
        }
        return null;
    }

    private static Path cacheDirectory()
    {
        return Path.of(System.getProperty("basedir", "."), "target", "promtool").toAbsolutePath();
    }

    private static void fetchInto(final Path cached)
    {
        try
        {
            Files.createDirectories(cached.getParent());
            final Path work = Files.createTempDirectory(cached.getParent(), "fetch-");
            try
            {
                runOrThrow(work, "apt-get", "download", "prometheus");
                final Path deb;
                try (Stream<Path> files = Files.list(work))
                {
                    deb = files.filter((file) -> file.getFileName().toString().endsWith(".deb")).findFirst()
                        .orElseThrow(() -> new IOException("apt-get download prometheus left no .deb in " + work));
                }
                final Path unpacked = work.resolve("unpacked");
                runOrThrow(work, "dpkg-deb", "-x", deb.toString(), unpacked.toString());
                final Path promtool = unpacked.resolve("usr/bin/promtool");
                if (!Files.isExecutable(promtool))
                {
                    throw new IOException("no usr/bin/promtool in " + deb.getFileName());
                }
                Files.move(promtool, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            finally
            {
                deleteRecursively(work);
            }
        }
        catch (final IOException ex)
        {
            fail("promtool is not on PATH and fetching Debian's prometheus package into " + cached.getParent() +
                " failed (" + ex.getMessage() + "): " + INSTALL_HINT, ex);
        }
    }

    private static void runOrThrow(final Path work, final String... command) throws IOException
    {
        final Path output = work.resolve(command[0] + ".log");
        final int exitCode = run(work, FETCH_TIMEOUT_S, null, output, command);
        if (0 != exitCode)
        {
            throw new IOException(String.join(" ", command) + " exited " + exitCode + ": " +
                Files.readString(output, StandardCharsets.UTF_8).strip());
        }
    }

    /**
     * Run a command to its end, bounded by a timeout, its output (stdout and stderr) to a file.
     *
     * @return its exit code.
     */
    private static int run(
        final Path directory, final long timeoutS, final Path input, final Path output, final String... command)
        throws IOException
    {
        final ProcessBuilder builder = new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(output.toFile());
        if (null != input)
        {
            builder.redirectInput(input.toFile());
        }
        if (null != directory)
        {
            builder.directory(directory.toFile());
        }
        final Process process;
        try
        {
            process = builder.start();
        }
        catch (final IOException ex)
        {
            throw new IOException("cannot run " + command[0] + ": " + ex.getMessage(), ex);
        }
        try
        {
            process.getOutputStream().close();
            if (!process.waitFor(timeoutS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish in " + timeoutS + " s");
            }
            return process.exitValue();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted running " + command[0], ex);
        }
    }

    private static void deleteRecursively(final Path root) throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            final List<Path> deepestFirst = paths.sorted(Comparator.reverseOrder()).toList();
            for (final Path path : deepestFirst)
            {
                Files.delete(path);
            }
        }
    }
}
