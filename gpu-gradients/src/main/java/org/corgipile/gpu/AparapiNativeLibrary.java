package org.corgipile.gpu;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Loads Aparapi's JNI library from a stable, content-addressed path instead of Aparapi's own way.
 *
 * <p>Aparapi's {@code NativeLoader} copies {@code libaparapi_<arch>.so} (2.8 MB) out of its jar into a fresh
 * {@code java.io.tmpdir/Aparapi<random>} directory on every JVM start and relies on {@code deleteOnExit}. Inside
 * PostgreSQL every backend that trains on a GPU embeds its own JVM, started with {@code -Xrs} and ended by the
 * backend's exit rather than a JVM shutdown, so those directories would pile up in /tmp, one per backend. Here the
 * library is extracted once to {@code <dir>/corgipile-aparapi-<sha256 prefix>/libaparapi.so} (written to a temporary
 * name and renamed atomically, so concurrent backends never load a half-written file), loaded with
 * {@link System#load}, and Aparapi is told through {@code com.aparapi.useAgent=true} that its natives are already
 * there. {@code <dir>} is the system property {@code corgipile.native.dir}, else {@code java.io.tmpdir}.
 *
 * <p>Must run before any Aparapi class initialises (Aparapi reads the property once); {@link OpenClDevices} calls it
 * first. If anything fails, nothing is set and Aparapi loads its library its own way.
 */
final class AparapiNativeLibrary {
    /** Where the library was loaded from, or null when Aparapi's own loader is used. */
    private static Path loaded;
    private static boolean attempted;

    private AparapiNativeLibrary() {
    }

    static synchronized Path load() {
        if (attempted) {
            return loaded;
        }
        attempted = true;
        if (System.getProperty("com.aparapi.useAgent") != null) {
            return null;  // someone configured Aparapi's loading explicitly: leave it alone
        }
        String resource = resourceName();
        if (resource == null) {
            return null;
        }
        try (InputStream in = com.aparapi.natives.NativeLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            byte[] lib = in.readAllBytes();
            String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(lib), 0, 8);
            Path base = Path.of(System.getProperty("corgipile.native.dir", System.getProperty("java.io.tmpdir")));
            Path dir = base.resolve("corgipile-aparapi-" + hash);
            Path target = dir.resolve("libaparapi.so");
            if (!Files.isRegularFile(target) || Files.size(target) != lib.length) {
                Files.createDirectories(dir);
                Path tmp = Files.createTempFile(dir, "libaparapi", ".tmp");
                Files.write(tmp, lib);
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            System.load(target.toString());
            System.setProperty("com.aparapi.useAgent", "true");
            loaded = target;
            return target;
        } catch (IOException | UncheckedIOException | NoSuchAlgorithmException | SecurityException
                 | UnsatisfiedLinkError e) {
            return null;  // Aparapi's loader will try, and OpenClDevices reports what it says
        }
    }

    /** The library inside aparapi-jni for this platform, or null where Aparapi ships none we handle. */
    private static String resourceName() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        if (!os.contains("linux")) {
            return null;
        }
        return switch (arch) {
            case "amd64", "x86_64" -> "/linux/libaparapi_x86_64.so";
            case "aarch64" -> "/linux/libaparapi_aarch64.so";
            default -> null;
        };
    }
}
