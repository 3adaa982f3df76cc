package org.corgipile.datasets;

/**
 * The shape of a dataset table: dense = {@code (id bigint, label int|float8, features float8[])}, sparse =
 * {@code (id bigint, label int|float8, indices int[], vals float8[])}.
 *
 * @param kind      dense or sparse features
 * @param labelType int (classification) or float8 (regression)
 * @param dimension number of features (dense array length; for sparse, one more than the largest index allowed)
 */
public record TableShape(FeatureKind kind, LabelType labelType, int dimension) {
    public TableShape {
        if (dimension < 0) {
            throw new IllegalArgumentException("dimension must be >= 0, got " + dimension);
        }
    }

    public static TableShape dense(LabelType labelType, int dimension) {
        return new TableShape(FeatureKind.DENSE, labelType, dimension);
    }

    public static TableShape sparse(LabelType labelType, int dimension) {
        return new TableShape(FeatureKind.SPARSE, labelType, dimension);
    }

    /** Column list of {@code CREATE TABLE}. */
    public String columnsSql() {
        return kind == FeatureKind.DENSE
                ? "id bigint NOT NULL, label " + labelType.sql() + " NOT NULL, features float8[] NOT NULL"
                : "id bigint NOT NULL, label " + labelType.sql() + " NOT NULL, indices int[] NOT NULL, vals float8[] NOT NULL";
    }

    /** Column names in table order. */
    public String columnNamesSql() {
        return kind == FeatureKind.DENSE ? "id, label, features" : "id, label, indices, vals";
    }
}
