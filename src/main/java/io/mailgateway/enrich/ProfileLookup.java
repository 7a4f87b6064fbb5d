package io.mailgateway.enrich;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The outcome of looking up one recipient's profile. */
public sealed interface ProfileLookup {

    /** The profile service knows the recipient; the profile is a JSON object. */
    record Found(Map<String, Object> profile) implements ProfileLookup {
        public Found {
            // not Map.copyOf: JSON nulls are data too
            profile = Collections.unmodifiableMap(new LinkedHashMap<>(profile));
        }
    }

    /** The profile service does not know the recipient (HTTP 404): the mail goes out without a profile. */
    record Absent() implements ProfileLookup {
    }

    /** The lookup did not work; the detail says why in users' terms and holds no secret. */
    record Failed(String detail) implements ProfileLookup {
    }
}
