package io.mailgateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BounceMailboxSettingsTest {

    private static final String PASSWORD = "mailbox-password-never-shown";

    @TempDir
    Path dir;

    @Test
    void withoutAUrlIntakeIsOff() {
        BounceMailboxSettings settings = BounceMailboxSettings.from(Settings.of(defaults()));

        assertThat(settings.mailbox()).isEmpty();
    }

    @Test
    void aUrlNamesTheServerAndFolderAndThePasswordComesFromItsFileButNeverShows() throws Exception {
        Map<String, String> values = mailbox("imaps://imap.example.net/Bounces");

        BounceMailboxSettings.Mailbox mailbox = BounceMailboxSettings.from(Settings.of(values)).mailbox().orElseThrow();

        assertThat(mailbox.imaps()).isTrue();
        assertThat(mailbox.host()).isEqualTo("imap.example.net");
        assertThat(mailbox.port()).isEqualTo(993);
        assertThat(mailbox.folder()).isEqualTo("Bounces");
        assertThat(mailbox.password()).isEqualTo(PASSWORD);
        assertThat(mailbox.toString()).doesNotContain(PASSWORD);
    }

    @Test
    void aUrlThatIsNotImapIsRefusedNamingTheSetting() throws Exception {
        Map<String, String> values = mailbox("pop3s://mail.example.net");

        assertThatThrownBy(() -> BounceMailboxSettings.from(Settings.of(values)))
                .hasMessageContaining("GATEWAY_BOUNCE_MAILBOX_URL");
    }

    @Test
    void aMailboxWithoutTheBounceSecretIsRefused() throws Exception {
        Map<String, String> values = mailbox("imaps://imap.example.net");
        values.remove("gateway.bounce.secret-file");

        assertThatThrownBy(() -> BounceMailboxSettings.from(Settings.of(values)))
                .hasMessageContaining("GATEWAY_BOUNCE_SECRET_FILE");
    }

    @Test
    void aMailboxWithoutItsPasswordFileIsRefused() throws Exception {
        Map<String, String> values = mailbox("imaps://imap.example.net");
        values.remove("gateway.bounce.mailbox.password-file");

        assertThatThrownBy(() -> BounceMailboxSettings.from(Settings.of(values)))
                .hasMessageContaining("GATEWAY_BOUNCE_MAILBOX_PASSWORD_FILE");
    }

    @Test
    void aSoftBounceLimitBelowOneIsRefused() {
        Map<String, String> values = defaults();
        values.put("gateway.soft-bounce.limit", "0");

        assertThatThrownBy(() -> BounceMailboxSettings.from(Settings.of(values)))
                .hasMessageContaining("GATEWAY_SOFT_BOUNCE_LIMIT");
    }

    private Map<String, String> mailbox(String url) throws Exception {
        Map<String, String> values = defaults();
        values.put("gateway.bounce.mailbox.url", url);
        values.put("gateway.bounce.mailbox.username", "bounces");
        values.put("gateway.bounce.mailbox.password-file", Files.writeString(dir.resolve("password"), PASSWORD + "\n")
                .toString());
        values.put("gateway.bounce.secret-file", Files.writeString(dir.resolve("secret"), "x".repeat(32)).toString());
        return values;
    }

    private static Map<String, String> defaults() {
        return new HashMap<>(Map.of("gateway.bounce.mailbox.poll-delay", "30s",
                "gateway.bounce.mailbox.handled-folder", "Handled",
                "gateway.bounce.mailbox.unclassified-folder", "Unclassified",
                "gateway.soft-bounce.limit", "3", "gateway.soft-bounce.days", "7"));
    }
}
