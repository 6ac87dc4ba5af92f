package io.flotilla.codecs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The checked-in seeds of one {@code @FuzzTest} method, where Jazzer looks for them:
 * {@code src/test/resources/<package>/<TestClass>Inputs/<method>/}. A module's seed test builds the seeds from the
 * encoders and {@link #verify()}s that each is checked in with exactly those bytes, so a format change that would
 * leave the fuzzer starting from stale inputs fails the build; {@code -Dfuzz.seeds.write=true} (what
 * {@code scripts/fuzz.sh --seeds} passes) writes them instead. Files the fuzzer added (crash reproducers) are left
 * alone.
 */
public final class SeedCorpus
{
    /** Set to true to write the seeds rather than check them. */
    public static final String WRITE_PROPERTY = "fuzz.seeds.write";

    private final Path directory;
    private final Map<String, byte[]> seeds = new LinkedHashMap<>();

    /**
     * @param fuzzTestClass holding the {@code @FuzzTest} method.
     * @param method        name of the method.
     */
    public SeedCorpus(final Class<?> fuzzTestClass, final String method)
    {
        directory = Paths.get("src", "test", "resources")
            .resolve(fuzzTestClass.getPackageName().replace('.', '/'))
            .resolve(fuzzTestClass.getSimpleName() + "Inputs")
            .resolve(method);
    }

    /**
     * @param name  of the seed file.
     * @param bytes of the seed.
     * @return this.
     */
    public SeedCorpus add(final String name, final byte[] bytes)
    {
        seeds.put(name, bytes.clone());
        return this;
    }

    /**
     * Check, or with {@link #WRITE_PROPERTY} write, every seed.
     */
    public void verify() throws IOException
    {
        final boolean write = Boolean.getBoolean(WRITE_PROPERTY);
        if (write)
        {
            Files.createDirectories(directory);
        }
        for (final Map.Entry<String, byte[]> seed : seeds.entrySet())
        {
            final Path file = directory.resolve(seed.getKey());
            if (write)
            {
                Files.write(file, seed.getValue());
            }
            else
            {
                assertTrue(Files.isRegularFile(file), file + " is missing: run scripts/fuzz.sh --seeds");
                assertArrayEquals(seed.getValue(), Files.readAllBytes(file),
                    file + " is stale: run scripts/fuzz.sh --seeds");
            }
        }
    }
}
