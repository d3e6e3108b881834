package dev.rig.engine.model;

/** Where in a script a setting was written, so errors can point at it: "hello.groovy:3". */
public record SourceRef(String file, int line) {
    @Override
    public String toString() { return line > 0 ? file + ":" + line : file; }
}
