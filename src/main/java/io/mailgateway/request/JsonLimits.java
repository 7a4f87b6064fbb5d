package io.mailgateway.request;

/**
 * Bounds on the shape of a request's JSON, checked while it is read, so that the parsed request costs memory in
 * proportion to these settings rather than to whatever the producer wrote: a 10 MiB body of {@code [0,0,0,...]}
 * would otherwise become millions of objects on the heap.
 *
 * @param maxDepth          deepest nesting of objects and arrays
 * @param maxStringLength   longest string value, in characters (attachments are strings: keep it above their base64
 *                          size)
 * @param maxNumberLength   longest number, in characters
 * @param maxArrayElements  most elements in any one array
 * @param maxObjectMembers  most members in any one object
 * @param maxValues         most values (objects, arrays, strings, numbers, booleans, nulls) in the whole body
 */
public record JsonLimits(int maxDepth, int maxStringLength, int maxNumberLength, int maxArrayElements,
        int maxObjectMembers, int maxValues) {

    public JsonLimits {
        // the body itself, data inside it and a value in data are three levels already
        if (maxDepth < 3) {
            throw new IllegalArgumentException("maxDepth must be at least 3, was " + maxDepth);
        }
        requirePositive(maxStringLength, "maxStringLength");
        requirePositive(maxNumberLength, "maxNumberLength");
        requirePositive(maxArrayElements, "maxArrayElements");
        requirePositive(maxObjectMembers, "maxObjectMembers");
        requirePositive(maxValues, "maxValues");
    }

    /** Depth 32, strings of 10 Mi characters, numbers of 100 characters, 10,000 elements, 1,000 members, 100,000 values. */
    public static JsonLimits defaults() {
        return new JsonLimits(32, 10 * 1024 * 1024, 100, 10_000, 1_000, 100_000);
    }

    private static void requirePositive(int value, String name) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, was " + value);
        }
    }
}
