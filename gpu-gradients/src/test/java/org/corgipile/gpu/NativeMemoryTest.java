package org.corgipile.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Native memory stays flat under repeated launches and repeated kernel lifecycles. Measured as the resident set
 * of a forked JVM whose heap is fixed and pre-touched ({@code -Xms64m -Xmx64m -XX:+AlwaysPreTouch}), so RSS growth
 * is native growth (device buffers, OpenCL objects, Aparapi's JNI state), after a warm-up. Only the C1 JIT runs
 * ({@code -XX:TieredStopAtLevel=1}): C2 compiles late and unpredictably under load and its arenas add 10-20 MB of
 * RSS at a time, which would hide or fake a leak. Leaks this catches, measured on POCL: ~700 kB per kernel that is
 * not disposed; a leak of 300 bytes per launch would be 9 MB over the measured window of 30,000 launches (on POCL).
 */
class NativeMemoryTest {
    private static final List<String> JVM = List.of("-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch",
            "-XX:TieredStopAtLevel=1");

    @Test
    void tensOfThousandsOfLaunchesDoNotGrowNativeMemory() throws Exception {
        // 14,000 calls = 28,000 or 42,000 launches (2 or 3 per call, by device type); the window compared starts
        // at launch 10,000 and ends at the last
        ForkedJvm.Result r = ForkedJvm.run(Map.of(), JVM, OpenClProbeMain.class, "launches", "14000");
        assertEquals(0, r.exitCode(), r.output());
        TreeMap<Long, Long> rss = rss(r.lines());
        assertTrue(r.output().contains("OPENCL true"), r.output());
        long from = rss.ceilingKey(10_000L);
        long to = rss.lastKey();
        assertTrue(to - from >= 18_000, "window of launches " + from + " -> " + to);
        long growthKb = rss.get(to) - rss.get(from);
        assertTrue(growthKb < 8 * 1024, "RSS grew by " + growthKb + " kB over launches " + from + " -> " + to + ": " + rss);
    }

    @Test
    void disposedKernelsReleaseTheirNativeMemory() throws Exception {
        // 200 trainings, each compiling, using and disposing an MLP kernel; window: trainings 100 -> 200
        ForkedJvm.Result r = ForkedJvm.run(Map.of(), JVM, OpenClProbeMain.class, "lifecycle", "200");
        assertEquals(0, r.exitCode(), r.output());
        TreeMap<Long, Long> rss = rss(r.lines());
        long growthKb = rss.get(200L) - rss.get(100L);
        assertTrue(growthKb < 8 * 1024, "RSS grew by " + growthKb + " kB over 100 kernel lifecycles: " + rss);
    }

    private static TreeMap<Long, Long> rss(List<String> lines) {
        TreeMap<Long, Long> rss = new TreeMap<>();
        for (String line : lines) {
            if (line.startsWith("RSS ")) {
                String[] f = line.split(" ");
                rss.put(Long.parseLong(f[1]), Long.parseLong(f[2]));
            }
        }
        return rss;
    }
}
