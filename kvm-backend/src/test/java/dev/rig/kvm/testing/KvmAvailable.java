package dev.rig.kvm.testing;

import dev.rig.kvm.Kvm;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.Optional;

/**
 * Whether this host's /dev/kvm opens and answers. Without it the tests that need KVM are skipped with the reason,
 * unless {@value #REQUIRE_VARIABLE}=required (the lab sets it): there a missing KVM fails them, so that the run
 * meant to prove them cannot pass by skipping. Spock specifications use {@link #usable()} in {@code @Requires}.
 */
public final class KvmAvailable implements ExecutionCondition {
    public static final String TAG = "kvm";
    public static final String REQUIRE_VARIABLE = "RIG_KVM_TESTS";
    private static final Optional<String> PROBLEM = probe();

    private static Optional<String> probe() {
        try (Kvm ignored = Kvm.open()) {
            return Optional.empty();
        } catch (RuntimeException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** True when KVM is usable; false to skip; throws where KVM is required and missing. */
    public static boolean usable() {
        if (PROBLEM.isEmpty()) return true;
        if ("required".equals(System.getenv(REQUIRE_VARIABLE)))
            throw new IllegalStateException(REQUIRE_VARIABLE + "=required, but " + PROBLEM.get());
        return false;
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return usable() ? ConditionEvaluationResult.enabled("/dev/kvm is usable")
                : ConditionEvaluationResult.disabled("no usable KVM on this host (" + PROBLEM.get()
                        + "); scripts/test runs the tests tagged kvm in the lab");
    }
}
