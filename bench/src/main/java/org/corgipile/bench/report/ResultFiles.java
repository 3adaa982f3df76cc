package org.corgipile.bench.report;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;

import org.corgipile.bench.engine.EpochResult;
import org.corgipile.bench.run.BenchResults;
import org.corgipile.bench.run.BenchResults.ProfileResult;
import org.corgipile.bench.run.BenchResults.Round;
import org.corgipile.bench.run.BenchResults.StrategyResult;
import org.corgipile.bench.run.BenchResults.TableResult;

/**
 * Writes results.json (the full record) and results.csv (one row per strategy and epoch, and per round of the
 * repeated points); reads results.json back.
 */
public final class ResultFiles {
    public static final String JSON = "results.json";
    public static final String CSV = "results.csv";
    public static final String CSV_HEADER = "profile,dataset,layout,table,strategy,engine,epoch,seconds,"
            + "cumulative_seconds,preparation_seconds,scan_floor_seconds,epoch_over_floor,train_loss,train_accuracy,"
            + "test_loss,test_accuracy,learning_rate,tuples,heap_blocks_read,heap_blocks_hit,device_bytes_read,"
            + "read_seconds,compute_seconds,eval_seconds,epoch_device_bytes_read,profile_seconds,probe_seconds,read_wait_seconds,"
            + "read_help_seconds,round,epoch_device_read_requests,device_read_requests";

    private ResultFiles() {
    }

    /**
     * A mapper that writes NaN (a metric an engine does not report) as JSON null and reads JSON null (or a missing
     * number) back as NaN.
     */
    public static ObjectMapper mapper() {
        SimpleModule nanAsNull = new SimpleModule("nan-as-null");
        JsonSerializer<Double> ser = new JsonSerializer<>() {
            @Override
            public void serialize(Double v, JsonGenerator g, SerializerProvider p) throws IOException {
                if (v == null || v.isNaN() || v.isInfinite()) {
                    g.writeNull();
                } else {
                    g.writeNumber(v);
                }
            }
        };
        nanAsNull.addSerializer(Double.class, ser);
        nanAsNull.addSerializer(double.class, ser);
        JsonDeserializer<Double> de = new JsonDeserializer<>() {
            @Override
            public Double deserialize(JsonParser p, DeserializationContext c) throws IOException {
                return p.getValueAsDouble(Double.NaN);
            }

            @Override
            public Double getNullValue(DeserializationContext c) {
                return Double.NaN;
            }
        };
        nanAsNull.addDeserializer(Double.class, de);
        nanAsNull.addDeserializer(double.class, de);
        return new ObjectMapper().registerModule(nanAsNull).enable(SerializationFeature.INDENT_OUTPUT)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** Reads the results.json of a run directory back (for {@code --combine}). */
    public static BenchResults readJson(Path dir) throws IOException {
        Path file = dir.resolve(JSON);
        if (!Files.isRegularFile(file)) {
            throw new IOException("no " + JSON + " in " + dir + " (a directory written by ./corgipile bench)");
        }
        return mapper().readValue(file.toFile(), BenchResults.class);
    }

    public static void writeJson(BenchResults results, Path dir) throws IOException {
        mapper().writeValue(dir.resolve(JSON).toFile(), results);
    }

    public static void writeCsv(BenchResults results, Path dir) throws IOException {
        try (Writer w = Files.newBufferedWriter(dir.resolve(CSV), StandardCharsets.UTF_8)) {
            w.write(CSV_HEADER);
            w.write('\n');
            for (ProfileResult p : results.profiles()) {
                for (TableResult t : p.tables()) {
                    // round 1 (the table's run), then the repeated points (--repeat), each with its own floor
                    for (Round round : t.rounds()) {
                        for (StrategyResult s : round.strategies()) {
                            writeCsvRows(w, p, t, round, s);
                        }
                    }
                }
            }
        }
    }

    private static void writeCsvRows(Writer w, ProfileResult p, TableResult t, Round round, StrategyResult s)
            throws IOException {
        double cumulative = s.preparationSeconds();
        for (EpochResult e : s.epochs()) {
            cumulative += e.endToEndSeconds();
            w.write(String.join(",", p.profile().name(), t.dataset(), t.layout(), t.table(), s.strategy(), s.engine(),
                    Integer.toString(e.epoch()), num(e.seconds()), num(cumulative), num(s.preparationSeconds()),
                    num(round.scanFloorSeconds()), num(e.seconds() / round.scanFloorSeconds()), num(e.trainLoss()),
                    num(e.trainAccuracy()), num(e.testLoss()), num(e.testAccuracy()), num(e.learningRate()),
                    Long.toString(e.tuples()), Long.toString(s.heapBlocksRead()), Long.toString(s.heapBlocksHit()),
                    Long.toString(s.deviceBytesRead()), num(e.readSeconds()), num(e.computeSeconds()),
                    num(e.evalSeconds()), e.deviceBytesRead() < 0 ? "" : Long.toString(e.deviceBytesRead()),
                    num(e.profileSeconds()), num(e.probeSeconds()), num(e.readWaitSeconds()),
                    num(e.readHelpSeconds()), Integer.toString(round.round()),
                    e.deviceReadRequests() < 0 ? "" : Long.toString(e.deviceReadRequests()),
                    Long.toString(s.deviceReadRequests())));
            w.write('\n');
        }
    }

    static String num(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? "" : String.format(Locale.ROOT, "%.6g", v);
    }
}
