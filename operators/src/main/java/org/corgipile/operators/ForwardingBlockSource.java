package org.corgipile.operators;

/**
 * A {@link BlockSource} that forwards every call to {@code inner}: a wrapper overrides the one or two methods it
 * watches or changes (the client's progress counts pages read; tests count reads, record announcements, vouch for
 * finite values, claim TOAST pages) and inherits the rest, so no method of the source is dropped by a wrapper.
 */
public class ForwardingBlockSource implements BlockSource {
    protected final BlockSource inner;

    public ForwardingBlockSource(BlockSource inner) {
        this.inner = inner;
    }

    @Override
    public long pageCount() {
        return inner.pageCount();
    }

    @Override
    public String describeLabel() {
        return inner.describeLabel();
    }

    @Override
    public String describeValue(int feature, long id) {
        return inner.describeValue(feature, id);
    }

    @Override
    public long storedPageBytes() {
        return inner.storedPageBytes();
    }

    @Override
    public FeatureShape shape() {
        return inner.shape();
    }

    @Override
    public int readPages(long firstPage, int pages, TupleBuffer into) {
        return inner.readPages(firstPage, pages, into);
    }

    @Override
    public void willRead(long firstPage, int pages) {
        inner.willRead(firstPage, pages);
    }

    @Override
    public boolean valuesAreFinite() {
        return inner.valuesAreFinite();
    }

    @Override
    public void checkInterrupts() {
        inner.checkInterrupts();
    }

    @Override
    public void close() {
        inner.close();
    }
}
