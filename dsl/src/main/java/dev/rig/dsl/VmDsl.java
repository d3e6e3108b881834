package dev.rig.dsl;

import dev.rig.engine.model.VmBuilder;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import dev.rig.engine.model.HookSpec;
import dev.rig.engine.model.LifecycleStep;
import groovy.lang.Closure;
import groovy.transform.stc.ClosureParams;
import groovy.transform.stc.SimpleType;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The words allowed inside {@code vm { ... }}: each forwards to {@link VmBuilder}, recording the script line.
 * A bad value or an unknown word is recorded as a problem and evaluation goes on, so one run reports them all.
 * (A GroovyObject, because closures forward missing methods only to GroovyObject delegates.)
 */
public class VmDsl extends groovy.lang.GroovyObjectSupport {
    private static final Set<String> WORDS = Arrays.stream(VmDsl.class.getDeclaredMethods())
            .filter(m -> Modifier.isPublic(m.getModifiers()) && !m.getName().endsWith("Missing"))
            .map(Method::getName).collect(Collectors.toCollection(TreeSet::new));

    private final VmBuilder builder;
    private final ScriptContext context;
    private final Path baseDir;

    VmDsl(VmBuilder builder, ScriptContext context, Path baseDir) {
        this.builder = builder;
        this.context = context;
        this.baseDir = baseDir;
    }

    /** Runs one setting; a value the builder rejects becomes a problem at the current line. */
    private void apply(String word, Runnable setting) {
        try {
            builder.at(context.here());
            setting.run();
        } catch (IllegalArgumentException e) {
            context.problem(word + ": " + e.getMessage());
        }
    }

    private Path resolve(String file) { return baseDir.resolve(file).normalize(); }

    public void name(String name) { apply("name", () -> builder.name(name)); }

    public void cpus(int count) { apply("cpus", () -> builder.cpus(count)); }

    public void memory(String size) { apply("memory", () -> builder.memory(size)); }

    public void memory(long bytes) { apply("memory", () -> builder.memory(new dev.rig.engine.model.MemorySize(bytes))); }

    public void guest(String builtin) { apply("guest", () -> builder.guest(builtin)); }

    public void kernel(String file) { apply("kernel", () -> builder.kernel(resolve(file))); }

    public void initrd(String file) { apply("initrd", () -> builder.initrd(resolve(file))); }

    public void cmdline(String cmdline) { apply("cmdline", () -> builder.cmdline(cmdline)); }

    /** {@code memory size: '2G', hugepages: true, hugepageSize: '2M', prefault: true}. */
    public void memory(Map<String, ?> options) {
        NamedArgs a = new NamedArgs("memory", options, Set.of("size", "hugepages", "hugepageSize", "prefault"), context);
        a.required("size").ifPresent(this::memory);
        a.flag("hugepages").ifPresent(on -> apply("hugepages", () -> builder.hugepages(on)));
        a.text("hugepageSize").ifPresent(size -> apply("hugepageSize", () -> builder.hugepageSize(size)));
        a.flag("prefault").ifPresent(on -> apply("prefault", () -> builder.prefault(on)));
    }

    /** A file (next to the script) that gets a copy of everything the guest prints on its serial port. */
    public void serialLog(String file) { apply("serialLog", () -> builder.serialLog(resolve(file))); }

    /** The virtio console: 'stdout', 'tty', 'off' (the default), or a log file. */
    public void console(String where) {
        apply("console", () -> builder.console(switch (where) {
            case "stdout", "tty", "off", "none" -> where;
            default -> resolve(where).toString();
        }));
    }

    /** A raw disk image as virtio-blk: {@code disk 'root.img'} or {@code disk path: 'root.img', readonly: true, id: 'root'}. */
    public void disk(String path) { disk(Map.of("path", path)); }

    public void disk(Map<String, ?> options) {
        NamedArgs a = new NamedArgs("disk", options, Set.of("path", "readonly", "id"), context);
        a.required("path").ifPresent(path -> apply("disk", () -> builder.disk(resolve(path),
                a.flag("readonly").orElse(false), a.text("id").orElse(null))));
    }

    /**
     * A host PCI device passed through: {@code device '0000:01:00.0'} or {@code device path: '/sys/bus/pci/devices/...',
     * id: 'gpu', pciSegment: 1, gpudirectClique: 0, managed: true, rom: 'off'}.
     */
    public void device(String path) { device(Map.of("path", path)); }

    public void device(Map<String, ?> options) {
        NamedArgs a = new NamedArgs("device", options,
                Set.of("path", "id", "pciSegment", "gpudirectClique", "managed", "rom"), context);
        a.required("path").ifPresent(path -> apply("device", () -> builder.device(path, d -> {
            a.text("id").ifPresent(d::id);
            a.whole("pciSegment").ifPresent(d::pciSegment);
            a.whole("gpudirectClique").ifPresent(d::gpudirectClique);
            a.flag("managed").ifPresent(d::managed);
            a.flag("rom").ifPresent(d::rom);
        })));
    }

    /** {@code platform numPciSegments: 2}. */
    public void platform(Map<String, ?> options) {
        NamedArgs a = new NamedArgs("platform", options, Set.of("numPciSegments"), context);
        a.whole("numPciSegments").ifPresent(n -> apply("numPciSegments", () -> builder.numPciSegments(n)));
    }

    /** {@code pciSegment 1, mmio32Weight: 2, mmio64Weight: 1}: the segment's share of the MMIO apertures. */
    public void pciSegment(Map<String, ?> options, int id) {
        NamedArgs a = new NamedArgs("pciSegment", options, Set.of("mmio32Weight", "mmio64Weight"), context);
        int w32 = a.whole("mmio32Weight").orElse(1), w64 = a.whole("mmio64Weight").orElse(1);
        apply("pciSegment", () -> builder.pciSegment(id, w32, w64));
    }

    /** Runs the block when the VM reaches the step: {@code on('booted') { vm -> ... }}. */
    public void on(String step, @ClosureParams(value = SimpleType.class, options = "dev.rig.engine.model.VmHandle")
                   Closure<?> hook) {
        hook("on", step, hook, HookSpec.When.ON);
    }

    /** Runs the block before the step's work. */
    public void before(String step, @ClosureParams(value = SimpleType.class, options = "dev.rig.engine.model.VmHandle")
                       Closure<?> hook) {
        hook("before", step, hook, HookSpec.When.BEFORE);
    }

    /** Runs the block when the VM leaves the step. */
    public void after(String step, @ClosureParams(value = SimpleType.class, options = "dev.rig.engine.model.VmHandle")
                      Closure<?> hook) {
        hook("after", step, hook, HookSpec.When.AFTER);
    }

    /** Runs the block if the VM fails at any step; {@code vm.failure()} says why. */
    public void onFailure(@ClosureParams(value = SimpleType.class, options = "dev.rig.engine.model.VmHandle")
                          Closure<?> hook) {
        hook("onFailure", "failed", hook, HookSpec.When.ON);
    }

    private void hook(String word, String step, Closure<?> body, HookSpec.When when) {
        Optional<LifecycleStep> s = LifecycleStep.fromWord(step);
        if (s.isEmpty()) {
            context.problem(word + ": no lifecycle step '" + step + "'" + Suggestions.hint(step, LifecycleStep.words())
                    + "; the steps: " + String.join(", ", LifecycleStep.words()));
            return;
        }
        HookSpec.Hook hook = vm -> body.call(vm);
        apply(word, () -> {
            switch (when) {
                case BEFORE -> builder.before(s.get(), hook);
                case ON -> builder.on(s.get(), hook);
                case AFTER -> builder.after(s.get(), hook);
            }
        });
    }

    /** 'stdout', 'tty', 'off', or a log file (relative to the script). */
    public void serial(String where) {
        apply("serial", () -> builder.serial(switch (where) {
            case "stdout", "tty", "off", "none" -> where;
            default -> resolve(where).toString();
        }));
    }

    /** Groovy calls this for a word VmDsl lacks, or a known word with arguments of the wrong type. */
    public Object methodMissing(String name, Object args) {
        Object[] values = args instanceof Object[] a ? a : new Object[]{args};
        if (WORDS.contains(name)) {
            context.problem(name + " does not take " + describe(values) + "; it takes " + signatures(name));
        } else {
            context.problem("unknown setting '" + name + "' in vm { }" + Suggestions.hint(name, WORDS)
                    + "; known settings: " + String.join(", ", WORDS));
        }
        return null;
    }

    public Object propertyMissing(String name) {
        context.problem("unknown word '" + name + "' in vm { }" + Suggestions.hint(name, WORDS));
        return null;
    }

    public void propertyMissing(String name, Object value) {
        context.problem((WORDS.contains(name) ? "write " + name + " " + literal(value) + " (no '=')"
                : "unknown setting '" + name + "' in vm { }" + Suggestions.hint(name, WORDS)));
    }

    private static String describe(Object[] values) {
        if (values.length == 0) return "no value";
        return Arrays.stream(values).map(v -> literal(v) + " (" + typeName(v) + ")").collect(Collectors.joining(", "));
    }

    private static String literal(Object v) { return v instanceof CharSequence ? "'" + v + "'" : String.valueOf(v); }

    private static String typeName(Object v) {
        if (v == null) return "null";
        if (v instanceof CharSequence) return "text";
        if (v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger) return "whole number";
        if (v instanceof Number) return "decimal number";
        if (v instanceof groovy.lang.Closure<?>) return "block";
        return v.getClass().getSimpleName();
    }

    private static String signatures(String name) {
        List<String> forms = Arrays.stream(VmDsl.class.getDeclaredMethods())
                .filter(m -> m.getName().equals(name) && Modifier.isPublic(m.getModifiers()))
                .map(m -> Arrays.stream(m.getParameterTypes()).map(VmDsl::paramName).collect(Collectors.joining(", ")))
                .sorted().toList();
        return String.join(" or ", forms);
    }

    private static String paramName(Class<?> c) {
        if (c == String.class) return "text";
        if (c == int.class || c == long.class) return "a whole number";
        if (Map.class.isAssignableFrom(c)) return "named options";
        if (c == Closure.class) return "a block";
        return c.getSimpleName();
    }
}
