package io.flotilla.engine;

import io.aeron.archive.client.ArchiveException;
import io.aeron.exceptions.AeronEvent;
import io.aeron.exceptions.AeronException;
import io.aeron.exceptions.DriverTimeoutException;
import io.aeron.exceptions.RegistrationException;
import io.flotilla.archive.LogCorruptionException;
import io.flotilla.engine.node.StateMachineException;
import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which errors a node cannot go on after, as the JVM and Aeron report them.
 */
class FailureCauseTest
{
    @Test
    void aFullDiskIsFatalWhereverItIsWrapped()
    {
        final IOException enospc = new IOException("No space left on device");
        assertEquals(FailureCause.DISK_FULL, FailureCause.of(enospc));
        assertEquals(FailureCause.DISK_FULL, FailureCause.of(new UncheckedIOException("cannot write", enospc)));
        assertEquals(FailureCause.DISK_FULL, FailureCause.of(new AeronException(new UncheckedIOException(enospc))));
        assertEquals(FailureCause.DISK_FULL, FailureCause.of(
            new ArchiveException("insufficient usable storage", ArchiveException.STORAGE_SPACE)));
    }

    @Test
    void runningOutOfFileHandlesIsFatal()
    {
        assertEquals(FailureCause.OUT_OF_FILE_HANDLES, FailureCause.of(
            new IllegalStateException("cannot open", new SocketException("Too many open files"))));
        assertEquals(FailureCause.OUT_OF_FILE_HANDLES, FailureCause.of(
            new IOException("Too many open files in system")));
    }

    @Test
    void aFaultInAMappedFileIsFatal()
    {
        // What the JVM raises for a SIGBUS in an access to a mapped file.
        assertEquals(FailureCause.MAPPED_FILE_FAULT, FailureCause.of(
            new InternalError("a fault occurred in an unsafe memory access operation")));
        assertEquals(FailureCause.MAPPED_FILE_FAULT, FailureCause.of(
            new InternalError("a fault occurred in a recent unsafe memory access operation in compiled Java code")));
    }

    @Test
    void theStateMachineDamagedDataAndADeadMediaStackAreFatal()
    {
        assertEquals(FailureCause.STATE_MACHINE, FailureCause.of(
            new StateMachineException("apply", 7, new UncheckedIOException(new IOException("No space left on device")))));
        assertEquals(FailureCause.CORRUPT_DATA, FailureCause.of(
            new LogCorruptionException(new File("segment"), 64, "read-back fails its checksum")));
        assertEquals(FailureCause.MEDIA_STOPPED, FailureCause.of(new DriverTimeoutException("driver inactive")));
        assertEquals(FailureCause.MEDIA_STOPPED, FailureCause.of(
            new AeronException("unrecoverable", AeronException.Category.FATAL)));
    }

    @Test
    void anyOtherErrorIsFatal()
    {
        assertEquals(FailureCause.JVM_ERROR, FailureCause.of(new OutOfMemoryError("Java heap space")));
        assertEquals(FailureCause.JVM_ERROR, FailureCause.of(new IllegalStateException(new StackOverflowError())));
        assertEquals(FailureCause.JVM_ERROR, FailureCause.of(new InternalError("something else")));
    }

    @Test
    void failedSendsRejectedRegistrationsAndOtherExceptionsAreRecoverable()
    {
        assertNull(FailureCause.of(new AeronException("failed to send", AeronException.Category.WARN)));
        assertNull(FailureCause.of(new AeronEvent("image unavailable")));
        assertNull(FailureCause.of(new RegistrationException(
            1, 2, io.aeron.ErrorCode.INVALID_CHANNEL, "bad channel")));
        assertNull(FailureCause.of(new ArchiveException("unknown recording", ArchiveException.UNKNOWN_RECORDING)));
        assertNull(FailureCause.of(new IllegalStateException("a bug somewhere else")));
        assertNull(FailureCause.of(new UncheckedIOException(new IOException("Connection refused"))));
    }

    @Test
    void theFailureSaysWhatWhereAndWhatToDo()
    {
        final NodeFailedException failure = new NodeFailedException(2, new File("/data/node-2"),
            FailureCause.DISK_FULL, new UncheckedIOException("cannot write the state file",
            new IOException("No space left on device")));
        final String message = failure.getMessage();
        assertTrue(message.startsWith("member 2 stops (DISK_FULL): the disk"), message);
        assertTrue(message.contains("cannot write the state file, caused by java.io.IOException: No space left"), message);
        assertTrue(message.contains(" at io.flotilla.engine.FailureCauseTest."), message);
        assertTrue(message.contains("/data/node-2") && message.contains("free space"), message);
    }
}
