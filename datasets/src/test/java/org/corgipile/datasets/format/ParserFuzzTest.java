package org.corgipile.datasets.format;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import org.corgipile.datasets.InputFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random mutations of valid LIBSVM and CSV files (insert, delete, replace, duplicate characters from an alphabet
 * of the formats' own syntax plus junk). Whatever the parser makes of a mutant, the only exception allowed out is
 * {@link InputFormatException}: no NumberFormatException, index errors or runaway allocations. Seeded, so a failure
 * prints the seed and the mutant, which reproduce it.
 */
class ParserFuzzTest {
    private static final int MUTANTS = 1500;
    private static final String ALPHABET = "0123456789:.-+eE ,;\t\n\"#xqid\u00e9\u0000\r9999999999";
    private static final String LIBSVM = """
            +1 1:0.5 2:-1.25 7:3e-2 # a comment
            -1 3:1 4:2 qid:3 5:7
            +1 1:1 7:1
            -1 2:0.125
            """;
    private static final String CSV = """
            x1,x2,label,"x 3"
            0.5,-1.25,1,"3e-2"
            1,2,0,7
            "1",1,1,1

            0.125,0,0,-4
            """;

    @TempDir
    Path dir;

    @Test
    void libsvmMutantsOnlyFailWithInputFormatException() throws IOException {
        fuzz(LIBSVM, 1L, FileFormat.LIBSVM);
    }

    @Test
    void csvMutantsOnlyFailWithInputFormatException() throws IOException {
        fuzz(CSV, 2L, FileFormat.CSV);
    }

    private void fuzz(String valid, long seed, FileFormat format) throws IOException {
        Random rnd = new Random(seed);
        Path f = dir.resolve(format == FileFormat.CSV ? "fuzz.csv" : "fuzz.svm");
        int rejected = 0;
        for (int i = 0; i < MUTANTS; i++) {
            String mutant = mutate(valid, rnd, 1 + rnd.nextInt(4));
            Files.writeString(f, mutant, StandardCharsets.UTF_8);
            try {
                Sources.drain(format == FileFormat.CSV ? new CsvSource(f, ImportOptions.of(format))
                        : new LibsvmSource(f, ImportOptions.of(format)));
            } catch (InputFormatException expected) {
                rejected++;
            } catch (Throwable t) {
                fail("mutant " + i + " (seed " + seed + ") escaped with " + t + ":\n" + mutant, t);
            }
        }
        if (rejected == 0 || rejected == MUTANTS) {
            fail("the fuzzer is not exercising both paths: " + rejected + " of " + MUTANTS + " mutants rejected");
        }
    }

    private static String mutate(String s, Random rnd, int edits) {
        StringBuilder b = new StringBuilder(s);
        for (int e = 0; e < edits; e++) {
            int pos = b.length() == 0 ? 0 : rnd.nextInt(b.length());
            char c = ALPHABET.charAt(rnd.nextInt(ALPHABET.length()));
            switch (rnd.nextInt(4)) {
                case 0 -> b.insert(pos, c);
                case 1 -> {
                    if (b.length() > 0) {
                        b.deleteCharAt(pos);
                    }
                }
                case 2 -> {
                    if (b.length() > 0) {
                        b.setCharAt(pos, c);
                    }
                }
                default -> {
                    int len = Math.min(b.length() - pos, 1 + rnd.nextInt(8));
                    b.insert(pos, b.substring(pos, pos + len));
                }
            }
        }
        return b.toString();
    }
}
