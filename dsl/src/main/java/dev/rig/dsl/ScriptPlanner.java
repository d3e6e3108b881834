package dev.rig.dsl;

import dev.rig.engine.Rig;
import dev.rig.engine.model.SourceRef;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.spi.VmPlan;
import dev.rig.engine.validate.Problem;
import dev.rig.engine.validate.ValidationException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Script to plans: evaluates the script, validates every VM it declares, and reports the script's problems and
 * the validation problems together, in line order, before anything on the host is touched.
 */
public final class ScriptPlanner {
    private ScriptPlanner() {}

    /** Plans for `rig plan`: everything is checked, including devices the backend cannot realize yet. */
    public static List<VmPlan> plan(Path script, Rig rig) { return plan(script, rig, false); }

    /** Plans for `rig run`: also refuses what the backend cannot realize yet. */
    public static List<VmPlan> planToRun(Path script, Rig rig) { return plan(script, rig, true); }

    private static List<VmPlan> plan(Path script, Rig rig, boolean forRun) {
        ScriptLoader.Loaded loaded = ScriptLoader.load(script);
        List<Problem> problems = new ArrayList<>(loaded.problems());
        List<VmPlan> plans = new ArrayList<>();
        for (VmSpec vm : loaded.vms()) {
            Rig.Checked checked = rig.check(vm, forRun);
            checked.plan().ifPresent(plans::add);
            for (Problem p : checked.problems()) {
                SourceRef where = p.origin().or(() -> vm.origin("name")).orElse(new SourceRef(script.toString(), 0));
                problems.add(new Problem(p.setting(), p.message(), Optional.of(where)));
            }
        }
        if (!problems.isEmpty()) {
            problems.sort(Comparator.comparingInt(Problem::line));
            throw new ValidationException(problems);
        }
        return plans;
    }
}
