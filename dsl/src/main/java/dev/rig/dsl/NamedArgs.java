package dev.rig.dsl;

import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The named arguments of one DSL call ({@code device path: '...', managed: false}), checked against the options
 * that word takes: an unknown option or a value of the wrong type is recorded as a problem, and reads as absent.
 */
final class NamedArgs {
    private final String word;
    private final Map<?, ?> values;
    private final ScriptContext context;

    NamedArgs(String word, Map<?, ?> values, Set<String> allowed, ScriptContext context) {
        this.word = word;
        this.values = values;
        this.context = context;
        for (Object key : values.keySet()) {
            String k = String.valueOf(key);
            if (!allowed.contains(k))
                context.problem(word + " has no option '" + k + "'" + Suggestions.hint(k, allowed)
                        + "; its options: " + String.join(", ", new java.util.TreeSet<>(allowed)));
        }
    }

    boolean has(String key) { return values.containsKey(key); }

    Optional<String> text(String key) {
        Object v = values.get(key);
        if (v == null) return Optional.empty();
        if (v instanceof CharSequence s) return Optional.of(s.toString());
        return wrong(key, v, "text");
    }

    Optional<Integer> whole(String key) {
        Object v = values.get(key);
        if (v == null) return Optional.empty();
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            long n = ((Number) v).longValue();
            if (n == (int) n) return Optional.of((int) n);
        }
        return wrong(key, v, "a whole number");
    }

    /** true/false, or 'on'/'off' as Cloud Hypervisor and QEMU write them. */
    Optional<Boolean> flag(String key) {
        Object v = values.get(key);
        if (v == null) return Optional.empty();
        if (v instanceof Boolean b) return Optional.of(b);
        if ("on".equals(String.valueOf(v))) return Optional.of(true);
        if ("off".equals(String.valueOf(v))) return Optional.of(false);
        return wrong(key, v, "true/false or 'on'/'off'");
    }

    Optional<String> required(String key) {
        if (!values.containsKey(key)) {
            context.problem(word + " needs " + key + ": ...");
            return Optional.empty();
        }
        return text(key);
    }

    private <T> Optional<T> wrong(String key, Object v, String expected) {
        context.problem(word + " " + key + ": expects " + expected + ", not "
                + (v instanceof CharSequence ? "'" + v + "'" : String.valueOf(v)));
        return Optional.empty();
    }
}
