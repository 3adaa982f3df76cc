package org.corgipile.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/** The one version is the control file's: Version.CURRENT is default_version of pljava-ext/corgipile.control. */
class VersionTest {
    @Test
    void isTheControlFilesDefaultVersion() throws IOException {
        String control = Files.readString(Path.of("../pljava-ext/corgipile.control"));
        String line = control.lines().filter(l -> l.startsWith("default_version")).findFirst().orElseThrow();
        assertEquals(line.substring(line.indexOf('\'') + 1, line.lastIndexOf('\'')), Version.CURRENT);
    }
}
