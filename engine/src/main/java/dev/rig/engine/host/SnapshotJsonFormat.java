package dev.rig.engine.host;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Lays out a snapshot's JSON tree for people: an object or array that fits on one line within {@link #WIDTH}
 * columns is written on one line ({@code { "index": 0, "kind": "mem32", ... }}), anything bigger one member per
 * line, indented by two spaces. Deterministic, so equal trees give equal text.
 */
final class SnapshotJsonFormat {

    static final int WIDTH = 120;
    private static final String INDENT = "  ";

    private SnapshotJsonFormat() {
    }

    static String format(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(out, node, "", 0);
        return out.append('\n').toString();
    }

    /** Writes {@code node} whose first line already holds {@code used} characters. */
    private static void write(StringBuilder out, JsonNode node, String indent, int used) {
        String inline = inline(node);
        if (!node.isContainerNode() || node.isEmpty() || used + inline.length() <= WIDTH) {
            out.append(inline);
            return;
        }
        String inner = indent + INDENT;
        boolean object = node.isObject();
        out.append(object ? '{' : '[').append('\n');
        List<Map.Entry<String, JsonNode>> members = members(node);
        for (int i = 0; i < members.size(); i++) {
            Map.Entry<String, JsonNode> m = members.get(i);
            out.append(inner);
            if (object) {
                out.append(TextNode.valueOf(m.getKey())).append(": ");
            }
            write(out, m.getValue(), inner, lineLength(out));
            out.append(i + 1 < members.size() ? ",\n" : "\n");
        }
        out.append(indent).append(object ? '}' : ']');
    }

    private static String inline(JsonNode node) {
        if (!node.isContainerNode()) {
            return node.toString();
        }
        if (node.isEmpty()) {
            return node.isObject() ? "{}" : "[]";
        }
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> m : members(node)) {
            parts.add((node.isObject() ? TextNode.valueOf(m.getKey()) + ": " : "") + inline(m.getValue()));
        }
        String body = String.join(", ", parts);
        return node.isObject() ? "{ " + body + " }" : "[ " + body + " ]";
    }

    /** Object fields in order, or array elements with null keys. */
    private static List<Map.Entry<String, JsonNode>> members(JsonNode node) {
        List<Map.Entry<String, JsonNode>> members = new ArrayList<>();
        if (node.isObject()) {
            members.addAll(node.properties());
        } else {
            node.forEach(e -> members.add(new AbstractMap.SimpleEntry<>(null, e)));
        }
        return members;
    }

    private static int lineLength(StringBuilder out) {
        return out.length() - (out.lastIndexOf("\n") + 1);
    }
}
