package org.corgipile.cli;

import org.corgipile.operators.Version;

import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code --version} of every corgipile command line (corgipile, corgipile dataset, bench): the command's name and
 * {@link Version#CURRENT}, the extension's version from its control file.
 */
public final class VersionProvider implements IVersionProvider {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public String[] getVersion() {
        String name = spec.root().name();
        return new String[] {(name.startsWith("corgipile") ? name : "corgipile " + name) + " " + Version.CURRENT};
    }
}
