package io.mailgateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import com.fasterxml.jackson.core.json.PackageVersion;
import org.apache.kafka.common.security.JaasUtils;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

/**
 * The libraries on the class path are at least the releases that fixed the published vulnerabilities the gateway
 * relies on being fixed, so a downgrade through a dependency change fails the build.
 */
class DependencyFloorsTest {

    @Test
    void kafkaClientsHasTheFixesForTheSaslJaasConfigurationVulnerabilities() {
        // CVE-2025-27817 (OAUTHBEARER URLs read files or make requests) and CVE-2025-27818 (LdapLoginModule in
        // sasl.jaas.config) are fixed in 3.9.1
        assertThat(atLeast(AppInfoParser.getVersion(), "3.9.1")).as(AppInfoParser.getVersion()).isTrue();
        assertThat(JaasUtils.DISALLOWED_LOGIN_MODULES_DEFAULT)
                .contains("com.sun.security.auth.module.LdapLoginModule", "com.sun.security.auth.module.JndiLoginModule");
        // nobody re-allowed them for this JVM
        assertThat(System.getProperty(JaasUtils.DISALLOWED_LOGIN_MODULES_CONFIG)).isNull();
    }

    @Test
    void angusSmtpRefusesCommandsWithLineBreaks() throws IOException {
        // CVE-2025-7962 (SMTP command injection through CR/LF) is fixed in the SMTP transport from 2.0.4
        String version = mavenVersion("org.eclipse.angus", "smtp");
        assertThat(atLeast(version, "2.0.4")).as(version).isTrue();
    }

    @Test
    void jacksonEnforcesReadConstraints() {
        // nesting depth and number length limits (CVE-2025-52999 and the like) exist from 2.15
        assertThat(atLeast(PackageVersion.VERSION.toString(), "2.15.0")).as(PackageVersion.VERSION.toString()).isTrue();
    }

    private static String mavenVersion(String groupId, String artifactId) throws IOException {
        String path = "META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
        try (InputStream in = DependencyFloorsTest.class.getClassLoader().getResourceAsStream(path)) {
            assertThat(in).as(path).isNotNull();
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version");
        }
    }

    /** Compares the numeric parts of two versions such as 3.9.1 or 2.19.4; qualifiers after '-' are ignored. */
    private static boolean atLeast(String version, String floor) {
        String[] have = version.split("-")[0].split("\\.");
        String[] need = floor.split("\\.");
        for (int i = 0; i < need.length; i++) {
            int a = i < have.length ? Integer.parseInt(have[i]) : 0;
            int b = Integer.parseInt(need[i]);
            if (a != b) {
                return a > b;
            }
        }
        return true;
    }
}
