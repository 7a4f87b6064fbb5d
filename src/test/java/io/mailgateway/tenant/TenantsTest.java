package io.mailgateway.tenant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.mailgateway.request.MailAddress;

/** Specifies how the tenants file is read, and that a broken one stops start-up naming the file. */
class TenantsTest {

    @TempDir
    Path tempDir;

    @Test
    void readsEveryTenantWithFromReplyToLocaleAndVariables() throws IOException {
        Tenants tenants = Tenants.load(file("tenants.yaml", """
                tenants:
                  acme:
                    from: {address: shop@acme.example, name: ACME Shop}
                    replyTo: support@acme.example
                    locale: de-AT
                    variables:
                      brand: ACME
                      colours: {primary: "#c00"}
                      sizes: [1, 2]
                  globex:
                    from: hello@globex.example
                """));

        Tenant acme = tenants.find("acme").orElseThrow();
        assertThat(acme.id()).isEqualTo("acme");
        assertThat(acme.from()).isEqualTo(new MailAddress("shop@acme.example", "ACME Shop"));
        assertThat(acme.replyTo()).isEqualTo(new MailAddress("support@acme.example", null));
        assertThat(acme.locale()).isEqualTo("de-AT");
        assertThat(acme.variables()).containsOnly(
                Map.entry("brand", "ACME"),
                Map.entry("colours", Map.of("primary", "#c00")),
                Map.entry("sizes", List.of(1, 2)));
        assertThat(tenants.find("globex")).isPresent();
        assertThat(tenants.isEmpty()).isFalse();
    }

    @Test
    void anAddressMayBeAPlainString() throws IOException {
        Tenant tenant = single("""
                tenants:
                  acme:
                    from: shop@acme.example
                """);

        assertThat(tenant.from()).isEqualTo(new MailAddress("shop@acme.example", null));
    }

    @Test
    void anAddressMayBeAnObjectWithAddressAndName() throws IOException {
        Tenant tenant = single("""
                tenants:
                  acme:
                    replyTo: {address: support@acme.example, name: "ACME Support"}
                """);

        assertThat(tenant.replyTo()).isEqualTo(new MailAddress("support@acme.example", "ACME Support"));
    }

    @Test
    void anAddressObjectMayOmitTheName() throws IOException {
        Tenant tenant = single("""
                tenants:
                  acme:
                    from: {address: shop@acme.example}
                """);

        assertThat(tenant.from()).isEqualTo(new MailAddress("shop@acme.example", null));
    }

    @Test
    void missingSettingsAreNullAndVariablesEmpty() throws IOException {
        Tenant tenant = single("""
                tenants:
                  acme: {}
                """);

        assertThat(tenant.from()).isNull();
        assertThat(tenant.replyTo()).isNull();
        assertThat(tenant.locale()).isNull();
        assertThat(tenant.variables()).isEmpty();
    }

    @Test
    void aTenantWithoutSettingsIsStillAKnownTenant() throws IOException {
        Tenants tenants = Tenants.load(file("tenants.yaml", """
                tenants:
                  acme:
                """));

        Tenant tenant = tenants.find("acme").orElseThrow();
        assertThat(tenant.from()).isNull();
        assertThat(tenant.variables()).isEmpty();
    }

    @Test
    void jsonIsReadToo() throws IOException {
        Tenants tenants = Tenants.load(file("tenants.json",
                "{\"tenants\": {\"acme\": {\"from\": \"shop@acme.example\", \"locale\": \"de\"}}}"));

        assertThat(tenants.find("acme").orElseThrow().locale()).isEqualTo("de");
    }

    @Test
    void anUnknownOrMissingIdFindsNothing() throws IOException {
        Tenants tenants = Tenants.load(file("tenants.yaml", """
                tenants:
                  acme: {}
                """));

        assertThat(tenants.find("globex")).isEmpty();
        assertThat(tenants.find(null)).isEmpty();
    }

    @Test
    void noTenantsFileMeansNoTenants() {
        assertThat(Tenants.none().isEmpty()).isTrue();
        assertThat(Tenants.none().find("acme")).isEmpty();
    }

    // --- broken files ---------------------------------------------------------------------------------------------

    @Test
    void unparsableYamlIsAnIllegalStateNamingTheFile() throws IOException {
        Path file = file("broken-tenants.yaml", "tenants:\n  acme: {from: [unclosed\n");

        assertThatThrownBy(() -> Tenants.load(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString());
    }

    @Test
    void aMissingFileIsAnIllegalStateNamingTheFile() {
        Path file = tempDir.resolve("absent-tenants.yaml");

        assertThatThrownBy(() -> Tenants.load(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString());
    }

    static Stream<Arguments> brokenFiles() {
        return Stream.of(
                broken("an empty file has no top-level tenants map", "no-map-tenants.yaml", "", "tenants"),
                broken("a file without a top-level tenants key", "no-map-tenants.yaml",
                        "acme:\n  from: shop@acme.example\n", "tenants"),
                broken("tenants that are a list, not a map", "no-map-tenants.yaml", "tenants: [acme]\n", "tenants"),
                broken("an address that is neither string nor object", "bad-address-tenants.yaml", """
                        tenants:
                          acme:
                            from: [shop@acme.example]
                        """, "tenants.acme.from"),
                broken("an address object without address", "nameless-tenants.yaml", """
                        tenants:
                          acme:
                            replyTo: {name: ACME Support}
                        """, "tenants.acme.replyTo"),
                broken("variables that are not a map", "list-variables-tenants.yaml", """
                        tenants:
                          acme:
                            variables: [brand, colour]
                        """, "tenants.acme.variables"),
                broken("a variable without value", "empty-variable-tenants.yaml", """
                        tenants:
                          acme:
                            variables:
                              brand:
                        """, "tenants.acme.variables"),
                broken("a tenant that is not a map", "scalar-tenant-tenants.yaml", """
                        tenants:
                          acme: shop@acme.example
                        """, "tenants.acme"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFiles")
    void aBrokenFileIsAnIllegalStateNamingFileAndKey(String mistake, String name, String content, String key)
            throws IOException {
        Path file = file(name, content);

        assertThatThrownBy(() -> Tenants.load(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining(key);
    }

    @Test
    void aMisspeltKeyStopsStartUpNamingFileKeyAndTheKnownKeys() throws IOException {
        Path file = file("misspelt-tenants.yaml", """
                tenants:
                  acme:
                    from: shop@acme.example
                    replyto: support@acme.example
                """);

        assertThatThrownBy(() -> Tenants.load(file))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file + ": tenants.acme.replyto: unknown key; known keys: from, replyTo, locale,"
                        + " variables, relays, rateLimit, bulk");
    }

    @Test
    void aMisspeltKeyInsideAnAddressOrBulkStopsStartUpNamingItsPath() throws IOException {
        Path address = file("address-tenants.yaml", """
                tenants:
                  acme:
                    from: {address: shop@acme.example, nmae: ACME Shop}
                """);
        Path bulk = file("bulk-tenants.yaml", """
                tenants:
                  acme:
                    bulk: {kinds: [newsletter], unsubscribeUrl: "https://acme.example/u?t={token}", unsubscribeURL: x}
                """);

        assertThatThrownBy(() -> Tenants.load(address)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tenants.acme.from.nmae: unknown key; known keys: address, name");
        assertThatThrownBy(() -> Tenants.load(bulk)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("tenants.acme.bulk.unsubscribeURL: unknown key; known keys: kinds, unsubscribeUrl");
    }

    private static Arguments broken(String mistake, String name, String content, String key) {
        return Arguments.of(mistake, name, content, key);
    }

    private Tenant single(String yaml) throws IOException {
        return Tenants.load(file("tenants.yaml", yaml)).find("acme").orElseThrow();
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(tempDir.resolve(name), content);
    }
}
