package dev.rig.engine.hostprep;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where Rig keeps its host journal: {@code $RIG_STATE_DIR} when set; else {@code /var/lib/rig} for root (binding
 * drivers needs root, so this is where the journal normally lives); else {@code $XDG_STATE_HOME/rig}, or
 * {@code ~/.local/state/rig} per the XDG base directory spec.
 */
public final class StateDirectory {

    public static final String ENV = "RIG_STATE_DIR";
    public static final Path SYSTEM = Path.of("/var/lib/rig");

    private StateDirectory() {
    }

    /** For this process: its environment and effective user. */
    public static Path resolve() {
        return resolve(System.getenv(), ProcStatus.self(Path.of("/proc")).effectiveUid() == 0,
                System.getProperty("user.home"));
    }

    public static Path resolve(Map<String, String> env, boolean root, String home) {
        String explicit = env.get(ENV);
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        if (root) {
            return SYSTEM;
        }
        String xdg = env.get("XDG_STATE_HOME");
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            return Path.of(xdg, "rig");
        }
        return Path.of(home, ".local", "state", "rig");
    }
}
