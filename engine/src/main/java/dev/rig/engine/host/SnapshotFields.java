package dev.rig.engine.host;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Strict, typed access to one JSON object of a host snapshot. Every error names the snapshot and the JSON path
 * of the field at fault, e.g. {@code "snapshot host.json: devices[2].bars[0].size: expected ..."}.
 */
final class SnapshotFields {

    private static final Pattern HEX = Pattern.compile("0[xX]\\p{XDigit}{1,16}");

    private final String source;
    private final String path;
    private final JsonNode node;

    SnapshotFields(String source, String path, JsonNode node, String... allowed) {
        this.source = source;
        this.path = path;
        this.node = node;
        if (node == null || !node.isObject()) {
            throw new HostInventoryException(source + ": " + (path.isEmpty() ? "top level" : path)
                    + ": expected a JSON object");
        }
        Set<String> known = Set.of(allowed);
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                throw error(name, "unknown field; expected one of " + String.join(", ", allowed));
            }
        }
    }

    HostInventoryException error(String field, String problem) {
        return new HostInventoryException(source + ": " + at(field) + ": " + problem);
    }

    /** Runs a constructor, turning its IllegalArgumentException into an error at this object's path. */
    <T> T build(Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            throw new HostInventoryException(source + ": " + (path.isEmpty() ? "top level" : path) + ": "
                    + e.getMessage(), e);
        }
    }

    String requiredText(String field) {
        return optionalText(field).orElseThrow(() -> missing(field));
    }

    Optional<String> optionalText(String field) {
        JsonNode v = value(field);
        if (v == null) {
            return Optional.empty();
        }
        if (!v.isTextual()) {
            throw error(field, "expected a string, got " + v);
        }
        return Optional.of(v.textValue());
    }

    int requiredInt(String field) {
        OptionalInt v = optionalInt(field);
        if (v.isEmpty()) {
            throw missing(field);
        }
        return v.getAsInt();
    }

    OptionalInt optionalInt(String field) {
        JsonNode v = value(field);
        if (v == null) {
            return OptionalInt.empty();
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw error(field, "expected a whole number, got " + v);
        }
        return OptionalInt.of(v.intValue());
    }

    int requiredHex(String field, int max) {
        OptionalInt v = optionalHex(field, max);
        if (v.isEmpty()) {
            throw missing(field);
        }
        return v.getAsInt();
    }

    OptionalInt optionalHex(String field, int max) {
        JsonNode v = value(field);
        if (v == null) {
            return OptionalInt.empty();
        }
        long value = unsigned(field, v);
        if (value < 0 || value > max) {
            throw error(field, String.format("0x%x is out of range 0..0x%x", value, max));
        }
        return OptionalInt.of((int) value);
    }

    /** An unsigned 64-bit value such as a BAR address: a hex string, or a non-negative JSON number. */
    long requiredLong(String field) {
        JsonNode v = value(field);
        if (v == null) {
            throw missing(field);
        }
        return unsigned(field, v);
    }

    boolean optionalBoolean(String field, boolean fallback) {
        JsonNode v = value(field);
        if (v == null) {
            return fallback;
        }
        if (!v.isBoolean()) {
            throw error(field, "expected true or false, got " + v);
        }
        return v.booleanValue();
    }

    Bar.Kind kind(String field) {
        String name = requiredText(field);
        try {
            return Bar.Kind.fromJsonName(name);
        } catch (IllegalArgumentException e) {
            throw error(field, e.getMessage());
        }
    }

    PciAddress requiredAddress(String field) {
        return optionalAddress(field).orElseThrow(() -> missing(field));
    }

    Optional<PciAddress> optionalAddress(String field) {
        return optionalText(field).map(text -> address(field, text));
    }

    List<PciAddress> addresses(String field) {
        JsonNode v = array(field);
        List<PciAddress> result = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            String item = field + "[" + i + "]";
            if (!v.get(i).isTextual()) {
                throw error(item, "expected a PCI address string, got " + v.get(i));
            }
            result.add(address(item, v.get(i).textValue()));
        }
        return result;
    }

    /** The objects of an array field; an absent field gives none. */
    List<SnapshotFields> objects(String field, String... allowed) {
        if (value(field) == null) {
            return List.of();
        }
        JsonNode v = array(field);
        List<SnapshotFields> result = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
            result.add(new SnapshotFields(source, at(field) + "[" + i + "]", v.get(i), allowed));
        }
        return result;
    }

    Optional<SnapshotFields> optionalObject(String field, String... allowed) {
        JsonNode v = value(field);
        return v == null ? Optional.empty() : Optional.of(new SnapshotFields(source, at(field), v, allowed));
    }

    void require(String field) {
        if (value(field) == null) {
            throw missing(field);
        }
    }

    private JsonNode array(String field) {
        JsonNode v = value(field);
        if (v == null) {
            throw missing(field);
        }
        if (!v.isArray()) {
            throw error(field, "expected an array, got " + v);
        }
        return v;
    }

    private long unsigned(String field, JsonNode v) {
        if (v.isTextual() && HEX.matcher(v.textValue()).matches()) {
            return Long.parseUnsignedLong(v.textValue().substring(2), 16);
        }
        if (v.isIntegralNumber() && v.canConvertToLong() && v.longValue() >= 0) {
            return v.longValue();
        }
        throw error(field, "expected a hex string like \"0x10de\" or a non-negative number, got " + v);
    }

    private PciAddress address(String field, String text) {
        try {
            return PciAddress.parse(text);
        } catch (IllegalArgumentException e) {
            throw error(field, e.getMessage());
        }
    }

    /** The field's value; JSON null counts as absent. */
    private JsonNode value(String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    private HostInventoryException missing(String field) {
        return error(field, "missing required field");
    }

    private String at(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }
}
