package io.mailgateway.yaml;

import java.util.List;

import com.fasterxml.jackson.databind.JsonMappingException.Reference;
import com.networknt.schema.JsonNodePath;

/** Key paths as a user reads them in a settings file: {@code relays.eu-primary.pool.size}, {@code routes[0].relays}. */
final class KeyPaths {

    private KeyPaths() {
    }

    static String of(JsonNodePath location) {
        StringBuilder path = new StringBuilder();
        for (int i = 0; i < location.getNameCount(); i++) {
            append(path, location.getElement(i));
        }
        return path.toString();
    }

    static String of(List<Reference> references) {
        StringBuilder path = new StringBuilder();
        for (Reference reference : references) {
            append(path, reference.getFieldName() != null ? reference.getFieldName() : reference.getIndex());
        }
        return path.toString();
    }

    static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static void append(StringBuilder path, Object element) {
        if (element instanceof Integer index) {
            path.append('[').append(index).append(']');
        } else {
            path.append(path.isEmpty() ? "" : ".").append(element);
        }
    }
}
