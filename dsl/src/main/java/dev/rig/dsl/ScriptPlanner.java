package dev.rig.dsl;

import dev.rig.engine.Rig;
import dev.rig.engine.model.SourceRef;
import dev.rig.engine.model.VmSpec;
import dev.rig.engine.spi.VmPlan;
import dev.rig.engine.validate.Problem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Script to plans: evaluates the script, validates every VM it declares, and reports the script's problems and
 * the validation problems together, in line order, before anything on the host is touched.
 */
public final class ScriptPlanner {
    private ScriptPlanner() {}

    public static List<VmPlan> plan(Path script, Rig rig) {
        ScriptLoader.Loaded loaded = ScriptLoader.load(script);
        List<ScriptProblem> problems = new ArrayList<>(loaded.problems());
        for (VmSpec vm : loaded.vms()) {
            for (Problem p : rig.validate(vm)) {
                SourceRef where = p.origin().or(() -> vm.origin("name")).orElse(new SourceRef(script.toString(), 0));
                problems.add(new ScriptProblem(where, (p.setting().isEmpty() ? "" : p.setting() + ": ") + p.message()));
            }
        }
        if (!problems.isEmpty()) {
            problems.sort(Comparator.comparingInt(p -> p.where().line()));
            throw new ScriptException(problems);
        }
        return loaded.vms().stream().map(rig::plan).toList();
    }
}
