package dev.rig.dsl;

import dev.rig.engine.model.SourceRef;
import dev.rig.engine.validate.Problem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Per-evaluation state: the script's file, the problems found so far, and how to find the current line. */
final class ScriptContext {
    private final String fileName;
    private final String displayName;
    private final List<Problem> problems = new ArrayList<>();

    ScriptContext(Path script) {
        this.fileName = script.getFileName().toString();
        this.displayName = script.toString();
    }

    String fileName() { return fileName; }

    /** The line of the script being executed: the innermost stack frame compiled from the script file. */
    SourceRef here() {
        int line = StackWalker.getInstance().walk(frames -> frames
                .filter(f -> fileName.equals(f.getFileName()) && f.getLineNumber() > 0)
                .findFirst().map(StackWalker.StackFrame::getLineNumber).orElse(0));
        return new SourceRef(displayName, line);
    }

    SourceRef at(int line) { return new SourceRef(displayName, line); }

    void problem(String message) { problems.add(Problem.at(here(), message)); }

    void problem(SourceRef where, String message) { problems.add(Problem.at(where, message)); }

    List<Problem> problems() { return problems; }
}
