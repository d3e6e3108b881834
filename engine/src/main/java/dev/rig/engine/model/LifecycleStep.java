package dev.rig.engine.model;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The steps a VM goes through, in order, plus FAILED. A hook names one as the script does: 'validated', 'booted'.
 * <pre>defined -> validated -> host-prepared -> realized -> booted -> running -> stopped -> torn-down</pre>
 */
public enum LifecycleStep {
    DEFINED, VALIDATED, HOST_PREPARED, REALIZED, BOOTED, RUNNING, STOPPED, TORN_DOWN, FAILED;

    /** The script's word for the step: "host-prepared". */
    public String word() { return name().toLowerCase(Locale.ROOT).replace('_', '-'); }

    public static Optional<LifecycleStep> fromWord(String word) {
        return Arrays.stream(values()).filter(s -> s.word().equals(word)).findFirst();
    }

    public static List<String> words() { return Arrays.stream(values()).map(LifecycleStep::word).toList(); }
}
