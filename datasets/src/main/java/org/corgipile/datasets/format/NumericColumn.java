package org.corgipile.datasets.format;

import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.ListVector;

/**
 * Reads one Arrow vector as doubles without boxing: a typed accessor chosen once per batch instead of
 * {@code getObject} per value. Integers (signed and unsigned), floats, booleans and dates (days since 1970) are
 * numeric; anything else is not.
 */
@FunctionalInterface
interface NumericColumn {
    double get(int row);

    /** Whether {@link #of} accepts vectors of this kind. */
    static boolean isNumeric(ValueVector v) {
        return v instanceof Float8Vector || v instanceof Float4Vector || v instanceof BaseIntVector
                || v instanceof BitVector || v instanceof DateDayVector;
    }

    /** Whether {@code v} is a list of numbers (dense features, indices, values). */
    static boolean isNumericList(ValueVector v) {
        return v instanceof ListVector l && isNumeric(l.getDataVector());
    }

    static NumericColumn of(FieldVector v) {
        if (v instanceof Float8Vector f) {
            return f::get;
        }
        if (v instanceof Float4Vector f) {
            return f::get;
        }
        if (v instanceof DateDayVector d) {
            return d::get;
        }
        if (v instanceof BitVector b) {
            return b::get;
        }
        if (v instanceof BaseIntVector i) {
            return i::getValueAsLong;
        }
        throw new IllegalArgumentException("column " + v.getName() + " of type " + v.getField().getType()
                + " is not numeric");
    }
}
