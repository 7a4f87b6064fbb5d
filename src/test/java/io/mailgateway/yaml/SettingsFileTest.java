package io.mailgateway.yaml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a settings file is read: checked against its schema, bound to records, mistakes named by file and key path. */
class SettingsFileTest {

    record Shelf(Map<String, Book> shelf, List<String> readers) {
    }

    record Book(String author, Integer pages) {
    }

    @TempDir
    Path dir;

    @Test
    void aValidFileIsBoundToRecordsInTheFilesOrder() throws IOException {
        Shelf shelf = read("shelf:\n  Emma: {author: Austen, pages: 474}\n  Ulysses: {author: Joyce}\nreaders: [ann]\n");

        assertThat(shelf.shelf()).containsExactly(Map.entry("Emma", new Book("Austen", 474)),
                Map.entry("Ulysses", new Book("Joyce", null)));
        assertThat(shelf.readers()).containsExactly("ann");
    }

    @Test
    void anUnknownKeyNamesItsPathAndTheKnownKeysInTheSchemasOrder() {
        assertThatThrownBy(() -> read("shelf:\n  Emma: {author: Austen, pgaes: 474}\n"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageEndingWith("shelf.yaml: shelf.Emma.pgaes: unknown key; known keys: author, pages");
    }

    @Test
    void anUnknownKeyIsReportedBeforeTheMissingKeyItProbablyMeant() {
        assertThatThrownBy(() -> read("shelve:\n  Emma: {author: Austen}\n"))
                .hasMessageEndingWith("shelf.yaml: shelve: unknown key; known keys: shelf, readers");
    }

    @Test
    void aMissingTopLevelKeyOrAnEmptyFileAsksForIt() {
        assertThatThrownBy(() -> read("readers: [ann]\n"))
                .hasMessageEndingWith("shelf.yaml: needs a top-level 'shelf:' map");
        assertThatThrownBy(() -> read(""))
                .hasMessageEndingWith("shelf.yaml: needs a top-level 'shelf:' map");
    }

    @Test
    void aMissingKeyAWrongTypeAndAListEntryAreNamedByTheirPath() {
        assertThatThrownBy(() -> read("shelf:\n  Emma: {pages: 474}\n"))
                .hasMessageEndingWith("shelf.yaml: shelf.Emma.author: missing");
        assertThatThrownBy(() -> read("shelf:\n  Emma: {author: Austen, pages: many}\n"))
                .hasMessageEndingWith("shelf.yaml: shelf.Emma.pages: must be a whole number");
        assertThatThrownBy(() -> read("shelf: {}\nreaders: [ann, {name: bob}]\n"))
                .hasMessageEndingWith("shelf.yaml: readers[1]: must be a string");
    }

    @Test
    void theSchemaWordsARuleItsOwnWayForOneKeywordOrForAll() {
        assertThatThrownBy(() -> read("shelf:\n  Emma: {author: Austen, pages: 9000}\n"))
                .hasMessageEndingWith("shelf.Emma.pages: must be at most 5000, the shelf's limit");
        assertThatThrownBy(() -> read("shelf:\n  Emma: {author: Austen, pages: 0}\n"))
                .hasMessageEndingWith("shelf.Emma.pages: must be at least 1");
        assertThatThrownBy(() -> read("shelf:\n  Emma: {author: Austen, secret: hunter2}\n"))
                .hasMessageEndingWith("shelf.Emma.secret: a secret does not go on the shelf")
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void aFileThatCannotBeReadOrParsedNamesTheKindAndTheFile() throws IOException {
        Path missing = dir.resolve("absent.yaml");
        Path broken = Files.writeString(dir.resolve("broken.yaml"), "shelf: {Emma: [unclosed\n");

        assertThatThrownBy(() -> SettingsFile.read(missing, "shelf", Shelf.class))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("Cannot read the shelf file " + missing);
        assertThatThrownBy(() -> SettingsFile.read(broken, "shelf", Shelf.class))
                .hasMessageStartingWith("Cannot read the shelf file " + broken);
    }

    private Shelf read(String yaml) throws IOException {
        return SettingsFile.read(Files.writeString(dir.resolve("shelf.yaml"), yaml), "shelf", Shelf.class);
    }
}
