package io.mailgateway.preview;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.io.UnsupportedEncodingException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import jakarta.mail.BodyPart;
import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;

/**
 * The mails an SMTP server for development wrote to a folder, one {@code .eml} file each: listed newest first, and
 * read back as their headers, HTML part, text part and attachments.
 */
public final class CaughtMails {

    /** At most this many mails are listed, the newest; a folder that grows all day stays quick to show. */
    public static final int MAX_LISTED = 500;

    // A plain file name: no separators, no leading dot (so no "..", no hidden files), ending in .eml.
    private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]{0,195}\\.eml");

    /** One mail in the list. */
    public record Summary(String file, String from, String to, String subject, String date) {
    }

    /** A header as it reads, encoded words decoded. */
    public record HeaderLine(String name, String value) {
    }

    /** An attachment's file name and content type. */
    public record AttachmentInfo(String filename, String contentType) {
    }

    /** One mail read back; {@code html} or {@code text} is null when the mail has no such part. */
    public record Mail(Summary summary, List<HeaderLine> headers, String html, String text,
            List<AttachmentInfo> attachments) {
    }

    private final Path folder;

    public CaughtMails(Path folder) {
        this.folder = folder;
    }

    public Path folder() {
        return folder;
    }

    /** Whether a name can be a caught mail's file name: a plain .eml file name, nothing that leaves the folder. */
    public static boolean isMailFileName(String name) {
        return name != null && FILE_NAME.matcher(name).matches();
    }

    /** The newest {@link #MAX_LISTED} mails, newest first; empty when the folder does not exist (yet). */
    public List<Summary> list() {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        List<Path> files;
        try (Stream<Path> children = Files.list(folder)) {
            files = children.filter(file -> isMailFileName(file.getFileName().toString()))
                    .filter(file -> Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS))
                    .sorted(Comparator.comparing(CaughtMails::modified).thenComparing(Path::getFileName).reversed())
                    .limit(MAX_LISTED)
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the caught mails in " + folder, e);
        }
        List<Summary> summaries = new ArrayList<>();
        for (Path file : files) {
            summaries.add(summary(file.getFileName().toString(), parse(file)));
        }
        return summaries;
    }

    /** The mail in that file of the folder; empty when the name is not a mail file name or there is no such file. */
    public Optional<Mail> read(String fileName) {
        if (!isMailFileName(fileName)) {
            return Optional.empty();
        }
        Path file = folder.resolve(fileName);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        MimeMessage message = parse(file);
        try {
            List<HeaderLine> headers = new ArrayList<>();
            for (Header header : Collections.list(message.getAllHeaders())) {
                headers.add(new HeaderLine(header.getName(), decode(header.getValue())));
            }
            Parts parts = new Parts();
            parts.collect(message);
            return Optional.of(new Mail(summary(fileName, message), headers, parts.html, parts.text,
                    parts.attachments));
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException(fileName + " is not a readable mail: " + e.getMessage(), e);
        }
    }

    private static MimeMessage parse(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            // reads the whole message, so the file is closed before the parts are read
            return new MimeMessage(Session.getInstance(new Properties()), in);
        } catch (IOException | MessagingException e) {
            throw new IllegalStateException(file.getFileName() + " is not a readable mail: " + e.getMessage(), e);
        }
    }

    private static Summary summary(String fileName, MimeMessage message) {
        return new Summary(fileName, header(message, "From"), header(message, "To"), header(message, "Subject"),
                header(message, "Date"));
    }

    private static String header(MimeMessage message, String name) {
        try {
            String value = message.getHeader(name, ", ");
            return value == null ? "" : decode(value);
        } catch (MessagingException e) {
            return "";
        }
    }

    private static String decode(String value) {
        String unfolded = MimeUtility.unfold(value);
        try {
            return MimeUtility.decodeText(unfolded);
        } catch (UnsupportedEncodingException e) {
            return unfolded;
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            // a file removed while listing sorts last and then reads as missing
            return FileTime.from(Instant.EPOCH);
        }
    }

    /** The first HTML and the first text part that are not attachments, and every attachment. */
    private static final class Parts {
        String html;
        String text;
        final List<AttachmentInfo> attachments = new ArrayList<>();

        void collect(Part part) throws MessagingException, IOException {
            if (part.isMimeType("multipart/*")) {
                Multipart multipart = (Multipart) part.getContent();
                for (int i = 0; i < multipart.getCount(); i++) {
                    BodyPart child = multipart.getBodyPart(i);
                    collect(child);
                }
                return;
            }
            boolean attachment = Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition()) || part.getFileName() != null;
            if (!attachment && html == null && part.isMimeType("text/html")) {
                html = part.getContent().toString();
            } else if (!attachment && text == null && part.isMimeType("text/plain")) {
                text = part.getContent().toString();
            } else {
                String contentType = part.getContentType() == null ? "" : part.getContentType().split(";")[0].strip();
                attachments.add(new AttachmentInfo(part.getFileName() == null ? "(no name)" : decode(part.getFileName()),
                        contentType));
            }
        }
    }
}
