package org.corgipile.cli;

import org.corgipile.operators.Version;

import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version} of every corgipile command line (corgipile, corgipile dataset, bench): a product name and
 * {@link Version#CURRENT}, the extension's version from its control file. The product is the root command's name
 * ({@code corgipile 0.2.0}) unless a subclass names it ({@code corgipile datasets 0.2.0}).
 */
public class VersionProvider implements IVersionProvider {
    private final String product;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public VersionProvider() {
        this(null);
    }

    protected VersionProvider(String product) {
        this.product = product;
    }

    @Override
    public String[] getVersion() {
        String name = product != null ? product : spec.root().name();
        return new String[] {(name.startsWith("corgipile") ? name : "corgipile " + name) + " " + Version.CURRENT};
    }
}
