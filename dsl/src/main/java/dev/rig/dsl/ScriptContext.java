package dev.rig.dsl;

import dev.rig.engine.model.SourceRef;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Per-evaluation state: the script's file, the problems found so far, and how to find the current line. */
final class ScriptContext {
    private final String fileName;
    private final String displayName;
    private final List<ScriptProblem> problems = new ArrayList<>();

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

    void problem(String message) { problems.add(new ScriptProblem(here(), message)); }

    void problem(SourceRef where, String message) { problems.add(new ScriptProblem(where, message)); }

    List<ScriptProblem> problems() { return problems; }
}
