package dev.rig.dsl;

import dev.rig.engine.Rig;
import dev.rig.engine.model.VmBuilder;
import groovy.lang.Closure;
import groovy.lang.DelegatesTo;
import groovy.lang.MissingMethodException;
import groovy.lang.MissingPropertyException;
import groovy.lang.Script;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The base class of every Rig script: its top-level words. */
public abstract class RigScript extends Script {
    private static final List<String> WORDS = List.of("vm");

    private ScriptContext context;
    private Path baseDir;
    private String defaultName;
    private final List<VmBuilder> vms = new ArrayList<>();

    void init(ScriptContext context, Path baseDir, String defaultName) {
        this.context = context;
        this.baseDir = baseDir;
        this.defaultName = defaultName;
    }

    List<VmBuilder> vms() { return vms; }

    /** Declares a VM named after the script file. */
    public void vm(@DelegatesTo(value = VmDsl.class, strategy = Closure.DELEGATE_ONLY) Closure<?> body) {
        vm(vms.isEmpty() ? defaultName : defaultName + "-" + (vms.size() + 1), body);
    }

    public void vm(String name, @DelegatesTo(value = VmDsl.class, strategy = Closure.DELEGATE_ONLY) Closure<?> body) {
        VmBuilder builder = Rig.vm(name).at(context.here()).name(name);  // problems without a line of their own point here
        vms.add(builder);
        Closure<?> c = body.rehydrate(new VmDsl(builder, context, baseDir), this, this);
        c.setResolveStrategy(Closure.DELEGATE_ONLY);
        c.call();
    }

    /** Script.invokeMethod looks the name up as a property first; that miss is not a problem of its own. */
    private boolean resolvingMethod;

    @Override
    public Object invokeMethod(String name, Object args) {
        boolean outer = resolvingMethod;
        resolvingMethod = true;
        try {
            return super.invokeMethod(name, args);
        } catch (MissingMethodException e) {
            if (!name.equals(e.getMethod())) throw e;  // a missing method deeper down is the script's own bug
            context.problem("unknown word '" + name + "' at the top of the script" + Suggestions.hint(name, WORDS)
                    + "; a script declares VMs with vm { ... }");
            return null;
        } finally {
            resolvingMethod = outer;
        }
    }

    @Override
    public Object getProperty(String name) {
        try {
            return super.getProperty(name);
        } catch (MissingPropertyException e) {
            if (resolvingMethod) throw e;
            context.problem("unknown word '" + name + "' at the top of the script" + Suggestions.hint(name, WORDS));
            return null;
        }
    }
}
