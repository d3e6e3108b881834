package dev.rig.dsl;

import dev.rig.engine.model.SourceRef;

/** Something wrong in a script, at the line that says it. */
public record ScriptProblem(SourceRef where, String message) {
    @Override
    public String toString() { return where + ": " + message; }
}
