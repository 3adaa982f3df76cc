package org.corgipile.client;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.corgipile.operators.TrainingException;

/**
 * Reads the models catalog {@code corgipile.models} (created by the Flyway migrations or by
 * {@code CREATE EXTENSION corgipile}). Rows are read as whole rows and turned into JSON column by column, so the
 * client follows the catalog's columns instead of restating them.
 */
final class ModelCatalog {
    static final String TABLE = "corgipile.models";
    static final ObjectMapper JSON = Json.MAPPER;
    /** Fields of the stored final-epoch row that are not model quality metrics. */
    private static final java.util.Set<String> BOOKKEEPING = java.util.Set.of("epoch", "tuples", "seconds",
            "eval_seconds", "learning_rate", "running_loss", "shuffle_once_seconds");

    private ModelCatalog() {
    }

    /** True when the catalog table exists in this database. */
    static boolean exists(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    static void requireCatalog(Connection c) throws SQLException {
        if (!exists(c)) {
            throw new CorgiPileException(TrainingException.UNDEFINED_TABLE,
                    "the models catalog " + TABLE + " does not exist in this database",
                    "create it with `corgipile install --url ...` (Flyway migrations) or CREATE EXTENSION corgipile",
                    null);
        }
    }

    /**
     * Requires the catalog's writer {@code corgipile.store_model} (corgipile 0.2.0 with kept versions): a catalog
     * installed by an older release is refused before training, not after.
     */
    static void requireWriter(Connection c) throws SQLException {
        requireCatalog(c);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT to_regprocedure('corgipile.store_model(text,boolean,jsonb)') IS NOT NULL")) {
            if (!rs.next() || !rs.getBoolean(1)) {
                throw new CorgiPileException(TrainingException.OBJECT_NOT_IN_PREREQUISITE_STATE,
                        "the models catalog of this database predates "
                        + "corgipile.store_model", "Update it: `corgipile install --url ...` (Flyway migrations) "
                        + "or ALTER EXTENSION corgipile UPDATE.", null);
            }
        }
    }

    /**
     * The catalog id of model {@code name}, from the catalog's one lookup {@code corgipile.model_id}: 42704 when
     * there is none (or the caller may not read it).
     */
    static long id(Connection c, String name) throws SQLException {
        requireCatalog(c);
        try (PreparedStatement ps = c.prepareStatement("SELECT corgipile.model_id(?)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            CorgiPileException x = CorgiPileException.of(e);
            throw TrainingException.UNDEFINED_OBJECT.equals(x.getSQLState()) ? unknownModel(name, e) : x;
        }
    }

    /** The lookup's error for a model that does not exist (or the caller may not read), with the client's hint. */
    static CorgiPileException unknownModel(String name, SQLException cause) {
        return new CorgiPileException(TrainingException.UNDEFINED_OBJECT, "model \"" + name + "\" does not exist",
                "list the stored models with `corgipile models`", cause);
    }

    /**
     * Every model, without the catalog's array columns (the parameter vectors: a 1M-parameter model is 8 MB of
     * float8 that a listing never shows); {@link #get} returns the whole row.
     */
    static List<ModelInfo> list(Connection c) throws SQLException {
        requireCatalog(c);
        String columns;
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a "
                        + "JOIN pg_type t ON t.oid = a.atttypid WHERE a.attrelid = '" + TABLE + "'::regclass "
                        + "AND a.attnum > 0 AND NOT a.attisdropped AND t.typcategory <> 'A'")) {
            rs.next();
            columns = rs.getString(1);
        }
        List<ModelInfo> out = new ArrayList<>();
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT " + columns + " FROM " + TABLE + " ORDER BY name")) {
            while (rs.next()) {
                out.add(info(rs));
            }
        }
        return out;
    }

    /** The model called {@code name}; 42704 when there is none. */
    static ModelInfo get(Connection c, String name) throws SQLException {
        long id = id(c, name);
        try (PreparedStatement ps = c.prepareStatement("SELECT * FROM " + TABLE + " WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return info(rs);
            }
        }
    }

    private static ModelInfo info(ResultSet rs) throws SQLException {
        ObjectNode row = rowJson(rs);
        Map<String, Double> metrics = new LinkedHashMap<>();
        JsonNode m = row.get("metrics");
        if (m != null && m.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isNumber() && !BOOKKEEPING.contains(e.getKey())) {
                    metrics.put(e.getKey(), e.getValue().asDouble());
                }
            }
        }
        return new ModelInfo(text(row, "name"), text(row, "model_type", "type", "model"),
                text(row, "source_relation", "relation"), text(row, "created_at"), metrics, row);
    }

    private static String text(ObjectNode row, String... names) {
        for (String n : names) {
            JsonNode v = row.get(n);
            if (v != null && v.isValueNode() && !v.isNull()) {
                return v.asText();
            }
        }
        return null;
    }

    /** The current row as a JSON object, one field per column. */
    static ObjectNode rowJson(ResultSet rs) throws SQLException {
        ResultSetMetaData md = rs.getMetaData();
        ObjectNode row = JSON.createObjectNode();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            row.set(md.getColumnLabel(i), value(rs, i, md.getColumnTypeName(i)));
        }
        return row;
    }

    private static JsonNode value(ResultSet rs, int i, String type) throws SQLException {
        Object raw = rs.getObject(i);
        if (raw == null) {
            return JSON.nullNode();
        }
        switch (type) {
            case "json", "jsonb" -> {
                try {
                    return JSON.readTree(rs.getString(i));
                } catch (JsonProcessingException e) {
                    return JSON.getNodeFactory().textNode(rs.getString(i));
                }
            }
            case "timestamptz", "timestamp" -> {
                OffsetDateTime t = rs.getObject(i, OffsetDateTime.class);
                return JSON.getNodeFactory().textNode(t.toString());
            }
            case "bytea" -> {
                return JSON.getNodeFactory().textNode(Base64.getEncoder().encodeToString(rs.getBytes(i)));
            }
            default -> {
                if (raw instanceof Array a) {
                    return array(a.getArray());
                }
                return JSON.valueToTree(raw instanceof java.sql.Date || raw instanceof java.sql.Time
                        || raw instanceof org.postgresql.util.PGobject ? raw.toString() : raw);
            }
        }
    }

    private static JsonNode array(Object javaArray) {
        ArrayNode out = JSON.createArrayNode();
        for (int i = 0; i < java.lang.reflect.Array.getLength(javaArray); i++) {
            Object e = java.lang.reflect.Array.get(javaArray, i);
            out.add(e != null && e.getClass().isArray() ? array(e) : JSON.valueToTree(e));
        }
        return out;
    }
}
