package dev.rig.engine.lifecycle;

import dev.rig.engine.model.HookSpec;

/** A hook threw: names the hook by its step and the script line that declared it. */
public final class HookFailedException extends RuntimeException {
    public HookFailedException(HookSpec hook, Throwable cause) {
        super("hook " + hook.when().name().toLowerCase() + "('" + hook.step().word() + "')"
                + hook.origin().map(o -> " at " + o).orElse("") + " failed: " + describe(cause), cause);
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null ? t.getClass().getSimpleName() : m;
    }
}
