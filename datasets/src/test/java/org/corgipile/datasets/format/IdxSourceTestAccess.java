package org.corgipile.datasets.format;

import java.io.IOException;
import java.nio.file.Path;

/** Lets tests in other packages write idx fixtures with {@link IdxSourceTest}'s writer. */
public final class IdxSourceTestAccess {
    private IdxSourceTestAccess() {
    }

    public static void writeIdx(Path images, Path labels, int n) throws IOException {
        IdxSourceTest.writeIdx(images, labels, n, true, 0x00000803, 0);
    }

    public static void writeTruncatedIdx(Path images, Path labels, int n) throws IOException {
        IdxSourceTest.writeIdx(images, labels, n, false, 0x00000803, 5);
    }
}
