package org.corgipile.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Native memory stays flat under repeated launches and repeated kernel lifecycles. Measured as the resident set
 * of a forked JVM whose heap is fixed and pre-touched ({@code -Xms64m -Xmx64m -XX:+AlwaysPreTouch}), so RSS growth
 * is native growth (device buffers, OpenCL objects, Aparapi's JNI state), after a warm-up. Only the C1 JIT runs
 * ({@code -XX:TieredStopAtLevel=1}): C2 compiles late and unpredictably under load and its arenas add 10-20 MB of
 * RSS at a time, which would hide or fake a leak. Leaks this catches, measured on POCL: ~700 kB per kernel that is
 * not disposed; a leak of 300 bytes per launch would be 9 MB over the measured window.
 */
class NativeMemoryTest {
    private static final List<String> JVM = List.of("-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch",
            "-XX:TieredStopAtLevel=1");

    @Test
    void thirtyThousandLaunchesDoNotGrowNativeMemory() throws Exception {
        // 20,000 calls = 40,000 launches; the window compared is launches 10,000 -> 40,000
        ForkedJvm.Result r = ForkedJvm.run(Map.of(), JVM, OpenClProbeMain.class, "launches", "20000");
        assertEquals(0, r.exitCode(), r.output());
        Map<Long, Long> rss = rss(r.lines());
        assertTrue(r.output().contains("OPENCL true"), r.output());
        long growthKb = rss.get(40_000L) - rss.get(10_000L);
        assertTrue(growthKb < 8 * 1024, "RSS grew by " + growthKb + " kB over 30,000 launches: " + rss);
    }

    @Test
    void disposedKernelsReleaseTheirNativeMemory() throws Exception {
        // 200 trainings, each compiling, using and disposing an MLP kernel; window: trainings 100 -> 200
        ForkedJvm.Result r = ForkedJvm.run(Map.of(), JVM, OpenClProbeMain.class, "lifecycle", "200");
        assertEquals(0, r.exitCode(), r.output());
        Map<Long, Long> rss = rss(r.lines());
        long growthKb = rss.get(200L) - rss.get(100L);
        assertTrue(growthKb < 8 * 1024, "RSS grew by " + growthKb + " kB over 100 kernel lifecycles: " + rss);
    }

    private static Map<Long, Long> rss(List<String> lines) {
        Map<Long, Long> rss = new HashMap<>();
        for (String line : lines) {
            if (line.startsWith("RSS ")) {
                String[] f = line.split(" ");
                rss.put(Long.parseLong(f[1]), Long.parseLong(f[2]));
            }
        }
        return rss;
    }
}
