package io.flotilla.samples;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code KvClient verify ACKS_FILE}: reads every write a load run recorded back, {@link KvVerify}.
 */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
        "Read back every acknowledged write recorded by load ('key value' lines) and check each key holds its value.",
        "Exit 1 when some do not, or the reads did not finish within 60 s."
    })
final class VerifyCommand implements Callable<Integer>
{
    @ParentCommand
    private KvClient client;

    @Spec
    private CommandSpec spec;

    @Mixin
    private ReadOptions read;

    @Parameters(index = "0", paramLabel = "ACKS_FILE", description = "The acks file of a load run.")
    private Path acks;

    public Integer call() throws IOException
    {
        return KvVerify.run(read.apply(client.context(spec)), acks, read.consistency(), client.out());
    }
}
