package io.flotilla.engine.node;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

/**
 * The snapshot thread: runs the slow parts of snapshots off the node agent's thread (serialising a state machine's
 * view, forcing and renaming files, verifying a received snapshot's checksum) and hands each result back to the node
 * thread, which {@link #drain() drains} them on its duty cycle. Jobs run one at a time, in submission order. The
 * thread sleeps on its queue when there is nothing to do: snapshots are rare, a spinning thread would cost a core.
 */
public final class SnapshotWorker implements AutoCloseable
{
    private static final long CLOSE_TIMEOUT_MS = 10_000;

    private final LinkedBlockingQueue<Runnable> jobs = new LinkedBlockingQueue<>();
    private final ManyToOneConcurrentLinkedQueue<Runnable> completions = new ManyToOneConcurrentLinkedQueue<>();
    private final ErrorHandler errorHandler;
    private final Thread thread;
    private final AtomicInteger outstanding = new AtomicInteger();
    private volatile boolean running = true;

    /**
     * Start the thread.
     *
     * @param name         of the thread.
     * @param errorHandler told of a failure that could not be handed back to the node thread.
     */
    public SnapshotWorker(final String name, final ErrorHandler errorHandler)
    {
        this.errorHandler = errorHandler;
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Run a job on the snapshot thread; its result (or failure) is then given to {@code onNodeThread} by a later
     * {@link #drain()} on the node thread.
     *
     * @param job          the slow part.
     * @param onNodeThread told the result, or the job's failure (then the result is null).
     * @param <T>          the result's type.
     */
    public <T> void submit(final Callable<T> job, final BiConsumer<T, Throwable> onNodeThread)
    {
        if (!running)
        {
            throw new IllegalStateException("snapshot worker is closed");
        }
        outstanding.incrementAndGet();
        jobs.add(() ->
        {
            T result = null;
            Throwable failure = null;
            try
            {
                result = job.call();
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
            final T finalResult = result;
            final Throwable finalFailure = failure;
            completions.offer(() ->
            {
                outstanding.decrementAndGet();
                onNodeThread.accept(finalResult, finalFailure);
            });
        });
    }

    /**
     * Node thread: hand back the results of finished jobs.
     *
     * @return the number handed back.
     */
    public int drain()
    {
        int count = 0;
        Runnable completion;
        while (null != (completion = completions.poll()))
        {
            completion.run();
            count++;
        }
        return count;
    }

    /**
     * @return whether a job is queued or running, or its result not yet drained.
     */
    public boolean isBusy()
    {
        return outstanding.get() > 0;
    }

    /**
     * Stop taking jobs, let the running one finish (bounded wait) and stop the thread. Queued jobs are dropped:
     * an unfinished snapshot is never visible, so dropping one loses nothing.
     */
    public void close()
    {
        running = false;
        jobs.clear();
        thread.interrupt();
        try
        {
            thread.join(CLOSE_TIMEOUT_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive())
        {
            errorHandler.onError(new IllegalStateException(
                "snapshot thread " + thread.getName() + " did not stop within " + CLOSE_TIMEOUT_MS + " ms"));
        }
    }

    private void run()
    {
        while (running)
        {
            final Runnable job;
            try
            {
                job = jobs.poll(1, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                continue;
            }
            if (null != job)
            {
                try
                {
                    job.run();
                }
                catch (final Throwable ex)
                {
                    errorHandler.onError(ex);
                }
            }
        }
    }
}
