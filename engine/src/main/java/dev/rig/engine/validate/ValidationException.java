package dev.rig.engine.validate;

import java.util.List;
import java.util.stream.Collectors;

/** Every problem found in a VM; thrown before anything on the host is touched. */
public final class ValidationException extends RuntimeException {
    private final List<Problem> problems;

    public ValidationException(List<Problem> problems) {
        super(problems.stream().map(Problem::toString).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() { return problems; }
}
