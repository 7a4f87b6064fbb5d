package io.mailgateway.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailgateway.support.RefusedStartUp;

class DkimStartUpTest {

    @TempDir
    Path keysDir;

    @Test
    void aKeyThatCannotSignRefusesStartUpNamingItsFileButNotItsContent() throws Exception {
        TestKeys.rsa(keysDir, "shop.example", "good", 2048);
        Path pkcs1 = TestKeys.rsaPkcs1(keysDir, "shop.example", "old");
        String secretLine = Files.readAllLines(pkcs1).get(1);

        Throwable refusal = RefusedStartUp.rootCause(Map.of("gateway.dkim.keys-dir", keysDir.toString()));

        assertThat(refusal).isInstanceOf(InvalidDkimKeyException.class).hasMessageContaining(pkcs1.toString())
                .hasMessageNotContaining(secretLine);
    }
}
