package io.mailgateway.senderchecks;

/**
 * One result of a sender check.
 *
 * @param check   what was checked, e.g. "SPF", "DKIM s1", "DMARC"
 * @param publish the DNS record to publish (zone-file form) when something is missing or wrong, else null
 */
public record Finding(String check, Status status, String message, String publish) {

    /** How a check came out; MISSING and WRONG are problems that cost deliverability. */
    public enum Status { OK, WARNING, MISSING, WRONG }

    public static Finding ok(String check, String message) {
        return new Finding(check, Status.OK, message, null);
    }

    public static Finding warning(String check, String message, String publish) {
        return new Finding(check, Status.WARNING, message, publish);
    }

    public boolean problem() {
        return status == Status.MISSING || status == Status.WRONG;
    }

    /** A TXT record in zone-file form, split into strings of at most 255 characters as DNS requires. */
    public static String txt(String name, String value) {
        StringBuilder record = new StringBuilder(name).append(" TXT");
        for (int start = 0; start < value.length(); start += 255) {
            record.append(" \"").append(value, start, Math.min(value.length(), start + 255)).append('"');
        }
        return record.toString();
    }
}
