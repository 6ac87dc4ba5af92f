package io.flotilla.archive;

import io.aeron.Aeron;
import io.aeron.archive.client.AeronArchive;
import io.aeron.archive.client.ArchiveProxy;
import io.aeron.archive.codecs.ControlResponseCode;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;

/**
 * The archive's purge of the segments before the log's start, without blocking the duty cycle: compaction moves the
 * recording's start at once ({@link LogRecording#startAt(long)}) and asks for the purge here ({@link #purgeTo(long)});
 * the requests follow, one in flight at a time and driven by {@link #poll()}, always to the highest start asked. The recording's replays are stopped before each purge
 * (the archive refuses to purge a segment a replay has open); a new read-back waits until that request is sent
 * ({@link #isStoppingReplays()}), as it would be stopped too.
 * <p>
 * A refusal (a replay still closing, an earlier deletion still running) is asked again after
 * {@link #RETRY_DELAY_NS}; an answer lost to a synchronous archive call on this thread, after the timeout. Before a
 * purge is asked again the archive's start is asked: the archive refuses a purge to the start it has, so one that
 * was done, its answer lost, is recognised as done instead.
 */
final class LogPurge implements ArchiveResponses.Listener
{
    private static final System.Logger LOGGER = System.getLogger(LogPurge.class.getName());
    private static final long RETRY_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(5);
    private static final long WARNING_INTERVAL_NS = TimeUnit.SECONDS.toNanos(10);

    private final Aeron aeron;
    private final AeronArchive archive;
    private final LogRecording recording;
    private final ArchiveResponses responses;
    private final NanoClock clock;
    private final long timeoutNs;
    private final ThrottledWarning warning;

    private boolean isPurging;
    private long targetPosition;
    private boolean isStoppingReplays;
    private boolean isStartUnknown;
    private long correlationId = Aeron.NULL_VALUE;
    private boolean isAskingStart;
    private long requestedPosition;
    private long deadlineNs;
    private long retryAtNs;
    private long sinceNs;

    LogPurge(
        final NodeMedia media,
        final LogRecording recording,
        final ArchiveResponses responses,
        final NanoClock clock,
        final long timeoutNs)
    {
        this.aeron = media.aeron();
        this.archive = media.aeronArchive();
        this.recording = recording;
        this.responses = responses;
        this.clock = clock;
        this.timeoutNs = timeoutNs;
        this.warning = new ThrottledWarning(LOGGER, "purge", clock, WARNING_INTERVAL_NS);
    }

    /**
     * Have the archive purge the segments before {@code newStartPosition}, without waiting: sent now if it can be,
     * otherwise by {@link #poll()}. While a purge is in flight the next one goes to the highest start asked.
     *
     * @param newStartPosition a segment boundary the log-start record holds already.
     */
    void purgeTo(final long newStartPosition)
    {
        final long nowNs = clock.nanoTime();
        targetPosition = Math.max(targetPosition, newStartPosition);
        isStoppingReplays = true;
        if (!isPurging)
        {
            isPurging = true;
            sinceNs = nowNs;
            retryAtNs = nowNs;
        }
        send(nowNs);
    }

    /**
     * @return true while a purge is asked and not known to be done.
     */
    boolean isPurging()
    {
        return isPurging;
    }

    /**
     * @return true until the request stopping the recording's replays is sent, which would stop a read-back asked
     * before it.
     */
    boolean isStoppingReplays()
    {
        return isStoppingReplays;
    }

    /**
     * Make progress on the purge: ask again what timed out, send what is due.
     *
     * @return the amount of work done.
     */
    int poll()
    {
        if (!isPurging)
        {
            return 0;
        }

        final long nowNs = clock.nanoTime();
        if (Aeron.NULL_VALUE != correlationId && nowNs - deadlineNs > 0)
        {
            warning.warn(describeRequest() + " unanswered after " + TimeUnit.NANOSECONDS.toMillis(timeoutNs) +
                " ms: the archive's start of the recording is asked");
            responses.cancel(correlationId);
            correlationId = Aeron.NULL_VALUE;
            isStartUnknown = true;
        }

        return send(nowNs);
    }

    /**
     * Blocking: finish the purge in flight with synchronous archive calls, for an operation that needs the
     * recording to itself (and whose own archive calls would take the purge's answers). Its request is abandoned
     * and the purge completed unless the archive's start is there already.
     */
    void complete()
    {
        if (!isPurging)
        {
            return;
        }

        responses.cancel(correlationId);
        correlationId = Aeron.NULL_VALUE;
        isStoppingReplays = false;
        isStartUnknown = false;
        recording.purgeTo(targetPosition);
        onPurged(targetPosition);
    }

    public void onResponse(
        final long correlationId, final ControlResponseCode code, final long relevantId, final String errorMessage)
    {
        this.correlationId = Aeron.NULL_VALUE;
        if (ControlResponseCode.OK != code)
        {
            warning.warn(describeRequest() + " refused by the archive (" + errorMessage + "): asked again");
            isStartUnknown = true;
            retryAtNs = clock.nanoTime() + RETRY_DELAY_NS;
        }
        else if (isAskingStart)
        {
            isStartUnknown = false;
            if (relevantId >= targetPosition)
            {
                onPurged(relevantId);
            }
        }
        else
        {
            onPurged(requestedPosition);
        }
    }

    /**
     * Stop the replays as soon as asked, whatever is in flight, so that read-backs wait as little as they can; then
     * the next request, when none is in flight and no retry delay runs.
     */
    private int send(final long nowNs)
    {
        final ArchiveProxy proxy = archive.archiveProxy();
        final long recordingId = recording.recordingId();
        final long controlSessionId = archive.controlSessionId();
        int workCount = 0;
        if (isStoppingReplays && proxy.stopAllReplays(recordingId, aeron.nextCorrelationId(), controlSessionId))
        {
            isStoppingReplays = false;
            workCount++;
        }
        if (isStoppingReplays || Aeron.NULL_VALUE != correlationId || nowNs - retryAtNs < 0)
        {
            return workCount;
        }

        final long id = aeron.nextCorrelationId();
        final boolean sent = isStartUnknown ?
            proxy.getStartPosition(recordingId, id, controlSessionId) :
            proxy.purgeSegments(recordingId, targetPosition, id, controlSessionId);
        if (sent)
        {
            correlationId = id;
            isAskingStart = isStartUnknown;
            requestedPosition = targetPosition;
            deadlineNs = nowNs + timeoutNs;
            responses.await(id, this);
            workCount++;
        }

        return workCount;
    }

    /**
     * @param position the archive's start of the recording now.
     */
    private void onPurged(final long position)
    {
        final long nowNs = clock.nanoTime();
        LOGGER.log(System.Logger.Level.INFO, "recording " + recording.recordingId() + " purged to position " +
            position + " in " + TimeUnit.NANOSECONDS.toMicros(nowNs - sinceNs) + " us");
        sinceNs = nowNs;
        isPurging = position < targetPosition;
    }

    private String describeRequest()
    {
        return isAskingStart ? "start position query of recording " + recording.recordingId() :
            "purge of recording " + recording.recordingId() + " to position " + requestedPosition;
    }
}
