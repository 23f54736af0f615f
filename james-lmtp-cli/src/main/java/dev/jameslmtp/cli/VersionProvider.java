package dev.jameslmtp.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import picocli.CommandLine;

/** {@code lmtp --version}: the Maven project version, filtered into {@code version.properties} at build time. */
final class VersionProvider implements CommandLine.IVersionProvider {

    @Override
    public String[] getVersion() {
        return new String[] {
            "lmtp (james-lmtp) " + version(),
            "Java " + System.getProperty("java.version") + ", " + System.getProperty("os.name"),
        };
    }

    /** The project version, or {@code unknown}. */
    static String version() {
        Properties properties = new Properties();
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                properties.load(in);
            }
        } catch (IOException e) {
            // fall through to "unknown"
        }
        return properties.getProperty("version", "unknown");
    }
}
