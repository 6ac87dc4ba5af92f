package com.example.counter;

import io.flotilla.engine.ClusterNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Not part of the example: the Flotilla build's check of its library artifacts as this project receives them from
 * the repository they were installed into. Each jar names its module, and its sources and javadoc jars sit beside
 * it holding the sources (generated ones too) and the pages of a public class.
 */
class PublishedArtifactsTest
{
    @ParameterizedTest
    @CsvSource({
        "flotilla-codecs,  io.flotilla.codecs,  io/flotilla/codecs/MessageHeaderDecoder",
        "flotilla-archive, io.flotilla.archive, io/flotilla/archive/ArchiveLogStore",
        "flotilla-engine,  io.flotilla.engine,  io/flotilla/engine/ClusterNode",
        "flotilla-admin,   io.flotilla.admin,   io/flotilla/admin/AdminServer",
    })
    void aLibraryJarNamesItsModuleAndComesWithSourcesAndJavadoc(
        final String artifactId, final String moduleName, final String publicClass) throws Exception
    {
        final String version = ClusterNode.version();
        final Path directory = repository().resolve("io/flotilla").resolve(artifactId).resolve(version);
        final String baseName = artifactId + "-" + version;

        try (JarFile jar = new JarFile(directory.resolve(baseName + ".jar").toFile()))
        {
            assertEquals(moduleName, jar.getManifest().getMainAttributes().getValue("Automatic-Module-Name"));
            assertNotNull(jar.getEntry(publicClass + ".class"));
        }
        try (JarFile sources = new JarFile(directory.resolve(baseName + "-sources.jar").toFile()))
        {
            assertNotNull(sources.getEntry(publicClass + ".java"), "sources of " + publicClass);
        }
        try (JarFile javadoc = new JarFile(directory.resolve(baseName + "-javadoc.jar").toFile()))
        {
            assertNotNull(javadoc.getEntry(publicClass + ".html"), "javadoc of " + publicClass);
        }
    }

    @Test
    void theBomIsInstalledBesideThem() throws Exception
    {
        final String version = ClusterNode.version();
        assertTrue(Files.isRegularFile(repository().resolve("io/flotilla/flotilla-bom").resolve(version)
            .resolve("flotilla-bom-" + version + ".pom")));
    }

    /**
     * @return the root of the local repository this project's flotilla-engine jar came from.
     */
    private static Path repository() throws URISyntaxException
    {
        final Path engineJar = Path.of(ClusterNode.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        // <repository>/io/flotilla/flotilla-engine/<version>/flotilla-engine-<version>.jar
        return engineJar.getParent().getParent().getParent().getParent().getParent();
    }
}
