package org.corgipile.operators;

/**
 * A {@link BlockSource} that forwards every call to {@code inner}: tests override the one or two methods they watch or
 * change (count reads, record announcements, vouch for finite values, claim TOAST pages) and inherit the rest.
 */
class ForwardingBlockSource implements BlockSource {
    final BlockSource inner;

    ForwardingBlockSource(BlockSource inner) {
        this.inner = inner;
    }

    @Override
    public long pageCount() {
        return inner.pageCount();
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
