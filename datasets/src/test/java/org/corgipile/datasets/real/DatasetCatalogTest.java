package org.corgipile.datasets.real;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DatasetCatalogTest {
    /** Bug: `dataset list` said 200000 rows for flights-binary, which loads every flight (3M) without --rows. */
    @Test
    void flightsBinaryListsTheRowsItLoads() {
        assertEquals(DatasetCatalog.entry("flights").defaultRows(), DatasetCatalog.entry("flights-binary").defaultRows());
        assertEquals(3_000_000, DatasetCatalog.entry("flights-binary").defaultRows());
    }
}
