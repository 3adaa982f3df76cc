package org.corgipile.gpu;

import java.lang.System.Logger.Level;
import org.corgipile.operators.BatchGradient;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.GradientProvider;
import org.corgipile.operators.TrainingException;
import org.corgipile.operators.model.Model;

/**
 * Plugs the OpenCL gradients into the {@code operators} trainer for {@code device => 'gpu'} and {@code 'auto'}
 * (registered in {@code META-INF/services/org.corgipile.operators.GradientProvider}; the trainer loads a fresh
 * instance per training, so this instance's state is one training's).
 *
 * <ul>
 *   <li>{@code gpu}: an OpenCL gradient or a {@link TrainingException} (SQLSTATE 0A000) with the reason and a
 *       hint: sparse features, no OpenCL device, a kernel that does not run.</li>
 *   <li>{@code auto}: an OpenCL gradient where {@link GradientDevices} finds it pays, else null (the trainer then
 *       uses the CPU model); the reason is logged at INFO on logger {@code org.corgipile.gpu}. Should Aparapi fall
 *       back from OpenCL mid-training, the gradient continues on the Java reference (and logs it).</li>
 * </ul>
 * {@link #name()} is the device used, for the model's provenance ({@code params->>'device'}).
 */
public final class OpenClGradientProvider implements GradientProvider {
    private static final System.Logger LOG = System.getLogger("org.corgipile.gpu");

    private Selection selection;

    @Override
    public String device() {
        return "gpu";
    }

    @Override
    public String name() {
        return selection == null ? "opencl" : selection.deviceName();
    }

    /** The last selection made (null before {@link #create}); its note says what was picked and why. */
    public Selection selection() {
        return selection;
    }

    @Override
    public BatchGradient create(Model model, FeatureShape shape, int maxBatchRows) {
        return create(model, shape, maxBatchRows, "gpu");
    }

    @Override
    public BatchGradient create(Model model, FeatureShape shape, int maxBatchRows, String requestedDevice) {
        boolean gpu = "gpu".equals(requestedDevice);
        if (shape.sparse()) {
            if (gpu) {
                throw new TrainingException(TrainingException.FEATURE_NOT_SUPPORTED, "device => 'gpu' needs dense "
                        + "features, this relation has sparse features of dimension " + shape.dimension(),
                        "use device => 'cpu' or 'auto' for sparse features");
            }
            LOG.log(Level.INFO, "auto: using the CPU because the OpenCL kernels need dense features");
            return null;
        }
        Selection s = GradientDevices.select(gpu ? "gpu" : "auto", GradientModel.of(model), maxBatchRows);
        if (!s.openCl()) {
            LOG.log(Level.INFO, s.note());
            s.close();
            return null;
        }
        LOG.log(Level.INFO, s.note());
        selection = s;
        return s.gradient();
    }

    @Override
    public void release(BatchGradient gradient) {
        if (gradient instanceof DenseGradient g) {
            g.close();
        }
        if (selection != null && !selection.openCl()) {
            LOG.log(Level.WARNING, selection.note());
        }
    }
}
