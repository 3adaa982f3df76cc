package org.corgipile.pg;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.corgipile.operators.InMemoryBlockSource;
import org.corgipile.operators.TrainResult;
import org.corgipile.operators.TrainSpec;
import org.corgipile.operators.Trainer;

/**
 * Builds the class-data-sharing archive of the extension at {@code make install}: run once as
 * {@code java -XX:ArchiveClassesAtExit=corgipile.jsa -XX:+UseSerialGC -cp <installed corgipile.jar>
 * org.corgipile.pg.CdsTraining}, it loads every class of the jar (without initialising it: nothing here may call a
 * native) and trains a small model with every strategy through the same {@link Trainer} and JSON codec the backend
 * uses, so the JDK classes a training needs are archived too. A backend's JVM then maps the archive
 * ({@code -XX:SharedArchiveFile}) instead of parsing and verifying those classes on the first call of a session.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException, URISyntaxException {
        int loaded = 0;
        Path jar = Path.of(CdsTraining.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        ClassLoader loader = CdsTraining.class.getClassLoader();
        try (JarFile f = new JarFile(jar.toFile())) {
            for (Enumeration<JarEntry> e = f.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.startsWith("org/corgipile/") && name.endsWith(".class") && !name.contains("-")) {
                    try {
                        Class.forName(name.substring(0, name.length() - 6).replace('/', '.'), false, loader);
                        loaded++;
                    } catch (ClassNotFoundException | LinkageError skipped) {
                        // optional dependencies (e.g. OpenCL) absent: those classes are simply not archived
                    }
                }
            }
        }
        double[][] x = new double[2000][];
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = new double[] {i % 7 - 3, i % 5 - 2, (i * 31 % 11) - 5};
            y[i] = x[i][0] + x[i][1] > 0 ? 1 : 0;
        }
        for (String shuffle : TrainSpec.SHUFFLES) {
            Map<String, Object> options = new LinkedHashMap<>();
            options.put("shuffle", shuffle);
            options.put("epochs", 2);
            options.put("block_size", 4);
            options.put("seed", 1);
            TrainResult r = Trainer.train(TrainSpec.fromOptions(options),
                    InMemoryBlockSource.dense(x, y, 20), InMemoryBlockSource.dense(x, y, 20), null);
            Json.write(Map.of("model", TrainFunction.modelJson(r.model()), "epochs", List.of(Map.of("epoch", 1))));
        }
        Json.parseObject("{\"spec\": {\"epochs\": 1, \"hidden\": [8]}, \"label\": \"y\"}");
        System.out.println("corgipile: CDS archive of " + loaded + " classes and a training run");
    }
}
