package io.flotilla.samples;

import io.flotilla.engine.SnapshotView;
import org.agrona.collections.Object2ObjectHashMap;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The KV cache's non-blocking snapshot: the store's frozen entries, and the counters, clock, digest and a copy of
 * the change feed's sessions read at the same moment on the node thread. {@link #writeTo} reads only these; the store changes through its overlay
 * meanwhile, and {@link #release()} lets it merge the overlay back.
 */
final class KvSnapshotView implements SnapshotView
{
    private final KvSnapshot.Header header;
    private final Object2ObjectHashMap<String, KvStore.Entry> entries;
    private final KvFeed.State feed;
    private final KvStore store;

    KvSnapshotView(
        final KvSnapshot.Header header,
        final Object2ObjectHashMap<String, KvStore.Entry> entries,
        final KvFeed.State feed,
        final KvStore store)
    {
        this.header = header;
        this.entries = entries;
        this.feed = feed;
        this.store = store;
    }

    /**
     * {@inheritDoc}
     */
    public void writeTo(final OutputStream out) throws IOException
    {
        KvSnapshot.write(out, header, entries, feed);
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalStateException when called twice.
     */
    public void release()
    {
        store.thaw();
    }
}
