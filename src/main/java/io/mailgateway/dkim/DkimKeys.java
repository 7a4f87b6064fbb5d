package io.mailgateway.dkim;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailgateway.dkim.DkimKey.Algorithm;

/**
 * The signing keys of a keys directory laid out as DOMAIN/SELECTOR.pem, read again when they may have changed so that
 * a new selector signs without a restart.
 */
// Listing a directory of a few files every few seconds is cheaper and sturdier than a WatchService, which misses the
// symlink swaps a Kubernetes Secret mount makes (..data points to a new folder; the watched files never change).
public final class DkimKeys {

    private static final Logger LOG = LoggerFactory.getLogger(DkimKeys.class);
    private static final String SUFFIX = ".pem";

    private final Path directory;
    private final Duration rescanInterval;
    private final Clock clock;
    // Files already read, by path and modification time: a file is parsed once, and a broken one is logged once.
    private final Map<Path, FileTime> seen = new HashMap<>();
    private final Map<Path, DkimKey> valid = new HashMap<>();
    private volatile Map<String, List<DkimKey>> signingKeys = Map.of();
    private volatile Instant nextScan = Instant.MIN;

    private DkimKeys(Path directory, Duration rescanInterval, Clock clock) {
        this.directory = directory;
        this.rescanInterval = rescanInterval;
        this.clock = clock;
    }

    /** No keys: nothing is signed. */
    public static DkimKeys none() {
        return new DkimKeys(null, Duration.ofDays(365), Clock.systemUTC());
    }

    /**
     * The keys of {@code directory}, read now; every key file must be valid.
     *
     * @throws InvalidDkimKeyException for the first file that cannot sign
     * @throws UncheckedIOException when the directory cannot be listed
     */
    public static DkimKeys load(Path directory, Duration rescanInterval, Clock clock) {
        DkimKeys keys = new DkimKeys(directory, rescanInterval, clock);
        for (KeyFile file : keys.list()) {
            DkimKey key = DkimKeyFile.read(file.path(), file.domain(), file.selector());
            keys.seen.put(file.path(), key.modified());
            keys.valid.put(file.path(), key);
        }
        keys.publish();
        return keys;
    }

    /**
     * Every key of {@code directory} with the DNS record to publish for it, sorted by domain and selector; what an
     * operator checks before turning signing on.
     *
     * @throws InvalidDkimKeyException for the first file that cannot sign
     */
    public static List<DkimKey> read(Path directory) {
        DkimKeys keys = load(directory, Duration.ZERO, Clock.systemUTC());
        return keys.valid.values().stream()
                .sorted(Comparator.comparing(DkimKey::domain).thenComparing(DkimKey::selector)).toList();
    }

    /** The keys that sign mail from {@code domain} now: the newest of each algorithm, so one or two (dual signing). */
    public List<DkimKey> signingKeys(String domain) {
        rescanIfDue();
        return signingKeys.getOrDefault(domain.toLowerCase(Locale.ROOT), List.of());
    }

    /** The domains that have a key now. */
    public Set<String> domains() {
        rescanIfDue();
        return signingKeys.keySet();
    }

    private void rescanIfDue() {
        if (clock.instant().isBefore(nextScan)) {
            return;
        }
        synchronized (this) {
            if (clock.instant().isBefore(nextScan)) {
                return;
            }
            try {
                rescan();
            } catch (RuntimeException e) {
                // A directory that cannot be listed for a moment (a Secret being swapped) keeps the keys it had.
                LOG.warn("DKIM keys directory {} could not be read again; signing with the keys read before: {}",
                        directory, e.getMessage());
            }
            nextScan = clock.instant().plus(rescanInterval);
        }
    }

    private void rescan() {
        Set<Path> present = new HashSet<>();
        for (KeyFile file : list()) {
            present.add(file.path());
            FileTime modified = modified(file.path());
            if (modified == null || modified.equals(seen.get(file.path()))) {
                continue;
            }
            seen.put(file.path(), modified);
            try {
                DkimKey key = DkimKeyFile.read(file.path(), file.domain(), file.selector());
                valid.put(file.path(), key);
                LOG.info("DKIM key {} signs from now on", key);
            } catch (InvalidDkimKeyException e) {
                // Logged once per version of the file; the keys of the domain that were valid keep signing.
                LOG.warn("{}; it is ignored", e.getMessage());
            }
        }
        seen.keySet().retainAll(present);
        valid.keySet().retainAll(present);
        publish();
    }

    private void publish() {
        Map<String, Map<Algorithm, DkimKey>> newest = new HashMap<>();
        Comparator<DkimKey> age = Comparator.comparing(DkimKey::modified).thenComparing(DkimKey::selector);
        for (DkimKey key : valid.values()) {
            newest.computeIfAbsent(key.domain(), domain -> new EnumMap<>(Algorithm.class))
                    .merge(key.algorithm(), key, (a, b) -> age.compare(a, b) >= 0 ? a : b);
        }
        Map<String, List<DkimKey>> byDomain = new HashMap<>();
        newest.forEach((domain, keys) -> byDomain.put(domain, List.copyOf(keys.values())));
        signingKeys = Map.copyOf(byDomain);
    }

    /** The *.pem files one folder down; folders and files starting with "." (a Secret mount's ..data) are skipped. */
    private List<KeyFile> list() {
        List<KeyFile> files = new ArrayList<>();
        if (directory == null) {
            return files;
        }
        try (Stream<Path> domains = Files.list(directory)) {
            for (Path domainFolder : domains.sorted().toList()) {
                String domain = domainFolder.getFileName().toString();
                if (domain.startsWith(".") || !Files.isDirectory(domainFolder)) {
                    continue;
                }
                try (Stream<Path> selectors = Files.list(domainFolder)) {
                    for (Path file : selectors.sorted().toList()) {
                        String name = file.getFileName().toString();
                        if (!name.startsWith(".") && name.endsWith(SUFFIX) && Files.isRegularFile(file)) {
                            files.add(new KeyFile(file, domain.toLowerCase(Locale.ROOT),
                                    name.substring(0, name.length() - SUFFIX.length())));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list the DKIM keys directory " + directory, e);
        }
        return files;
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }

    private record KeyFile(Path path, String domain, String selector) {
    }
}
