package io.mailgateway.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.mailgateway.tls.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDkimKeyTest {

    private static final Pattern RECORD =
            Pattern.compile("local\\._domainkey\\.acme\\.example\\. IN TXT \"v=DKIM1; k=rsa; p=([A-Za-z0-9+/=]+)\"");

    @TempDir
    Path keysDir;

    @Test
    void writesAPkcs8KeyAsDomainSlashSelectorPemReadableOnlyByItsOwner() throws Exception {
        LocalDkimKey.createOrLoad(keysDir, "acme.example", "local");

        Path file = keysDir.resolve("acme.example/local.pem");
        assertThat(Files.readString(file)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(Pem.readPrivateKey(file)).isInstanceOfSatisfying(RSAPrivateCrtKey.class,
                key -> assertThat(key.getModulus().bitLength()).isEqualTo(2048));
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void keepsTheKeyOfAnEarlierRunSoThePrintedRecordStaysValid() throws Exception {
        String first = LocalDkimKey.createOrLoad(keysDir, "acme.example", "local").dnsRecord();
        byte[] keyFile = Files.readAllBytes(keysDir.resolve("acme.example/local.pem"));

        String second = LocalDkimKey.createOrLoad(keysDir, "acme.example", "local").dnsRecord();

        assertThat(second).isEqualTo(first);
        assertThat(Files.readAllBytes(keysDir.resolve("acme.example/local.pem"))).isEqualTo(keyFile);
    }

    @Test
    void dnsRecordPublishesThePublicHalfOfTheKeyFile() throws Exception {
        String record = LocalDkimKey.createOrLoad(keysDir, "acme.example", "local").dnsRecord();

        Matcher matcher = RECORD.matcher(record);
        assertThat(matcher.matches()).as(record).isTrue();
        PublicKey published = KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(matcher.group(1))));
        RSAPrivateCrtKey privateKey = (RSAPrivateCrtKey) Pem.readPrivateKey(keysDir.resolve("acme.example/local.pem"));
        assertThat(((RSAPublicKey) published).getModulus()).isEqualTo(privateKey.getModulus());
    }
}
