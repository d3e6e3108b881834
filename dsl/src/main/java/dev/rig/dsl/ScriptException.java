package dev.rig.dsl;

import java.util.List;
import java.util.stream.Collectors;

/** Every problem found while reading a script; nothing has run. */
public final class ScriptException extends RuntimeException {
    private final List<ScriptProblem> problems;

    public ScriptException(List<ScriptProblem> problems) {
        super(problems.stream().map(ScriptProblem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<ScriptProblem> problems() { return problems; }
}
