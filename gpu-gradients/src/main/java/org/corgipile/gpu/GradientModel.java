package org.corgipile.gpu;

import java.util.Arrays;
import java.util.Locale;
import org.corgipile.operators.model.MlpModel;
import org.corgipile.operators.model.Model;

/**
 * Which model a gradient is computed for, and the shape of its flat parameter vector.
 *
 * <p>Parameter layout, the one of the {@code operators} models (so a parameter vector moves between the CPU model,
 * the Java references here and the OpenCL kernels without conversion): a GLM stores one block
 * {@code [w_0 .. w_{width-1}, b]} per output, block o at {@code o * (width + 1)} (logistic, svm, linear: one output;
 * softmax: one per class). An MLP stores, layer by layer from the input ({@code width -> hidden[0] -> ... ->
 * outputs}), the weight matrix row-major with one row per output unit ({@code W[o * in + i]}) followed by the
 * layer's biases.
 *
 * <p>Label conventions: logistic treats a label {@code > 0} as the positive class (so both {0,1} and {-1,+1} labels
 * work), svm maps a label {@code > 0} to +1 and anything else to -1, linear uses the label as the target, softmax and
 * a multi-class mlp take the label as a class index in {@code [0, classes)}; an mlp with {@code classes == 1} has one
 * sigmoid output with the logistic convention.
 *
 * @param kind    the model
 * @param width   dense feature width, at least 1
 * @param classes number of classes for softmax (at least 2) and mlp (1 = binary sigmoid output, else softmax);
 *                1 for logistic, svm and linear
 * @param hidden  hidden layer widths for mlp (1 or 2 layers, each at least 1); empty for the GLMs
 */
public record GradientModel(Kind kind, int width, int classes, int[] hidden) {

    /** The models with a dense mini-batch gradient on both devices. */
    public enum Kind {
        LINEAR, LOGISTIC, SVM, SOFTMAX, MLP;

        /** The SQL name of a model ({@code 'logistic'}, ...), case-insensitive. */
        public static Kind of(String name) {
            if (name != null) {
                for (Kind k : values()) {
                    if (k.name().equalsIgnoreCase(name.trim())) {
                        return k;
                    }
                }
            }
            throw new IllegalArgumentException("model must be one of linear, logistic, svm, softmax, mlp, got '"
                    + name + "'");
        }

        /** Lower-case SQL name. */
        public String sqlName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public GradientModel {
        if (kind == null) {
            throw new IllegalArgumentException("model kind must not be null");
        }
        if (width < 1) {
            throw new IllegalArgumentException("width must be at least 1, got " + width);
        }
        hidden = hidden == null ? new int[0] : hidden.clone();
        switch (kind) {
            case LINEAR, LOGISTIC, SVM -> {
                if (classes != 1) {
                    throw new IllegalArgumentException(kind.sqlName() + " has exactly 1 output, got classes = "
                            + classes);
                }
            }
            case SOFTMAX -> {
                if (classes < 2) {
                    throw new IllegalArgumentException("softmax needs classes >= 2, got " + classes);
                }
            }
            case MLP -> {
                if (classes < 1) {
                    throw new IllegalArgumentException("mlp needs classes >= 1 (1 = binary sigmoid output), got "
                            + classes);
                }
                if (hidden.length < 1 || hidden.length > 2) {
                    throw new IllegalArgumentException("mlp hidden must have 1 or 2 layers, got "
                            + Arrays.toString(hidden));
                }
                for (int h : hidden) {
                    if (h < 1) {
                        throw new IllegalArgumentException("mlp hidden layer widths must be at least 1, got "
                                + Arrays.toString(hidden));
                    }
                }
            }
            default -> throw new AssertionError(kind);
        }
        if (kind != Kind.MLP && hidden.length != 0) {
            throw new IllegalArgumentException(kind.sqlName() + " takes no hidden layers, got "
                    + Arrays.toString(hidden));
        }
        // Fails early (ArithmeticException) rather than overflowing array sizes later.
        Math.addExact(paramCountOf(width, classes, hidden), 0);
    }

    /**
     * The shape of an {@code operators} model; the parameter layouts are the same. A binary mlp (2 classes) has
     * one sigmoid output, hence {@code classes() == 1} here.
     */
    public static GradientModel of(Model model) {
        int d = model.dimension();
        GradientModel g = switch (model.type()) {
            case "linear" -> linear(d);
            case "logistic" -> logistic(d);
            case "svm" -> svm(d);
            case "softmax" -> softmax(d, model.classes());
            case "mlp" -> {
                int[] w = ((MlpModel) model).widths();
                yield mlp(d, w[w.length - 1], Arrays.copyOfRange(w, 1, w.length - 1));
            }
            default -> throw new IllegalArgumentException("model must be one of linear, logistic, svm, softmax, "
                    + "mlp, got '" + model.type() + "'");
        };
        if (g.paramCount() != model.parameterCount()) {
            throw new IllegalStateException("parameter count of " + g + " is " + g.paramCount() + " but the "
                    + model.type() + " model has " + model.parameterCount() + "; please report a bug");
        }
        return g;
    }

    public static GradientModel linear(int width) {
        return new GradientModel(Kind.LINEAR, width, 1, null);
    }

    public static GradientModel logistic(int width) {
        return new GradientModel(Kind.LOGISTIC, width, 1, null);
    }

    public static GradientModel svm(int width) {
        return new GradientModel(Kind.SVM, width, 1, null);
    }

    public static GradientModel softmax(int width, int classes) {
        return new GradientModel(Kind.SOFTMAX, width, classes, null);
    }

    public static GradientModel mlp(int width, int classes, int... hidden) {
        return new GradientModel(Kind.MLP, width, classes, hidden);
    }

    @Override
    public int[] hidden() {
        return hidden.clone();
    }

    /** Output units of the last layer. */
    public int outputs() {
        return classes;
    }

    /** Layer widths from input to output: {@code [width, hidden..., outputs]}. */
    public int[] layerWidths() {
        int[] w = new int[hidden.length + 2];
        w[0] = width;
        System.arraycopy(hidden, 0, w, 1, hidden.length);
        w[w.length - 1] = classes;
        return w;
    }

    /** Length of the flat parameter (and gradient) vector. */
    public int paramCount() {
        return paramCountOf(width, classes, hidden);
    }

    /** Offset of MLP layer {@code l}'s weight matrix (0-based layer, 0 = first layer) in the parameter vector. */
    public int weightOffset(int layer) {
        int[] w = layerWidths();
        int off = 0;
        for (int l = 0; l < layer; l++) {
            off += w[l + 1] * (w[l] + 1);
        }
        return off;
    }

    /** Multiply-adds of one forward pass of one row: the unit the {@code auto} device policy is based on. */
    public long forwardMacsPerRow() {
        int[] w = layerWidths();
        long macs = 0;
        for (int l = 0; l + 1 < w.length; l++) {
            macs += (long) w[l] * w[l + 1];
        }
        return macs;
    }

    private static int paramCountOf(int width, int classes, int[] hidden) {
        long count = 0;
        int in = width;
        for (int h : hidden) {
            count += (long) h * (in + 1);
            in = h;
        }
        count += (long) classes * (in + 1);
        return Math.toIntExact(count);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GradientModel m && m.kind == kind && m.width == width && m.classes == classes
                && Arrays.equals(m.hidden, hidden);
    }

    @Override
    public int hashCode() {
        return ((kind.hashCode() * 31 + width) * 31 + classes) * 31 + Arrays.hashCode(hidden);
    }

    @Override
    public String toString() {
        return kind.sqlName() + "(width=" + width + ", classes=" + classes
                + (hidden.length > 0 ? ", hidden=" + Arrays.toString(hidden) : "") + ")";
    }
}
